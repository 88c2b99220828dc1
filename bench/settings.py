"""The task service's production settings plus the three baseline views under /bench/.

Only `make bench` loads this module: the baselines then run in the same
processes, gunicorn configuration and middleware as the endpoints they are
compared with.
"""

from tms_project.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
