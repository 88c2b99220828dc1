import pytest

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/auth/register/"


def test_register_creates_the_user_without_echoing_the_password(anonymous_client):
    # when
    response = anonymous_client.post(
        URL, {"username": "Ada", "email": "Ada@Example.COM", "password": PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "username", "email", "display_name", "time_zone", "date_joined"}
    assert body["username"] == "Ada"
    assert body["email"] == "ada@example.com"
    assert body["time_zone"] == "UTC"
    assert PASSWORD not in response.content.decode()
    user = User.objects.get(pk=body["id"])
    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD


@pytest.mark.parametrize(
    ("taken", "field"),
    [({"username": "ADA"}, "username"), ({"email": "ADA@example.com"}, "email")],
)
def test_username_and_email_are_unique_regardless_of_case(anonymous_client, taken, field):
    UserFactory(username="ada", email="ada@example.com")
    payload = {"username": "someone", "email": "someone@example.com", "password": PASSWORD, **taken}
    response = anonymous_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "message_part"),
    [
        ("short1!", "too short"),
        ("password1234", "too common"),
        ("738204918273645", "entirely numeric"),
        ("someone-example", "too similar"),
    ],
)
def test_weak_passwords_are_refused(anonymous_client, password, message_part):
    payload = {"username": "someone", "email": "someone-example@example.com", "password": password}
    response = anonymous_client.post(URL, payload, format="json")
    assert response.status_code == 400
    messages = " ".join(response.json()["error"]["fields"]["password"])
    assert message_part in messages
    assert not User.objects.exists()


def test_a_long_passphrase_is_accepted(anonymous_client):
    passphrase = "a sentence that is long " * 10  # 240 characters
    response = anonymous_client.post(
        URL, {"username": "long", "email": "l@example.com", "password": passphrase}, format="json"
    )
    assert response.status_code == 201
    assert User.objects.get(username="long").check_password(passphrase)


def test_a_password_over_256_characters_is_refused_before_hashing(anonymous_client, hash_calls):
    response = anonymous_client.post(
        URL, {"username": "x", "email": "x@example.com", "password": "p" * 257}, format="json"
    )
    assert response.status_code == 400
    assert "256" in response.json()["error"]["fields"]["password"][0]
    assert hash_calls() == {"encode": 0, "verify": 0}


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "", "email": "a@example.com", "password": PASSWORD},
        {"username": "has space", "email": "a@example.com", "password": PASSWORD},
        {"username": "ok", "email": "not-an-email", "password": PASSWORD},
        {"username": "ok", "email": "a@example.com"},
    ],
)
def test_invalid_payloads_are_400_and_create_nothing(anonymous_client, payload):
    response = anonymous_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not User.objects.exists()


def test_register_takes_the_browsers_time_zone_and_refuses_an_unknown_one(anonymous_client):
    body = {"username": "kim", "email": "kim@example.com", "password": PASSWORD, "time_zone": "Europe/Berlin"}
    response = anonymous_client.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["time_zone"] == "Europe/Berlin"
    assert User.objects.get(username="kim").time_zone == "Europe/Berlin"

    body = {"username": "lee", "email": "lee@example.com", "password": PASSWORD, "time_zone": "Mars/Olympus"}
    response = anonymous_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "time_zone" in response.json()["error"]["fields"]
    assert not User.objects.filter(username="lee").exists()
