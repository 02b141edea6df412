"""Labb's one settings module.

Everything is configured by environment variables. The embedded defaults (SQLite,
in-process live broker, tasks run in-process) make `./labb.sh start` work on a fresh
machine; `LABB_PRODUCTION=1` switches on the production checks, which fail at start-up
when something required is missing.
"""

import datetime
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("LABB_PRODUCTION")
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when LABB_PRODUCTION=1")
    SECRET_KEY = "labb-insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "*")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when LABB_PRODUCTION=1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Public base URL used in join links and QR codes when the request host is not enough
# (for example behind a proxy). Empty means "build from the request".
LABB_PUBLIC_URL = env_str("LABB_PUBLIC_URL").rstrip("/")

# The accessibility statement (/accessibility/, DIGG's model): who publishes this server,
# where people report barriers or ask for content in another format, and when the service
# was last assessed (the date of the assessment shipped with this release unless the
# operator has assessed their own installation).
LABB_OPERATOR_NAME = env_str("LABB_OPERATOR_NAME")
LABB_ACCESSIBILITY_CONTACT = env_str("LABB_ACCESSIBILITY_CONTACT")
try:
    LABB_ACCESSIBILITY_ASSESSED = datetime.date.fromisoformat(
        env_str("LABB_ACCESSIBILITY_ASSESSED", "2026-12-06")
    )
except ValueError as exc:
    raise ImproperlyConfigured("LABB_ACCESSIBILITY_ASSESSED must be a date (YYYY-MM-DD)") from exc
# The language people write in (notes, themes, questions): marked with lang= on that text so
# a screen reader reads it right in the English interface too (WCAG 3.1.2).
LABB_CONTENT_LANGUAGE = env_str("LABB_CONTENT_LANGUAGE", "sv")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "csp",
    "labb",
    "challenges",
    "audit",
    "accounts",
    "workshops",
    "archive",
    "orgadmin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "labb.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "labb.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "labb.urls"
ASGI_APPLICATION = "labb.asgi.application"
WSGI_APPLICATION = "labb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "labb.context_processors.labb",
            ],
        },
    }
]

# Database: PostgreSQL through psycopg 3 when DATABASE_URL is set, SQLite otherwise.
# Under ASGI persistent connections leak, so CONN_MAX_AGE stays 0 and psycopg's pool
# keeps connections warm instead.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DATABASE_POOL", default=True
    ):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 16),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
else:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set when LABB_PRODUCTION=1")
    sqlite_path = Path(env_str("SQLITE_PATH", str(BASE_DIR / "var" / "labb.sqlite3")))
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: live fan-out between processes, Celery broker, shared caches/throttles.
REDIS_URL = env_str("REDIS_URL")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set when LABB_PRODUCTION=1")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "labb",
            # A hung Redis must fail fast (503 or fail-open), not hang every request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery. Without Redis, tasks run in-process (eagerly) so the embedded demo works.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A message whose worker died unacknowledged is delivered again after the visibility
# timeout; workers sweep for such messages every `unacked_restore_interval` seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600),
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    "retention-sweep": {"task": "workshops.tasks.retention_sweep", "schedule": 3600.0},
    "requeue-stuck-exports": {"task": "workshops.tasks.requeue_stuck_exports", "schedule": 300.0},
    "expire-exports": {"task": "workshops.tasks.expire_exports", "schedule": 3600.0},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Sign-in (accounts/): organisations' identity providers, and local passwords unless
# LABB_PASSWORD_LOGIN=0. README.md, "Signing in with your organisation"; docs/security.md.
LABB_PASSWORD_LOGIN = env_bool("LABB_PASSWORD_LOGIN", default=True)
AUTHENTICATION_BACKENDS = ["accounts.backends.ExternalIdentityBackend"] + (
    ["django.contrib.auth.backends.ModelBackend"] if LABB_PASSWORD_LOGIN else []
)
try:
    LABB_IDENTITY_PROVIDERS = json.loads(env_str("LABB_IDENTITY_PROVIDERS") or "[]")
except ValueError as exc:
    raise ImproperlyConfigured("LABB_IDENTITY_PROVIDERS must be a JSON list") from exc
if not isinstance(LABB_IDENTITY_PROVIDERS, list):
    raise ImproperlyConfigured("LABB_IDENTITY_PROVIDERS must be a JSON list")
# How far the provider's clock may be from ours when checking a token's or assertion's times.
LABB_SIGNIN_CLOCK_SKEW = env_int("LABB_SIGNIN_CLOCK_SKEW", 120)
# Labb's own SAML key pair (PEM files): signs its AuthnRequests and LogoutRequests, and its
# certificate is published in the SP metadata. Needed by IdPs that want signed requests.
LABB_SAML_KEY_FILE = env_str("LABB_SAML_KEY_FILE")
LABB_SAML_CERT_FILE = env_str("LABB_SAML_CERT_FILE")
if bool(LABB_SAML_KEY_FILE) != bool(LABB_SAML_CERT_FILE):
    raise ImproperlyConfigured("LABB_SAML_KEY_FILE and LABB_SAML_CERT_FILE go together")
for _path in (LABB_SAML_KEY_FILE, LABB_SAML_CERT_FILE):
    if _path and not os.path.isfile(_path):
        raise ImproperlyConfigured(f"SAML key or certificate file not found: {_path}")
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Swedish first, English second.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Swedish unless the user switches (labb.middleware.ChosenLanguageMiddleware ignores the
# browser's Accept-Language); the switch is remembered for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env_str("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Export files live here; they are served only through a permission-checked view.
MEDIA_ROOT = Path(env_str("LABB_DATA_DIR", str(BASE_DIR / "var" / "data")))
EXPORT_ROOT = MEDIA_ROOT / "exports"

# Request limits: notes are short, nobody needs to post megabytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
LABB_NOTE_MAX_LENGTH = 500
LABB_NOTES_PER_MINUTE = env_int("LABB_NOTES_PER_MINUTE", 30)
# Per-client limits (workshops/limits.py): an address is a whole room behind one NAT.
LABB_NOTES_PER_ADDRESS_PER_MINUTE = env_int("LABB_NOTES_PER_ADDRESS_PER_MINUTE", 600)
LABB_JOINS_PER_DEVICE = env_int("LABB_JOINS_PER_DEVICE", 10)
LABB_JOINS_PER_ADDRESS = env_int("LABB_JOINS_PER_ADDRESS", 600)
LABB_STREAMS_PER_DEVICE = env_int("LABB_STREAMS_PER_DEVICE", 8)
# Admission control (labb/admission.py): ordinary requests one process runs at once (each
# holds a thread and a pooled connection; keep it below DATABASE_POOL_MAX so the streams'
# short checks always find a connection), how long the next ones wait for a place, and the
# Retry-After of the 429 beyond that. 0 places turns it off.
LABB_MAX_CONCURRENT_REQUESTS = env_int(
    "LABB_MAX_CONCURRENT_REQUESTS", max(1, env_int("DATABASE_POOL_MAX", 16) - 4)
)
LABB_ADMISSION_WAIT = env_float("LABB_ADMISSION_WAIT", 2.0)
LABB_BUSY_RETRY_AFTER = env_int("LABB_BUSY_RETRY_AFTER", 1)
# Join-code guessing (workshops/throttle.py; the arithmetic is in docs/security.md): wrong
# codes looked up per address (IPv6 /64) and for the whole site per window, and how long a
# code that somebody at an address joined with keeps working there while it is throttled.
LABB_JOIN_FAILURES_PER_ADDRESS = env_int("LABB_JOIN_FAILURES_PER_ADDRESS", 20)
LABB_JOIN_FAILURES_SITEWIDE = env_int("LABB_JOIN_FAILURES_SITEWIDE", 200)
LABB_JOIN_FAILURE_WINDOW = env_int("LABB_JOIN_FAILURE_WINDOW", 600)
LABB_JOIN_REMEMBER_SECONDS = env_int("LABB_JOIN_REMEMBER_SECONDS", 4 * 3600)
# Only trust X-Forwarded-For when the direct peer is one of these proxies.
LABB_TRUSTED_PROXIES = env_list("LABB_TRUSTED_PROXIES")
LABB_DEFAULT_RETENTION_DAYS = env_int("LABB_DEFAULT_RETENTION_DAYS", 365)
LABB_EXPORT_RETENTION_DAYS = env_int("LABB_EXPORT_RETENTION_DAYS", 30)
# The audit trail (audit/) is kept this long, then removed by the retention sweep.
LABB_AUDIT_RETENTION_DAYS = env_int("LABB_AUDIT_RETENTION_DAYS", 730)
LABB_PARTICIPANT_SESSION_SECONDS = env_int("LABB_PARTICIPANT_SESSION_SECONDS", 12 * 3600)
LABB_STREAM_KEEPALIVE = env_int("LABB_STREAM_KEEPALIVE", 15)
# Database sessions that write a new session key once, not three times (labb/sessions.py).
SESSION_ENGINE = "labb.sessions"

# Security headers.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = ["security.W021"] if PRODUCTION and not SECURE_HSTS_PRELOAD else []

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each page it lays out at INFO; its warnings and errors still show.
        "weasyprint.progress": {"level": "WARNING"},
        # pysaml2's schema library says so at every start ("Resource … already loaded").
        "xmlschema": {"level": "ERROR"},
    },
}
