"""The web app's image: nginx config served for real (Debian nginx), and the Dockerfile's shape."""

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.dockerfile import read
from tests.support.server import ROOT, free_port, http
from tests.support.tools import require_tool

pytestmark = pytest.mark.server

CONF = (ROOT / "frontend/nginx/default.conf").read_text()


def test_dockerfile_builds_with_node_and_serves_with_unprivileged_nginx():
    build, runtime = read(ROOT / "frontend/Dockerfile")
    assert (build.name, runtime.name) == ("build", "runtime")
    # the official images by tag and digest, unless `make images` passes local bases (docs/deploy.md)
    assert re.fullmatch(r"node:24\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}", build.base), build.base
    assert re.fullmatch(r"nginxinc/nginx-unprivileged:[\d.]+-alpine@sha256:[0-9a-f]{64}", runtime.base)
    # the lock file is copied before npm ci installs exactly what it pins, and the app is built
    assert build.all("COPY")[0].arguments == ["package.json", "package-lock.json", "./"]
    npm_ci = ["npm", "ci", "--no-audit", "--no-fund", "--cache", "/tmp/npm-cache"]  # no cache kept in a layer
    assert build.commands() == [npm_ci, ["npm", "run", "build"]]
    # the runtime holds nginx's config and the built files only, and runs unprivileged on 8080
    copies = [(copy.flags.get("from"), copy.arguments) for copy in runtime.all("COPY")]
    assert copies == [
        (None, ["nginx/default.conf", "/etc/nginx/conf.d/default.conf"]),
        ("build", ["/app/dist", "/usr/share/nginx/html"]),
    ]
    assert runtime.values("USER") == ["1000:1000"] and runtime.values("EXPOSE") == ["8080"]
    assert runtime.all("RUN") == [] and runtime.all("ADD") == []


@pytest.fixture(scope="module")
def nginx_url():
    nginx = require_tool("nginx", "Debian package nginx; .ci/run installs it")
    root = Path(tempfile.mkdtemp(prefix="tms-nginx-"))
    root.chmod(0o755)  # nginx's workers run unprivileged and must read the files
    html = root / "html"
    (html / "assets").mkdir(parents=True)
    (html / "index.html").write_text('<!doctype html><script type="module" src="/assets/app-1.js"></script>')
    (html / "assets" / "app-1.js").write_text("console.log('tms')")
    port = free_port()
    server_block = CONF.replace("listen 8080;", f"listen 127.0.0.1:{port};").replace(
        "/usr/share/nginx/html", str(html)
    )
    (root / "site.conf").write_text(server_block)
    (root / "nginx.conf").write_text(
        f"worker_processes 1; pid {root}/nginx.pid; error_log {root}/error.log;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; client_body_temp_path {root}/body;\n"
        f"  proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fcgi; uwsgi_temp_path {root}/uwsgi;\n"
        f"  scgi_temp_path {root}/scgi; include {root}/site.conf; }}\n"
    )
    check = subprocess.run(
        [nginx, "-t", "-c", str(root / "nginx.conf")], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([nginx, "-c", str(root / "nginx.conf"), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{port}"
    for _ in range(50):
        try:
            if http("GET", f"{url}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)


def test_index_is_never_cached_and_has_a_strict_csp(nginx_url):
    status, headers, body = http("GET", f"{nginx_url}/")
    assert status == 200 and b"/assets/app-1.js" in body
    assert headers["Cache-Control"] == "no-cache"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["X-Frame-Options"] == "DENY"


def test_hashed_assets_are_cached_for_a_year(nginx_url):
    status, headers, _ = http("GET", f"{nginx_url}/assets/app-1.js")
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert http("GET", f"{nginx_url}/assets/missing.js")[0] == 404


def test_app_routes_fall_back_to_index(nginx_url):
    status, _, body = http("GET", f"{nginx_url}/board/anything")
    assert status == 200 and b"/assets/app-1.js" in body


def test_health_and_stub_status_for_the_probes_and_exporter(nginx_url):
    assert http("GET", f"{nginx_url}/healthz")[2] == b"ok\n"
    status, _, body = http("GET", f"{nginx_url}/stub_status")
    assert status == 200 and b"Active connections" in body
