"""Run the browser flows (frontend/e2e/*.mjs) against a real TMS on a free port.

Starts gunicorn (all role: API and built web app on one origin) on a fresh SQLite
database with 30-second access tokens, runs the flows in Debian's headless
Chromium, and stops the server. Without Chromium the run is skipped with the
reason — or fails, under TMS_REQUIRE_SERVICES=1.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.server import GunicornServer, base_env, manage  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Standalone node scripts given the server's URL: the everyday flows, the daily-use features, offline
# and tabs, time and the calendar, two-factor sign-in, access tokens and webhooks, then axe-core on
# every view in both themes. Each registers its own accounts.
SCRIPTS = [
    "flows.mjs",
    "daily.mjs",
    "offline.mjs",
    "time.mjs",
    "calendar.mjs",
    "security.mjs",
    "automation.mjs",
    "a11y.mjs",
]


SAME_MILLISECOND = (
    "from tasks.models import Task; "
    "Task.objects.filter(owner__username='demo', project=None, status='todo').update(position=1 << 40)"
)


def main() -> int:
    if not Path(CHROMIUM).exists():
        reason = f"browser tests skipped: no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
        print(reason)
        return 1 if os.environ.get("TMS_REQUIRE_SERVICES") == "1" else 0
    if not (Path(os.environ.get("TMS_FRONTEND_DIST") or ROOT / "frontend" / "dist") / "index.html").exists():
        print("browser tests need the built web app: run `make frontend` first")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="tms-e2e-"))
    # The webhook flow's receiver listens on 127.0.0.1 over http.
    settings = {
        "TMS_ACCESS_TOKEN_SECONDS": "30",
        "TMS_RATELIMIT_ENABLE": "false",
        "TMS_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    if os.environ.get("TMS_FRONTEND_DIST"):  # a web app built elsewhere (vite build --outDir)
        settings["TMS_FRONTEND_DIST"] = os.environ["TMS_FRONTEND_DIST"]
    env = base_env(DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}", **settings)
    result = manage("migrate", "--noinput", env=env)
    if result.returncode != 0:
        print(result.stderr)
        return 1
    # The demo account, with its Inbox's to-do tasks at one position: what seed_demo and fast imports
    # leave when tasks are created in the same millisecond (the board flow moves a card between them).
    for args in (("seed_demo",), ("shell", "-c", SAME_MILLISECOND)):
        result = manage(*args, env=env)
        if result.returncode != 0:
            print(result.stderr)
            return 1
    try:
        server_env = {**env, "GUNICORN_THREADS": "4"}
        failed = []
        with GunicornServer(server_env, workers=1, log_path=workdir / "server.log") as server:
            for script in SCRIPTS:
                print(f"--- e2e/{script}", flush=True)
                mail_log = {"TMS_E2E_MAIL_LOG": str(workdir / "server.log")}  # the console backend's mails
                flows = subprocess.run(  # noqa: S603 - our own node scripts
                    ["node", f"e2e/{script}", server.url],  # noqa: S607 - node from PATH, as npm runs it
                    cwd=ROOT / "frontend",
                    env={**os.environ, **settings, **mail_log},
                    check=False,
                    timeout=900,
                )
                if flows.returncode != 0:
                    failed.append(script)
        if failed:
            print(f"browser flows failed in: {', '.join(failed)}")
        return 1 if failed else 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
