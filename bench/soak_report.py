"""The soak's verdict and report: errors, memory growth per service, the samples over time."""

from bench.report import ms, verdict_table

SERVICES = ("auth", "tasks")


def steady_start(results: dict) -> dict:
    """The first sample at or after the warm-up: memory's starting point."""
    warmup = results["args"]["warmup"]
    return next(sample for sample in results["samples"] if sample["t"] >= warmup)


def memory_growth(results: dict) -> dict[str, dict]:
    start, end = steady_start(results), results["samples"][-1]
    first = results["samples"][0]
    growth = {}
    for role in SERVICES:
        before, after = start["memory"][role], end["memory"][role]
        growth[role] = {
            "start_mib": before["service_rss_mib"],
            "end_mib": after["service_rss_mib"],
            "growth_pct": (after["service_rss_mib"] / before["service_rss_mib"] - 1) * 100,
            "workers_start_mib": before["worker_rss_mib"],
            "workers_end_mib": after["worker_rss_mib"],
            "peak_mib": max(sample["memory"][role]["service_rss_mib"] for sample in results["samples"]),
            # A replaced worker starts small again and would hide growth.
            "same_processes": sorted(first["pids"][role]) == sorted(end["pids"][role]),
        }
    return growth


def checks(results: dict) -> list[tuple[str, str, bool]]:
    soak, probe = results["soak"], results["probe"]
    limit = results["args"]["max_growth"]
    found = [
        (
            "no error answer or socket error during the soak",
            f"{soak['errors_total']} of {soak['requests']:,} requests",
            soak["errors_total"] == 0,
        ),
        (
            "no error answer or socket error during the capacity probe",
            f"{probe['errors_total']} of {probe['requests']:,} requests",
            probe["errors_total"] == 0,
        ),
    ]
    start = steady_start(results)["t"]
    for role, memory in memory_growth(results).items():
        found.append(
            (
                f"{role} RSS (master + workers) grows < {limit:g}% from {start:.0f} s to the end",
                f"{memory['growth_pct']:+.1f}% ({memory['start_mib']:.1f} → {memory['end_mib']:.1f} MiB)",
                memory["growth_pct"] < limit,
            )
        )
        found.append(
            (
                f"{role}: the same master and workers from start to end",
                "yes" if memory["same_processes"] else "a process was replaced",
                memory["same_processes"],
            )
        )
    return found


def sample_line(sample: dict, previous: dict | None) -> str:
    seconds = sample["t"] - previous["t"] if previous else 0
    rate = f"{sample['ingress']['requests'] / seconds:6.1f} req/s" if seconds else "     — req/s"
    memory = "  ".join(f"{role} {sample['memory'][role]['service_rss_mib']:6.1f} MiB" for role in SERVICES)
    return f"  t={sample['t']:6.0f} s  ingress {rate}  errors {sample['ingress']['errors']}  {memory}"


def _series(samples: list[dict]) -> list[str]:
    rows = [
        "| t (s) | ingress req/s since previous | error answers | "
        + " | ".join(f"{role} RSS MiB (workers)" for role in SERVICES)
        + " |",
        "| ---: | ---: | ---: | " + " | ".join("---:" for _ in SERVICES) + " |",
    ]
    previous = None
    for sample in samples:
        seconds = sample["t"] - previous["t"] if previous else 0
        rate = f"{sample['ingress']['requests'] / seconds:.1f}" if seconds else "—"
        memory = " | ".join(
            f"{sample['memory'][role]['service_rss_mib']:.1f} "
            f"({', '.join(f'{w:.1f}' for w in sample['memory'][role]['worker_rss_mib'])})"
            for role in SERVICES
        )
        rows.append(f"| {sample['t']:.0f} | {rate} | {sample['ingress']['errors']} | {memory} |")
        previous = sample
    return rows


def markdown(results: dict) -> str:
    args, machine, soak, probe = results["args"], results["machine"], results["soak"], results["probe"]
    seconds = soak["duration_us"] / 1e6
    growth = memory_growth(results)
    errors = ", ".join(f"{kind} {count}" for kind, count in soak["errors"].items())
    lines = [
        f"### Soak — {machine['date']}",
        "",
        (
            f"{machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
            f"kernel {machine['kernel']}, Python {machine['python']}, MariaDB {machine['mariadb']}, "
            f"{machine['nginx']}, {machine['wrk']}. Command: `{results['command']}`."
        ),
        (
            f"{results['tasks_before']:,} tasks seeded ({results['users']} users × {args['tasks_per_user']}) "
            f"in {results['seed_s']:.0f} s; {results['tasks_after']:,} at the end. "
            f"{args['concurrency']} connections, each one signed-in user."
        ),
        "",
        (
            f"- Capacity probe ({args['probe']} s unpaced): {probe['rps']:.1f} req/s, "
            f"p50 {ms(probe, 'p50')} ms, p99 {ms(probe, 'p99')} ms, errors {probe['errors_total']}."
        ),
        (
            f"- Target: {results['target_rps']:.1f} req/s "
            f"({'given' if args['rate'] else 'half the probe'}); one request per "
            f"{soak['interval_ms']:.0f} ms per connection on average."
        ),
        (
            f"- Soak: {seconds / 60:.1f} min, {soak['requests']:,} requests, {soak['rps']:.1f} req/s "
            f"({soak['rps'] / results['target_rps']:.0%} of the target); latency p50 {ms(soak, 'p50')} ms, "
            f"p90 {ms(soak, 'p90')} ms, p99 {ms(soak, 'p99')} ms, max {ms(soak, 'max')} ms; "
            f"errors: {errors}."
        ),
        (
            f"- Per request: {soak['cpu_ms']['service']:.2f} ms task-service CPU, "
            f"{soak['cpu_ms'].get('mariadb', 0):.2f} ms MariaDB CPU, {soak['sql_data']:.2f} data statements."
        ),
        "",
        "| request | share | answers | error answers |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, counts in soak.get("kinds", {}).items():
        share = counts["responses"] / max(soak["requests"], 1)
        lines.append(f"| {kind} | {share:.1%} | {counts['responses']:,} | {counts['errors']} |")
    start = steady_start(results)["t"]
    lines += [
        "",
        (
            f"| service | RSS at {start:.0f} s | RSS at the end | growth | peak "
            f"| each worker, {start:.0f} s → end |"
        ),
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for role, memory in growth.items():
        workers = (
            ", ".join(f"{w:.1f}" for w in memory["workers_start_mib"])
            + " → "
            + ", ".join(f"{w:.1f}" for w in memory["workers_end_mib"])
        )
        lines.append(
            f"| {role} | {memory['start_mib']:.1f} MiB | {memory['end_mib']:.1f} MiB "
            f"| {memory['growth_pct']:+.1f}% | {memory['peak_mib']:.1f} MiB | {workers} MiB |"
        )
    lines += verdict_table("check", checks(results))
    error_lines = [line for sample in results["samples"] for line in sample["ingress"].get("error_lines", [])]
    if error_lines or results.get("ingress_error_log"):
        lines += [
            "",
            "Error answers in the ingress's access log, then its error log (the first 20 of each):",
            "",
        ]
        lines += ["```", *error_lines[:20], *results.get("ingress_error_log", []), "```"]
    lines += [
        "",
        "Every sample (RSS of master + workers; each worker in brackets):",
        "",
        *_series(results["samples"]),
    ]
    return "\n".join([*lines, ""])
