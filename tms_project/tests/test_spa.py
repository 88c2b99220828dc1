"""`make run` serves the built web app on the API's origin (the `all` role)."""

import re

import pytest

from tms_project.security_headers import CONTENT_SECURITY_POLICY
from tms_project.spa import static_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def built_app(tmp_path, settings):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/app-1.js"></script>')
    (dist / "assets" / "app-1.js").write_text("console.log('tms')")
    settings.TMS_FRONTEND_DIST = dist
    settings.WHITENOISE_ROOT = dist  # not the checkout's own frontend/dist, when one is built
    settings.WHITENOISE_AUTOREFRESH = True
    return dist


@pytest.fixture
def served_app(built_app, settings):
    """The build as the `all` role serves it: WhiteNoise with the app's headers."""
    (built_app / "sw.js").write_text("importScripts('workbox-1a2b.js')")
    (built_app / "workbox-1a2b.js").write_text("self.workbox = {}")
    (built_app / "registerSW.js").write_text("navigator.serviceWorker.register('/sw.js')")
    (built_app / "manifest.webmanifest").write_text('{"name": "TMS"}')
    (built_app / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    settings.WHITENOISE_ADD_HEADERS_FUNCTION = static_headers
    return built_app


@pytest.mark.parametrize("path", ["/", "/board", "/account/sessions"])
def test_app_routes_get_index_html_with_a_strict_csp(client, built_app, path):
    response = client.get(path, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b'src="/assets/app-1.js"' in response.content
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["Cache-Control"] == "no-cache"


def test_each_page_gets_a_fresh_style_nonce_in_its_policy_and_its_meta_tag(client, built_app):
    page = '<meta name="csp-nonce" content="__CSP_NONCE__"><script src="/assets/a.js"></script>'
    (built_app / "index.html").write_text(page)
    nonces = []
    for _ in range(2):
        response = client.get("/inbox", HTTP_HOST="localhost")
        nonce = re.search(rb'content="([^"]+)"', response.content).group(1).decode()
        assert len(nonce) >= 22 and "__" not in nonce
        assert f"style-src 'self' 'nonce-{nonce}';" in response["Content-Security-Policy"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_index_html_asked_for_by_name_gets_a_nonce_too(client, built_app):
    # the service worker precaches /index.html and serves it for every page when offline
    (built_app / "index.html").write_text('<meta name="csp-nonce" content="__CSP_NONCE__">')
    response = client.get("/index.html", HTTP_HOST="localhost")
    assert b"__CSP_NONCE__" not in response.content
    assert "'nonce-" in response["Content-Security-Policy"]


def test_api_admin_and_static_paths_are_not_swallowed(client, built_app):
    assert client.get("/api/nope/", HTTP_HOST="localhost").json()["error"]["code"] == "not_found"
    assert client.get("/admin/login/", HTTP_HOST="localhost").status_code == 200


def test_without_a_build_the_page_says_how_to_build_it(client, settings, tmp_path):
    settings.TMS_FRONTEND_DIST = tmp_path / "missing"
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 404
    assert b"make frontend" in response.content


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/sw.js", "text/javascript"),
        ("/workbox-1a2b.js", "text/javascript"),
        ("/registerSW.js", "text/javascript"),
        ("/manifest.webmanifest", "application/manifest+json"),
    ],
)
def test_the_service_worker_and_manifest_are_asked_for_again_each_time(
    client, served_app, path, content_type
):
    response = client.get(path, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    assert response["Cache-Control"] == "no-cache"
    # the policy every answer has: a worker it governs loads scripts and data from this origin only
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_hashed_assets_are_cached_for_a_year_and_icons_briefly(client, served_app):
    asset = client.get("/assets/app-1.js", HTTP_HOST="localhost")
    assert asset["Cache-Control"] == "public, max-age=31536000, immutable"
    icon = client.get("/favicon.svg", HTTP_HOST="localhost")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
    assert "immutable" not in icon["Cache-Control"]
    assert icon["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/sw.js", "/favicon.ico", "/manifest.webmanifest", "/tasks/app.js.map"])
def test_a_missing_file_is_a_404_not_the_app(client, built_app, path):
    response = client.get(path, HTTP_HOST="localhost")
    assert response.status_code == 404
    assert b"<script" not in response.content


def test_the_admin_static_files_keep_whitenoise_headers():
    headers = {"Cache-Control": "max-age=60, public", "Content-Type": "text/css"}
    static_headers(headers, "/srv/static/admin/css/base.css", "/static/admin/css/base.css")
    assert headers == {"Cache-Control": "max-age=60, public", "Content-Type": "text/css"}
