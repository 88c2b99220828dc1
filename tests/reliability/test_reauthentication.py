"""No account change that could hand the account to someone else is made with an access token alone.

Every write of /api/auth/ comes from the OpenAPI schema and must be named in ``WRITES`` with what it
needs beyond the access token, so an endpoint added later without a decision fails here. For every
write that needs the password, a client holding only a stolen access token (no password, or a wrong
one) is refused and the account is unchanged.
"""

import pytest
from django.core import mail
from drf_spectacular.generators import SchemaGenerator

from accounts.models import User
from accounts.services.mail import mail_deliver_due
from accounts.tests.factories import PASSWORD, UserFactory
from tests.support.clients import client_for
from tests.support.snapshot import database_snapshot

pytestmark = pytest.mark.django_db

PUBLIC = "public: a credential of its own (password, refresh token, or a link from a mail)"
PASSWORD_NEEDED = "the current password"
HARMLESS = "nothing more: it cannot give the account to anyone (it only signs out or edits the profile)"

WRITES = {
    ("post", "/api/auth/register/"): PUBLIC,
    ("post", "/api/auth/login/"): PUBLIC,
    ("post", "/api/auth/refresh/"): PUBLIC,
    ("post", "/api/auth/logout/"): PUBLIC,
    ("post", "/api/auth/password/reset/"): PUBLIC,
    ("post", "/api/auth/password/reset/confirm/"): PUBLIC,
    ("post", "/api/auth/email/confirm/"): PUBLIC,
    ("post", "/api/auth/email/revert/"): PUBLIC,
    ("patch", "/api/auth/me/"): HARMLESS + " — except username, which needs the password (below)",
    ("delete", "/api/auth/me/"): PASSWORD_NEEDED,
    ("post", "/api/auth/password/change/"): PASSWORD_NEEDED,
    ("post", "/api/auth/email/change/"): PASSWORD_NEEDED,
    ("delete", "/api/auth/sessions/{session_id}/"): HARMLESS,
    ("post", "/api/auth/tokens/"): PASSWORD_NEEDED
    + " — an access token lasts minutes, the one made here may never expire",
    ("delete", "/api/auth/tokens/{token_id}/"): HARMLESS + " — it only revokes a token",
    ("post", "/api/auth/login/2fa/"): PUBLIC,
    ("post", "/api/auth/2fa/totp/"): HARMLESS + " — a secret that counts only once confirmed",
    ("post", "/api/auth/2fa/totp/confirm/"): PASSWORD_NEEDED + " and a code from the new authenticator",
    ("post", "/api/auth/2fa/totp/disable/"): PASSWORD_NEEDED + " and a code",
    ("post", "/api/auth/2fa/recovery-codes/"): PASSWORD_NEEDED + " and a code",
}

# What a thief with the access token would send, with every password field missing or wrong.
STOLEN_TOKEN_ATTEMPTS = [
    ("delete", "/api/auth/me/", {}),
    ("delete", "/api/auth/me/", {"password": "not the password"}),
    ("post", "/api/auth/password/change/", {"new_password": "thief's new passphrase"}),
    (
        "post",
        "/api/auth/password/change/",
        {"current_password": "guess", "new_password": "thief's new passphrase"},
    ),
    ("post", "/api/auth/email/change/", {"email": "thief@example.com"}),
    ("post", "/api/auth/email/change/", {"email": "thief@example.com", "current_password": "guess guess"}),
    ("patch", "/api/auth/me/", {"username": "thief"}),
    ("patch", "/api/auth/me/", {"username": "thief", "current_password": "guess guess"}),
    ("patch", "/api/auth/me/", {"email": "thief@example.com"}),
    ("patch", "/api/auth/me/", {"email": "thief@example.com", "current_password": PASSWORD}),
    ("post", "/api/auth/tokens/", {"name": "thief", "scopes": ["tasks:write"]}),
    ("post", "/api/auth/tokens/", {"name": "thief", "scopes": ["tasks:write"], "password": "guess guess"}),
    ("post", "/api/auth/2fa/totp/confirm/", {"code": "123456"}),
    ("post", "/api/auth/2fa/totp/confirm/", {"password": "guess guess", "code": "123456"}),
]


def auth_writes() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method, path)
        for path, item in schema["paths"].items()
        if path.startswith("/api/auth/")
        for method in item
        if method in {"post", "put", "patch", "delete"}
    }


def test_every_account_write_has_a_decision():
    assert auth_writes() == set(WRITES), "name what each new /api/auth/ write needs beyond the access token"


@pytest.mark.parametrize(("method", "path", "body"), STOLEN_TOKEN_ATTEMPTS)
def test_a_stolen_access_token_alone_changes_nothing(method, path, body):
    # given a thief holding only the owner's access token
    owner = UserFactory(username="owner", email="owner@example.com")
    thief = client_for(owner)
    before = database_snapshot()
    # when
    response = getattr(thief, method)(path, body, format="json")
    mail_deliver_due()
    # then
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert database_snapshot() == before
    assert mail.outbox == []
    owner = User.objects.get(pk=owner.pk)
    assert (owner.username, owner.email) == ("owner", "owner@example.com")
    assert owner.check_password(PASSWORD)
