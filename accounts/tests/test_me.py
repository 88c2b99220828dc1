import pytest

from accounts.models import AuthSession, User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"


def test_me_requires_a_token(anonymous_client):
    response = anonymous_client.get(ME)
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
        ({"username": "TAKEN", "current_password": PASSWORD}, "username"),
        ({"username": "tаken", "current_password": PASSWORD}, "username"),  # Cyrillic а: a look-alike
        ({"username": "tab\tand {braces}"}, "username"),  # found by fuzzing: registration refused it
        ({"username": ""}, "username"),
        ({"username": "renamed"}, "current_password"),  # re-authentication
        ({"username": "renamed", "current_password": "wrong password!"}, "current_password"),
        ({"email": "new@example.com", "current_password": PASSWORD}, "email"),  # only with confirmation
        ({"nickname": "x"}, "nickname"),
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
    response = authed.patch(
        ME, {"is_staff": True, "id": 999, "date_joined": "2000-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"is_staff", "id", "date_joined"}
    user.refresh_from_db()
    assert not user.is_staff and user.pk != 999


def test_a_new_username_needs_the_current_password(authed, user):
    # when
    response = authed.patch(ME, {"username": "Renamed", "current_password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == "Renamed"
    user.refresh_from_db()
    assert user.username == "Renamed" and user.username_key == "renamed"


def test_the_same_username_needs_no_password(authed, user):
    response = authed.patch(ME, {"username": user.username, "display_name": "Ada"}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Ada"


def test_username_changes_are_rate_limited_per_account(authed, user, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "account_change": "2/h"}
    UserFactory(username="taken")
    for _ in range(2):
        response = authed.patch(ME, {"username": "taken", "current_password": PASSWORD}, format="json")
        assert response.status_code == 400
    # the third probe of whether a name exists is refused before anything is looked up
    response = authed.patch(ME, {"username": "other", "current_password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    user.refresh_from_db()
    assert user.username.startswith("user")


def test_account_answers_are_never_cached(authed):
    for response in (authed.get(ME), authed.patch(ME, {"bogus": 1}, format="json")):
        assert "no-store" in response["Cache-Control"]


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


def test_the_schema_documents_the_password_deleting_the_account_takes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/auth/me/"]["delete"]["requestBody"]
    component = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert body["required"] and schema["components"]["schemas"][component]["required"] == ["password"]
