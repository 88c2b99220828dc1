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

# With every route in one process (`make run`), reminders fire from a thread of it too.
if settings.TMS_SERVICE == "all":
    from tasks.notifications.thread import notification_thread_start

    notification_thread_start()
