"""Screenshots of the web app for the docs (make screenshots): docs/screenshots/<view>-<device>-<scheme>.png.

Usage: python scripts/screenshots.py [OUTDIR]   (default docs/screenshots)

Serves TMS with gunicorn on port 8741 (TMS_SCREENSHOTS_PORT to change) on a fresh SQLite database with
the demo account (seed_demo), runs frontend/e2e/screenshots.mjs in Debian's headless Chromium against
it, and stops the server. The web app must be built (make frontend). The PNGs are committed, so the
folder must stay under a size budget.
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
PORT = int(os.environ.get("TMS_SCREENSHOTS_PORT", "8741"))
DOCS = ROOT / "docs" / "screenshots"
BUDGET_BYTES = 3 * 1024 * 1024
# The files screenshots.mjs writes; removed first, so a view that is gone leaves no picture behind.
PATTERNS = ("*-desktop-light.png", "*-desktop-dark.png", "*-phone-light.png", "*-phone-dark.png")


def main() -> int:
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else DOCS
    if not Path(CHROMIUM).exists():
        print(f"screenshots need Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
        return 1
    dist = Path(os.environ.get("TMS_FRONTEND_DIST") or ROOT / "frontend" / "dist")
    if not (dist / "index.html").exists():
        print(f"screenshots need the built web app in {dist}: run `make frontend` first")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="tms-screenshots-"))
    settings = {"TMS_RATELIMIT_ENABLE": "false", "TMS_FRONTEND_DIST": str(dist)}
    env = base_env(DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}", **settings)
    try:
        for args in (("migrate", "--noinput"), ("seed_demo",)):
            result = manage(*args, env=env)
            if result.returncode != 0:
                print(result.stderr)
                return 1
        for pattern in PATTERNS:
            for old in out.glob(pattern):
                old.unlink()
        server_env = {**env, "GUNICORN_THREADS": "4"}
        with GunicornServer(server_env, workers=1, log_path=workdir / "server.log", port=PORT) as server:
            shots = subprocess.run(  # noqa: S603 - our own node script
                ["node", "e2e/screenshots.mjs", server.url, str(out)],  # noqa: S607 - node from PATH
                cwd=ROOT / "frontend",
                check=False,
                timeout=600,
            )
        if shots.returncode != 0:
            return shots.returncode
        size = sum(path.stat().st_size for path in out.glob("*.png"))
        print(f"{out}: {size / 1024 / 1024:.1f} MB of PNGs")
        if size > BUDGET_BYTES:
            print(f"over the {BUDGET_BYTES // 1024 // 1024} MB budget for committed screenshots")
            return 1
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
