"""Reads on a real MariaDB replica, with read-your-writes (tms_project/db/replica_router.py).

A primary and an asynchronous replica (scripts/replication.py: two mariadbd on 127.0.0.1), TMS
migrated on the primary and served by gunicorn with the replica configured, as an operator would
(docs/operations.md "Read replica"). The replica's SQL thread is stopped where a test needs it
stale: then every read it answers is visibly old, so a fresh answer proves the primary served it.
The replica logs every statement it is sent (general log), which shows what reached it.
About 25 s, most of it the migration. Skipped, with the reason, without Debian's mariadb-server.
"""

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from scripts import replication
from tests.support.server import GunicornServer, api, base_env, manage, register_and_login
from tests.support.services import unavailable

pytestmark = pytest.mark.server

PIN_SECONDS = 1  # TMS_DB_READ_YOUR_WRITES_SECONDS here: short, so a test can outwait it
ROUNDS = 100  # writes each followed at once by reads of the same user
PASSWORD = "replica-test-passphrase"


# What a connection of TMS may send the replica: its set-up, and reads.
READ_ONLY_SESSION = re.compile(
    r"SELECT |SET NAMES |SET SESSION TRANSACTION ISOLATION LEVEL |SET sql_mode=|SET autocommit=",
    re.IGNORECASE,
)


@dataclass
class Stack:
    pair: replication.ReplicatedPair
    base: str
    alice: str  # access tokens
    bob: str

    def replica_statements(self) -> list[str]:
        """Every statement TMS's replica account sent to the replica since the log was emptied."""
        rows = self.pair.replica.query(
            "SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log "
            "WHERE command_type = 'Query' AND user_host LIKE %s",
            f"{replication.READER}[%",
        )
        return [row[0] for row in rows]

    def clear_replica_log(self) -> None:
        self.pair.replica.query("TRUNCATE mysql.general_log")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    if absent := replication.missing():
        unavailable(f"a MariaDB primary and replica need Debian's {', '.join(absent)}")
    pair = replication.ReplicatedPair()
    try:
        pair.start()
        migrated = manage("migrate", "--no-input", env=base_env(DATABASE_URL=pair.primary_url()), timeout=300)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        pair.wait_caught_up()
        pair.replica.query("SET GLOBAL log_output = 'TABLE'")
        pair.replica.query("SET GLOBAL general_log = 1")
        env = base_env(
            DATABASE_URL=pair.primary_url(),
            TMS_DB_REPLICA_URL=pair.replica_url(),
            TMS_DB_READ_YOUR_WRITES_SECONDS=str(PIN_SECONDS),
            TMS_DB_REPLICA_RETRY_SECONDS="30",
            TMS_RATELIMIT_ENABLE="false",
        )
        logs = tmp_path_factory.mktemp("replica")
        with GunicornServer(env, workers=1, log_path=logs / "gunicorn.log") as server:
            alice = register_and_login(server.url, "alice", PASSWORD)["access"]
            bob = register_and_login(server.url, "bob", PASSWORD)["access"]
            pair.wait_caught_up()
            yield Stack(pair, server.url, alice, bob)
    finally:
        pair.close()


def ids(page: dict) -> list[int]:
    return [task["id"] for task in page["results"]]


def test_a_write_is_read_back_at_once_while_the_replica_is_stale(stack):
    # given a replica that applies nothing: whatever it answers misses every write from now on
    stack.pair.pause_applying()
    try:
        created = []
        for number in range(ROUNDS):
            # when alice writes, then at once reads the list, the task and (after an edit) the task
            status, _, task = api(
                "POST", f"{stack.base}/api/tasks/", {"title": f"t{number}"}, token=stack.alice
            )
            assert status == 201, task
            created.append(task["id"])
            status, _, page = api("GET", f"{stack.base}/api/tasks/?ordering=-created_at", token=stack.alice)
            # then she sees her write every time
            assert status == 200 and ids(page)[0] == task["id"], (number, page)
            status, _, task = api("GET", f"{stack.base}/api/tasks/{task['id']}/", token=stack.alice)
            assert status == 200 and task["title"] == f"t{number}"
            edited = f"t{number} edited"
            status, _, _ = api(
                "PATCH", f"{stack.base}/api/tasks/{task['id']}/", {"title": edited}, token=stack.alice
            )
            assert status == 200
            status, _, task = api("GET", f"{stack.base}/api/tasks/{task['id']}/", token=stack.alice)
            assert status == 200 and task["title"] == edited, (number, task)
        status, _, stats = api("GET", f"{stack.base}/api/tasks/stats/", token=stack.alice)
        assert status == 200 and stats["total"] == ROUNDS, stats

        # when her pin has run out, her reads go to the replica: as stale as it was made
        time.sleep(PIN_SECONDS + 0.5)
        status, _, page = api("GET", f"{stack.base}/api/tasks/", token=stack.alice)
        assert status == 200 and page["results"] == [], page
        status, _, stats = api("GET", f"{stack.base}/api/tasks/stats/", token=stack.alice)
        assert stats["total"] == 0
        status, _, _ = api("GET", f"{stack.base}/api/tasks/{created[0]}/", token=stack.alice)
        assert status == 404  # not on the replica yet
    finally:
        stack.pair.resume_applying()
    # and once the replica has caught up, it answers with everything
    stack.pair.wait_caught_up()
    status, _, stats = api("GET", f"{stack.base}/api/tasks/stats/", token=stack.alice)
    assert stats["total"] == ROUNDS


def test_reads_of_a_user_who_did_not_write_go_to_the_replica_and_nothing_else_does(stack):
    # given bob's task, written well before (its pin run out) and replicated
    status, _, task = api("POST", f"{stack.base}/api/tasks/", {"title": "bob's"}, token=stack.bob)
    assert status == 201
    stack.pair.wait_caught_up()
    time.sleep(PIN_SECONDS + 0.5)
    stack.clear_replica_log()
    # when bob reads the list, the task, its history, the stats and the trash
    for path in ("", f"{task['id']}/", f"{task['id']}/history/", "stats/", "trash/"):
        status, _, body = api("GET", f"{stack.base}/api/tasks/{path}", token=stack.bob)
        assert status == 200, (path, body)
    reads = stack.replica_statements()
    # and then writes in every way the API offers (transactions, SELECT ... FOR UPDATE, bulk)
    # and reads right after
    key = str(uuid.uuid4())
    writes = [
        ("POST", "", {"title": "another"}, {"Idempotency-Key": key}),
        ("PATCH", f"{task['id']}/", {"title": "renamed"}, {"If-Match": f'"{task["version"]}"'}),
        ("POST", f"{task['id']}/complete/", None, {}),
        ("POST", f"{task['id']}/reopen/", None, {}),
        ("POST", f"{task['id']}/comments/", {"body": "a comment"}, {}),
        ("POST", "bulk/", {"ids": [task["id"]], "action": "trash"}, {}),
        ("POST", f"{task['id']}/restore/", None, {}),
        ("DELETE", f"{task['id']}/", None, {}),
    ]
    for method, path, body, headers in writes:
        status, _, answer = api(
            method, f"{stack.base}/api/tasks/{path}", body, token=stack.bob, headers=headers
        )
        assert status < 300, (method, path, answer)
        status, _, _ = api("GET", f"{stack.base}/api/tasks/trash/", token=stack.bob)
        assert status == 200
    # then bob's reads were answered by the replica: his list, task, history, stats and trash
    for table, condition in (
        ("FROM `tasks`", "`tasks`.`position`"),
        ("FROM `tasks`", f"`tasks`.`id` = {task['id']}"),
        ("FROM `task_events`", f"`task_events`.`task_id` = {task['id']}"),
        ("FROM `tasks`", "COUNT("),
        ("FROM `tasks`", "`tasks`.`trashed_at` IS NOT NULL"),
        ("UNION ALL", "label.owner_id"),  # and a page's labels, assignees, sub-tasks and reminders
    ):
        assert any(table in sql and condition in sql for sql in reads), (table, condition)
    # but never who may read what: memberships come from the primary
    assert not [sql for sql in reads if "project_members" in sql], reads
    # and the replica was sent nothing but reads on their own: no write, no lock, no transaction
    for statement in reads:
        assert READ_ONLY_SESSION.match(statement), statement
        assert "FOR UPDATE" not in statement.upper() and "LOCK IN SHARE MODE" not in statement.upper()
    # (Django's connection set-up turns autocommit off and on again at once: no transaction)
    switches = [sql for sql in reads if sql.startswith("SET autocommit")]
    assert switches == ["SET autocommit=0", "SET autocommit=1"] * (len(switches) // 2)
    # and every read right after one of bob's writes went to the primary
    assert stack.replica_statements() == reads


def test_a_removed_member_loses_access_at_once_while_the_replica_is_stale(stack):
    # given dave, a member of alice's project with a task in it, all replicated, both pins run out
    dave = register_and_login(stack.base, "dave", PASSWORD)["access"]
    projects = f"{stack.base}/api/tasks/projects/"
    status, _, project = api("POST", projects, {"name": "shared"}, token=stack.alice)
    assert status == 201, project
    members = f"{stack.base}/api/tasks/projects/{project['id']}/members/"
    status, _, member = api("POST", members, {"user": "dave", "role": "editor"}, token=stack.alice)
    assert status == 201, member
    body = {"title": "plans", "project": project["id"]}
    status, _, task = api("POST", f"{stack.base}/api/tasks/", body, token=stack.alice)
    assert status == 201, task
    stack.pair.wait_caught_up()
    time.sleep(PIN_SECONDS + 0.5)
    status, _, page = api("GET", f"{stack.base}/api/tasks/?project={project['id']}", token=dave)
    assert status == 200 and ids(page) == [task["id"]]
    # when the replica stops applying and alice removes dave
    stack.pair.pause_applying()
    try:
        status, _, _ = api("DELETE", f"{members}{member['user']['id']}/", token=stack.alice)
        assert status == 204
        # then dave's reads, served by the stale replica, no longer show the project's tasks
        status, _, page = api("GET", f"{stack.base}/api/tasks/", token=dave)
        assert status == 200 and task["id"] not in ids(page), page
        status, _, _ = api("GET", f"{stack.base}/api/tasks/?project={project['id']}", token=dave)
        assert status == 404
        for path in (f"{task['id']}/", f"{task['id']}/history/"):
            status, _, answer = api("GET", f"{stack.base}/api/tasks/{path}", token=dave)
            assert status == 404, (path, answer)
        status, _, stats = api("GET", f"{stack.base}/api/tasks/stats/", token=dave)
        assert status == 200 and stats["total"] == 0, stats
    finally:
        stack.pair.resume_applying()


def test_reads_are_answered_by_the_primary_while_the_replica_is_down(stack):
    # given carol's task, replicated, her pin run out, and then the replica gone
    carol = register_and_login(stack.base, "carol", PASSWORD)["access"]
    status, _, task = api("POST", f"{stack.base}/api/tasks/", {"title": "carol's"}, token=carol)
    assert status == 201
    stack.pair.wait_caught_up()
    time.sleep(PIN_SECONDS + 0.5)
    stack.pair.stop(stack.pair.replica)
    # when she reads everything that may be read on the replica
    for path in ("", f"{task['id']}/", f"{task['id']}/history/", "stats/", "trash/"):
        started = time.monotonic()
        status, _, body = api("GET", f"{stack.base}/api/tasks/{path}", token=carol)
        # then every read is answered, from the primary, without waiting for the replica
        assert status == 200, (path, body)
        assert time.monotonic() - started < 2
    status, _, page = api("GET", f"{stack.base}/api/tasks/", token=carol)
    assert ids(page) == [task["id"]]
    # and the fallback is counted where the operator looks
    status, _, metrics = api("GET", f"{stack.base}/metrics")
    assert re.search(rb"^tms_db_replica_fallbacks_total 1\.0$", metrics, re.M), metrics[-2000:]
