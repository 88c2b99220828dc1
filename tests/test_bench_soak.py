"""The soak's arithmetic: memory growth from the end of the warm-up, the verdict, the ingress log.

(The soak itself runs in `make reliability`, through the real stack.)
"""

from bench import soak_report
from bench.soak import LogTail, ingress_answers, sample_times


def sample(t: float, auth_mib: float, tasks_mib: float, tasks_pids: tuple = (10, 11, 12)) -> dict:
    def memory(total: float) -> dict:
        return {"service_rss_mib": total, "worker_rss_mib": [(total - 25) / 2] * 2}

    return {
        "t": t,
        "memory": {"auth": memory(auth_mib), "tasks": memory(tasks_mib)},
        "pids": {"auth": [1, 2, 3], "tasks": list(tasks_pids)},
        "ingress": {"requests": 0, "errors": 0},
    }


def results(samples: list[dict], soak_errors: int = 0, probe_errors: int = 0) -> dict:
    return {
        "args": {"warmup": 60, "max_growth": 5.0},
        "samples": samples,
        "soak": {"errors_total": soak_errors, "requests": 30_000},
        "probe": {"errors_total": probe_errors, "requests": 1_500},
    }


def verdict(found: dict) -> dict[str, bool]:
    return {label: met for label, _, met in soak_report.checks(found)}


def test_growth_counts_from_the_first_sample_after_the_warm_up():
    # given memory that rises during the warm-up, then holds
    samples = [sample(0, 150, 150), sample(30, 170, 175), sample(60, 180, 180), sample(597, 185, 188.9)]

    # when
    growth = soak_report.memory_growth(results(samples))

    # then
    assert round(growth["auth"]["growth_pct"], 2) == 2.78  # 180 → 185
    assert round(growth["tasks"]["growth_pct"], 2) == 4.94  # 180 → 188.9
    assert growth["tasks"]["peak_mib"] == 188.9
    assert all(verdict(results(samples)).values())


def test_growth_of_five_percent_or_more_fails_its_service_only():
    samples = [sample(0, 180, 180), sample(60, 180, 180), sample(597, 180, 189)]
    judged = verdict(results(samples))
    assert judged["tasks RSS (master + workers) grows < 5% from 60 s to the end"] is False
    assert judged["auth RSS (master + workers) grows < 5% from 60 s to the end"] is True


def test_any_error_fails_and_a_replaced_worker_fails():
    samples = [sample(0, 180, 180), sample(60, 180, 180), sample(597, 180, 170, tasks_pids=(10, 11, 13))]
    judged = verdict(results(samples, soak_errors=1, probe_errors=2))
    assert judged["no error answer or socket error during the soak"] is False
    assert judged["no error answer or socket error during the capacity probe"] is False
    assert judged["tasks: the same master and workers from start to end"] is False
    assert judged["auth: the same master and workers from start to end"] is True


def test_samples_fall_every_interval_at_the_warm_up_and_just_before_the_end():
    assert sample_times(600, 30, 60) == [*range(0, 600, 30), 597]
    assert sample_times(100, 30, 45) == [0, 30, 45, 60, 90, 97]


def test_the_ingress_log_is_read_from_where_it_was_and_whole_lines_only(tmp_path):
    # given a log with a line from before the soak
    log = tmp_path / "access.log"
    log.write_bytes(b'127.0.0.1 - - [28/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"\n')
    ingress = LogTail(log)

    # when three answers and half a line arrive
    failed = '127.0.0.1 - - [28/Nov/2026:00:00:02] "PATCH /api/tasks/7/ HTTP/1.1" 502 1 "-" "-"'
    with log.open("ab") as out:
        out.write(b'127.0.0.1 - - [28/Nov/2026:00:00:01 +0000] "GET /api/tasks/ HTTP/1.1" 200 9 "-" "-"\n')
        out.write(b'127.0.0.1 - - [28/Nov/2026:00:00:01 +0000] "POST /api/tasks/ HTTP/1.1" 201 9 "-" "-"\n')
        out.write(failed.encode() + b"\n")
        out.write(b'127.0.0.1 - - [28/Nov/2026:00:00:02 +0000] "GET /api/tasks/ HT')

    # then
    assert ingress_answers(ingress.lines()) == {"requests": 3, "errors": 1, "error_lines": [failed]}
    with log.open("ab") as out:
        out.write(b'TP/1.1" 404 9 "-" "-"\n')
    assert ingress_answers(ingress.lines())["errors"] == 1
    assert ingress.lines() == []
