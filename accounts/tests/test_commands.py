import stat
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import AuthSession
from accounts.tests.factories import PASSWORD
from tms_project.jwt_keys import public_key_pem_of


def test_generate_jwt_keys_writes_a_matching_private_pair(tmp_path, capsys):
    call_command("generate_jwt_keys", "--out", str(tmp_path))
    private, public = tmp_path / "jwt-private.pem", tmp_path / "jwt-public.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert public_key_pem_of(private.read_text()).strip() == public.read_text().strip()
    assert "give only to the auth service" in capsys.readouterr().out


def test_generate_jwt_keys_does_not_overwrite_without_force(tmp_path):
    call_command("generate_jwt_keys", "--out", str(tmp_path))
    before = (tmp_path / "jwt-private.pem").read_text()
    with pytest.raises(SystemExit):
        call_command("generate_jwt_keys", "--out", str(tmp_path))
    assert (tmp_path / "jwt-private.pem").read_text() == before
    call_command("generate_jwt_keys", "--out", str(tmp_path), "--force")
    assert (tmp_path / "jwt-private.pem").read_text() != before


@pytest.mark.django_db
def test_flush_expired_sessions_keeps_live_ones(user, login):
    login(user)
    live = AuthSession.objects.get(user=user)
    long_ago = timezone.now() - timedelta(days=30)
    expired = AuthSession.objects.create(
        user=user, refresh_jti="old-1", last_used_at=long_ago, expires_at=long_ago
    )
    revoked = AuthSession.objects.create(
        user=user,
        refresh_jti="old-2",
        last_used_at=long_ago,
        expires_at=timezone.now() + timedelta(days=1),
        revoked_at=long_ago,
    )
    OutstandingToken.objects.create(user=user, jti="expired-jti", token="x", expires_at=long_ago)
    # when
    call_command("flush_expired_sessions")
    # then
    remaining = set(AuthSession.objects.values_list("pk", flat=True))
    assert live.pk in remaining
    assert expired.pk not in remaining and revoked.pk not in remaining
    assert not OutstandingToken.objects.filter(jti="expired-jti").exists()


@pytest.mark.django_db
def test_flush_expired_sessions_forgets_finished_mails_but_never_pending_ones():
    from accounts.models import OutgoingMail

    long_ago = timezone.now() - timedelta(days=31)
    old_sent = OutgoingMail.objects.create(
        kind="email_in_use",
        payload={"email": "a@example.com"},
        state="sent",
        next_attempt_at=long_ago,
        finished_at=long_ago,
    )
    recent_sent = OutgoingMail.objects.create(
        kind="email_in_use",
        payload={"email": "b@example.com"},
        state="sent",
        next_attempt_at=timezone.now(),
        finished_at=timezone.now() - timedelta(days=1),
    )
    old_pending = OutgoingMail.objects.create(
        kind="email_in_use", payload={"email": "c@example.com"}, next_attempt_at=long_ago
    )
    # when
    call_command("flush_expired_sessions")
    # then
    assert set(OutgoingMail.objects.values_list("pk", flat=True)) == {recent_sent.pk, old_pending.pk}
    assert not OutgoingMail.objects.filter(pk=old_sent.pk).exists()


@pytest.mark.django_db
def test_flush_expired_sessions_forgets_expired_two_factor_sign_ins(user):
    from accounts.two_factor.models import MFAChallenge

    now = timezone.now()
    expired = MFAChallenge.objects.create(
        user=user, token_hash="a" * 64, expires_at=now - timedelta(minutes=1)
    )
    live = MFAChallenge.objects.create(user=user, token_hash="b" * 64, expires_at=now + timedelta(minutes=4))
    # when
    call_command("flush_expired_sessions")
    # then
    assert list(MFAChallenge.objects.values_list("pk", flat=True)) == [live.pk]
    assert not MFAChallenge.objects.filter(pk=expired.pk).exists()


@pytest.mark.django_db
def test_reset_two_factor_lets_someone_who_lost_everything_sign_in_with_the_password(user, capsys):
    from accounts.tests.test_two_factor import enable_two_factor
    from accounts.two_factor.models import RecoveryCode, TOTPDevice

    enable_two_factor(user)
    # when: an operator resets it, naming the account by its email
    call_command("reset_two_factor", user.email.upper())
    # then
    assert "turned off" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    client = APIClient()
    answer = client.post("/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json")
    assert answer.status_code == 200 and "access" in answer.json()
    # and again: nothing to do, said so
    call_command("reset_two_factor", user.username)
    assert "nothing changed" in capsys.readouterr().out


@pytest.mark.django_db
def test_reset_two_factor_of_an_unknown_account_fails_loudly():
    with pytest.raises(CommandError, match="no account"):
        call_command("reset_two_factor", "nobody")
