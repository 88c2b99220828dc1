"""Sampling profiles of a gunicorn worker under bench load (py-spy), summed by function."""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def record(pid: int, seconds: int, raw: Path) -> subprocess.Popen:
    """Sample the thread holding the GIL (Python CPU time) of one worker for `seconds`."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [py_spy, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "250", "--gil"]
    command += ["--nonblocking", "--format", "raw", "--output", str(raw)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # noqa: S603


def _frame(text: str) -> str:
    """'Model.__init__ (django/db/models/base.py:462)' -> 'Model.__init__ (django/db/models/base.py)'."""
    name, _, where = text.partition(" (")
    path = where.split(":")[0]
    for marker in ("site-packages/", "/work/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})" if path else name


def summarize(raw: Path, top: int = 20) -> str:
    """The functions with the most samples: own time and time including what they call."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_frame(frame) for frame in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    if not total:
        return "no samples\n"
    rows = [f"{total} samples of the thread holding the GIL", "", "| own | with callees | function |"]
    rows.append("| ---: | ---: | --- |")
    for frame, samples in own.most_common(top):
        rows.append(f"| {samples / total:.1%} | {inclusive[frame] / total:.1%} | `{frame}` |")
    rows += ["", "| with callees | function |", "| ---: | --- |"]
    for frame, samples in inclusive.most_common(top * 2):
        rows.append(f"| {samples / total:.1%} | `{frame}` |")
    return "\n".join(rows) + "\n"
