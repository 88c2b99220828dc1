import pytest

from accounts.models import AuthSession

pytestmark = pytest.mark.django_db

REFRESH, LOGOUT, ME = "/api/auth/refresh/", "/api/auth/logout/", "/api/auth/me/"


def refresh(api, token):
    return api.post(REFRESH, {"refresh": token}, format="json")


def test_refresh_rotates_and_the_new_pair_works(api, user, login):
    tokens = login(user)
    # when
    response = refresh(api, tokens["refresh"])
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != tokens["refresh"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api.get(ME).json()["id"] == user.pk
    assert refresh(api, body["refresh"]).status_code == 200


def test_a_rotated_token_presented_again_is_401_and_ends_the_session(api, user, login):
    tokens = login(user)
    rotated = refresh(api, tokens["refresh"]).json()
    # when the old token comes back (a replay, or a thief)
    replay = refresh(api, tokens["refresh"])
    # then it is refused, and the legitimate holder's newer token is dead too
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "token_not_valid"
    assert refresh(api, rotated["refresh"]).status_code == 401
    assert AuthSession.objects.get(user=user).revoked_at is not None


def test_logout_then_refresh_is_401(api, user, login):
    tokens = login(user)
    assert api.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    response = refresh(api, tokens["refresh"])
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_logout_twice_is_harmless(api, user, login):
    tokens = login(user)
    assert api.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204
    assert api.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json").status_code == 204


def test_logout_ends_only_that_session(api, user, login):
    phone, laptop = login(user), login(user)
    api.post(LOGOUT, {"refresh": phone["refresh"]}, format="json")
    assert refresh(api, laptop["refresh"]).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
def test_garbage_refresh_tokens_are_401(api, token):
    response = refresh(api, token)
    assert response.status_code in (400, 401)
    assert response.json()["error"]["code"] in ("token_not_valid", "invalid")


def test_an_access_token_is_not_a_refresh_token(api, user, login):
    tokens = login(user)
    assert refresh(api, tokens["access"]).status_code == 401


def test_a_deactivated_user_cannot_refresh(api, user, login):
    tokens = login(user)
    user.is_active = False
    user.save()
    assert refresh(api, tokens["refresh"]).status_code == 401


def test_refresh_without_any_token_is_401(api):
    response = api.post(REFRESH, {}, format="json")
    assert response.status_code == 401
