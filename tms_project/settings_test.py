"""Settings for the test suite: the development profile with fast, isolated parts."""

from tms_project.settings import *  # noqa: F403

# Hashing cost is not under test here; bcrypt is exercised by its own tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
