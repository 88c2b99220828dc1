"""What checking a personal access token costs per request, next to checking a JWT.

`python -m bench.pat_timing [--iterations N]` with DATABASE_URL naming a database it may migrate
and write to (default: a throwaway SQLite file). In one process, without HTTP, it times:

- ``jwt``: JWTStatelessUserAuthentication, what a signed-in session costs the task service
  (an RS256 signature check with the public key, no query);
- ``pat``: PersonalTokenAuthentication in the steady state (prefix and length, SHA-256, one
  indexed SELECT joining the user; its last use already written this minute);
- ``pat_first_use``: the same when ``last_used_at`` is due (once a minute per token): one UPDATE more;
- ``pat_unknown``: a well-formed secret that matches no row (the SELECT finds nothing).

It prints microseconds per check (median and 95th percentile) and removes what it made.
"""

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/tms-pat-timing.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tms_project.settings")
    os.environ.setdefault("TMS_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def database() -> str:
    """The database the timings ran on: its vendor and version."""
    from django.db import connection

    version = ".".join(map(str, connection.get_database_version())) if connection.vendor != "sqlite" else ""
    return f"{connection.vendor} {version}".strip()


def timed(check: Callable[[], object], iterations: int) -> dict[str, float]:
    for _ in range(min(iterations // 10, 200)):  # warm connections and caches
        check()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        check()
        samples.append((time.perf_counter_ns() - started) / 1000)
    samples.sort()
    return {"median_us": statistics.median(samples), "p95_us": samples[int(len(samples) * 0.95)]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    args = parser.parse_args()
    setup_django()

    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory
    from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication

    from accounts.models import User
    from accounts.personal_tokens.models import PersonalAccessToken
    from accounts.personal_tokens.services import token_create
    from tests.support.clients import access_token_for
    from tms_project.personal_tokens.authentication import PersonalTokenAuthentication
    from tms_project.personal_tokens.secret import new_secret

    call_command("migrate", verbosity=0)
    name = f"pat-timing-{os.getpid()}"
    user = User.objects.create_user(username=name, email=f"{name}@example.com", password=None)
    made = token_create(user_id=user.pk, name="timing", scopes=["tasks:read"])
    factory = APIRequestFactory()

    def request_with(credential: str) -> Request:
        return Request(factory.get("/api/tasks/", HTTP_AUTHORIZATION=f"Bearer {credential}"))

    jwt_request, pat_request = request_with(access_token_for(user)), request_with(made.secret)
    unknown_request = request_with(new_secret())
    jwt, pat = JWTStatelessUserAuthentication(), PersonalTokenAuthentication()

    def first_use() -> None:
        PersonalAccessToken.objects.filter(pk=made.token.pk).update(last_used_at=None)
        pat.authenticate(pat_request)

    def reset_alone() -> None:  # what first_use spends on its own reset, to subtract
        PersonalAccessToken.objects.filter(pk=made.token.pk).update(last_used_at=None)

    def unknown() -> None:
        with contextlib.suppress(AuthenticationFailed):
            pat.authenticate(unknown_request)

    try:
        results = {
            "jwt": timed(lambda: jwt.authenticate(jwt_request), args.iterations),
            "pat": timed(lambda: pat.authenticate(pat_request), args.iterations),
            "pat_unknown": timed(unknown, args.iterations),
        }
        with_reset = timed(first_use, args.iterations // 5)
        reset = timed(reset_alone, args.iterations // 5)
        results["pat_first_use"] = {key: with_reset[key] - reset[key] for key in with_reset}
    finally:
        PersonalAccessToken.objects.filter(user=user).delete()
        user.delete()
    print(f"pat_timing: {args.iterations} checks each, {database()}, {timezone.now():%Y-%m-%d}")
    for name, result in results.items():
        print(f"  {name:<14} median {result['median_us']:8.1f} µs   p95 {result['p95_us']:8.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
