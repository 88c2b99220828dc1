"""`make upgrade-test`'s parts, and a short rolling update under load through the real stack.

The full run (two pods per service, old code to new across a migration, the
manifests' own timing) is `make upgrade-test`; here one task pod is replaced by
another of this checkout under a light load, at a fifth of the manifests'
timing, and the ingress follows readiness alone: the drain flag must take the
pod out by itself. Without the preStop hook the same run must fail.
"""

import json
import subprocess
import sys

import pytest

from bench import rollout_load, rollout_pods, rollout_versions
from tests.support.server import ROOT
from tests.support.services import require, unavailable
from tests.support.tools import require_tool


def require_stack_tools() -> None:
    require_tool("nginx", "Debian package nginx; .ci/run installs it")
    require_tool("wrk", "Debian package wrk; make upgrade-test installs it")
    require("mysql://127.0.0.1:3306", "MariaDB")
    require("redis://127.0.0.1:6379", "Redis")
    if not (ROOT / "frontend/dist/index.html").exists():
        pytest.skip("the web app is not built (make frontend)")


def journal_of(tmp_path, lines_by_owner: dict[int, list[str]]) -> rollout_load.Journal:
    for owner, lines in lines_by_owner.items():
        (tmp_path / f"journal-{owner}.log").write_text("".join(f"{line}\n" for line in lines))
    (tmp_path / "journal-cut.log").write_text("1000 - cut GET /api/tasks/\n")
    return rollout_load.Journal.read(tmp_path / "journal")


def test_every_request_is_judged_by_its_answer_and_writes_by_the_database(tmp_path):
    # given what two users sent: answers, a 502, a request whose connection failed
    journal = journal_of(
        tmp_path,
        {
            7: [
                "1000 1010 201 POST /api/tasks/ id=50 title=bench task 1",
                "1100 1110 200 PATCH /api/tasks/3/ title=renamed 2",
                "1200 1210 200 POST /api/tasks/3/complete/",
                "1300 1400 none PATCH /api/tasks/3/ title=renamed 4",
                "1500 1510 200 PATCH /api/tasks/4/ title=renamed 5",
            ],
            8: [
                "1000 1020 502 POST /api/tasks/ title=bench task 1",
                "1100 1120 200 GET /api/tasks/",
                "1200 1220 201 POST /api/tasks/ id=51 title=bench task 2",
            ],
        },
    )
    # then failures are the 502 and the unanswered one; the end's cut-off request is not counted
    assert [(r["owner"], r["status"], r["kind"]) for r in journal.failed()] == [
        (8, 502, "create"),
        (7, None, "update"),
    ]
    assert journal.cut == 1
    assert journal.by_kind()["create"] == {"sent": 3, "ok": 2, "failed": 1}
    assert rollout_load.task_ids(journal) == [3, 4, 50, 51]
    # when the database has every acknowledged write (task 3 even has the unanswered later title)
    rows = {
        50: (7, "bench task 1", "todo"),
        51: (8, "bench task 2", "todo"),
        3: (7, "renamed 4", "done"),
        4: (7, "renamed 5", "todo"),
    }
    found = rollout_load.verify(journal, rows)
    assert found["acknowledged"] == {"create": 2, "update": 2, "complete": 1}
    assert found["lost"] == []
    # and when it lacks some: a create under another owner, an older title, a task not done
    rows.update({51: (7, "bench task 2", "todo"), 4: (7, "renamed 2", "todo"), 3: (7, "renamed 4", "todo")})
    lost = rollout_load.verify(journal, rows)["lost"]
    assert [entry.split(" ")[:2] for entry in lost] == [["create", "51"], ["update", "4"], ["complete", "3"]]


def test_the_pods_follow_the_deployment_manifests():
    spec = rollout_pods.pod_spec("task")
    assert spec.role == "tasks"
    assert (spec.max_surge, spec.max_unavailable) == (1, 0)
    assert spec.pre_stop[:2] == ["/bin/sh", "-c"] and "TMS_DRAIN_FILE" in spec.pre_stop[-1]
    assert spec.pre_stop_seconds > spec.period * spec.failure_threshold
    assert spec.grace > spec.pre_stop_seconds + int(spec.gunicorn["GUNICORN_GRACEFUL_TIMEOUT"])
    # a shorter run scales the probe's timing and the preStop wait, not the grace period
    fast = rollout_pods.pod_spec("task", scale=0.2)
    assert fast.pre_stop_seconds == pytest.approx(spec.pre_stop_seconds * 0.2)
    assert f"sleep {fast.pre_stop_seconds:g}" in fast.pre_stop[-1]
    assert (fast.period, fast.grace) == (pytest.approx(spec.period * 0.2), spec.grace)


def test_the_old_code_is_the_parent_of_the_newest_commit_that_added_a_migration():
    if rollout_versions.git("rev-parse", "--is-shallow-repository") == "true":
        unavailable("this clone is shallow: make upgrade-test needs the history (git fetch --unshallow)")
    commit, why = rollout_versions.default_old_ref()
    newest = rollout_versions.git(
        "log", "-1", "--format=%H", "--diff-filter=A", "--", *rollout_versions.MIGRATIONS
    )
    assert commit == rollout_versions.git("rev-parse", f"{newest}^")
    assert newest[:10] in why
    assert rollout_versions.between(commit)["migrations"], "a migration lies between the two versions"


def test_a_shallow_clone_says_how_to_get_the_history(tmp_path, monkeypatch):
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", f"file://{ROOT}", str(clone)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setattr(rollout_versions, "ROOT", clone)
    with pytest.raises(rollout_versions.VersionError, match=r"shallow.*git fetch --unshallow"):
        rollout_versions.default_old_ref()


def rolling_update(tmp_path, *options: str) -> tuple[subprocess.CompletedProcess, dict]:
    """One task pod replaced under a light load, at a fifth of the manifests' timing; the report."""
    require_stack_tools()
    command = [
        sys.executable,
        "-m",
        "bench.upgrade",
        *("--from", ".", "--deployments", "task", "--replicas", "1", "--time-scale", "0.2"),
        *("--before", "2", "--after", "2", "--rate", "30", "--concurrency", "6", "--tasks-per-user", "50"),
        *("--follow", "readiness", "--ports", "8150-8199", "--database", "tms_upgrade_test"),
        *("--state", str(tmp_path / "state"), "--out", str(tmp_path)),
        *options,
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    report = tmp_path / "upgrade.json"
    assert report.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    return result, json.loads(report.read_text())


def events_of(results: dict, pod: str) -> list[str]:
    return [event["what"] for event in results["timeline"] if event["who"] == pod]


@pytest.mark.server
def test_a_pod_replaced_under_load_drops_no_request_and_no_write(tmp_path):
    result, results = rolling_update(tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert results["load"]["failed_count"] == 0 and results["load"]["requests"] > 100
    assert results["writes"]["lost"] == [] and results["writes"]["acknowledged"]["create"] > 0
    assert results["ingress"]["upstream_errors"] == []
    # the old pod left the ingress through its readiness probe (the drain flag), before SIGTERM
    steps = [step.split(" (")[0] for step in events_of(results, "task-old-1")]
    drained, removed, stopped = (
        steps.index("readiness probe: 503 draining"),
        steps.index("out of the ingress's upstream"),
        steps.index("SIGTERM"),
    )
    assert drained < removed < stopped, steps


@pytest.mark.server
def test_without_the_prestop_hook_the_same_update_fails(tmp_path):
    result, results = rolling_update(tmp_path, "--no-drain")
    assert result.returncode == 1
    assert "upgrade: FAILED" in result.stdout
    # SIGTERM came while the ingress still sent requests to the pod
    assert results["ingress"]["upstream_errors"], result.stdout[-3000:]
    steps = [step.split(" (")[0] for step in events_of(results, "task-old-1")]
    assert steps.index("SIGTERM") < steps.index("out of the ingress's upstream"), steps
