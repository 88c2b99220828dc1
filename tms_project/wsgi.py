"""WSGI entry point: gunicorn serves ``tms_project.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tms_project.settings")

application = get_wsgi_application()
