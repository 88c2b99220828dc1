"""/healthz, /readyz and /metrics answer the kubelet and Prometheus, who address pods by IP."""

import pytest

POD_HOST = "10.42.0.17:8001"


def test_liveness_needs_nothing(client):
    # No database fixture: liveness must not touch the database at all.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_reports_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_answer_a_pod_ip_host_over_plain_http(client, settings, path):
    # given production-like settings: strict hosts, HTTPS redirect
    settings.ALLOWED_HOSTS = ["tms.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    # when
    response = client.get(path, HTTP_HOST=POD_HOST)
    # then
    assert response.status_code == 200


@pytest.mark.django_db
def test_other_paths_still_validate_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["tms.example.com"]
    response = client.get("/api/schema/", HTTP_HOST=POD_HOST)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_probes_refuse_writes(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
def test_metrics_are_prometheus_text(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"django_http_requests_total_by_method_total" in response.content


PROXIED = {
    "ingress-nginx": {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_X_REAL_IP": "203.0.113.9"},
    "X-Forwarded-For only": {"HTTP_X_FORWARDED_FOR": "203.0.113.9"},
    "Forwarded": {"HTTP_FORWARDED": "for=203.0.113.9"},
}


@pytest.mark.parametrize("host", ["tms.example.com", POD_HOST, "anything.example.net"])
@pytest.mark.parametrize("proxy", PROXIED)
def test_metrics_are_refused_through_a_proxy_under_any_host(client, settings, host, proxy):
    # given production-like settings
    settings.ALLOWED_HOSTS = ["tms.example.com"]
    # when a request for /metrics arrives the way a proxy forwards it
    response = client.get("/metrics", HTTP_HOST=host, **PROXIED[proxy])
    # then it learns nothing
    assert response.status_code == 404
    assert b"django_http" not in response.content


def test_metrics_through_a_proxy_when_configured(client, settings):
    settings.TMS_METRICS_THROUGH_PROXY = True
    response = client.get("/metrics", HTTP_HOST=POD_HOST, **PROXIED["ingress-nginx"])
    assert response.status_code == 200
    assert b"django_http_requests_total_by_method_total" in response.content


@pytest.mark.django_db
def test_a_draining_pod_is_not_ready_but_alive(client, monkeypatch, tmp_path):
    # given the pod's preStop hook has created the drain flag
    flag = tmp_path / "draining"
    monkeypatch.setenv("TMS_DRAIN_FILE", str(flag))
    assert client.get("/readyz").status_code == 200
    flag.touch()
    # when the kubelet probes it
    ready, live = client.get("/readyz", HTTP_HOST=POD_HOST), client.get("/healthz", HTTP_HOST=POD_HOST)
    # then readiness fails at once (the endpoints drop it), liveness does not (no restart mid-drain)
    assert ready.status_code == 503
    assert ready.json() == {"status": "draining"}
    assert ready["Cache-Control"] == "no-store"
    assert live.status_code == 200


@pytest.mark.django_db
def test_without_a_drain_file_setting_a_pod_never_drains(client, monkeypatch, tmp_path):
    monkeypatch.delenv("TMS_DRAIN_FILE", raising=False)
    (tmp_path / "draining").touch()
    monkeypatch.chdir(tmp_path)
    assert client.get("/readyz").status_code == 200


def test_an_unready_answer_is_not_logged_as_a_server_error(client, monkeypatch, tmp_path, caplog):
    # given a draining pod, whose kubelet probes it every few seconds until SIGTERM
    flag = tmp_path / "tms-draining"
    flag.touch()
    monkeypatch.setenv("TMS_DRAIN_FILE", str(flag))
    # when it answers 503
    with caplog.at_level("INFO", logger="django.request"):
        assert client.get("/readyz").status_code == 503
    # then Django does not log that 503 as an ERROR (an API 503 still is: tms_project/tests)
    assert [r for r in caplog.records if r.name == "django.request"] == []
