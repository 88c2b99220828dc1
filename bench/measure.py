"""What the bench reads off the machine: CPU time and memory of each process, database counters."""

import os
import platform
import shutil
import subprocess
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
# Statements that touch data, and all statements (transaction control and session settings too).
DATA_STATEMENTS = ("Com_select", "Com_insert", "Com_update", "Com_delete")
COUNTERS = (*DATA_STATEMENTS, "Questions")


def which(tool: str) -> str | None:
    return shutil.which(tool)


def sql(conf: dict, query: str, params: list | None = None, database: str | None = "default") -> list:
    import MySQLdb

    url = urllib.parse.urlparse(conf["mysql"])
    connection = MySQLdb.connect(
        host=url.hostname,
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        **({"database": conf["database"]} if database else {}),
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return list(cursor.fetchall())
    finally:
        connection.close()


def count_tasks(conf: dict) -> int:
    return sql(conf, "SELECT COUNT(*) FROM tasks")[0][0]


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; everything after its ')' splits cleanly.
    return text[text.rindex(")") + 2 :].split()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _tree(pid: int, children: dict[int, list[int]]) -> list[int]:
    found = [pid]
    for child in children.get(pid, []):
        found += _tree(child, children)
    return found


def _named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == name:
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def processes(conf: dict) -> dict[str, list[int]]:
    """The pids of each part of the stack: a service is its gunicorn master and workers."""
    state = Path(conf["state"])
    children = _children()
    groups = {}
    for role in ("auth", "tasks", "nginx"):
        pid_file = state / f"{role}.pid"
        if pid_file.exists():
            groups[role] = _tree(int(pid_file.read_text().strip()), children)
    groups["mariadb"] = _server_pid(conf, "mariadb") or _named("mariadbd")
    groups["redis"] = _server_pid(conf, "redis") or _named("redis-server")
    return groups


def _server_pid(conf: dict, server: str) -> list[int]:
    """The one MariaDB or Redis the stack uses, by the pid it reports: other servers on the machine
    (a test's Galera nodes or Sentinel members) must not be billed. Empty when it cannot be read."""
    import redis

    try:
        if server == "mariadb":
            pid_file = sql(conf, "SELECT @@pid_file", database=None)[0][0]
            return [int(Path(pid_file).read_text().strip())]
        client = redis.Redis.from_url(conf["redis"], socket_timeout=2)
        try:
            return [int(client.info("server")["process_id"])]
        finally:
            client.close()
    except (OSError, ValueError, KeyError, IndexError, redis.RedisError):
        return []


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        if fields := _stat(pid):
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / TICK


def wait_idle(conf: dict, group: str, timeout: float = 30) -> None:
    """Wait until the service stops working on requests a finished wrk run left behind."""
    deadline = time.monotonic() + timeout
    last = _cpu_seconds(processes(conf)[group])
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = _cpu_seconds(processes(conf)[group])
        if now - last < 0.03:  # under 10% of one core
            return
        last = now


def snapshot(conf: dict) -> dict:
    status = dict(sql(conf, "SHOW GLOBAL STATUS WHERE Variable_name IN %s", [COUNTERS], database=None))
    return {
        "cpu": {group: _cpu_seconds(pids) for group, pids in processes(conf).items()},
        "db": {name: int(status[name]) for name in COUNTERS},
    }


def per_request(before: dict, after: dict, service: str, result: dict) -> dict:
    requests = max(result["requests"], 1)
    cpu = {
        group: (after["cpu"][group] - before["cpu"].get(group, 0)) * 1000 / requests for group in after["cpu"]
    }
    db = {name: (after["db"][name] - before["db"][name]) / requests for name in COUNTERS}
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "errors_total": sum(result["errors"].values()),
        "cpu_ms": {
            "service": cpu.get(service, 0.0),
            **{k: v for k, v in cpu.items() if k in ("mariadb", "nginx", "redis")},
        },
        "sql_data": sum(db[name] for name in DATA_STATEMENTS),
        "sql_all": db["Questions"],
    }


def _memory_kb(pid: int) -> dict[str, int]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                values[key.lower()] = int(rest.split()[0])
    except OSError:
        return {"rss": 0, "pss": 0}
    return values


def memory(conf: dict) -> dict:
    """RSS and PSS (MiB) of each service's master and workers, and of one pod (master + one worker)."""
    found = {}
    state = Path(conf["state"])
    children = _children()
    for role in ("auth", "tasks"):
        master = int((state / f"{role}.pid").read_text().strip())
        workers = [_memory_kb(pid) for pid in _tree(master, children)[1:]]
        master_kb = _memory_kb(master)
        found[role] = {
            "master_rss_mib": master_kb["rss"] / 1024,
            "worker_rss_mib": [w["rss"] / 1024 for w in workers],
            "service_rss_mib": (master_kb["rss"] + sum(w["rss"] for w in workers)) / 1024,
            "service_pss_mib": (master_kb["pss"] + sum(w["pss"] for w in workers)) / 1024,
            "pod_rss_mib": (master_kb["rss"] + max((w["rss"] for w in workers), default=0)) / 1024,
        }
    return found


def _version(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    except OSError:
        return "not found"
    return (
        (result.stdout or result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr) else "?"
    )


def machine(conf: dict) -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "mariadb": sql(conf, "SELECT VERSION()", database=None)[0][0],
        "nginx": _version(["nginx", "-v"]).removeprefix("nginx version: "),
        "wrk": _version(["wrk", "--version"]).split(" [")[0],
    }
