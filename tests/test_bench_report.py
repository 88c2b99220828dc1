"""The bench's arithmetic: targets judged from measured numbers, profiles summed by function.

(The bench itself runs in `make test` as its smoke run, through the real stack.)
"""

from bench import profile, report


def run(rps: float, p50_ms: float = 10, pod_mib: float = 100) -> dict:
    memory = {
        "master_rss_mib": 25,
        "worker_rss_mib": [pod_mib - 25],
        "service_rss_mib": pod_mib,
        "service_pss_mib": pod_mib,
        "pod_rss_mib": pod_mib,
    }
    return {"rps": rps, "latency_us": {"p50": p50_ms * 1000}, "memory": {"tasks": memory}}


def results(list_rps: float, list_p50_small: float, list_p50_large: float, pod_mib: float) -> dict:
    return {
        "tasks_small": 10_000,
        "tasks_large": 1_000_000,
        "runs": {
            "raw_read": run(400),
            "list": run(list_rps, p50_ms=list_p50_large, pod_mib=pod_mib),
            "list_shared": run(list_rps * 0.85),
            "list@small": run(list_rps, p50_ms=list_p50_small),
            "raw_insert": run(500),
            "create": run(250),
            "hasher": {"rps": 6.4},
            "login": run(5.5),
        },
    }


def test_each_target_is_judged_from_its_ratio():
    judged = {label: met for label, _, met in report.targets(results(250, 20, 25, 120))}
    assert judged == {
        "authenticated list of 50 ≥ 0.5 × raw-SQL read": True,  # 250 / 400
        "create ≥ 0.4 × raw-SQL insert": True,  # 250 / 500
        "login ≥ 0.9 × password hasher alone": False,  # 5.5 / 6.4 = 0.86
        "list of a member of 20 shared projects ≥ 0.8 × personal list": True,  # 0.85
        "list p50 at 1,000,000 tasks ≤ 1.5 × at 10,000": True,
        "tasks pod memory (master + one worker, RSS) ≤ 128 MiB": True,
    }


def test_missed_targets_show_the_measured_ratio():
    judged = {label: (value, met) for label, value, met in report.targets(results(150, 20, 40, 140))}
    assert judged["authenticated list of 50 ≥ 0.5 × raw-SQL read"] == ("0.38 (150.0 vs 400.0 req/s)", False)
    assert judged["list p50 at 1,000,000 tasks ≤ 1.5 × at 10,000"] == ("2.00 (40.0 ms vs 20.0 ms)", False)
    assert judged["tasks pod memory (master + one worker, RSS) ≤ 128 MiB"] == ("140 MiB", False)


def test_a_profile_sums_own_and_inclusive_samples_by_function(tmp_path):
    raw = tmp_path / "profile.raw"
    raw.write_text(
        "handle (gunicorn/workers/gthread.py:10);view (tasks/views/tasks.py:50);"
        "encode (django/contrib/auth/hashers.py:509) 3\n"
        "handle (gunicorn/workers/gthread.py:10);view (tasks/views/tasks.py:52) 1\n"
    )
    summary = profile.summarize(raw)
    assert "4 samples" in summary
    assert "| 75.0% | 75.0% | `encode (django/contrib/auth/hashers.py)` |" in summary
    assert "| 25.0% | 100.0% | `view (tasks/views/tasks.py)` |" in summary
