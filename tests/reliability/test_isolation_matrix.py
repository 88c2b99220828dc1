"""Who may do what, on every route of the API: a role × operation matrix, from the schema.

The operations come from the OpenAPI schema, and each must have a row in TABLE
saying what each role gets: an endpoint added later without one fails the suite,
naming it (test_every_route_has_a_row). The roles are those of a shared project —
its owner, an admin, an editor, a viewer — and three people outside it: someone
who never was a member, a member who was removed, and a staff member (staff get
no more through the API than anyone else).

- Outside the project (and outside the owner's Inbox, labels and sessions) an
  object answers exactly like one that does not exist — 404, never 403, never its
  data — and nothing changes.
- A member whose role is too low gets 403 ``permission_denied`` (they can see the
  object) and nothing changes.
- Each cell starts from the world as built: what an allowed write changed is rolled back
  before the next (see built_world).

The admin refuses users who are not staff.
"""

import base64
import re
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Any, NamedTuple

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.cache import cache
from django.db import transaction
from django.urls import clear_url_caches
from django.urls import path as url_path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.models import User
from accounts.personal_tokens.services import token_create
from accounts.services.sessions import session_start
from accounts.tests.factories import PASSWORD, UserFactory
from tasks.models import WebhookDelivery
from tests.support.clients import client_for
from tests.support.snapshot import database_snapshot

pytestmark = pytest.mark.django_db

ROLES = ("owner", "admin", "editor", "viewer", "outsider", "removed", "staff")
NON_MEMBERS = ("outsider", "removed", "staff")  # never a member, removed, staff (root) but no member
MISSING_ID = 987654321
HERE = __name__.replace(".", "/") + ".py"
NEW_PASSWORD = "a brand new passphrase 42"


class Row(NamedTuple):
    """The status each role gets: 2xx done, 403 seen but refused, 404 not seen (as if missing)."""

    owner: int
    admin: int
    editor: int
    viewer: int
    outsider: int
    removed: int
    staff: int


# What each path parameter names in the world (see World), unless PATH_OBJECTS says otherwise:
# the shared project's task, the editor's comment on it, the project, the viewer's membership,
# and the owner's own label and session.
# Trash operations name the trashed task of the project; restoring a project, the owner's trashed one.
PATH_OBJECTS = {
    "/api/tasks/{task_id}/restore/": {"task_id": "trashed_task_id"},
    "/api/tasks/trash/{task_id}/": {"task_id": "trashed_task_id"},
    "/api/tasks/projects/{project_id}/restore/": {"project_id": "trashed_project_id"},
}

TASK = "/api/tasks/{task_id}/"
COMMENTS = "/api/tasks/{task_id}/comments/"
COMMENT = "/api/tasks/{task_id}/comments/{comment_id}/"
PROJECT = "/api/tasks/projects/{project_id}/"
MEMBERS_PATH = "/api/tasks/projects/{project_id}/members/"
MEMBER = "/api/tasks/projects/{project_id}/members/{user_id}/"
LABEL = "/api/tasks/labels/{label_id}/"
WEBHOOK = "/api/tasks/webhooks/{webhook_id}/"

# Every route × method of the schema. Columns: the role asking.
# fmt: off
TABLE: dict[tuple[str, str], Row] = {
    # (method, path): Row(owner, admin, editor, viewer, outsider, removed, staff)
    # --- the shared project's task: members read; editors and up write; non-members 404
    ("get",    TASK):                                  Row(200, 200, 200, 200, 404, 404, 404),
    ("put",    TASK):                                  Row(200, 200, 200, 403, 404, 404, 404),
    ("patch",  TASK):                                  Row(200, 200, 200, 403, 404, 404, 404),
    ("delete", TASK):                                  Row(204, 204, 204, 403, 404, 404, 404),
    ("post",   "/api/tasks/{task_id}/complete/"):      Row(200, 200, 200, 403, 404, 404, 404),
    ("post",   "/api/tasks/{task_id}/reopen/"):        Row(200, 200, 200, 403, 404, 404, 404),
    ("post",   "/api/tasks/{task_id}/move/"):          Row(200, 200, 200, 403, 404, 404, 404),
    ("get",    "/api/tasks/{task_id}/history/"):       Row(200, 200, 200, 200, 404, 404, 404),
    ("post",   "/api/tasks/{task_id}/restore/"):       Row(200, 200, 200, 403, 404, 404, 404),
    # purging a task for good is an admin's decision
    ("delete", "/api/tasks/trash/{task_id}/"):         Row(204, 204, 403, 403, 404, 404, 404),
    ("post",   "/api/tasks/bulk/"):                    Row(200, 200, 200, 403, 404, 404, 404),
    # --- comments (the editor's): the author edits; the author or an admin deletes
    ("get",    COMMENTS):                              Row(200, 200, 200, 200, 404, 404, 404),
    ("post",   COMMENTS):                              Row(201, 201, 201, 403, 404, 404, 404),
    ("patch",  COMMENT):                               Row(403, 403, 200, 403, 404, 404, 404),
    ("delete", COMMENT):                               Row(204, 204, 204, 403, 404, 404, 404),
    # --- the project: admins change it; only the owner deletes it
    ("get",    PROJECT):                               Row(200, 200, 200, 200, 404, 404, 404),
    ("patch",  PROJECT):                               Row(200, 200, 403, 403, 404, 404, 404),
    ("delete", PROJECT):                               Row(204, 403, 403, 403, 404, 404, 404),
    # a project in the trash is seen by no member (GET is 404 too): only its owner restores it
    ("post",   "/api/tasks/projects/{project_id}/restore/"): Row(200, 404, 404, 404, 404, 404, 404),
    # --- members (the viewer's membership): admins manage; the viewer may remove themself (leave)
    ("get",    MEMBERS_PATH):                          Row(200, 200, 200, 200, 404, 404, 404),
    ("post",   MEMBERS_PATH):                          Row(201, 201, 403, 403, 404, 404, 404),
    ("patch",  MEMBER):                                Row(200, 200, 403, 403, 404, 404, 404),
    ("delete", MEMBER):                                Row(204, 204, 403, 204, 404, 404, 404),
    # --- the owner's own label and session: theirs alone
    ("get",    LABEL):                                 Row(200, 404, 404, 404, 404, 404, 404),
    ("patch",  LABEL):                                 Row(200, 404, 404, 404, 404, 404, 404),
    ("delete", LABEL):                                 Row(204, 404, 404, 404, 404, 404, 404),
    ("delete", "/api/auth/sessions/{session_id}/"):    Row(204, 404, 404, 404, 404, 404, 404),
    ("delete", "/api/auth/tokens/{token_id}/"):        Row(204, 404, 404, 404, 404, 404, 404),
    # --- the owner's webhook and its delivery: theirs alone
    ("get",    WEBHOOK):                               Row(200, 404, 404, 404, 404, 404, 404),
    ("patch",  WEBHOOK):                               Row(200, 404, 404, 404, 404, 404, 404),
    ("delete", WEBHOOK):                               Row(204, 404, 404, 404, 404, 404, 404),
    ("post",   f"{WEBHOOK}ping/"):                     Row(202, 404, 404, 404, 404, 404, 404),
    ("get",    f"{WEBHOOK}deliveries/"):               Row(200, 404, 404, 404, 404, 404, 404),
    ("post",   f"{WEBHOOK}deliveries/{{delivery_id}}/redeliver/"): Row(202, 404, 404, 404, 404, 404, 404),
    # --- collections and creations: each caller's own (what they show: the tests below)
    ("get",    "/api/tasks/"):                         Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/tasks/"):                         Row(201, 201, 201, 201, 201, 201, 201),
    ("get",    "/api/tasks/trash/"):                   Row(200, 200, 200, 200, 200, 200, 200),
    ("get",    "/api/tasks/stats/"):                   Row(200, 200, 200, 200, 200, 200, 200),
    ("get",    "/api/tasks/export/"):                  Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/tasks/import/"):                  Row(201, 201, 201, 201, 201, 201, 201),
    ("get",    "/api/tasks/labels/"):                  Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/tasks/labels/"):                  Row(201, 201, 201, 201, 201, 201, 201),
    ("get",    "/api/tasks/projects/"):                Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/tasks/projects/"):                Row(201, 201, 201, 201, 201, 201, 201),
    ("get",    "/api/tasks/projects/trash/"):          Row(200, 200, 200, 200, 200, 200, 200),
    ("get",    "/api/tasks/notifications/"):           Row(200, 200, 200, 200, 200, 200, 200),
    ("get",    "/api/tasks/notifications/summary/"):   Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/tasks/notifications/read/"):      Row(200, 200, 200, 200, 200, 200, 200),
    ("get",    "/api/tasks/notifications/settings/"):  Row(200, 200, 200, 200, 200, 200, 200),
    ("patch",  "/api/tasks/notifications/settings/"):  Row(200, 200, 200, 200, 200, 200, 200),
    ("get",    "/api/tasks/push/"):                    Row(200, 200, 200, 200, 200, 200, 200),
    # each caller's own browser
    ("post",   "/api/tasks/push/subscriptions/"):      Row(201, 201, 201, 201, 201, 201, 201),
    # the owner's browser's subscription: theirs alone to remove
    ("delete", "/api/tasks/push/subscriptions/"):      Row(204, 404, 404, 404, 404, 404, 404),
    ("get",    "/api/tasks/calendar-feed/"):           Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/tasks/calendar-feed/"):           Row(201, 201, 201, 201, 201, 201, 201),
    ("delete", "/api/tasks/calendar-feed/"):           Row(204, 204, 204, 204, 204, 204, 204),
    ("get",    "/api/tasks/webhooks/"):                Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/tasks/webhooks/"):                Row(201, 201, 201, 201, 201, 201, 201),
    # --- the caller's own account
    ("get",    "/api/auth/me/"):                       Row(200, 200, 200, 200, 200, 200, 200),
    ("patch",  "/api/auth/me/"):                       Row(200, 200, 200, 200, 200, 200, 200),
    ("delete", "/api/auth/me/"):                       Row(204, 204, 204, 204, 204, 204, 204),
    ("post",   "/api/auth/email/change/"):             Row(202, 202, 202, 202, 202, 202, 202),
    ("post",   "/api/auth/password/change/"):          Row(204, 204, 204, 204, 204, 204, 204),
    ("get",    "/api/auth/sessions/"):                 Row(200, 200, 200, 200, 200, 200, 200),
    ("get",    "/api/auth/tokens/"):                   Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/auth/tokens/"):                   Row(201, 201, 201, 201, 201, 201, 201),
    ("get",    "/api/auth/2fa/"):                      Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/auth/2fa/totp/"):                 Row(201, 201, 201, 201, 201, 201, 201),
    # nobody has started an enrolment (400 not_enrolled) or turned two-factor sign-in on (409)
    ("post",   "/api/auth/2fa/totp/confirm/"):         Row(400, 400, 400, 400, 400, 400, 400),
    ("post",   "/api/auth/2fa/totp/disable/"):         Row(409, 409, 409, 409, 409, 409, 409),
    ("post",   "/api/auth/2fa/recovery-codes/"):       Row(409, 409, 409, 409, 409, 409, 409),
    # --- public routes: the bearer token plays no part (the caller's own name, e-mail, refresh
    # token in the body; a link's token that is not valid: 400 for everyone)
    ("post",   "/api/auth/register/"):                 Row(201, 201, 201, 201, 201, 201, 201),
    ("post",   "/api/auth/login/"):                    Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/auth/login/2fa/"):                Row(401, 401, 401, 401, 401, 401, 401),
    ("post",   "/api/auth/refresh/"):                  Row(200, 200, 200, 200, 200, 200, 200),
    ("post",   "/api/auth/logout/"):                   Row(204, 204, 204, 204, 204, 204, 204),
    ("post",   "/api/auth/email/confirm/"):            Row(400, 400, 400, 400, 400, 400, 400),
    ("post",   "/api/auth/email/revert/"):             Row(400, 400, 400, 400, 400, 400, 400),
    ("post",   "/api/auth/password/reset/"):           Row(202, 202, 202, 202, 202, 202, 202),
    ("post",   "/api/auth/password/reset/confirm/"):   Row(400, 400, 400, 400, 400, 400, 400),
}
# fmt: on


@dataclass(frozen=True)
class Ref:
    """A value filled in per request: an object of the world by its name (World.ids), or the
    caller's own ``me`` (id), ``my_username``, ``my_email``, ``my_refresh`` (a refresh token)."""

    name: str


# The owner's browser's push subscription (a literal public address: nothing is resolved).
OWNER_PUSH_ENDPOINT = "https://93.184.216.34/push/owner-secret-browser"
PUSH_P256DH = (
    base64.urlsafe_b64encode(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    .decode()
    .rstrip("=")
)
PUSH_AUTH = base64.urlsafe_b64encode(b"0123456789abcdef").decode().rstrip("=")

# A body each operation accepts from a role allowed to do it, so that a refusal cannot be a 400.
BODIES: dict[tuple[str, str], Any] = {
    ("post", "/api/tasks/"): {"title": "a new task"},
    ("put", TASK): {"title": "changed"},
    ("patch", TASK): {"title": "changed"},
    ("post", "/api/tasks/{task_id}/move/"): {"status": "done"},
    ("post", "/api/tasks/bulk/"): {"ids": [Ref("task_id")], "action": "complete"},
    ("post", "/api/tasks/import/"): {"tasks": [{"title": "an imported task"}]},
    ("post", COMMENTS): {"body": "a new comment"},
    ("patch", COMMENT): {"body": "an edited comment"},
    ("post", "/api/tasks/labels/"): {"name": "a new label"},
    ("patch", LABEL): {"name": "changed"},
    ("post", "/api/tasks/projects/"): {"name": "a new project"},
    ("patch", PROJECT): {"name": "changed"},
    ("post", MEMBERS_PATH): {"user": "newcomer", "role": "viewer"},
    ("patch", MEMBER): {"role": "editor"},
    ("post", "/api/tasks/notifications/read/"): {"all": True},
    ("patch", "/api/tasks/notifications/settings/"): {"email_activity": True},
    ("post", "/api/tasks/push/subscriptions/"): {
        "endpoint": "https://93.184.216.34/push/a-browser",
        "keys": {"p256dh": PUSH_P256DH, "auth": PUSH_AUTH},
    },
    ("delete", "/api/tasks/push/subscriptions/"): {"endpoint": OWNER_PUSH_ENDPOINT},
    ("post", "/api/tasks/webhooks/"): {"url": "https://93.184.216.34/hooks/new", "events": ["task.created"]},
    ("patch", WEBHOOK): {"description": "changed"},
    ("post", "/api/auth/tokens/"): {"name": "a script", "scopes": ["tasks:read"], "password": PASSWORD},
    ("post", "/api/auth/2fa/totp/confirm/"): {"password": PASSWORD, "code": "123456"},
    ("post", "/api/auth/2fa/totp/disable/"): {"password": PASSWORD, "code": "123456"},
    ("post", "/api/auth/2fa/recovery-codes/"): {"password": PASSWORD, "code": "123456"},
    ("post", "/api/auth/login/2fa/"): {"mfa_token": "not-a-sign-in-in-progress", "code": "123456"},
    ("patch", "/api/auth/me/"): {"display_name": "Changed"},
    ("delete", "/api/auth/me/"): {"password": PASSWORD},
    ("post", "/api/auth/email/change/"): {"email": "moved@example.com", "current_password": PASSWORD},
    ("post", "/api/auth/password/change/"): {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    ("post", "/api/auth/register/"): {
        "username": "registered",
        "email": "registered@example.com",
        "password": NEW_PASSWORD,
    },
    ("post", "/api/auth/login/"): {"username": Ref("my_username"), "password": PASSWORD},
    ("post", "/api/auth/refresh/"): {"refresh": Ref("my_refresh")},
    ("post", "/api/auth/logout/"): {"refresh": Ref("my_refresh")},
    ("post", "/api/auth/email/confirm/"): {"token": "not-a-valid-token"},
    ("post", "/api/auth/email/revert/"): {"token": "not-a-valid-token"},
    ("post", "/api/auth/password/reset/"): {"email": Ref("my_email")},
    ("post", "/api/auth/password/reset/confirm/"): {
        "uid": "x",
        "token": "not-a-valid-token",
        "new_password": NEW_PASSWORD,
    },
}


class Case(NamedTuple):
    method: str
    path: str
    objects: dict[str, str]  # path parameter -> what it names (World.ids, or "me": the caller's id)
    body: Any
    row: Row


# The same routes on other objects or with other bodies, where the answer differs from TABLE's.
# fmt: off
SPECIAL_CASES: dict[str, Case] = {
    # Row: owner admin editor viewer outsider removed staff, as in TABLE
    "each member may leave (their own id); the owner cannot (400)":
        Case("delete", MEMBER, {"user_id": "me"}, None,
             Row(400, 204, 204, 204, 404, 404, 404)),
    "nobody removes the owner (400); an editor or viewer may not try (403)":
        Case("delete", MEMBER, {"user_id": "owner_id"}, None,
             Row(400, 400, 403, 403, 404, 404, 404)),
    "the owner's role does not change":
        Case("patch", MEMBER, {"user_id": "owner_id"}, {"role": "viewer"},
             Row(400, 400, 403, 403, 404, 404, 404)),
    "one's own role: viewers and editors cannot promote themselves; the owner's does not change":
        Case("patch", MEMBER, {"user_id": "me"}, {"role": "admin"},
             Row(400, 200, 403, 403, 404, 404, 404)),
    "adding someone already a member: 409 already_member":
        Case("post", MEMBERS_PATH, {}, {"user": "viewer", "role": "admin"},
             Row(409, 409, 403, 403, 404, 404, 404)),
    "adding an unknown username: 400":
        Case("post", MEMBERS_PATH, {}, {"user": "nobody-by-that-name"},
             Row(400, 400, 403, 403, 404, 404, 404)),
    "adding by the e-mail of an account: 202":
        Case("post", MEMBERS_PATH, {}, {"user": "newcomer@example.com"},
             Row(202, 202, 403, 403, 404, 404, 404)),
    "adding by an e-mail no account has: the same 202":
        Case("post", MEMBERS_PATH, {}, {"user": "nobody@example.com"},
             Row(202, 202, 403, 403, 404, 404, 404)),
    "the sub-task reads like its parent":
        Case("get", TASK, {"task_id": "subtask_id"}, None,
             Row(200, 200, 200, 200, 404, 404, 404)),
    "a project in the trash is not shown, to its owner neither (their projects/trash/ lists it)":
        Case("get", PROJECT, {"project_id": "trashed_project_id"}, None,
             Row(404, 404, 404, 404, 404, 404, 404)),
    "a new task in the project: editors and up; a non-member's 400 is that of a missing project":
        Case("post", "/api/tasks/", {}, {"title": "new", "project": Ref("project_id")},
             Row(201, 201, 201, 403, 400, 400, 400)),
    "a new sub-task of the project's task: the same":
        Case("post", "/api/tasks/", {}, {"title": "new", "parent": Ref("task_id")},
             Row(201, 201, 201, 403, 400, 400, 400)),
    "taking the project's task to one's own Inbox: editors and up":
        Case("patch", TASK, {}, {"project": None},
             Row(200, 200, 200, 403, 404, 404, 404)),
}
# fmt: on

# The owner's Inbox counterparts of the project's task, trashed task and comment.
INBOX_OBJECTS = {
    "task_id": "inbox_task_id",
    "trashed_task_id": "inbox_trashed_task_id",
    "comment_id": "inbox_comment_id",
}


def operations() -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI schema of the URLconf in use."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def name(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def assert_every_route_has_a_row(found: list[tuple[str, str]]) -> None:
    """A route of the schema without a row fails, naming it; so does a row for a route that is gone."""
    missing = [name(*operation) for operation in found if operation not in TABLE]
    stale = [name(*operation) for operation in TABLE if operation not in found]
    assert not missing, f"These routes have no row in TABLE of {HERE} (say what each role gets): {missing}"
    assert not stale, f"These rows of TABLE name routes the schema no longer has: {', '.join(stale)}"


OPERATIONS = operations()
CELLS = [(method, path, who) for method, path in OPERATIONS for who in ROLES]


def objects_of(path: str) -> dict[str, str]:
    """Path parameter -> the object of the world it names, for this path."""
    parameters = re.findall(r"\{(\w+)\}", path)
    return {parameter: PATH_OBJECTS.get(path, {}).get(parameter, parameter) for parameter in parameters}


def refs_in(body: Any) -> set[str]:
    if isinstance(body, Ref):
        return {body.name}
    if isinstance(body, dict):
        return set().union(*(refs_in(value) for value in body.values()))
    if isinstance(body, list):
        return set().union(*(refs_in(value) for value in body))
    return set()


@dataclass(frozen=True)
class World:
    users: dict[str, User]
    ids: dict[str, int]

    def client(self, who: str) -> APIClient:
        """A new client each time: no cookie a response set (a refresh token's) carries over."""
        return client_for(self.users[who])

    def value(self, ref: str, who: str, *, missing: bool = False) -> Any:
        """What ``ref`` names for ``who``; with ``missing``, an object's id is one that does not exist."""
        user = self.users[who]
        mine = {"me": user.pk, "my_username": user.username, "my_email": user.email}
        if ref in mine:
            return mine[ref]
        if ref == "my_refresh":
            return session_start(user=user, user_agent="pytest", ip_address=None).refresh
        return MISSING_ID if missing else self.ids[ref]

    def fill(self, body: Any, who: str, *, missing: bool = False) -> Any:
        if isinstance(body, Ref):
            return self.value(body.name, who, missing=missing)
        if isinstance(body, dict):
            return {key: self.fill(value, who, missing=missing) for key, value in body.items()}
        if isinstance(body, list):
            return [self.fill(value, who, missing=missing) for value in body]
        return body

    def url(self, path: str, objects: dict[str, str], who: str, *, missing: bool = False) -> str:
        return re.sub(
            r"\{(\w+)\}", lambda match: str(self.value(objects[match.group(1)], who, missing=missing)), path
        )

    def inbox(self) -> "World":
        """The same world where the task, trashed task and comment are the owner's Inbox ones."""
        ids = {**self.ids, **{key: self.ids[inbox] for key, inbox in INBOX_OBJECTS.items()}}
        return World(self.users, ids)


def made(client: APIClient, method: str, url: str, body: Any = None, status: int = 201) -> Any:
    """Send a request that builds the world; the world is wrong, and every test with it, if it fails."""
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == status, (method, url, response.content[:300])
    return response.json().get("id") if status == 201 else None


def build_world() -> World:
    """The shared project ``team-secret-project``, built through the API as its people would.

    Its owner added an admin, an editor, a viewer and a fourth member, ``removed``, who was
    assigned the task and then removed. The project's task has a sub-task and a comment by the
    editor; a second task is in the trash, and so is a second project the members were in. The
    owner also has an Inbox task (with a comment and their label, which they put on the shared
    task too: labels are personal), a trashed Inbox task and a session. ``outsider`` never was a
    member; ``staff`` is root, staff and superuser, and no member either. ``newcomer`` is someone
    to invite. Everything with ``secret`` in it must never reach anyone outside.
    """
    users = {who: UserFactory(username=who) for who in ROLES if who != "staff"}
    users["staff"] = UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="newcomer")
    owner, editor = client_for(users["owner"]), client_for(users["editor"])
    projects = "/api/tasks/projects/"
    project = made(
        owner, "post", projects, {"name": "team-secret-project", "description": "team-secret-plans"}
    )
    for who, role in [("admin", "admin"), ("editor", "editor"), ("viewer", "viewer"), ("removed", "editor")]:
        made(owner, "post", f"{projects}{project}/members/", {"user": who, "role": role})
    label = made(owner, "post", "/api/tasks/labels/", {"name": "owner-secret-label"})
    task = made(
        owner,
        "post",
        "/api/tasks/",
        {
            "title": "team-secret-task",
            "description": "team-secret-notes",
            "project": project,
            "assignees": [users["editor"].pk, users["removed"].pk],
            "labels": [label],
        },
    )
    subtask = made(editor, "post", "/api/tasks/", {"title": "team-secret-subtask", "parent": task})
    comment = made(editor, "post", f"/api/tasks/{task}/comments/", {"body": "team-secret-comment"})
    trashed = made(owner, "post", "/api/tasks/", {"title": "team-secret-trashed", "project": project})
    made(owner, "delete", f"/api/tasks/{trashed}/", status=204)
    made(owner, "delete", f"{projects}{project}/members/{users['removed'].pk}/", status=204)

    old = made(owner, "post", projects, {"name": "team-secret-old-project"})
    for who in ("admin", "editor", "viewer"):
        made(owner, "post", f"{projects}{old}/members/", {"user": who, "role": who})
    made(owner, "delete", f"{projects}{old}/", status=204)

    inbox = made(owner, "post", "/api/tasks/", {"title": "owner-secret-inbox", "labels": [label]})
    inbox_comment = made(owner, "post", f"/api/tasks/{inbox}/comments/", {"body": "owner-secret-remark"})
    inbox_trashed = made(owner, "post", "/api/tasks/", {"title": "owner-secret-inbox-trashed"})
    made(owner, "delete", f"/api/tasks/{inbox_trashed}/", status=204)
    session = session_start(user=users["owner"], user_agent="owner-secret-browser", ip_address="192.0.2.1")
    push = {"endpoint": OWNER_PUSH_ENDPOINT, "keys": {"p256dh": PUSH_P256DH, "auth": PUSH_AUTH}}
    made(owner, "post", "/api/tasks/push/subscriptions/", push)
    token = token_create(user_id=users["owner"].pk, name="owner-secret-token", scopes=["tasks:read"]).token
    hook = {"url": "https://93.184.216.34/hooks/owner-secret", "events": ["task.created"]}
    webhook = made(owner, "post", "/api/tasks/webhooks/", hook)
    made(owner, "post", f"/api/tasks/webhooks/{webhook}/ping/", status=202)
    delivery = WebhookDelivery.objects.get(webhook_id=webhook).pk
    ids = {
        "project_id": project,
        "trashed_project_id": old,
        "task_id": task,
        "subtask_id": subtask,
        "trashed_task_id": trashed,
        "comment_id": comment,
        "user_id": users["viewer"].pk,
        "owner_id": users["owner"].pk,
        "label_id": label,
        "session_id": session.session.pk,
        "token_id": token.pk,
        "webhook_id": webhook,
        "delivery_id": delivery,
        "inbox_task_id": inbox,
        "inbox_trashed_task_id": inbox_trashed,
        "inbox_comment_id": inbox_comment,
    }
    return World(users, ids)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with every budget unspent (user ids repeat between tests)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker):
    """The world, built once in a transaction left open for the module and rolled back after it.

    Each test runs in a savepoint of that transaction (pytest-django's ``db``), rolled back when
    it ends: every test, and each write of the matrix, starts from the world exactly as built.
    (Building it through the API for each of the ~600 cells took minutes.)
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            yield world, database_snapshot()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(built_world, db) -> World:
    world, as_built = built_world
    assert database_snapshot() == as_built, "a test starts from a world an earlier test changed"
    return world


def send(world: World, who: str, method: str, url: str, body: Any):
    client = world.client(who)
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body, format="json")


def error_shape(error: dict) -> tuple[str, list[str]]:
    return error["code"], sorted(error.get("fields", {}))


def same_as_missing(response, missing) -> bool:
    """A refusal that tells nothing: a 404 as for a missing id, a 400 with the same code and fields."""
    if response.status_code != missing.status_code:
        return False
    mine, theirs = ({**r.json()["error"], "request_id": None} for r in (response, missing))
    if response.status_code == 404:
        return mine == theirs
    return error_shape(mine) == error_shape(theirs)


def check(world: World, who: str, method: str, path: str, objects: dict[str, str], body: Any, expected: int):
    """Send the request as ``who`` and assert what the table says, and what that status implies."""
    url, data = world.url(path, objects, who), world.fill(body, who)
    before = database_snapshot()
    response = send(world, who, method, url, data)
    content = response.getvalue()
    where = f"{name(method, url)} as {who}"
    assert response.status_code == expected, (
        f"{where}: {response.status_code}, expected {expected}: {content[:300]}"
    )
    if who != "owner":
        assert b"owner-secret" not in content, f"{where} shows the owner's own data: {content[:300]}"
    if who in NON_MEMBERS:
        # (the world's names say "team-secret-" or "owner-secret-"; a field may be called "secret")
        assert b"team-secret" not in content, (
            f"{where} shows the project's data to a non-member: {content[:300]}"
        )
    if expected == 403:
        assert response.json()["error"]["code"] == "permission_denied", content
    if who in NON_MEMBERS and expected in (400, 404) and (objects or refs_in(body)):
        missing = send(
            world,
            who,
            method,
            world.url(path, objects, who, missing=True),
            world.fill(body, who, missing=True),
        )
        assert same_as_missing(response, missing), (
            f"{where}: {content[:300]} but a missing id: {missing.content}"
        )
    if expected >= 400 or method == "get":
        assert database_snapshot() == before, f"{where} changed the database"


def row_for(method: str, path: str) -> Row:
    row = TABLE.get((method, path))
    if row is None:
        pytest.fail(f"{name(method, path)} has no row in TABLE of {HERE}: say what each role gets")
    return row


def test_every_route_has_a_row():
    assert_every_route_has_a_row(OPERATIONS)


class ThrowawayView(APIView):
    @extend_schema(responses={204: None})
    def get(self, request: Request) -> Response:
        return Response(status=204)


def test_a_route_added_without_a_row_fails_the_suite_naming_it(settings):
    urls = ModuleType("throwaway_urls")
    urls.urlpatterns = [
        url_path("api/tasks/throwaway/", ThrowawayView.as_view()),
        *import_module(settings.ROOT_URLCONF).urlpatterns,
    ]
    settings.ROOT_URLCONF = urls
    clear_url_caches()
    with_throwaway = operations()
    assert ("get", "/api/tasks/throwaway/") in with_throwaway
    with pytest.raises(AssertionError, match=re.escape("no row in TABLE") + ".*GET /api/tasks/throwaway/"):
        assert_every_route_has_a_row(with_throwaway)
    assert set(with_throwaway) - set(OPERATIONS) == {("get", "/api/tasks/throwaway/")}


def test_every_path_parameter_names_an_object_of_the_world(world):
    parameters = {parameter for _, path in OPERATIONS for parameter in re.findall(r"\{(\w+)\}", path)}
    assert parameters == {
        "task_id",
        "comment_id",
        "project_id",
        "user_id",
        "label_id",
        "session_id",
        "token_id",
        "webhook_id",
        "delivery_id",
    }
    for _, path in OPERATIONS:
        url = world.url(path, objects_of(path), "owner")
        assert "{" not in url and str(MISSING_ID) not in url, url


@pytest.mark.parametrize(("method", "path", "who"), CELLS, ids=[f"{m} {p} {w}" for m, p, w in CELLS])
def test_each_role_gets_what_its_row_says(world, method, path, who):
    expected = getattr(row_for(method, path), who)
    check(world, who, method, path, objects_of(path), BODIES.get((method, path)), expected)


SPECIAL_CELLS = [(case, who) for case in SPECIAL_CASES for who in ROLES]


@pytest.mark.parametrize(("case", "who"), SPECIAL_CELLS, ids=[f"{c} {w}" for c, w in SPECIAL_CELLS])
def test_special_cases(world, case, who):
    method, path, objects, body, row = SPECIAL_CASES[case]
    check(world, who, method, path, {**objects_of(path), **objects}, body, getattr(row, who))


def names_a_task(method: str, path: str) -> bool:
    names = set(objects_of(path).values()) | refs_in(BODIES.get((method, path)))
    return bool(names & set(INBOX_OBJECTS))


INBOX_CELLS = [
    (method, path, who)
    for method, path in OPERATIONS
    if names_a_task(method, path)
    for who in ROLES
    if who != "owner"
]


@pytest.mark.parametrize(
    ("method", "path", "who"), INBOX_CELLS, ids=[f"{m} {p} {w}" for m, p, w in INBOX_CELLS]
)
def test_the_owners_inbox_is_404_to_everyone_else(world, method, path, who):
    # members of the owner's project included: sharing a project shares nothing of the Inbox
    check(world.inbox(), who, method, path, objects_of(path), BODIES.get((method, path)), 404)


COLLECTIONS = [path for method, path in OPERATIONS if method == "get" and "{" not in path]


@pytest.mark.parametrize("who", NON_MEMBERS)
@pytest.mark.parametrize("path", COLLECTIONS)
def test_collections_show_nothing_of_the_project_to_non_members(world, who, path):
    response = world.client(who).get(path)
    assert response.status_code == 200, path
    assert b"secret" not in response.getvalue()


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_counts_count_nothing_of_the_project_for_non_members(world, who):
    assert world.client(who).get("/api/tasks/stats/").json()["total"] == 0


def titles(client: APIClient, path: str) -> set[str]:
    return {task["title"] for task in client.get(path).json()["results"]}


def test_the_owner_does_see_their_data(world):
    # the control: the same requests as the owner find everything the matrix above says is hidden
    client = world.client("owner")
    assert titles(client, "/api/tasks/") == {"owner-secret-inbox", "team-secret-task", "team-secret-subtask"}
    assert titles(client, "/api/tasks/trash/") == {"owner-secret-inbox-trashed", "team-secret-trashed"}
    task = client.get(f"/api/tasks/{world.ids['task_id']}/").json()
    assert [label["name"] for label in task["labels"]] == ["owner-secret-label"]
    assert [project["name"] for project in client.get("/api/tasks/projects/").json()["results"]] == [
        "team-secret-project"
    ]
    trash = client.get("/api/tasks/projects/trash/").json()["results"]
    assert [project["name"] for project in trash] == ["team-secret-old-project"]
    sessions = client.get("/api/auth/sessions/").json()
    assert [session["user_agent"] for session in sessions] == ["owner-secret-browser"]


@pytest.mark.parametrize("who", ["admin", "editor", "viewer"])
def test_members_see_the_project_and_nothing_of_the_owners_own(world, who):
    client = world.client(who)
    assert titles(client, "/api/tasks/") == {"team-secret-task", "team-secret-subtask"}
    assert titles(client, "/api/tasks/trash/") == {"team-secret-trashed"}
    task = client.get(f"/api/tasks/{world.ids['task_id']}/").json()
    assert task["labels"] == []  # the owner's label on it is the owner's alone
    assert task["subtask_count"] == 1
    # the removed member's assignment went with their membership
    assert [person["username"] for person in task["assignees"]] == ["editor"]
    comments = client.get(f"/api/tasks/{world.ids['task_id']}/comments/").json()["results"]
    assert [comment["body"] for comment in comments] == ["team-secret-comment"]
    projects = client.get("/api/tasks/projects/").json()["results"]
    assert [(project["name"], project["role"]) for project in projects] == [("team-secret-project", who)]


def test_a_members_write_leaves_the_owners_labels_on_the_shared_task(world):
    task = f"/api/tasks/{world.ids['task_id']}/"
    replaced = world.client("editor").put(task, {"title": "changed"}, format="json")
    assert replaced.status_code == 200 and replaced.json()["labels"] == []
    labels = world.client("owner").get(task).json()["labels"]
    assert [label["name"] for label in labels] == ["owner-secret-label"]


def test_a_removed_member_keeps_nothing(world):
    client = world.client("removed")
    assert client.get("/api/tasks/?assignee=me").json()["results"] == []
    assert (
        client.get(f"/api/tasks/?project={world.ids['project_id']}").status_code == 404
    )  # as for a project that does not exist
    assert client.get("/api/tasks/projects/").json()["results"] == []


@pytest.mark.parametrize("who", NON_MEMBERS)
def test_references_to_other_peoples_objects_are_refused(world, who):
    client = world.client(who)
    label, task, project = world.ids["label_id"], world.ids["task_id"], world.ids["project_id"]
    before = database_snapshot()
    assert client.post("/api/tasks/", {"title": "x", "labels": [label]}, format="json").status_code == 400
    assigned = client.post("/api/tasks/", {"title": "x", "assignees": [world.ids["owner_id"]]}, format="json")
    assert assigned.status_code == 400
    assert (
        client.post("/api/tasks/bulk/", {"ids": [task], "action": "trash"}, format="json").status_code == 404
    )
    assert client.get(f"/api/tasks/?label={label}").json()["results"] == []
    assert client.get(f"/api/tasks/?parent={task}").json()["results"] == []
    assert (
        client.get(f"/api/tasks/?project={project}").status_code == 404
    )  # as for a project that does not exist
    assert client.get(f"/api/tasks/?assignee={world.ids['owner_id']}").json()["results"] == []
    assert database_snapshot() == before


@pytest.mark.parametrize("path", ["/admin/", "/admin/tasks/task/", "/admin/accounts/user/"])
def test_admin_pages_refuse_anyone_not_staff(world, path):
    browser = APIClient()
    assert browser.get(path, HTTP_HOST="localhost").status_code == 302  # to the login form
    for who in ("owner", "outsider"):
        browser.force_login(world.users[who])
        response = browser.get(path, HTTP_HOST="localhost")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    browser.force_login(world.users["staff"])
    assert browser.get(path, HTTP_HOST="localhost").status_code == 200


def test_a_user_who_is_not_staff_cannot_sign_in_to_the_admin(world):
    browser = APIClient(enforce_csrf_checks=False)
    response = browser.post(
        "/admin/login/?next=/admin/", {"username": "outsider", "password": PASSWORD}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in browser.session
