"""Security headers and CORS of the production settings, as the ingress reaches the services.

An auth and a task server run with TMS_ENV=production; requests come like the ingress sends
them: Host tms.example.com, X-Forwarded-Proto https (TLS ends at the ingress), the client's
address in X-Forwarded-For. Every kind of answer (success, 401, 404, 400, 413, the admin's sign-in
page, the API docs) carries the same security headers, and CORS answers configured origins only.

The web app's own nginx is checked from its configuration here; tests/test_frontend_image.py
serves it for real. HSTS for the web app comes from the ingress, which adds it on TLS hosts.
"""

import http.client
import json
import re
from urllib.parse import urlparse

import pytest
import redis

from tests.support.server import ROOT, GunicornServer, api, base_env, manage
from tests.support.server import http as direct
from tests.support.services import REDIS_URL, require
from tms_project.jwt_keys import write_key_pair
from tms_project.middleware.csp import CONTENT_SECURITY_POLICY
from tms_project.security_headers import content_security_policy_with_style_nonce

pytestmark = pytest.mark.server

HOST = "tms.example.com"
ALLOWED_ORIGIN = "https://app.example.com"
INGRESS = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.30"}
PASSWORD = "correct horse battery staple"
YEAR = 365 * 24 * 3600
LOGIN = {"username": "header", "password": PASSWORD}


def fetch(base: str, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
    """One request as the ingress forwards it; redirects are answers, not followed."""
    connection = http.client.HTTPConnection(urlparse(base).netloc, timeout=10)
    try:
        sent = {**INGRESS, **(headers or {})}
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> dict[str, str]:
    redis_url = require(REDIS_URL, "Redis")
    redis.Redis.from_url(redis_url).flushdb()
    tmp = tmp_path_factory.mktemp("headers")
    private_key, public_key = write_key_pair(tmp / "keys")
    common = {
        "TMS_ENV": "production",
        "TMS_SECRET_KEY": "headers-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "TMS_ALLOWED_HOSTS": HOST,
        "TMS_STATIC_ROOT": str(tmp / "static"),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "TMS_TRUSTED_PROXIES": "1",
        "TMS_CORS_ALLOWED_ORIGINS": ALLOWED_ORIGIN,
        "TMS_API_DOCS": "true",  # off by default in production; its pages are checked here too
        "TMS_ALLOW_CONSOLE_EMAIL": "true",  # no mail server here, and no mail is sent
    }
    auth_env = base_env(
        **common, TMS_SERVICE="auth", REDIS_URL=redis_url, TMS_JWT_PRIVATE_KEY_FILE=str(private_key)
    )
    tasks_env = base_env(
        **common, TMS_SERVICE="tasks", REDIS_URL=redis_url, TMS_JWT_PUBLIC_KEY_FILE=str(public_key)
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        finished = manage(*command, env=auth_env)
        assert finished.returncode == 0, finished.stderr
    with GunicornServer(auth_env) as auth, GunicornServer(tasks_env) as tasks:
        yield {"auth": auth.url, "tasks": tasks.url}


@pytest.fixture(scope="module")
def token(servers) -> str:
    auth = servers["auth"]
    body = {"username": "header", "email": "header@example.com", "password": PASSWORD}
    status, _, created = api("POST", f"{auth}/api/auth/register/", body, headers=INGRESS)
    assert status == 201, created
    status, _, tokens = api("POST", f"{auth}/api/auth/login/", LOGIN, headers=INGRESS)
    assert status == 200, tokens
    return tokens["access"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_security_headers(headers) -> None:
    hsts = headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= YEAR
    assert "includeSubDomains" in hsts
    policy = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "default-src" in directives
    assert "unsafe" not in directives.get("script-src", directives["default-src"])
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


# role, method, path, body, extra headers, expected status
ANSWERS = {
    "sign-in 200": ("auth", "POST", "/api/auth/login/", "login", {}, 200),
    "task list 200": ("tasks", "GET", "/api/tasks/", None, "token", 200),
    "no token 401 (auth)": ("auth", "GET", "/api/auth/me/", None, {}, 401),
    "no token 401 (tasks)": ("tasks", "GET", "/api/tasks/", None, {}, 401),
    "missing task 404": ("tasks", "GET", "/api/tasks/999999/", None, "token", 404),
    "unknown route 404": ("auth", "GET", "/api/auth/no-such-route/", None, {}, 404),
    "invalid body 400": ("auth", "POST", "/api/auth/login/", b"{}", {}, 400),
    "unknown host 400": ("tasks", "GET", "/api/tasks/", None, {"Host": "evil.example.com"}, 400),
    "body too large 413": ("auth", "POST", "/api/auth/login/", b"x" * 1_100_000, {}, 413),
    "admin sign-in page": ("auth", "GET", "/admin/login/", None, {}, 200),
    "API docs (auth)": ("auth", "GET", "/api/docs/", None, {}, 200),
    "API docs (tasks)": ("tasks", "GET", "/api/docs/", None, {}, 200),
    "API schema": ("tasks", "GET", "/api/schema/", None, {}, 200),
    "static file": ("auth", "GET", "/static/admin/css/base.css", None, {}, 200),
}


def answer(servers, token, name: str):
    role, method, path, body, extra, _ = ANSWERS[name]
    if body == "login":
        body = json.dumps(LOGIN).encode()
    headers = bearer(token) if extra == "token" else extra
    return fetch(servers[role], method, path, body=body, headers=headers)


@pytest.mark.parametrize("name", ANSWERS)
def test_every_kind_of_answer_carries_the_security_headers(servers, token, name):
    status, headers, body = answer(servers, token, name)
    assert status == ANSWERS[name][-1], body[:300]
    assert_security_headers(headers)


@pytest.mark.parametrize(
    ("role", "path"), [("auth", "/admin/login/"), ("auth", "/api/docs/"), ("tasks", "/api/docs/")]
)
def test_pages_work_under_the_policy(servers, role, path):
    """No inline script, style or event handler (the policy allows none); what they load is served."""
    status, _, page = fetch(servers[role], "GET", path)
    assert status == 200
    html = page.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and " style=" not in html, "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    for url in re.findall(r'<(?:script|link|img)\s[^>]*(?:src|href)="(/[^"]*)"', html):
        # The ingress routes /static to the auth service, the only one that serves static files.
        server = servers["auth"] if url.startswith("/static/") else servers[role]
        status, headers, _ = fetch(server, "GET", url.replace("&amp;", "&"))
        assert status == 200, url
        assert_security_headers(headers)


@pytest.mark.parametrize("role", ["auth", "tasks"])
@pytest.mark.parametrize("host", [HOST, "10.42.0.17:8001", "anything.example.net"])
def test_metrics_answer_on_the_pod_and_not_through_the_ingress(servers, role, host):
    # through the ingress (which sets X-Forwarded-For), whatever Host the client chose: nothing
    status, _, body = fetch(servers[role], "GET", "/metrics", headers={"Host": host})
    assert status == 404
    assert b"django_http" not in body
    # Prometheus, scraping the pod's own address: the metrics
    status, _, body = direct("GET", f"{servers[role]}/metrics", headers={"Host": "10.42.0.17:8001"})
    assert status == 200
    assert b"django_http_requests_total_by_method_total" in body


def test_the_task_service_serves_no_static_files(servers):
    status, _, _ = fetch(servers["auth"], "GET", "/static/admin/css/base.css")
    assert status == 200
    status, _, body = fetch(servers["tasks"], "GET", "/static/admin/css/base.css")
    assert status == 404
    assert b"font-family" not in body


def test_plain_http_is_redirected_to_https(servers):
    status, headers, _ = fetch(servers["auth"], "GET", "/api/auth/me/", headers={"X-Forwarded-Proto": "http"})
    assert status == 301
    assert headers["Location"] == f"https://{HOST}/api/auth/me/"


def preflight(servers, role: str, path: str, origin: str):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    return fetch(servers[role], "OPTIONS", path, headers=headers)


@pytest.mark.parametrize(("role", "path"), [("auth", "/api/auth/login/"), ("tasks", "/api/tasks/")])
def test_a_preflight_from_the_configured_origin_is_allowed(servers, role, path):
    status, headers, _ = preflight(servers, role, path, ALLOWED_ORIGIN)
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "POST" in headers["Access-Control-Allow-Methods"]
    allowed = {name.strip() for name in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    # credentials are not allowed (TMS_CORS_ALLOWED_ORIGINS only; the refresh cookie is same-origin)
    assert headers["Access-Control-Allow-Credentials"] is None
    assert "origin" in headers["Vary"].lower()
    assert_security_headers(headers)


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "http://app.example.com",  # another scheme is another origin
        "https://app.example.com.evil.example",
        "https://app.example.com:8443",
        "null",
    ],
)
def test_other_origins_get_no_cors_answer(servers, token, origin):
    _, headers, _ = preflight(servers, "auth", "/api/auth/login/", origin)
    assert headers["Access-Control-Allow-Origin"] is None
    assert headers["Access-Control-Allow-Methods"] is None
    status, headers, _ = fetch(
        servers["tasks"], "GET", "/api/tasks/", headers={**bearer(token), "Origin": origin}
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] is None
    assert headers["Access-Control-Allow-Credentials"] is None


@pytest.mark.parametrize(
    "name",
    ["task list 200", "no token 401 (tasks)", "missing task 404", "unknown route 404", "body too large 413"],
)
def test_the_configured_origin_can_read_every_answer(servers, token, name):
    role, method, path, body, extra, expected = ANSWERS[name]
    headers = {**(bearer(token) if extra == "token" else extra), "Origin": ALLOWED_ORIGIN}
    status, answered, _ = fetch(servers[role], method, path, body=body, headers=headers)
    assert status == expected
    assert answered["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert answered["Access-Control-Allow-Credentials"] is None


def test_cors_is_for_the_api_only(servers):
    status, headers, _ = fetch(servers["auth"], "GET", "/admin/login/", headers={"Origin": ALLOWED_ORIGIN})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] is None


def nginx_locations() -> dict[str, dict[str, tuple[str, str]]]:
    """The web app's nginx: each location's add_header lines, as {name: (value, "always" or "")}."""
    config = (ROOT / "frontend/nginx/default.conf").read_text()
    locations = {}
    for match in re.finditer(r"^\s*location\s+([^{]+?)\s*\{(.*?)\n    \}", config, flags=re.DOTALL | re.M):
        headers = re.findall(r"add_header\s+(\S+)\s+(\"[^\"]*\"|\S+)\s*(always)?;", match.group(2))
        locations[match.group(1)] = {name: (value.strip('"'), always) for name, value, always in headers}
    return locations


@pytest.mark.parametrize(
    "location",
    ["/", "/assets/", r"~ ^/(sw\.js|registerSW\.js|workbox-[A-Za-z0-9_-]+\.js|manifest\.webmanifest)$"],
)
def test_the_web_apps_nginx_sends_the_same_headers(location):
    headers = nginx_locations()[location]
    # every security header, also on errors ("always"), and the same policy as the SPA served by Django;
    # the app's pages also allow style elements with that response's nonce
    policy = CONTENT_SECURITY_POLICY
    if location == "/":
        policy = content_security_policy_with_style_nonce("$request_id")
    assert headers["Content-Security-Policy"] == (policy, "always")
    assert headers["X-Content-Type-Options"] == ("nosniff", "always")
    assert headers["Referrer-Policy"] == ("same-origin", "always")
    assert headers["X-Frame-Options"] == ("DENY", "always")
    assert headers["Cross-Origin-Opener-Policy"] == ("same-origin", "always")
