"""Every metric an alert or a dashboard uses is exported by TMS or by a named exporter.

TMS's own metrics are read from a running server's /metrics after some real
traffic; the exporters' names are listed here with the exporter that owns them.
"""

import json
import re
from pathlib import Path

import pytest
import redis
import yaml

from tests.support.server import ROOT, GunicornServer, api, base_env, http, manage, register_and_login
from tests.support.services import REDIS_URL, require

pytestmark = pytest.mark.server

CONFIG = ROOT / "flux/infrastructure/monitoring/config"
EXPORTERS = {
    "kube-state-metrics": {
        "kube_pod_container_status_restarts_total",
        "kube_horizontalpodautoscaler_status_current_replicas",
        "kube_horizontalpodautoscaler_spec_max_replicas",
        # the backup CronJobs' alerts (TmsBackupFailed, TmsBackupTooOld, TmsBackupOffsiteMissing)
        "kube_job_failed",
        "kube_job_status_start_time",
        "kube_cronjob_status_last_successful_time",
        "kube_cronjob_created",
    },
    "mysqld_exporter": {
        "mysql_up",
        "mysql_global_status_threads_connected",
        "mysql_global_variables_max_connections",
        "mysql_global_status_queries",
        "mysql_global_status_slow_queries",
        "mysql_global_status_buffer_pool_pages",
        "mysql_global_status_innodb_row_lock_waits",
    },
}
_SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")


def expressions() -> list[str]:
    rules = yaml.safe_load((CONFIG / "prometheusrules.yaml").read_text())
    found = [rule["expr"] for group in rules["spec"]["groups"] for rule in group["rules"]]
    for path in (CONFIG / "dashboards").glob("*.json"):
        dashboard = json.loads(path.read_text())
        found += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return found


def used_metric_names() -> set[str]:
    return {name for expr in expressions() for name in _SELECTOR.findall(expr)}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, float]:
    directory: Path = tmp_path_factory.mktemp("metrics")
    redis_url = require(REDIS_URL, "Redis")  # the workers share rate-limit counters, as in production
    redis.Redis.from_url(redis_url).flushdb()
    env = base_env(
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        REDIS_URL=redis_url,
        TMS_RATELIMIT_LOGIN_ACCOUNT="1/m",
    )
    assert manage("migrate", "--noinput", env=env).returncode == 0
    with GunicornServer(
        {**env, "PROMETHEUS_MULTIPROC_DIR": str(directory / "m")}, workers=2, log_path=directory / "g.log"
    ) as server:
        tokens = register_and_login(server.url, "m", "metrics passphrase")
        wrong = {"username": "m", "password": "wrong wrong wrong"}
        api("POST", f"{server.url}/api/auth/login/", wrong)
        api(
            "POST", f"{server.url}/api/auth/login/", wrong
        )  # throttled: the account allows one failure a minute
        api("POST", f"{server.url}/api/tasks/", {"title": "counted"}, token=tokens["access"])
        http("GET", f"{server.url}/readyz")  # a cache read: it writes a key and reads it back
        _, _, body = http("GET", f"{server.url}/metrics")
    samples: dict[str, float] = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            samples[series] = samples.get(series, 0.0) + float(value)
    return samples


def names_of(samples: dict[str, float]) -> set[str]:
    names = {re.split(r"[{ ]", series, maxsplit=1)[0] for series in samples}
    return names | {name.removesuffix("_bucket") for name in names}


def test_rules_and_dashboards_use_only_exported_metrics(exported):
    from_exporters = set().union(*EXPORTERS.values())
    available = names_of(exported)
    missing = {name for name in used_metric_names() if name not in available and name not in from_exporters}
    assert missing == set()


def test_the_application_metrics_count_real_events(exported):
    assert exported['tms_auth_logins_total{outcome="success"}'] == 1
    assert exported['tms_auth_logins_total{outcome="failure"}'] == 1
    assert exported['tms_auth_logins_total{outcome="throttled"}'] == 1
    assert exported['tms_ratelimit_rejections_total{limit="login_account"}'] == 1
    assert exported['tms_tasks_created_total{source="api"}'] == 1
    assert exported['tms_tasks_created_total{source="import"}'] == 0


def total(samples: dict[str, float], name: str, **labels: str) -> float:
    """The sum of ``name``'s series that carry ``labels`` (whatever their order on the page)."""
    wanted = {f'{key}="{value}"' for key, value in labels.items()}
    found = 0.0
    for series, value in samples.items():
        series_name, _, rest = series.partition("{")
        if series_name == name and wanted <= set(rest.rstrip("}").split(",")):
            found += value
    return found


def test_the_database_and_cache_metrics_count_real_statements(exported):
    # summed over both workers: sign-up, sign-in, the task... each run several statements
    sqlite = {"alias": "default", "vendor": "sqlite"}
    assert total(exported, "tms_db_query_duration_seconds_count", **sqlite) >= 10
    assert total(exported, "tms_db_query_duration_seconds_bucket", le="+Inf", **sqlite) == total(
        exported, "tms_db_query_duration_seconds_count", **sqlite
    )
    assert total(exported, "tms_db_connections_total", **sqlite) >= 1
    assert total(exported, "tms_db_connection_errors_total", **sqlite) == 0
    assert total(exported, "tms_db_errors_total", type="OperationalError", **sqlite) == 0
    # /readyz read back from Redis what it wrote
    assert total(exported, "tms_cache_gets_total", result="hit") >= 1
    assert total(exported, "tms_cache_gets_total", result="error") == 0


def test_the_scan_finds_the_names_it_should():
    used = used_metric_names()
    assert {"tms_auth_logins_total", "mysql_up", "kube_horizontalpodautoscaler_spec_max_replicas"} <= used
    assert {"tms_db_query_duration_seconds_bucket", "tms_db_errors_total", "tms_cache_gets_total"} <= used
    assert "sum" not in used and "rate" not in used
