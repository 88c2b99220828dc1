import pytest

from accounts.models import AuthSession, User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"


def test_me_requires_a_token(api):
    response = api.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_me_shows_the_signed_in_user_in_one_query(authed, user, assert_queries):
    with assert_queries(1):
        response = authed.get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "display_name": "",
        "time_zone": "UTC",
        "date_joined": user.date_joined.isoformat().replace("+00:00", "Z"),
    }


def test_patch_updates_the_profile(authed, user):
    response = authed.patch(ME, {"display_name": "Ada L.", "time_zone": "Europe/Paris"}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Ada L."
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Ada L.", "Europe/Paris")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"email": "not-an-email"}, "email"),
        ({"display_name": "x" * 151}, "display_name"),
        ({"username": "TAKEN"}, "username"),
        ({"username": "tab\tand {braces}"}, "username"),  # found by fuzzing: registration refused it
        ({"username": ""}, "username"),
        ({"email": "Taken@example.com"}, "email"),
    ],
)
def test_patch_rejects_bad_values_and_changes_nothing(authed, user, payload, field):
    UserFactory(username="taken", email="taken@example.com")
    response = authed.patch(ME, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.time_zone == "UTC" and user.display_name == "" and user.username.startswith("user")


def test_patch_cannot_touch_protected_fields(authed, user):
    authed.patch(ME, {"is_staff": True, "id": 999, "date_joined": "2000-01-01T00:00:00Z"}, format="json")
    user.refresh_from_db()
    assert not user.is_staff and user.pk != 999


def test_delete_needs_the_password(authed, user):
    response = authed.delete(ME, {"password": "wrong password!"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["The password is incorrect."]}
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_removes_the_account_and_its_sessions(authed, user):
    response = authed.delete(ME, {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert not AuthSession.objects.filter(user_id=user.pk).exists()
    # the access token of a deleted account no longer works on the auth service
    assert authed.get(ME).status_code == 401
