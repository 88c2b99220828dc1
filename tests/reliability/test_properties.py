"""Properties over what a client controls entirely: the cursor of a page, the claims of a token.

Whatever JSON a cursor holds (base64-encoded as TMS's own are), and whatever the claims of a token
signed with the real key say, the answer is a success when TMS itself could have issued them and a
4xx otherwise: always JSON, in the error shape, never a 500. An attack run found 500s in both
(tasks/tests/test_pagination.py and accounts/tests/test_token_signing.py keep those examples).

The number of examples comes from TMS_FUZZ_EXAMPLES (as for tests/reliability/test_fuzz.py; four
times as many here, where a request costs a few milliseconds in-process), fresh randomness from
TMS_FUZZ_RANDOM=1.
"""

import base64
import datetime
import json
import os
from urllib.parse import urlencode

import jwt
import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.api_jws import PyJWS

from accounts.tests.factories import UserFactory
from tasks.orderings import ORDERINGS
from tasks.tests.factories import TaskFactory
from tests.support.clients import access_token_for, client_for

pytestmark = pytest.mark.django_db

EXAMPLES = 4 * int(os.environ.get("TMS_FUZZ_EXAMPLES", "15"))
RANDOM = os.environ.get("TMS_FUZZ_RANDOM") == "1"
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,  # nothing written into the shared tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text, lone surrogates included (JSON can escape them).
TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
NUMBERS = (
    st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.sampled_from([0, 1, -1, 2**31, 2**63 - 1, 2**63, 2**64, 253_402_300_799, 253_402_300_800])
)
TIMES = st.one_of(
    st.datetimes(
        timezones=st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=14))])
    ).map(datetime.datetime.isoformat),
    st.datetimes().map(datetime.datetime.isoformat),  # without an offset
    st.dates().map(datetime.date.isoformat),
    TEXT,
).map(lambda text: {"t": text})
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT | TIMES
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=8,
)

jws = PyJWS()
PAGES = {"trash": "/api/tasks/trash/", "history": "/api/tasks/{id}/history/"} | {
    ordering: "/api/tasks/?ordering=" + ordering for ordering in ORDERINGS
}


def encoded(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# A cursor as TMS writes them, with any values and any direction ...
SHAPED_CURSORS = st.builds(
    lambda name, values, direction: (name, encoded({"o": name, "v": values, "d": direction})),
    st.sampled_from(sorted(PAGES)),
    # mostly a value for each key (the ordering's and the id), each mostly a single value
    st.lists(st.one_of(SCALARS, SCALARS, JSON), min_size=2, max_size=2) | st.lists(JSON, max_size=3),
    st.one_of(st.just("n"), st.just("p"), JSON),
)
# ... any JSON at all, or not even base64.
ANY_CURSORS = st.tuples(st.sampled_from(sorted(PAGES)), JSON.map(encoded) | TEXT.filter(bool))


def assert_answer(response, allowed: set[int]) -> None:
    assert response.status_code in allowed, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content.decode("utf-8"))
    if response.status_code >= 400:
        assert body["error"]["status"] == response.status_code
        assert isinstance(body["error"]["message"], str)


@pytest.fixture
def owner_with_tasks(db):
    owner = UserFactory(username="paged")
    due = datetime.date(2026, 3, 1)
    tasks = [TaskFactory(owner=owner, title=f"task {n}", due_date=None if n % 2 else due) for n in range(3)]
    return owner, tasks[0]


@PROPERTY
@given(page_and_cursor=SHAPED_CURSORS | ANY_CURSORS)
def test_any_cursor_gets_a_page_or_a_400(owner_with_tasks, page_and_cursor):
    owner, task = owner_with_tasks
    page, cursor = page_and_cursor
    # when
    url = PAGES[page].format(id=task.pk)
    response = client_for(owner).get(f"{url}{'&' if '?' in url else '?'}{urlencode({'cursor': cursor})}")
    # then
    assert_answer(response, {200, 400})
    if response.status_code == 400:
        assert "cursor" in response.json()["error"]["fields"]


CLAIMS = ["exp", "iat", "nbf", "user_id", "sid", "tz", "jti", "token_type", "aud", "iss"]
# mostly single values; numbers also as their digits (simplejwt writes a user id so), times to come
CLAIM_VALUES = st.one_of(
    SCALARS,
    SCALARS,
    # words the claims hold, and names near them (a directory of the zone database, a long name)
    st.sampled_from(
        ["UTC", "Europe/Paris", "Europe", "../etc", "x" * 300, "access", "refresh", "tms", "tms-auth"]
    ),
    NUMBERS.filter(lambda value: isinstance(value, int)).map(str),
    st.integers(min_value=2_000_000_000, max_value=2**70).flatmap(
        lambda seconds: st.sampled_from([seconds, str(seconds), seconds + 0.5])
    ),
    JSON,
)


@PROPERTY
@given(
    changes=st.dictionaries(st.sampled_from(CLAIMS), CLAIM_VALUES, min_size=1, max_size=3),
    removed=st.lists(st.sampled_from(CLAIMS), max_size=2),
    call=st.sampled_from(
        [
            ("get", "/api/auth/me/"),
            ("get", "/api/auth/sessions/"),
            ("get", "/api/tasks/"),
            ("get", "/api/tasks/stats/"),
            ("get", "/api/tasks/?overdue=true"),
            ("post", "/api/tasks/"),
        ]
    ),
)
def test_any_signed_claims_get_an_answer_or_a_401(owner_with_tasks, changes, removed, call):
    owner, _ = owner_with_tasks
    claims = jwt.decode(access_token_for(owner), options={"verify_signature": False})
    claims = {name: value for name, value in {**claims, **changes}.items() if name not in removed}
    # signed as JWS: jwt.encode would refuse to write some of these claims at all
    token = jws.encode(json.dumps(claims).encode(), django_settings.JWT_PRIVATE_KEY, algorithm="RS256")
    client = client_for(owner)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    method, path = call
    # when
    body = {"title": "from a fuzzed token"} if method == "post" else None
    response = getattr(client, method)(path, body, format="json")
    # then: accepted (a token TMS could have signed, e.g. another existing account's id) or refused
    assert_answer(response, {200, 201, 401})
