"""Does a password reset take longer for an address that has an account? `python -m bench.reset_timing`

Starts one auth server (gunicorn, SQLite in a temporary folder, rate limits off,
an SMTP server that does not answer, so a mail sent inside the request would
show), registers one account, then asks for a reset `--rounds` times for its
address and for an unknown one, interleaved, and prints the median and 90th
percentile of each. The two should be within noise: the request only queues the
mail (docs/api.md, "Mails leave out of band").
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.support.server import GunicornServer, api, base_env, manage

RESET = "/api/auth/password/reset/"


def measure(rounds: int) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="tms-reset-timing-"))
    env = base_env(
        TMS_SERVICE="auth",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        TMS_RATELIMIT_ENABLE="false",
        TMS_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        TMS_EMAIL_HOST="127.0.0.1",
        TMS_EMAIL_PORT="9",  # discard: nothing listens, a send would wait for the refusal
    )
    result = manage("migrate", "--noinput", env=env)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    times: dict[str, list[float]] = {"registered address": [], "unknown address": []}
    with GunicornServer(env, workers=1, log_path=folder / "server.log") as server:
        server.warm_up()
        body = {"username": "timed", "email": "timed@example.com", "password": "correct horse battery staple"}
        if api("POST", f"{server.url}/api/auth/register/", body)[0] != 201:
            raise SystemExit("could not register the account to time")
        for n in range(rounds):
            for kind, email in (
                ("registered address", "timed@example.com"),
                ("unknown address", f"nobody{n}@example.com"),
            ):
                started = time.perf_counter()
                status, _, _ = api("POST", f"{server.url}{RESET}", {"email": email})
                times[kind].append((time.perf_counter() - started) * 1000)
                if status != 202:
                    raise SystemExit(f"a reset request answered {status}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    times = measure(parser.parse_args().rounds)
    for kind, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        median = statistics.median(values)
        print(f"{kind:>20}: median {median:6.2f} ms, p90 {p90:6.2f} ms ({len(values)} requests)")


if __name__ == "__main__":
    main()
