"""Changing the email address: password, confirmation by the new address, undo from the old one."""

import re

import pytest
from django.core import mail

from accounts.models import AuthSession, User
from accounts.services.mail import mail_deliver_due
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CHANGE, CONFIRM, REVERT = "/api/auth/email/change/", "/api/auth/email/confirm/", "/api/auth/email/revert/"


def delivered() -> list:
    mail_deliver_due()
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent


def link_token(message, path: str) -> str:
    match = re.search(rf"/{path}\?token=([\w:.%-]+)", message.body)
    assert match, message.body
    from urllib.parse import unquote

    return unquote(match.group(1))


def request_change(authed, email="new@example.com", password=PASSWORD):
    return authed.post(CHANGE, {"email": email, "current_password": password}, format="json")


def test_a_stolen_access_token_alone_cannot_change_the_email(authed, user):
    # given only the access token (no password)
    for body in (
        {"email": "thief@example.com"},
        {"email": "thief@example.com", "current_password": "guess guess"},
    ):
        response = authed.post(CHANGE, body, format="json")
        # then
        assert response.status_code == 400
        assert "current_password" in response.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.email.startswith("user") and delivered() == []


def test_the_new_address_must_confirm_before_the_account_uses_it(anonymous_client, authed, user):
    old = user.email
    # when
    response = request_change(authed)
    # then nothing has changed yet; the new address got a link
    assert response.status_code == 202
    user.refresh_from_db()
    assert user.email == old
    [confirmation] = delivered()
    assert confirmation.to == ["new@example.com"]
    # a password reset still goes to the old address only
    anonymous_client.post("/api/auth/password/reset/", {"email": "new@example.com"}, format="json")
    assert delivered() == []
    # when the link is opened
    token = link_token(confirmation, "confirm-email")
    confirmed = anonymous_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "new@example.com"
    user.refresh_from_db()
    assert user.email == "new@example.com"
    # the old address is told, with a way to undo it
    [notice] = delivered()
    assert notice.to == [old] and "new@example.com" in notice.body and "/revert-email?token=" in notice.body
    # the link works once
    again = anonymous_client.post(CONFIRM, {"token": token}, format="json")
    assert again.status_code == 400 and "token" in again.json()["error"]["fields"]


def test_undo_from_the_old_address_restores_it_and_locks_the_intruder_out(
    anonymous_client, authed, user, login
):
    old = user.email
    other_device = login(user)
    request_change(authed)
    anonymous_client.post(CONFIRM, {"token": link_token(delivered()[0], "confirm-email")}, format="json")
    [notice] = delivered()
    # when the owner undoes it from the old address
    response = anonymous_client.post(REVERT, {"token": link_token(notice, "revert-email")}, format="json")
    # then
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == old
    assert not user.has_usable_password()  # whoever changed it knew the password
    assert not AuthSession.objects.filter(user=user, revoked_at__isnull=True).exists()
    refresh = anonymous_client.post("/api/auth/refresh/", {"refresh": other_device["refresh"]}, format="json")
    assert refresh.status_code == 401
    # and a reset link goes to the restored address
    [reset] = delivered()
    assert reset.to == [old] and "/reset-password?uid=" in reset.body
    # the undo link works once
    assert (
        anonymous_client.post(
            REVERT, {"token": link_token(notice, "revert-email")}, format="json"
        ).status_code
        == 400
    )


def test_a_taken_address_answers_the_same_and_changes_nothing(authed, user):
    UserFactory(email="taken@example.com")
    # when
    taken = request_change(authed, "Taken@Example.com")
    free = request_change(authed, "free@example.com")
    # then the two answers cannot be told apart
    assert taken.status_code == free.status_code == 202
    assert taken.json() == free.json()
    sent = {m.to[0]: m for m in delivered()}
    # the owner of the taken address is told someone tried; no link goes anywhere for it
    assert "confirm-email" not in sent["taken@example.com"].body
    assert "/confirm-email?token=" in sent["free@example.com"].body
    user.refresh_from_db()
    assert user.email != "taken@example.com"


def test_an_address_taken_before_confirmation_is_refused(anonymous_client, authed, user):
    request_change(authed, "race@example.com")
    [confirmation] = delivered()
    UserFactory(email="race@example.com")
    response = anonymous_client.post(
        CONFIRM, {"token": link_token(confirmation, "confirm-email")}, format="json"
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email != "race@example.com"


@pytest.mark.parametrize("token", ["", "x", "forged:token:value", "a" * 1025])
def test_forged_links_are_refused(anonymous_client, token):
    for url in (CONFIRM, REVERT):
        response = anonymous_client.post(url, {"token": token}, format="json")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"


def test_a_link_made_for_one_purpose_does_not_work_for_the_other(anonymous_client, authed, user):
    request_change(authed)
    token = link_token(delivered()[0], "confirm-email")
    assert anonymous_client.post(REVERT, {"token": token}, format="json").status_code == 400


def test_an_expired_confirmation_link_is_refused(anonymous_client, authed, user, settings, monkeypatch):
    request_change(authed)
    token = link_token(delivered()[0], "confirm-email")
    import time

    later = time.time() + settings.TMS_EMAIL_CHANGE_SECONDS + 5
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert anonymous_client.post(CONFIRM, {"token": token}, format="json").status_code == 400
    assert User.objects.get(pk=user.pk).email == user.email


def test_email_change_requests_are_rate_limited_per_account(authed, user, settings):
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "account_change": "3/h"}
    for n in range(3):
        assert request_change(authed, f"probe{n}@example.com").status_code == 202
    limited = request_change(authed, "probe9@example.com")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
