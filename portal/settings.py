"""MotCua settings: one module, read from the environment.

Every setting has a development default (SQLite under var/, eager Celery, SMS to the console),
so `make run` needs nothing. Production sets DEBUG=0, SECRET_KEY, DATABASE_URL, REDIS_URL, ...
(see README.md and .env.example).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = envbool("DEBUG", True)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The code of the unit the portal serves, named on every page with its office hours; empty:
# the one top unit open today (procedures.selectors.site_owner).
PORTAL_OWNER_UNIT = envstr("PORTAL_OWNER_UNIT", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # PostgreSQL's lookups (trigram, unaccent) for the catalogue search; inert on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "captcha",
    "portal",
    "signing",
    "procedures",
    "dossiers",
    "citizens",
    "notifications",
    "reports",
    "payments",
    "dvcqg",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PageLanguageMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "portal.middleware.NulByteRejectMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "procedures.context_processors.owner",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite under var/ by default; DATABASE_URL=postgres://... for PostgreSQL (psycopg 3).
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'motcua.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores row locks: take the write lock at BEGIN so concurrent writers queue up.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Parameters bound by the server (psycopg 3). No query is prepared on its own: after five
    # runs PostgreSQL may keep a generic plan that ignores the parameters, and for a search
    # (LIKE '%…%' on trigram indexes) that plan reads every dossier. The citizens' look-up
    # prepares its one query itself (citizens/lookup.py, DB_PREPARE_LOOKUP): behind PgBouncer
    # in transaction mode that needs PgBouncer >= 1.21 with max_prepared_statements > 0.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": None}
    # Health checks without a round trip for a connection in use (portal/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DB_HEALTH_CHECK_IDLE_SECONDS = envint("DB_HEALTH_CHECK_IDLE_SECONDS", 10)
DB_PREPARE_LOOKUP = envbool("DB_PREPARE_LOOKUP", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery ---------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "motcua",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without Redis (the embedded default) tasks run in-process, right away.
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "notifications.tasks.sms_*": {"queue": "sms"},
    "notifications.tasks.email_*": {"queue": "sms"},
    "reports.tasks.*": {"queue": "reports"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a request when Redis is down: the outbox row is already saved and
# the periodic re-queue job sends it later.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
}

# The key of the dossier events' and the audit log's hash chains (portal.chain). Kept out of
# the database so that someone who can write there cannot rebuild a chain after an edit.
# Derived from SECRET_KEY unless set; set it on its own so SECRET_KEY can be rotated (a new
# chain key needs `manage.py rechain_events` after `verify_events` passed under the old one).
EVENT_CHAIN_KEY = (
    envstr("EVENT_CHAIN_KEY")
    or hmac.new(SECRET_KEY.encode(), b"motcua event chain", hashlib.sha256).hexdigest()
)

# --- Auth, i18n, time -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "officer-login"
LOGIN_REDIRECT_URL = "/can-bo/vao/"  # portal.views.officer_landing: by role
# An officer's session ends after a working day (portal.auth sets it at sign-in); citizens'
# sessions keep SESSION_COOKIE_AGE. An API token lasts as long from its issue (portal.tokens).
OFFICER_SESSION_SECONDS = envint("OFFICER_SESSION_SECONDS", 10 * 3600)
API_TOKEN_SECONDS = envint("API_TOKEN_SECONDS", 10 * 3600)

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
# Our input formats (portal/formats/<lang>/formats.py): dates typed day first, 12/10/2026 is
# 12 October, in Vietnamese and in English; Django's own locale files give the rest.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_TZ = True

# --- Static files, media, storage -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Uploaded dossier files are private: no MEDIA_URL is ever served; downloads go through
# permission-checked views.
MEDIA_URL = "/_private-media-not-served/"
STORAGE_BACKEND = envstr("STORAGE_BACKEND", "local")  # local | s3
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
        # Static files are public: readable by whoever serves them (the app's user, nginx),
        # whoever collected them. FILE_UPLOAD_PERMISSIONS below is for uploads only.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
if STORAGE_BACKEND == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("S3_BUCKET", "motcua"),
            "endpoint_url": envstr("S3_ENDPOINT_URL") or None,
            "access_key": envstr("S3_ACCESS_KEY"),
            "secret_key": envstr("S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# --- Uploads ----------------------------------------------------------------------------
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
UPLOAD_ALLOWED_EXTENSIONS = envlist(
    "UPLOAD_ALLOWED_EXTENSIONS", ".doc,.docx,.pdf,.jpg,.jpeg,.png,.zip,.rar,.7z"
)
# Citizens' uploads (citizens.quotas): per draft or API submission, and per client a day.
UPLOAD_DRAFT_MAX_FILES = envint("UPLOAD_DRAFT_MAX_FILES", 30)
UPLOAD_DRAFT_MAX_BYTES = envint("UPLOAD_DRAFT_MAX_BYTES", 150 * 1024 * 1024)
UPLOAD_CLIENT_MAX_FILES = envint("UPLOAD_CLIENT_MAX_FILES", 150)
UPLOAD_CLIENT_MAX_BYTES = envint("UPLOAD_CLIENT_MAX_BYTES", 750 * 1024 * 1024)
UPLOAD_CLIENT_WINDOW_SECONDS = envint("UPLOAD_CLIENT_WINDOW_SECONDS", 24 * 3600)
# Archives (.zip, .docx) are judged by the sizes their directory declares, never unpacked: a
# member over this ratio of unpacked to packed size (once over 1 MB), or a total over this
# many bytes, is refused.
UPLOAD_ARCHIVE_MAX_RATIO = envint("UPLOAD_ARCHIVE_MAX_RATIO", 100)
UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES = envint("UPLOAD_ARCHIVE_MAX_UNPACKED_BYTES", 1024**3)
# Unfinished drafts (and their files) are deleted after this many days without use.
DRAFT_LIFETIME_DAYS = envint("DRAFT_LIFETIME_DAYS", 7)
# The whole request may hold several files; bound it before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
REQUEST_MAX_BYTES = envint("REQUEST_MAX_BYTES", 210 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o600

# --- SMS and e-mail ---------------------------------------------------------------------
SMS_BACKEND = envstr("SMS_BACKEND", "console")  # console | outbox | twilio
SMS_STRIP_DIACRITICS = envbool("SMS_STRIP_DIACRITICS", False)
SMS_MAX_ATTEMPTS = envint("SMS_MAX_ATTEMPTS", 5)
# Retries of transient errors: base * 2^(attempt-1) seconds, capped, with jitter.
SMS_RETRY_BACKOFF = envint("SMS_RETRY_BACKOFF", 60)
SMS_RETRY_BACKOFF_MAX = envint("SMS_RETRY_BACKOFF_MAX", 1800)
# The outbox re-queue job publishes again rows queued longer ago than this (seconds).
SMS_REQUEUE_AFTER = envint("SMS_REQUEUE_AFTER", 120)
TWILIO_ACCOUNT_SID = envstr("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000")
TWILIO_AUTH_TOKEN = envstr("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = envstr("TWILIO_FROM_NUMBER", "MOTCUA")
TWILIO_API_BASE_URL = envstr("TWILIO_API_BASE_URL", "")  # a compatible gateway or a fake
TWILIO_STATUS_CALLBACK_URL = envstr("TWILIO_STATUS_CALLBACK_URL", "")
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "MotCua <no-reply@motcua.local>")


# --- Captcha ----------------------------------------------------------------------------
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 32
# For automated tests only: the answer PASSED is accepted. Ignored when DEBUG is off.
MOTCUA_CAPTCHA_TEST_MODE = envbool("MOTCUA_CAPTCHA_TEST_MODE", False) and DEBUG

# --- REST framework and OpenAPI ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.exceptions.api_exception_handler_json",
    "DEFAULT_THROTTLE_RATES": {
        "lookup": "60/min",
        "submit": "20/hour",
        "key": "30/hour",
        "captcha": "60/min",
        "login": "20/min",
        "draft": "30/hour",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MotCua API",
    "DESCRIPTION": "Electronic one-stop-shop: public catalogue, citizens' dossiers, officers' "
    "workflow and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        # An untrusted certificate is an answer of the signature check, not a server warning.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

# --- Production: headers, downloads, storage, logs, error reports -------------------------
# Swagger UI from self-hosted assets (drf-spectacular-sidecar): no CDN, and the CSP holds.
INSTALLED_APPS += ["drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS |= {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Headers beyond Django's SecurityMiddleware (portal.middleware.SecurityHeadersMiddleware).
CONTENT_SECURITY_POLICY = envstr(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'",
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Probes speak plain HTTP to the container; everything else is redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Private downloads (portal.downloads.private_file_response). With nginx in front, Django
# only checks permission and nginx sends the bytes from these internal locations.
DOWNLOADS_X_ACCEL = envbool("DOWNLOADS_X_ACCEL", False)
DOWNLOADS_X_ACCEL_PREFIX = "/_protected/"
DOWNLOADS_X_ACCEL_S3_PREFIX = "/_protected_s3/"
S3_URL_EXPIRE = envint("S3_URL_EXPIRE", 60)  # seconds a presigned download URL is valid
if STORAGE_BACKEND == "s3":
    from botocore.config import Config as _BotoConfig

    STORAGES["default"]["OPTIONS"] |= {
        "region_name": envstr("S3_REGION", "us-east-1"),
        "querystring_expire": S3_URL_EXPIRE,
        # Path-style and SigV4 suit MinIO and AWS alike; short connect timeouts keep /readyz
        # and uploads from hanging when the storage is down.
        "client_config": _BotoConfig(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    }

# Structured logs: the request id on every record (portal.logging), LOG_FORMAT=json for one
# JSON object per line.
LOG_FORMAT = envstr("LOG_FORMAT", "plain")  # plain | json
LOGGING.setdefault("filters", {})["request_id"] = {"()": "portal.logging.RequestIdFilter"}
LOGGING["formatters"]["plain"]["format"] = (
    "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
)
LOGGING["formatters"]["json"] = {"()": "portal.logging.JsonFormatter"}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "plain"
# Celery workers log through the same handler and format (and so with the request id of the
# request that queued the task: portal.logging's Celery signal handlers).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Optional error reporting: Sentry (or a compatible server such as GlitchTip) when SENTRY_DSN
# is set. No personal data is sent (citizens' names and ID numbers stay here).
SENTRY_DSN = envstr("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=envstr("SENTRY_ENVIRONMENT", "production"),
        release=envstr("SENTRY_RELEASE") or None,
        send_default_pii=False,
        traces_sample_rate=float(envstr("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )
# Per-client limits (portal.throttling, DRF throttles): how many trusted proxies stand in
# front (1 behind the compose nginx). 0: the client is REMOTE_ADDR; X-Forwarded-For, which a
# client can forge, is then ignored.
REST_FRAMEWORK["NUM_PROXIES"] = envint("NUM_PROXIES", 0)
# bench/load_lookup.py: a bare Django view to compare the look-up with (never in production).
BENCH_BARE_VIEW = envbool("BENCH_BARE_VIEW", False)

# The national links and the payment gateways (DVCQG, its sign-in and payment platform, signed
# documents): portal/settings_national.py.
from portal.settings_national import *  # noqa: E402, F403
