"""The gunicorn master stays small: its configuration loads no Django (each pod has its own master)."""

import subprocess
import sys

from tests.support.server import ROOT


def test_the_gunicorn_configuration_imports_no_django():
    script = (
        "import runpy, sys; runpy.run_path('tms_project/gunicorn_conf.py'); "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('django', 'rest_framework')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
