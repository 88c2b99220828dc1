import pytest

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SESSIONS = "/api/auth/sessions/"


def test_sessions_lists_live_sessions_with_the_current_marked(anonymous_client, user, login, assert_queries):
    login(user, user_agent="Phone")
    current = login(user)
    ended = login(user)
    anonymous_client.post("/api/auth/logout/", {"refresh": ended["refresh"]}, format="json")
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {current['access']}")
    # when
    with assert_queries(2):  # the user, the sessions
        response = anonymous_client.get(SESSIONS)
    # then
    assert response.status_code == 200
    sessions = response.json()
    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    assert {"id", "created_at", "last_used_at", "expires_at", "user_agent", "ip_address", "current"} == set(
        sessions[0]
    )
    assert "Phone" in {s["user_agent"] for s in sessions}


def test_revoking_a_session_ends_it(anonymous_client, user, login):
    phone = login(user)
    laptop = login(user)
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {laptop['access']}")
    phone_id = next(s["id"] for s in anonymous_client.get(SESSIONS).json() if not s["current"])
    # when
    response = anonymous_client.delete(f"{SESSIONS}{phone_id}/")
    # then
    assert response.status_code == 204
    assert (
        anonymous_client.post("/api/auth/refresh/", {"refresh": phone["refresh"]}, format="json").status_code
        == 401
    )
    assert len(anonymous_client.get(SESSIONS).json()) == 1
    assert anonymous_client.delete(f"{SESSIONS}{phone_id}/").status_code == 404


def test_another_users_session_is_404_and_stays_alive(anonymous_client, user, login):
    other = UserFactory()
    other_tokens = login(other)
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {other_tokens['access']}")
    other_session_id = anonymous_client.get(SESSIONS).json()[0]["id"]
    mine = login(user)
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {mine['access']}")
    response = anonymous_client.delete(f"{SESSIONS}{other_session_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert (
        anonymous_client.post(
            "/api/auth/refresh/", {"refresh": other_tokens["refresh"]}, format="json"
        ).status_code
        == 200
    )
