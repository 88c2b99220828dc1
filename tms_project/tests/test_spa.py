"""`make run` serves the built web app on the API's origin (the `all` role)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def built_app(tmp_path, settings):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/app-1.js"></script>')
    (dist / "assets" / "app-1.js").write_text("console.log('tms')")
    settings.TMS_FRONTEND_DIST = dist
    return dist


@pytest.mark.parametrize("path", ["/", "/board", "/account/sessions"])
def test_app_routes_get_index_html_with_a_strict_csp(client, built_app, path):
    response = client.get(path, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b'src="/assets/app-1.js"' in response.content
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["Cache-Control"] == "no-cache"


def test_api_admin_and_static_paths_are_not_swallowed(client, built_app):
    assert client.get("/api/nope/", HTTP_HOST="localhost").json()["error"]["code"] == "not_found"
    assert client.get("/admin/login/", HTTP_HOST="localhost").status_code == 200


def test_without_a_build_the_page_says_how_to_build_it(client, settings, tmp_path):
    settings.TMS_FRONTEND_DIST = tmp_path / "missing"
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 404
    assert b"make frontend" in response.content
