"""TMS settings, read from the environment (see README "Configuration").

TMS_ENV selects the profile: ``development`` (the default: embedded SQLite, no
other service needed) or ``production`` (every secret and host must be given,
``manage.py check --deploy`` is clean).
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from tms_project import __version__, cache_config
from tms_project.db import config as db_config
from tms_project.env import env_bool, env_choice, env_int, env_list, env_rate, env_str
from tms_project.jwt_keys import load_keys, load_previous_keys

BASE_DIR = Path(__file__).resolve().parent.parent

TMS_ENV = env_choice("TMS_ENV", ("development", "production"), "development")
IS_PRODUCTION = TMS_ENV == "production"

# Which part of TMS this process serves: "all" (local development, one port),
# "auth" (accounts API, admin, static files) or "tasks" (tasks API).
TMS_SERVICE = env_choice("TMS_SERVICE", ("all", "auth", "tasks"), "all")
ROOT_URLCONF = f"tms_project.urls.{TMS_SERVICE}"

DEBUG = env_bool("TMS_DEBUG", default=False)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "TMS_DEBUG=true is refused in production: Django's debug pages show settings, source code and "
        "SQL to whoever triggers an error. Unset TMS_DEBUG (debug pages are for TMS_ENV=development)."
    )

SECRET_KEY = env_str("TMS_SECRET_KEY")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "TMS_SECRET_KEY is not set. Production needs a long random secret, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("TMS_ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "TMS_ALLOWED_HOSTS is not set. Production needs the public host names, comma separated."
    )
CSRF_TRUSTED_ORIGINS = env_list("TMS_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tms_project.apps.TmsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "django_prometheus",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tms_project",  # management commands (wait_for_migrations)
    "accounts",
    "tasks",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Probes and metrics answer before host validation and HTTPS redirects:
    # the kubelet and Prometheus address pods by IP over plain HTTP.
    "tms_project.middleware.probes.ProbeMiddleware",
    "tms_project.middleware.request_log.RequestLogMiddleware",
    "tms_project.middleware.api_errors.ApiErrorMiddleware",
    # Security headers wrap everything below, so static files, CORS preflights and 413s get them too.
    "django.middleware.security.SecurityMiddleware",
    "tms_project.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # WhiteNoise, except the web app's index.html: its pages come from tms_project.spa, each with its nonce.
    "tms_project.spa.AppFilesMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "tms_project.middleware.body_limit.BodySizeLimitMiddleware",
    # A request whose database work failed before anything was written runs once more; every
    # database outage answers 503 + Retry-After (docs/reliability.md "Losing the database primary").
    "tms_project.db_failover.RetryOnceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
if TMS_SERVICE == "tasks":
    # Static files (the admin's) belong to the auth service; the task service serves none.
    MIDDLEWARE.remove("tms_project.spa.AppFilesMiddleware")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tms_project.wsgi.application"

# --- Database -------------------------------------------------------------
# The primary (DATABASE_URL, or TMS_DB_HOST with TMS_DB_NAME, TMS_DB_USER, TMS_DB_PASSWORD and
# TMS_DB_PORT) and an optional read replica (TMS_DB_REPLICA_*): tms_project.db.config.
# TMS_DB_METRICS=false keeps Django's own backends, without query metrics.
TMS_DB_METRICS = env_bool("TMS_DB_METRICS", default=True)
DATABASES, DATABASE_ROUTERS = db_config.databases(BASE_DIR, metrics=TMS_DB_METRICS)
# After a write, its user's reads stay on the primary this long: longer than the replication lag
# tolerated. A replica (or cache) that failed is left alone this long by each process.
TMS_DB_READ_YOUR_WRITES_SECONDS = env_int("TMS_DB_READ_YOUR_WRITES_SECONDS", 5, minimum=1)
TMS_DB_REPLICA_RETRY_SECONDS = env_int("TMS_DB_REPLICA_RETRY_SECONDS", 10, minimum=1)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
# REDIS_URL, or TMS_REDIS_SENTINELS with TMS_REDIS_SENTINEL_MASTER (production); required in
# production, where every process must share the rate-limit counters: tms_project.cache_config.
CACHES = cache_config.caches(production=IS_PRODUCTION, metrics=TMS_DB_METRICS)

# --- Accounts and passwords -------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Passwords longer than this are refused with 400 before any hashing happens.
TMS_PASSWORD_MAX_LENGTH = 256
# A password reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = env_int("TMS_PASSWORD_RESET_SECONDS", 3600, minimum=300)

# --- Tokens (RS256: the auth role signs, the tasks role only verifies) ---------
JWT_PRIVATE_KEY, JWT_PUBLIC_KEY = load_keys(
    service=TMS_SERVICE, production=IS_PRODUCTION, dev_dir=BASE_DIR / ".keys"
)
# The pair before the last rotation: tokens it signed are still accepted, nothing is signed with
# it (accounts/tokens.py; rotation in docs/operations.md). Unset outside a rotation.
JWT_PREVIOUS_PRIVATE_KEY, JWT_PREVIOUS_PUBLIC_KEY = load_previous_keys(service=TMS_SERVICE)
SIMPLE_JWT: dict[str, Any] = {  # simplejwt's settings: values of every type, read by key
    "ALGORITHM": "RS256",
    "SIGNING_KEY": JWT_PRIVATE_KEY,
    "VERIFYING_KEY": JWT_PUBLIC_KEY,
    "AUDIENCE": env_str("TMS_JWT_AUDIENCE", "tms"),
    "ISSUER": env_str("TMS_JWT_ISSUER", "tms-auth"),
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env_int("TMS_ACCESS_TOKEN_SECONDS", 300, minimum=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("TMS_REFRESH_TOKEN_DAYS", 14, minimum=1)),
    "UPDATE_LAST_LOGIN": False,
    "LEEWAY": 5,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    # Refuses (401) a signed token whose claims have the wrong types instead of failing on them.
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.CheckedAccessToken",),
}

# Browser sessions keep the refresh token in this HttpOnly cookie (docs/api.md).
TMS_REFRESH_COOKIE_NAME = "tms_refresh"
TMS_REFRESH_COOKIE_PATH = "/api/auth/"
TMS_REFRESH_COOKIE_SECURE = env_bool("TMS_REFRESH_COOKIE_SECURE", default=IS_PRODUCTION)

# --- Rate limits (tms_project.ratelimit, counted in the shared cache) -----------
# How many proxies in front of TMS append to X-Forwarded-For (the ingress: 1).
TMS_TRUSTED_PROXIES = env_int("TMS_TRUSTED_PROXIES", 0, minimum=0)
RATELIMIT_ENABLE = env_bool("TMS_RATELIMIT_ENABLE", default=True)
TMS_RATE_LIMITS = {
    # Budgets keyed by the client address alone are ceilings sized for an office behind one NAT
    # address (docs/security.md "Rate limits"): 1,000 people signing in within 5 minutes, each
    # refreshing every access token lifetime, 100 joining in the same hour.
    # Every sign-in attempt from one address: bounds the password hashing one address causes.
    "login_ip": env_rate("TMS_RATELIMIT_LOGIN_IP", "2000/5m"),
    # Wrong passwords from one address over every account (credential stuffing): a successful sign-in
    # gives its attempt back, and a device that signed in to the account before is not counted here.
    "login_ip_failed": env_rate("TMS_RATELIMIT_LOGIN_IP_FAILED", "200/5m"),
    # Wrong passwords for one account from one address; the account's other clients keep their own.
    "login_account": env_rate("TMS_RATELIMIT_LOGIN_ACCOUNT", "10/15m"),
    # Wrong passwords for one account from every client without its device cookie, together.
    "login_account_all": env_rate("TMS_RATELIMIT_LOGIN_ACCOUNT_ALL", "100/h"),
    # Wrong passwords from one device that signed in to the account before (its cookie).
    "login_device": env_rate("TMS_RATELIMIT_LOGIN_DEVICE", "10/15m"),
    "admin_login_account": env_rate("TMS_RATELIMIT_ADMIN_LOGIN_ACCOUNT", "10/15m"),
    "admin_login_account_all": env_rate("TMS_RATELIMIT_ADMIN_LOGIN_ACCOUNT_ALL", "100/h"),
    # Username and email changes of one account (each also checks the password).
    "account_change": env_rate("TMS_RATELIMIT_ACCOUNT_CHANGE", "10/h"),
    "register_ip": env_rate("TMS_RATELIMIT_REGISTER_IP", "100/h"),  # a class joining together
    # Refreshes and sign-outs from one address, before the token is read: 10,000 people refreshing
    # every 300 s are 2,000 a minute.
    "refresh_ip": env_rate("TMS_RATELIMIT_REFRESH_IP", "3000/m"),
    # Refreshes and sign-outs of one session (its verified token's session id): one every access
    # token lifetime, and one per page load.
    "refresh_session": env_rate("TMS_RATELIMIT_REFRESH_SESSION", "30/5m"),
    "reset_ip": env_rate("TMS_RATELIMIT_RESET_IP", "100/h"),
    "reset_account": env_rate("TMS_RATELIMIT_RESET_ACCOUNT", "3/h"),
    "password_account": env_rate("TMS_RATELIMIT_PASSWORD_ACCOUNT", "10/15m"),
    "admin_login_ip": env_rate("TMS_RATELIMIT_ADMIN_LOGIN_IP", "200/5m"),
    "admin_login_ip_failed": env_rate("TMS_RATELIMIT_ADMIN_LOGIN_IP_FAILED", "20/5m"),
    # The task service, per user (the token's user id):
    "tasks_write": env_rate("TMS_RATELIMIT_TASKS_WRITE", "300/m"),
    "tasks_bulk": env_rate("TMS_RATELIMIT_TASKS_BULK", "60/m"),
    "tasks_import": env_rate("TMS_RATELIMIT_TASKS_IMPORT", "5/h"),
    "tasks_export": env_rate("TMS_RATELIMIT_TASKS_EXPORT", "10/h"),
    "tasks_stats": env_rate("TMS_RATELIMIT_TASKS_STATS", "60/m"),
    # Adding members by e-mail address answers alike for every address; this bounds guessing.
    "project_invite": env_rate("TMS_RATELIMIT_PROJECT_INVITE", "30/h"),
    # Calendar feed fetches (no session): per feed, and per client address (which bounds guessing;
    # generous, as a calendar service or an office fetches many people's feeds from one address).
    "calendar_feed": env_rate("TMS_RATELIMIT_CALENDAR_FEED", "60/h"),
    "calendar_feed_ip": env_rate("TMS_RATELIMIT_CALENDAR_FEED_IP", "1200/h"),
    # Personal access tokens made by one account (accounts.personal_tokens).
    "tokens_create": env_rate("TMS_RATELIMIT_TOKENS_CREATE", "20/h"),
    # Second-factor codes for one account, wrong or right (accounts.two_factor): sign-in, disabling,
    # new recovery codes; and sign-in second steps from one address.
    "mfa_account": env_rate("TMS_RATELIMIT_MFA_ACCOUNT", "10/15m"),
    "mfa_ip": env_rate("TMS_RATELIMIT_MFA_IP", "2000/5m"),
    # Webhook changes and manual redeliveries of one account (tasks.webhooks).
    "webhooks_write": env_rate("TMS_RATELIMIT_WEBHOOKS_WRITE", "60/h"),
}

# --- Quotas: what one account may hold (tasks.services.quotas) -------------------
TMS_QUOTA_TASKS = env_int("TMS_QUOTA_TASKS", 100_000, minimum=1)  # the trash counts too
TMS_QUOTA_LABELS = env_int("TMS_QUOTA_LABELS", 200, minimum=1)
TMS_QUOTA_PROJECTS = env_int("TMS_QUOTA_PROJECTS", 500, minimum=1)  # owned; the trash counts too
TMS_QUOTA_PROJECT_MEMBERS = env_int("TMS_QUOTA_PROJECT_MEMBERS", 100, minimum=2)  # the owner included
TMS_QUOTA_COMMENTS_PER_TASK = env_int("TMS_QUOTA_COMMENTS_PER_TASK", 1_000, minimum=1)

# --- Email (password reset) -------------------------------------------------------
EMAIL_BACKEND = env_str("TMS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("TMS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TMS_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("TMS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("TMS_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TMS_EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("TMS_EMAIL_FROM", "TMS <no-reply@localhost>")
# The console backend writes every mail, reset links included, into the logs: whoever reads the
# logs could take over any account. Production refuses it in the roles that send mail (the tasks
# role sends none) unless TMS_ALLOW_CONSOLE_EMAIL says it is meant (a test cluster without SMTP).
if (
    IS_PRODUCTION
    and TMS_SERVICE != "tasks"
    and EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    and not env_bool("TMS_ALLOW_CONSOLE_EMAIL", default=False)
):
    raise ImproperlyConfigured(
        "TMS_EMAIL_BACKEND is the console backend, which would write password reset links into the logs. "
        "Production needs a mail server: TMS_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
        "TMS_EMAIL_HOST, TMS_EMAIL_USER, TMS_EMAIL_PASSWORD, TMS_EMAIL_FROM (README). On a cluster without "
        "one, whose logs only its operators read, TMS_ALLOW_CONSOLE_EMAIL=true keeps the console backend."
    )
# Where people open the reset link: the SPA's origin.
TMS_PUBLIC_URL = env_str("TMS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Email changes: how long the confirmation link (to the new address) and the undo link (to the old) work.
TMS_EMAIL_CHANGE_SECONDS = env_int("TMS_EMAIL_CHANGE_SECONDS", 86400, minimum=600)
TMS_EMAIL_REVERT_SECONDS = env_int("TMS_EMAIL_REVERT_SECONDS", 7 * 86400, minimum=86400)
# Mails wait in the outbox (accounts.OutgoingMail); each auth process delivers them from a thread.
TMS_MAIL_DELIVERY_THREAD = env_bool("TMS_MAIL_DELIVERY_THREAD", default=True)
TMS_MAIL_DELIVERY_SECONDS = env_int("TMS_MAIL_DELIVERY_SECONDS", 2, minimum=1)
# A browser that signed in keeps this signed cookie: its own budget of wrong passwords (docs/api.md).
TMS_DEVICE_COOKIE_NAME = "tms_device"
TMS_DEVICE_COOKIE_DAYS = env_int("TMS_DEVICE_COOKIE_DAYS", 180, minimum=1)
# Notifications (tasks.notifications): Web Push signs with this VAPID key pair (manage.py
# generate_vapid_keys); without both keys push is off. Push endpoints must resolve to public
# addresses unless TMS_PUSH_ALLOW_PRIVATE=true (a development machine or a test's own push service).
TMS_VAPID_PUBLIC_KEY = env_str("TMS_VAPID_PUBLIC_KEY", "")
TMS_VAPID_PRIVATE_KEY = env_str("TMS_VAPID_PRIVATE_KEY", "")
TMS_VAPID_SUBJECT = env_str("TMS_VAPID_SUBJECT", "mailto:admin@localhost")
TMS_PUSH_ALLOW_PRIVATE = env_bool("TMS_PUSH_ALLOW_PRIVATE", default=False)
# The hosts push endpoints may be on (tasks.notifications.push_services; ".x.com": its subdomains too).
TMS_PUSH_SERVICES = env_list(
    "TMS_PUSH_SERVICES",
    ["fcm.googleapis.com", "updates.push.services.mozilla.com", ".notify.windows.com", ".push.apple.com"],
)
# manage.py deliver_notifications serves /metrics and /healthz on this port.
TMS_WORKER_METRICS_PORT = env_int("TMS_WORKER_METRICS_PORT", 9100, minimum=1)
# With everything in one process (`make run`), that process also fires reminders and sends
# notifications from a thread, so they arrive without a second command; the cluster and `make stack`
# run manage.py deliver_notifications instead.
TMS_NOTIFICATION_THREAD = env_bool("TMS_NOTIFICATION_THREAD", default=TMS_SERVICE == "all")
TMS_NOTIFICATION_THREAD_SECONDS = env_int("TMS_NOTIFICATION_THREAD_SECONDS", 5, minimum=1)

# How the auth service signs the refresh tokens it issues: rs256 (with the private key, as every
# earlier release did) or hmac (HMAC-SHA256 under a key derived from it: a refresh costs one RSA
# signature instead of two). Either kind is accepted whatever this says, so switch to hmac once
# every auth pod runs a release that reads it (docs/operations.md, "Upgrading").
TMS_REFRESH_TOKEN_SIGNING = env_choice("TMS_REFRESH_TOKEN_SIGNING", ("rs256", "hmac"), "rs256")

# Two-factor sign-in (accounts.two_factor): staff must have confirmed it to sign in to the admin.
TMS_ADMIN_REQUIRE_2FA = env_bool("TMS_ADMIN_REQUIRE_2FA", default=False)
# The issuer name authenticator apps show beside the account (the otpauth:// URI's issuer).
TMS_TOTP_ISSUER = env_str("TMS_TOTP_ISSUER", "TMS")
# Webhooks (tasks.webhooks): receivers must be https URLs resolving to public addresses unless
# TMS_WEBHOOK_ALLOW_PRIVATE=true (development and tests only: it also allows http and loopback).
TMS_WEBHOOK_ALLOW_PRIVATE = env_bool("TMS_WEBHOOK_ALLOW_PRIVATE", default=False)

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (served by WhiteNoise from the auth service) ---------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("TMS_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# The built SPA (`make frontend`), served at / by the `all` role (tms_project.spa).
TMS_FRONTEND_DIST = Path(env_str("TMS_FRONTEND_DIST") or BASE_DIR / "frontend" / "dist")
if TMS_SERVICE == "all" and TMS_FRONTEND_DIST.is_dir():
    from tms_project.spa import static_headers

    WHITENOISE_ROOT = TMS_FRONTEND_DIST
    WHITENOISE_INDEX_FILE = False
    # The web app nginx's cache rules: hashed assets for a year; the service worker and manifest revalidated.
    WHITENOISE_ADD_HEADERS_FUNCTION = static_headers
# Development serves straight from the apps, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION

# --- Request limits ------------------------------------------------------------
TMS_MAX_BODY_BYTES = env_int("TMS_MAX_BODY_BYTES", 1_048_576, minimum=1024)
TMS_MAX_IMPORT_BYTES = env_int("TMS_MAX_IMPORT_BYTES", 10_485_760, minimum=1024)
# DRF reads JSON bodies through request.body, which refuses more than this. BodySizeLimitMiddleware
# has already applied the limit of the path (with the JSON 413), so this only must not be smaller.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(TMS_MAX_BODY_BYTES, TMS_MAX_IMPORT_BYTES)

# --- REST framework -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["tms_project.api.renderers.TmsJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tms_project.api.parsers.TmsJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.AccountTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "tms_project.api.schema.TmsAutoSchema",
    "EXCEPTION_HANDLER": "tms_project.api.exception_handler.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "TMS API",
    "DESCRIPTION": "Task Management System: accounts under /api/auth/, tasks under /api/tasks/.",
    "VERSION": __version__,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A project role (any of four) and a role you can give a member (not owner).
    "ENUM_NAME_OVERRIDES": {
        "ProjectRoleEnum": ["viewer", "editor", "admin", "owner"],
        "MemberRoleEnum": ["viewer", "editor", "admin"],
    },
    # <id:...> path segments (tms_project/api/ids.py): up to 18 digits
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tms_project.api.schema.add_error_responses",
        "tms_project.api.schema.mark_strict_request_bodies",
    ],
}
# Swagger UI and the schema (/api/docs/, /api/schema/): on in development; production serves them
# only when asked for, e.g. on a staging cluster (docs/decisions.md).
TMS_API_DOCS = env_bool("TMS_API_DOCS", default=not IS_PRODUCTION)

# --- Metrics ------------------------------------------------------------------------
# Prometheus scrapes pods directly. /metrics refuses (404) a request that came through a proxy
# (X-Forwarded-For, X-Real-IP or Forwarded), so no ingress route can publish it, unless
# TMS_METRICS_THROUGH_PROXY=true (a Prometheus that can only scrape through a proxy).
TMS_METRICS_THROUGH_PROXY = env_bool("TMS_METRICS_THROUGH_PROXY", default=False)

# --- CORS (only needed when the SPA is served from another origin) -------------
CORS_ALLOWED_ORIGINS = env_list("TMS_CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"

# --- Security headers -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if IS_PRODUCTION:
    # TLS ends at the ingress, which tells us the original scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("TMS_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("TMS_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TMS_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("TMS_HSTS_PRELOAD", default=True)
    # Off only on a plain-HTTP cluster (the local overlay), where Secure cookies never come back.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("TMS_SECURE_COOKIES", default=True)

# --- Logging: one JSON object per line on stdout ------------------------------------
LOG_LEVEL = env_str("TMS_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tms_project.jsonlog.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log already records every 4xx/5xx; keep Django's for errors only.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
