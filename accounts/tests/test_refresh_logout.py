import pytest

from accounts.models import AuthSession

pytestmark = pytest.mark.django_db

REFRESH, LOGOUT, ME = "/api/auth/refresh/", "/api/auth/logout/", "/api/auth/me/"


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, format="json")


def test_refresh_rotates_and_the_new_pair_works(anonymous_client, user, login):
    tokens = login(user)
    # when
    response = refresh(anonymous_client, tokens["refresh"])
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != tokens["refresh"]
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert anonymous_client.get(ME).json()["id"] == user.pk
    assert refresh(anonymous_client, body["refresh"]).status_code == 200


def test_a_refresh_is_the_sessions_two_statements(anonymous_client, user, login, assert_queries):
    # The session row alone says which refresh token works: lock and read it (with its user), then
    # name the new token. No blacklist table is written or read.
    tokens = login(user)
    with assert_queries(2) as context:
        assert refresh(anonymous_client, tokens["refresh"]).status_code == 200
    assert not any("token_blacklist" in query["sql"] for query in context.captured_queries)


def test_a_rotated_token_presented_again_is_401_and_ends_the_session(anonymous_client, user, login):
    tokens = login(user)
    rotated = refresh(anonymous_client, tokens["refresh"]).json()
    # when the old token comes back (a replay, or a thief)
    replay = refresh(anonymous_client, tokens["refresh"])
    # then it is refused, and the legitimate holder's newer token is dead too
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "token_not_valid"
    assert refresh(anonymous_client, rotated["refresh"]).status_code == 401
    assert AuthSession.objects.get(user=user).revoked_at is not None


def test_logout_then_refresh_is_401(anonymous_client, user, login):
    tokens = login(user)
    assert anonymous_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    response = refresh(anonymous_client, tokens["refresh"])
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_logout_twice_is_harmless(anonymous_client, user, login):
    tokens = login(user)
    assert anonymous_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    assert anonymous_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204


def test_logout_ends_only_that_session(anonymous_client, user, login):
    phone, laptop = login(user), login(user)
    anonymous_client.post(LOGOUT, {"refresh": phone["refresh"]}, format="json")
    assert refresh(anonymous_client, laptop["refresh"]).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
def test_garbage_refresh_tokens_are_401(anonymous_client, token):
    # an empty token is no token (as if omitted, with no cookie): the same 401 as a forged one
    response = refresh(anonymous_client, token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("token", [None, 5, ["a.b.c"]])
def test_a_refresh_that_is_not_text_is_a_malformed_body_400(anonymous_client, token):
    response = refresh(anonymous_client, token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == ["refresh"]


@pytest.mark.parametrize("body", [{}, {"refresh": ""}])
def test_logout_without_a_token_is_401_and_ends_nothing(anonymous_client, user, login, body):
    tokens = login(user)
    response = anonymous_client.post(LOGOUT, body, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    assert refresh(anonymous_client, tokens["refresh"]).status_code == 200


def test_an_access_token_is_not_a_refresh_token(anonymous_client, user, login):
    tokens = login(user)
    assert refresh(anonymous_client, tokens["access"]).status_code == 401


def test_a_deactivated_user_cannot_refresh(anonymous_client, user, login):
    tokens = login(user)
    user.is_active = False
    user.save()
    assert refresh(anonymous_client, tokens["refresh"]).status_code == 401


def test_refresh_without_any_token_is_401(anonymous_client):
    response = anonymous_client.post(REFRESH, {}, format="json")
    assert response.status_code == 401


def test_logout_tells_the_browser_to_drop_its_cache_of_the_site(anonymous_client, user, login):
    """Task-service reads may be kept by the browser (revalidated by ETag): signing out on a shared
    computer removes them, whether the session was still live or not."""
    tokens = login(user)
    response = anonymous_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 204 and response["Clear-Site-Data"] == '"cache"'
    response = anonymous_client.post(LOGOUT, {}, format="json")
    assert response.status_code == 401 and response["Clear-Site-Data"] == '"cache"'
