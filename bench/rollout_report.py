"""The rolling update's verdict and report: failed requests, lost writes, what each pod went through."""

from typing import Any

from bench.report import ms, verdict_table


def pod_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """For each pod: its code and when (seconds from the load's start) each step of its life came."""
    start = results["load"]["started"]
    rows = []
    for pod in results["pods"]:
        steps, said = {}, {}
        for event in results["timeline"]:
            if event["who"] == pod["name"]:
                for key, prefix in STEPS:
                    if event["what"].startswith(prefix) and key not in steps:
                        steps[key] = event["t"] - start
                        said[key] = event["what"].removeprefix(prefix).strip()
        rows.append({**pod, "steps": steps, "said": said})
    return rows


STEPS = (
    ("started", "started"),
    ("ready", "ready"),
    ("listed", "in the ingress"),
    ("terminating", "terminating"),
    ("unlisted", "out of the ingress"),
    ("not_ready", "readiness probe:"),
    ("sigterm", "SIGTERM"),
    ("exited", "exited"),
)


def _since(steps: dict[str, float], key: str, base: str = "terminating") -> str:
    if key not in steps:
        return "—"
    if base in steps:
        return f"+{steps[key] - steps[base]:.1f} s"
    return f"{steps[key]:.1f} s"


def checks(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    load, writes = results["load"], results["writes"]
    acknowledged = writes["acknowledged"]
    kinds = ", ".join(f"{count:,} {name}s" for name, count in acknowledged.items())
    stopped = [pod for pod in results["pods"] if pod["terminated"]]
    forced = [pod["name"] for pod in stopped if pod["killed"] or pod["exit_code"] != 0]
    final = [pod for pod in results["pods"] if not pod["terminated"]]
    rolled = [pod for pod in final if pod["name"].split("-")[0] in results["args"]["deployments"]]
    upstream = results["ingress"]["upstream_errors"]
    return [
        (
            "every request answered with a 2xx",
            f"{load['failed_count']} failed of {load['requests']:,}",
            load["failed_count"] == 0 and load["requests"] > 0,
        ),
        (
            "every acknowledged write is in the database afterwards",
            f"{len(writes['lost'])} lost of {sum(acknowledged.values()):,} ({kinds})",
            not writes["lost"] and sum(acknowledged.values()) > 0,
        ),
        (
            "the ingress never reached a stopping pod (upstream errors in its error log)",
            f"{len(upstream)}",
            not upstream,
        ),
        (
            "every replaced pod exited by itself (code 0) within its grace period",
            f"{len(stopped) - len(forced)} of {len(stopped)}"
            + (f"; not: {', '.join(forced)}" if forced else ""),
            bool(stopped) and not forced,
        ),
        (
            "at the end the rolled Deployments run the new code only, and every pod is ready",
            ", ".join(f"{pod['name']} ({'ready' if pod['ready'] else 'NOT ready'})" for pod in final),
            bool(rolled) and all(pod["code"] == "new" for pod in rolled) and all(p["ready"] for p in final),
        ),
    ]


def markdown(results: dict[str, Any]) -> str:
    load, writes, args = results["load"], results["writes"], results["args"]
    between = results["between"]
    applied = ", ".join(f"`{name}`" for name in results["applied"]) or "none"
    drain = "without the preStop hook (SIGTERM at once)" if args["no_drain"] else "with the preStop hook"
    lines = [
        f"### Rolling update — {results['date']}",
        "",
        f"Command: `{results['command']}`. {results['machine']}",
        "",
        f"- Old code: {results['old']}",
        f"- New code: {results['new']}",
        (
            f"- Between them: {len(between.get('commits', []))} commits. Migrations the new code's `migrate` "
            f"applied under load before the first new pod (the release's Job): {applied}, in "
            f"{results['migrate_s']:.1f} s"
        ),
        f"- Pods ({drain}; endpoints follow {args['follow']}, synced every {args['sync']:g} s):",
        *[f"  - {text}" for text in results["specs"].values()],
        (
            f"- Load: the soak's mix, {args['concurrency']} signed-in users at {args['rate']:g} req/s "
            f"in all, {load['duration_s']:.0f} s ({load['requests']:,} requests; {load['cut']} still on the "
            f"wire when it stopped, not counted); the rollout took {results['rollout_s']:.0f} s of it; "
            f"latency p50 {ms(load['wrk'], 'p50')} ms, p99 {ms(load['wrk'], 'p99')} ms, "
            f"max {ms(load['wrk'], 'max')} ms"
        ),
        "",
        "| request | sent | 2xx | failed |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, counts in sorted(load["by_kind"].items(), key=lambda item: -item[1]["sent"]):
        lines.append(f"| {kind} | {counts['sent']:,} | {counts['ok']:,} | {counts['failed']} |")
    acknowledged = writes["acknowledged"]
    lines += [
        "",
        (
            f"Acknowledged writes: {acknowledged['create']:,} creates, {acknowledged['update']:,} updates "
            f"(of {writes['updated_tasks']:,} tasks), {acknowledged['complete']:,} completes; "
            f"lost: {len(writes['lost'])}."
        ),
        "",
        (
            "| pod | code | started | ready | in upstream | deleted | out of upstream "
            "| first failed readiness probe | SIGTERM | exited (code) |"
        ),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for pod in pod_rows(results):
        steps = pod["steps"]
        exited = f"{_since(steps, 'exited')} ({pod['exit_code']}{', killed' if pod['killed'] else ''})"
        probe = f"{_since(steps, 'not_ready')} ({pod['said']['not_ready']})" if "not_ready" in steps else "—"
        cells = [
            pod["name"],
            pod["code"],
            *(_since(steps, key, "-") for key in ("started", "ready", "listed", "terminating")),
            _since(steps, "unlisted"),
            probe,
            _since(steps, "sigterm"),
            exited if "exited" in steps else "—",
        ]
        lines.append(f"| {' | '.join(cells)} |")
    lines += [
        "",
        (
            "Times in seconds from the load's start; after a pod's deletion, from its deletion. A readiness "
            "probe fails with a 503 once the preStop hook has set the drain flag (code that has it), with no "
            "answer once gunicorn has stopped listening."
        ),
    ]
    lines += verdict_table("check", checks(results))
    if load["failed"]:
        lines += [
            "",
            f"Failed requests (the first {len(load['failed'])}; seconds from the load's start):",
            "",
            "```",
        ]
        lines += [
            f"{entry['sent'] - load['started']:7.2f} s  {entry['status'] or 'no answer'}  {entry['method']} "
            f"{entry['path']}"
            for entry in load["failed"]
        ]
        lines += ["```"]
    if writes["lost"]:
        lines += ["", "Lost writes (the first 20):", "", "```", *writes["lost"][:20], "```"]
    upstream = results["ingress"]["upstream_errors"]
    if upstream:
        lines += ["", f"The ingress's upstream errors (the first {min(len(upstream), 20)}):", "", "```"]
        lines += [*upstream[:20], "```"]
    return "\n".join([*lines, ""])
