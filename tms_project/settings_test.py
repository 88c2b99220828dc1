"""Settings for the test suite: the development profile with fast, isolated parts."""

import os

from tms_project.jwt_keys import generate_private_key_pem

# Each test run signs with a key pair of its own; nothing is written to .keys/.
os.environ.setdefault("TMS_JWT_PRIVATE_KEY", generate_private_key_pem())

from tms_project.settings import *  # noqa: F403

# Hashing cost is not under test here; bcrypt is exercised by its own tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TMS_MAIL_DELIVERY_THREAD = False  # tests deliver the outbox themselves (accounts.services.mail)
TMS_NOTIFICATION_THREAD = False  # and the notifications (tasks.notifications.deliver)
# The tests' stand-in push services: names their fake DNS answers, and a public address literal.
TMS_PUSH_SERVICES = [*TMS_PUSH_SERVICES, ".example.net", "93.184.216.34"]  # noqa: F405
CACHES = {"default": {"BACKEND": "tms_project.cache.LocMemCache"}}  # counts hits and misses

if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):  # noqa: F405 - Django's or tms_project.db's
    # A file, not memory: tests that race several threads need real connections and locks.
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": f"{tempfile.gettempdir()}/tms-test-{os.getpid()}.sqlite3"}  # noqa: F405

if "replica" in DATABASES:  # noqa: F405
    # The replica is the primary's copy: tests read the test database through it, never make one.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
