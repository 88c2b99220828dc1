"""The readable ``tms_session=1`` cookie goes with the HttpOnly refresh cookie, set and cleared together.

The web app reads it to skip its start-up refresh when nobody is signed in in this browser.
"""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REFRESH = "tms_refresh"
MARKER = "tms_session"
FOURTEEN_DAYS = 14 * 24 * 3600


@pytest.fixture
def browser() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def sign_in(browser, user, **body):
    response = browser.post(
        "/api/auth/login/",
        {"username": user.username, "password": PASSWORD, "use_cookie": True, **body},
        format="json",
    )
    assert response.status_code == 200
    return response


def csrf(browser) -> str:
    return browser.cookies["csrftoken"].value


def assert_both_set(response, *, secure: bool = False):
    refresh, marker = response.cookies[REFRESH], response.cookies[MARKER]
    assert refresh["httponly"] is True
    assert refresh["path"] == "/api/auth/"
    # the marker: readable by the app's pages, and nothing in it but "there is a session"
    assert marker.value == "1"
    assert not marker["httponly"]
    assert marker["path"] == "/"
    for cookie in (refresh, marker):
        assert cookie["samesite"] == "Strict"
        assert cookie["max-age"] == FOURTEEN_DAYS
        assert bool(cookie["secure"]) is secure


def assert_both_cleared(response):
    for name, path in ((REFRESH, "/api/auth/"), (MARKER, "/")):
        cookie = response.cookies[name]
        assert cookie.value == ""
        assert cookie["max-age"] == 0
        assert cookie["path"] == path
        assert cookie["samesite"] == "Strict"


def test_login_with_the_cookie_sets_the_marker_beside_the_refresh_cookie(browser, user):
    assert_both_set(sign_in(browser, user))


def test_outside_development_both_cookies_are_secure(browser, user, settings):
    settings.TMS_REFRESH_COOKIE_SECURE = True
    assert_both_set(sign_in(browser, user), secure=True)


def test_login_without_the_cookie_sets_neither(anonymous_client, user):
    response = anonymous_client.post(
        "/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert REFRESH not in response.cookies
    assert MARKER not in response.cookies


def test_refresh_from_the_cookie_sets_both_again(browser, user):
    sign_in(browser, user)
    response = browser.post("/api/auth/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf(browser))
    assert response.status_code == 200
    assert_both_set(response)


def test_refresh_of_a_body_token_into_the_cookie_sets_both(anonymous_client, user, login):
    tokens = login(user)
    response = anonymous_client.post(
        "/api/auth/refresh/", {"refresh": tokens["refresh"], "use_cookie": True}, format="json"
    )
    assert response.status_code == 200
    assert_both_set(response)


def test_logout_clears_both(browser, user):
    sign_in(browser, user)
    response = browser.post("/api/auth/logout/", {}, format="json", HTTP_X_CSRFTOKEN=csrf(browser))
    assert response.status_code == 204
    assert_both_cleared(response)


def test_a_refused_refresh_clears_both(browser, user):
    sign_in(browser, user)
    browser.cookies[REFRESH] = "not.a.token"
    response = browser.post("/api/auth/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf(browser))
    assert response.status_code == 401
    assert_both_cleared(response)


def test_a_refresh_of_a_session_revoked_elsewhere_clears_both(browser, user, anonymous_client, login):
    sign_in(browser, user)
    other = login(user)
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {other['access']}")
    browser_session = next(
        s["id"] for s in anonymous_client.get("/api/auth/sessions/").json() if not s["current"]
    )
    assert anonymous_client.delete(f"/api/auth/sessions/{browser_session}/").status_code == 204
    # when: the browser comes back
    response = browser.post("/api/auth/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf(browser))
    # then
    assert response.status_code == 401
    assert_both_cleared(response)


def test_revoking_your_own_session_clears_both_and_another_one_neither(browser, user, login):
    access = sign_in(browser, user).json()["access"]
    login(user)  # a second device
    browser.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    sessions = browser.get("/api/auth/sessions/").json()
    other = next(s["id"] for s in sessions if not s["current"])
    own = next(s["id"] for s in sessions if s["current"])
    # when: another device's session is revoked
    response = browser.delete(f"/api/auth/sessions/{other}/", HTTP_X_CSRFTOKEN=csrf(browser))
    assert response.status_code == 204
    assert REFRESH not in response.cookies and MARKER not in response.cookies
    # when: this browser's own
    response = browser.delete(f"/api/auth/sessions/{own}/", HTTP_X_CSRFTOKEN=csrf(browser))
    assert response.status_code == 204
    assert_both_cleared(response)


def test_deleting_the_account_clears_both(browser, user):
    access = sign_in(browser, user).json()["access"]
    browser.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = browser.delete("/api/auth/me/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert_both_cleared(response)
