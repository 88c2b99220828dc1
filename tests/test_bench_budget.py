"""`python -m bench.budget` runs and prints a row for each part of a list request."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_budget_prints_every_part(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'budget.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "bench.budget", "--iterations", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "µs" not in line]
    parts = {row.split(" | ")[0].removeprefix("| ") for row in rows if not row.startswith("| ---")}
    assert {"whole list request (test client)", "JWT check (RS256)", "JSON rendering (orjson)"} <= parts
    assert len(parts) == 27
    changes = sorted(part for part in parts if part.startswith("change: "))
    assert len(changes) == len([part for part in parts if part.startswith("before: ")]) == 6
    for row in rows[1:]:
        median = row.split(" | ")[1]
        assert median.isdigit() and int(median) > 0, row
