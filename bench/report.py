"""The bench's report: one line per run while it goes, a Markdown summary at the end."""

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

POD_BUDGET_MIB = 128  # the memory request of an auth/task pod (k8s/base)
TARGETS = [
    # (label, endpoint, baseline, minimum ratio)
    ("authenticated list of 50 ≥ 0.5 × raw-SQL read", "list", "raw_read", 0.5),
    ("create ≥ 0.4 × raw-SQL insert", "create", "raw_insert", 0.4),
    ("login ≥ 0.9 × password hasher alone", "login", "hasher", 0.9),
    # Sharing must not slow the list: a member's within 1.25× of the personal list (1 / 1.25 = 0.8).
    ("list of a member of 20 shared projects ≥ 0.8 × personal list", "list_shared", "list", 0.8),
]


def ms(run: dict, key: str) -> str:
    """A wrk latency percentile in milliseconds, for tables."""
    return f"{run['latency_us'][key] / 1000:.1f}"


def line(run: dict) -> str:
    return (
        f"  {run['mode']:<14} {run['rps']:8.1f} req/s  "
        f"p50 {ms(run, 'p50'):>6} ms  p99 {ms(run, 'p99'):>7} ms  "
        f"errors {run['errors_total']}  SQL/req {run['sql_data']:.2f}  "
        f"CPU/req {run['cpu_ms']['service']:.2f} ms app + {run['cpu_ms'].get('mariadb', 0):.2f} ms db"
    )


def _ratio(runs: dict, mode: str, baseline: str | None) -> str:
    if not baseline or not runs.get(baseline, {}).get("rps") or mode not in runs:
        return ""
    return f"{runs[mode]['rps'] / runs[baseline]['rps']:.2f} × {baseline}"


def comparisons(runs: dict, endpoints: list) -> list[str]:
    """One line per measured endpoint that has a baseline measured in the same run: its ratio."""
    found = []
    for mode, _, baseline in endpoints:
        if ratio := _ratio(runs, mode, baseline):
            rates = f"{runs[mode]['rps']:.1f} vs {runs[baseline]['rps']:.1f} req/s"
            found.append(f"bench: {mode} {ratio} ({rates})")
    return found


def _table(runs: dict, endpoints: list) -> list[str]:
    rows = [
        (
            "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | SQL per request (data / all) "
            "| CPU ms per request (service / MariaDB / nginx) | throughput vs baseline |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for mode, _, baseline in endpoints:
        run = runs[mode]
        cpu = run["cpu_ms"]
        rows.append(
            f"| {mode} | {run['rps']:.1f} | {ms(run, 'p50')} | {ms(run, 'p95')} | {ms(run, 'p99')} "
            f"| {run['errors_total']} | {run['sql_data']:.2f} / {run['sql_all']:.2f} "
            f"| {cpu['service']:.2f} / {cpu.get('mariadb', 0):.2f} / {cpu.get('nginx', 0):.2f} "
            f"| {_ratio(runs, mode, baseline)} |"
        )
    return rows


def memory_peaks(runs: dict) -> dict[str, dict[str, float]]:
    peaks: dict[str, dict[str, float]] = {}
    for run in runs.values():
        for role, values in run.get("memory", {}).items():
            peak = peaks.setdefault(role, {})
            for key in ("master_rss_mib", "service_rss_mib", "service_pss_mib", "pod_rss_mib"):
                peak[key] = max(peak.get(key, 0.0), values[key])
            peak["worker_rss_mib"] = max([peak.get("worker_rss_mib", 0.0), *values["worker_rss_mib"]])
    return peaks


def targets(results: dict) -> list[tuple[str, str, bool]]:
    runs = results["runs"]
    found = []
    for label, mode, baseline, minimum in TARGETS:
        ratio = runs[mode]["rps"] / runs[baseline]["rps"]
        found.append(
            (
                label,
                f"{ratio:.2f} ({runs[mode]['rps']:.1f} vs {runs[baseline]['rps']:.1f} req/s)",
                ratio >= minimum,
            )
        )
    small, large = runs["list@small"]["latency_us"]["p50"], runs["list"]["latency_us"]["p50"]
    found.append(
        (
            f"list p50 at {results['tasks_large']:,} tasks ≤ 1.5 × at {results['tasks_small']:,}",
            f"{large / small:.2f} ({large / 1000:.1f} ms vs {small / 1000:.1f} ms)",
            large <= 1.5 * small,
        )
    )
    for role, peak in memory_peaks(runs).items():
        found.append(
            (
                f"{role} pod memory (master + one worker, RSS) ≤ {POD_BUDGET_MIB} MiB",
                f"{peak['pod_rss_mib']:.0f} MiB",
                peak["pod_rss_mib"] <= POD_BUDGET_MIB,
            )
        )
    return found


def verdict_table(heading: str, rows: list[tuple[str, str, bool]]) -> list[str]:
    """A blank line, then a Markdown table of (what, measured, met) rows; misses in bold."""
    table = ["", f"| {heading} | measured | met |", "| --- | --- | --- |"]
    return table + [f"| {label} | {value} | {'yes' if met else '**no**'} |" for label, value, met in rows]


def markdown(results: dict, endpoints: list) -> str:
    runs, args, machine = results["runs"], results["args"], results["machine"]
    hasher = runs["hasher"]
    seeding = results["seed_small_s"] + results["seed_large_s"]
    small = "; ".join(
        f"{mode} {runs[mode + '@small']['rps']:.1f} req/s, p50 {ms(runs[mode + '@small'], 'p50')} ms"
        for mode in ("list", "list_filtered")
    )
    lines = [
        f"### Results — {machine['date']}",
        "",
        (
            f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
            f"kernel {machine['kernel']}, Python {machine['python']}, MariaDB {machine['mariadb']}, "
            f"{machine['nginx']}, {machine['wrk']}."
        ),
        (
            f"{args['concurrency']} connections (one signed-in user each; "
            f"login {args['login_concurrency']}), "
            f"{args['duration']} s measured after {args['warmup']} s of warm-up per endpoint (login "
            f"{args['duration'] * 3} s), {results['tasks_large']:,} tasks in the table "
            f"({args['tasks_per_user']} per user); seeding took {seeding:.0f} s."
        ),
        "",
        *_table(runs, endpoints),
        "",
        f"Password hasher alone: {hasher['rps']:.1f} checks/s on {hasher['processes']} processes.",
        "",
        f"List at {results['tasks_small']:,} tasks in the table: {small}.",
        "",
        "| service | master RSS | largest worker RSS | pod (master + 1 worker) RSS | all workers PSS |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for role, peak in memory_peaks(runs).items():
        lines.append(
            f"| {role} | {peak['master_rss_mib']:.0f} MiB | {peak['worker_rss_mib']:.0f} MiB "
            f"| {peak['pod_rss_mib']:.0f} MiB | {peak['service_pss_mib']:.0f} MiB |"
        )
    lines += verdict_table("target", targets(results))
    return "\n".join([*lines, ""])


def publish(
    out: Path,
    name: str,
    results: dict[str, Any],
    summary: str,
    checks: Iterable[tuple[str, Any, bool]],
    note: str = "",
) -> int:
    """Write `<name>.json` and `<name>.md` into `out`, print the summary and the verdict (1: a miss)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=2, default=str))
    (out / f"{name}.md").write_text(summary)
    print(summary)
    print(f"{name}: results in {out}/{name}.md and {name}.json{note}")
    missed = [label for label, _, met in checks if not met]
    if missed:
        print(f"{name}: FAILED — {'; '.join(missed)}")
    return 1 if missed else 0
