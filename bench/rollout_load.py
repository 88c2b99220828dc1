"""The soak's load during a rolling update, and what became of every request and every write.

The load is the soak's: wrk with bench/wrk/tms.lua's mixed mode (list,
retrieve, create, update, complete, stats, refresh; each connection one
signed-in user), paced. bench/wrk/rollout.lua wraps it to journal every
request (see there why wrk's own counters are not enough). A request failed if
its answer was not a 2xx or it got none. A write was acknowledged if it got
its 2xx: afterwards the database must show it — the created task under its id
and owner with its title, an updated task with that title or a later one of
the same user (titles carry the user's growing request counter), a completed
task done.
"""
# ruff: noqa: S603 - runs wrk by name

import json
import os
import re
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LUA = Path(__file__).resolve().parent / "wrk" / "rollout.lua"
LINE = re.compile(
    r"^(?P<sent>\d+) (?P<answered>\d+) (?P<status>\d+|none) (?P<method>[A-Z]+) (?P<path>\S+)"
    r"(?: id=(?P<id>\S+))?(?: title=(?P<title>.*))?$"
)
TASK = re.compile(r"^/api/tasks/(\d+)/$")
COMPLETE = re.compile(r"^/api/tasks/(\d+)/complete/$")
COUNTER = re.compile(r"(\d+)$")


def start(base: str, data: Path, journal: Path, concurrency: int, rate: float) -> subprocess.Popen:
    """wrk with the soak's mix, paced at `rate` requests/s in all; runs until stop()."""
    env = {
        **os.environ,
        "TMS_BENCH_MODE": "mixed",
        "TMS_BENCH_DATA": str(data),
        "TMS_BENCH_INTERVAL_MS": f"{concurrency / rate * 1000:.3f}",
        "TMS_BENCH_JOURNAL": str(journal),
    }
    command = [
        "wrk",
        f"-t{concurrency}",
        f"-c{concurrency}",
        "-d3600s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base,
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen) -> str:
    """End the load as Ctrl-C does (wrk then reports); its output."""
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return output


def summary(output: str) -> dict[str, Any]:
    """wrk's own summary (tms.lua's BENCH_RESULT line): its counts and latency percentiles."""
    for line in output.splitlines():
        if line.startswith("BENCH_RESULT "):
            found: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            return found
    raise ValueError(f"wrk gave no result:\n{output[-2000:]}")


def kind(method: str, path: str) -> str:
    if path.startswith("/api/auth/refresh"):
        return "refresh"
    if COMPLETE.match(path):
        return "complete"
    if path == "/api/tasks/stats/":
        return "stats"
    if path == "/api/tasks/":
        return "create" if method == "POST" else "list"
    if TASK.match(path):
        return "update" if method == "PATCH" else "retrieve"
    return f"{method} {path}"


@dataclass
class Journal:
    """Every request the load sent, by user (the owner id of each journal file)."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    cut: int = 0  # still on the wire when the load stopped: not counted

    @classmethod
    def read(cls, prefix: Path) -> "Journal":
        journal = cls()
        for path in sorted(prefix.parent.glob(f"{prefix.name}-*.log")):
            owner = path.stem.rsplit("-", 1)[-1]
            if owner == "cut":
                journal.cut = len(path.read_text().splitlines())
                continue
            for line in path.read_text().splitlines():
                found = LINE.match(line)
                if not found:
                    raise ValueError(f"{path}: a journal line not understood: {line!r}")
                entry: dict[str, Any] = found.groupdict()
                entry.update(
                    owner=int(owner),
                    sent=int(entry["sent"]) / 1000,
                    answered=int(entry["answered"]) / 1000,
                    status=None if entry["status"] == "none" else int(entry["status"]),
                    kind=kind(entry["method"], entry["path"]),
                )
                journal.requests.append(entry)
        journal.requests.sort(key=lambda entry: entry["sent"])
        return journal

    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["status"] is None or not 200 <= r["status"] < 300]

    def by_kind(self) -> dict[str, dict[str, int]]:
        kinds: dict[str, dict[str, int]] = {}
        for entry in self.requests:
            counts = kinds.setdefault(entry["kind"], {"sent": 0, "ok": 0, "failed": 0})
            counts["sent"] += 1
            ok = entry["status"] is not None and 200 <= entry["status"] < 300
            counts["ok" if ok else "failed"] += 1
        return kinds

    def acknowledged(self) -> dict[str, list[dict[str, Any]]]:
        """The writes that got their 2xx: creates, updates, completes."""
        writes: dict[str, list[dict[str, Any]]] = {"create": [], "update": [], "complete": []}
        for entry in self.requests:
            if entry["kind"] in writes and entry["status"] is not None and 200 <= entry["status"] < 300:
                writes[entry["kind"]].append(entry)
        return writes


def counter(title: str | None) -> int:
    found = COUNTER.search(title or "")
    return int(found[1]) if found else -1


def verify(journal: Journal, rows: dict[int, tuple[int, str, str]]) -> dict[str, Any]:
    """Each acknowledged write against the database's rows (id: owner, title, status); lost ones named."""
    writes = journal.acknowledged()
    lost: list[str] = []
    for entry in writes["create"]:
        task = rows.get(int(entry["id"])) if (entry["id"] or "").isdigit() else None
        if task is None or task[0] != entry["owner"] or task[1] != entry["title"]:
            lost.append(f"create {entry['id']} {entry['title']!r} by user {entry['owner']}: {task}")
    last_update: dict[int, dict[str, Any]] = {}
    for entry in writes["update"]:
        last_update[int(TASK.match(entry["path"])[1])] = entry  # type: ignore[index]
    for task_id, entry in last_update.items():
        task = rows.get(task_id)
        # A later update by the same user (acknowledged or not) may have written a higher counter.
        if task is None or not task[1].startswith("renamed ") or counter(task[1]) < counter(entry["title"]):
            lost.append(f"update {task_id} to {entry['title']!r} by user {entry['owner']}: {task}")
    for entry in writes["complete"]:
        task_id = int(COMPLETE.match(entry["path"])[1])  # type: ignore[index]
        task = rows.get(task_id)
        if task is None or task[2] != "done":
            lost.append(f"complete {task_id} by user {entry['owner']}: {task}")
    return {
        "acknowledged": {name: len(entries) for name, entries in writes.items()},
        "updated_tasks": len(last_update),
        "lost": lost,
    }


def task_ids(journal: Journal) -> list[int]:
    """Every task id an acknowledged write names."""
    ids = set()
    for name, entries in journal.acknowledged().items():
        for entry in entries:
            if name == "create":
                if (entry["id"] or "").isdigit():
                    ids.add(int(entry["id"]))
            else:
                found = TASK.match(entry["path"]) or COMPLETE.match(entry["path"])
                if found:
                    ids.add(int(found[1]))
    return sorted(ids)
