import re

import pytest
from django.core import mail

from accounts.models import OutgoingMail
from accounts.services.mail import mail_deliver_due
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CHANGE, RESET, CONFIRM = (
    "/api/auth/password/change/",
    "/api/auth/password/reset/",
    "/api/auth/password/reset/confirm/",
)
NEW_PASSWORD = "a brand new passphrase"


def refresh_status(client, token) -> int:
    return client.post("/api/auth/refresh/", {"refresh": token}, format="json").status_code


def test_password_change_revokes_every_other_session(anonymous_client, user, login):
    # given three signed-in devices
    current, other_1, other_2 = login(user), login(user), login(user)
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {current['access']}")
    # when
    response = anonymous_client.post(
        CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 204
    assert refresh_status(anonymous_client, other_1["refresh"]) == 401
    assert refresh_status(anonymous_client, other_2["refresh"]) == 401
    assert refresh_status(anonymous_client, current["refresh"]) == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_needs_the_current_password(authed, user):
    response = authed.post(
        CHANGE, {"current_password": "nope nope nope", "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "current_password" in response.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_validates_the_new_password(authed, user):
    response = authed.post(CHANGE, {"current_password": PASSWORD, "new_password": "short"}, format="json")
    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def reset_link_parts() -> tuple[str, str]:
    mail_deliver_due()
    [message] = mail.outbox
    match = re.search(r"/reset-password\?uid=([\w-]+)&token=([\w-]+)", str(message.body))
    assert match, message.body
    return match.group(1), match.group(2)


def test_reset_mails_a_link_that_works_once_and_ends_all_sessions(anonymous_client, user, login):
    tokens = login(user)
    # when
    response = anonymous_client.post(RESET, {"email": user.email.upper()}, format="json")
    # then
    assert response.status_code == 202
    assert mail.outbox == []  # the request only queued it
    uid, token = reset_link_parts()
    assert mail.outbox[0].to == [user.email]
    confirm = anonymous_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}, format="json"
    )
    assert confirm.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert refresh_status(anonymous_client, tokens["refresh"]) == 401
    # the same link a second time
    again = anonymous_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": "yet another passphrase"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["error"]["fields"] == {
        "token": ["This reset link is invalid or has already been used."]
    }
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_reset_answers_the_same_for_unknown_addresses(anonymous_client, user):
    known = anonymous_client.post(RESET, {"email": user.email}, format="json")
    unknown = anonymous_client.post(RESET, {"email": "nobody@example.com"}, format="json")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    # both requests did the same thing: queue a mail; only the one to a real account is sent
    assert OutgoingMail.objects.filter(kind="password_reset").count() == 2
    assert mail_deliver_due() == 2
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert sorted(OutgoingMail.objects.values_list("state", flat=True)) == ["sent", "skipped"]


def test_a_reset_request_does_not_look_the_address_up(anonymous_client, user, django_assert_num_queries):
    # the same statements for a known and an unknown address: nothing to time
    for email in (user.email, "nobody@example.com"):
        with django_assert_num_queries(1):  # the outbox row
            assert anonymous_client.post(RESET, {"email": email}, format="json").status_code == 202


@pytest.mark.parametrize(
    "payload",
    [
        {"uid": "!!!", "token": "x", "new_password": NEW_PASSWORD},
        {"uid": "MQ", "token": "forged-token", "new_password": NEW_PASSWORD},
        {"uid": "OTk5OTk5", "token": "forged-token", "new_password": NEW_PASSWORD},
    ],
)
def test_forged_reset_links_are_refused(anonymous_client, user, payload):
    response = anonymous_client.post(CONFIRM, payload, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reset_confirm_validates_the_new_password(anonymous_client, user):
    anonymous_client.post(RESET, {"email": user.email}, format="json")
    uid, token = reset_link_parts()
    response = anonymous_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": "123"}, format="json"
    )
    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["fields"]
    # the link still works for a valid password
    ok = anonymous_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}, format="json"
    )
    assert ok.status_code == 204
