"""The browser flow: refresh token in an HttpOnly cookie, CSRF-protected."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = "tms_refresh"


@pytest.fixture
def browser() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def sign_in(browser, user):
    response = browser.post(
        "/api/auth/login/",
        {"username": user.username, "password": PASSWORD, "use_cookie": True},
        format="json",
    )
    assert response.status_code == 200
    return response


def test_login_puts_the_refresh_token_in_an_httponly_cookie_only(browser, user):
    response = sign_in(browser, user)
    body = response.json()
    assert set(body) == {"access", "user"}
    cookie = response.cookies[COOKIE]
    assert cookie.value.count(".") == 2
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/auth/"
    assert cookie["max-age"] == 14 * 24 * 3600
    assert not cookie["secure"]  # development; production sets Secure (next test)
    assert "csrftoken" in response.cookies


def test_the_cookie_is_secure_outside_development(browser, user, settings):
    settings.TMS_REFRESH_COOKIE_SECURE = True
    assert sign_in(browser, user).cookies[COOKIE]["secure"] is True


def test_refresh_from_the_cookie_needs_the_csrf_token(browser, user):
    sign_in(browser, user)
    # when: a cross-site request rides on the cookie without the CSRF header
    forged = browser.post("/api/auth/refresh/", {}, format="json")
    # then
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "permission_denied"
    assert "CSRF" in forged.json()["error"]["message"]


def test_refresh_from_the_cookie_rotates_it(browser, user):
    first = sign_in(browser, user).cookies[COOKIE].value
    csrf = browser.cookies["csrftoken"].value
    # when
    response = browser.post("/api/auth/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf)
    # then
    assert response.status_code == 200
    assert set(response.json()) == {"access"}
    second = response.cookies[COOKIE].value
    assert second != first
    # the old cookie value is dead
    browser.cookies[COOKIE] = first
    assert browser.post("/api/auth/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf).status_code == 401


def test_logout_from_the_cookie_clears_it(browser, user):
    sign_in(browser, user)
    csrf = browser.cookies["csrftoken"].value
    response = browser.post("/api/auth/logout/", {}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 204
    assert response.cookies[COOKIE].value == ""
    assert response.cookies[COOKIE]["max-age"] == 0
    assert browser.post("/api/auth/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf).status_code == 401


def test_a_dead_cookie_is_cleared_on_refresh(browser, user):
    sign_in(browser, user)
    csrf = browser.cookies["csrftoken"].value
    browser.cookies[COOKIE] = "not.a.token"
    response = browser.post("/api/auth/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 401
    assert response.cookies[COOKIE]["max-age"] == 0
