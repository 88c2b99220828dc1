"""WSGI entry point: gunicorn serves ``tms_project.wsgi:application``."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tms_project.settings")

application = get_wsgi_application()

# The auth service sends the outbox's mails from a thread of each worker (accounts.services.mail).
if settings.TMS_SERVICE in ("auth", "all"):
    from accounts.services.mail import mail_delivery_start

    mail_delivery_start()
