"""Usernames: NFKC form, and no name that reads like an existing one, on SQLite and MySQL alike."""

import pytest

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.usernames import username_key

pytestmark = pytest.mark.django_db

REGISTER = "/api/auth/register/"


@pytest.mark.parametrize(
    ("look_alike", "why"),
    [
        ("ａｄｍｉｎ", "fullwidth"),
        ("admіn", "Cyrillic і"),
        ("аdmin", "Cyrillic а"),
        ("admın", "dotless ı"),
        ("ᴀdmin", "small capital A"),
        ("ADMIN", "case"),
        ("Admin", "case"),
        ("ädmin", "accent"),
    ],
)
def test_a_name_that_looks_like_an_existing_one_is_refused(anonymous_client, look_alike, why):
    UserFactory(username="admin")
    # when
    response = anonymous_client.post(
        REGISTER, {"username": look_alike, "email": "x@example.com", "password": PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 400, why
    assert "looks like" in response.json()["error"]["fields"]["username"][0]
    assert User.objects.count() == 1


def test_names_are_stored_in_nfkc_form(anonymous_client):
    response = anonymous_client.post(
        REGISTER, {"username": "ｊｏｈａｎ", "email": "j@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["username"] == "johan"


def test_distinct_names_in_other_scripts_are_welcome(anonymous_client):
    for n, name in enumerate(["jürgen", "日本", "привет", "Ἀθῆναι", "ελένη"]):
        response = anonymous_client.post(
            REGISTER, {"username": name, "email": f"{n}@example.com", "password": PASSWORD}, format="json"
        )
        assert response.status_code == 201, (name, response.json())


def test_signing_in_with_a_look_alike_finds_the_account(anonymous_client):
    UserFactory(username="admin")
    response = anonymous_client.post(
        "/api/auth/login/", {"username": "аdmin", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200 and response.json()["user"]["username"] == "admin"


def test_the_database_refuses_a_look_alike_that_skipped_the_check():
    UserFactory(username="admin")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="аdmin", email="other@example.com")


def test_key_examples():
    assert username_key("ᴀdmin") == username_key("ADMIN") == username_key("ａｄｍｉｎ") == "admin"
    assert username_key("adm1n") != username_key("admin")  # a digit is not a look-alike of a letter here
