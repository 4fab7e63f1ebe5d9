"""Settings for Espace Prêts, read from the environment (one module for every deployment).

Every variable is documented in docs/operations.md (a test checks it).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.storage import s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-demo-key-only-for-local-debug-use-0123456789"

# Where `make run` listens (bin/run); links in e-mails and letters follow unless SITE_URL is set.
HOST = env("HOST", "127.0.0.1")
PORT = env_int("PORT", 8000)
_LOCAL_HOSTS = {"127.0.0.1", "0.0.0.0", "::", "::1", "localhost"}  # noqa: S104 — names, not a bind

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if DEBUG and HOST not in _LOCAL_HOSTS and not env("ALLOWED_HOSTS"):
    ALLOWED_HOSTS.append(HOST)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "espace.backoffice.admin_config.EspaceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "ninja",  # django-ninja's static files: the API documentation page is served locally (no CDN)
    "espace.core",
    "espace.products",
    "espace.establishments",
    "espace.accounts",
    "espace.registration",
    "espace.letters",
    "espace.notifications",
    "espace.members",
    "espace.support",
    "espace.simulators",
    "espace.portfolio",
    "espace.loan_requests",
    "espace.documents",
    "espace.api",
    "espace.backoffice",
    "espace.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "espace.core.origin.RequestOriginMiddleware",
    "espace.core.replica.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "espace.accounts.middleware.SessionLifetimeMiddleware",
    "espace.accounts.middleware.EstablishmentMiddleware",
    "espace.accounts.middleware_second_factor.SecondFactorPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "espace.core.middleware.NoStoreForAuthenticatedMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "espace.core.context_processors.branding",
                "espace.core.context_processors.navigation",
                "espace.core.page_cache.holes",
            ],
            "builtins": ["espace.core.templatetags.espace_format"],
        },
    },
    {
        # Plain-text emails: same templates directories, no HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
    {
        # The rows of the heavy tables (espace.core.rows): Jinja2, about 8 times cheaper per row.
        "NAME": "rows",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "rows"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "espace.core.rows.environment", "autoescape": True},
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails the request fast (503 page) instead of holding it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 3)
# A PostgreSQL replica for the heavy read-only pages (lists, exports, API): see espace.core.replica.
# A browser that has just written reads from the primary for DATABASE_REPLICA_PIN_SECONDS.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 10)
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"), conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 3)}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["espace.core.replica.PrimaryReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server and worker share the file: wait for locks instead of failing,
    # and take the write lock at BEGIN so select_for_update-style sections serialise.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "espace_cache",
    }
}
if env("REDIS_URL"):
    # Django's Redis backend with one client per pool (espace/core/redis_cache.py says why).
    CACHES["default"] = {"BACKEND": "espace.core.redis_cache.SharedClientRedisCache", "LOCATION": env("REDIS_URL")}
# Rendered client pages and their data's versions (espace.core.page_cache), apart from the default
# cache so that pages never push out its single-use markers (CAPTCHA proofs, API rate counters):
# their own table, or their own Redis (PAGE_CACHE_REDIS_URL; REDIS_URL's when unset).
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "espace_page_cache",
    "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_MAX_ENTRIES", 5000)},
}
if env("PAGE_CACHE_REDIS_URL") or env("REDIS_URL"):
    CACHES["pages"] = {
        "BACKEND": "espace.core.redis_cache.SharedClientRedisCache",
        "LOCATION": env("PAGE_CACHE_REDIS_URL") or env("REDIS_URL"),
        "KEY_PREFIX": "pages",
    }
# The layout's fragments that depend on the code and the settings only (templates/base.html: the
# head, the top bar, the menu of a set of permissions, the footer): each process renders them
# once and keeps them in its own memory, so nodes share nothing and a deployment starts afresh.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "espace-fragments",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# --- Authentication and passwords (numbers from SECURITY.md) -------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["espace.accounts.backends.EspaceBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "espace.accounts.validators.LengthValidator", "OPTIONS": {"min_length": 8, "max_length": 128}},
    {"NAME": "espace.accounts.validators.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "espace.accounts.validators.PersonalInformationValidator"},
]
PASSWORD_RESET_TIMEOUT = 3600  # 1 hour

LOGIN_FAILURES_BEFORE_LOCK = env_int("LOGIN_FAILURES_BEFORE_LOCK", 5)
LOGIN_LOCK_DURATION = timedelta(hours=1)
LOGIN_ESCALATION_WINDOW = timedelta(hours=24)
LOGIN_IP_FAILURES_LIMIT = env_int("LOGIN_IP_FAILURES_LIMIT", 30)
LOGIN_IP_WINDOW = timedelta(minutes=10)
# After this many failures from one address (any accounts) in the window, each try needs the CAPTCHA.
LOGIN_IP_CAPTCHA_AFTER = env_int("LOGIN_IP_CAPTCHA_AFTER", 10)

EMAIL_CODE_DIGITS = 4
EMAIL_CODE_VALIDITY = timedelta(minutes=15)
EMAIL_CODE_MAX_TRIES = 3
EMAIL_CODE_MAX_SENDS = 5
EMAIL_CODE_RESEND_INTERVAL = timedelta(seconds=60)

TEMPORARY_CODE_LENGTH = 12
TEMPORARY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TEMPORARY_CODE_VALIDITY = timedelta(days=30)

# Forgotten password / identifier requests per IP: stops mail bombing, not people.
SELF_SERVICE_IP_LIMIT = env_int("SELF_SERVICE_IP_LIMIT", 10)
SELF_SERVICE_IP_WINDOW = timedelta(hours=1)
# Contact form: messages per hour per IP and per sender address (each one sends an acknowledgment).
CONTACT_LIMIT_PER_HOUR = env_int("CONTACT_LIMIT_PER_HOUR", 5)

REGISTRATION_VALIDITY = timedelta(hours=2)
REGISTRATION_IP_LIMIT = env_int("REGISTRATION_IP_LIMIT", 20)
REGISTRATION_IP_WINDOW = timedelta(minutes=10)
# Tries of the identity step (where « identifiant déjà utilisé » is answered): per registration, per IP.
REGISTRATION_IDENTITY_TRIES = env_int("REGISTRATION_IDENTITY_TRIES", 8)
REGISTRATION_IDENTITY_IP_LIMIT = env_int("REGISTRATION_IDENTITY_IP_LIMIT", 20)

LETTER_PDF_RETENTION = timedelta(days=env_int("LETTER_PDF_RETENTION_DAYS", 90))
# « Suivre mon courrier d'activation »: a new letter asked by the first user at most every 10 days
# after the last one (post takes days), at most 3 in all; the page stays open 30 minutes after the
# e-mail code, and at most 5 codes a day go to one account's address.
LETTER_RESEND_INTERVAL = timedelta(days=env_int("LETTER_RESEND_INTERVAL_DAYS", 10))
LETTER_RESEND_MAX = env_int("LETTER_RESEND_MAX", 3)
LETTER_TRACKING_VALIDITY = timedelta(minutes=30)
LETTER_TRACKING_CODES_PER_DAY = 5

# Daily portfolio import (schedule_portfolio_import): the lender's CSV files, and the local hour it runs.
PORTFOLIO_IMPORT_DIR = env("PORTFOLIO_IMPORT_DIR")
PORTFOLIO_IMPORT_HOUR = env_int("PORTFOLIO_IMPORT_HOUR", 5)

# --- Sessions, cookies, headers ----------------------------------------------------
# The cookie lives as long as the absolute lifetime; the idle timeout is enforced by
# SessionLifetimeMiddleware so the user can be told why the session ended.
# The user of each request is read through the cache (espace.accounts.session_user), forgotten on
# every change of the user or its establishment; this bounds what a write racing a read could leave.
SESSION_USER_CACHE_SECONDS = 60
# How long a rendered client page is kept at most (espace.core.page_cache: pages are invalidated
# when their data changes; this only bounds the cache's memory). 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
# Sessions live in the database: no other component to run, they survive a restart, and the
# last-seen time is written at most once a minute. With a shared Redis cache, reads come from it
# and writes still go through to the database (a cache flush logs nobody out).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if env("REDIS_URL") else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^sante/$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "worker-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation ----------------------------------------------------------
# One language, written in French in the source (docs/architecture.md, « Language »); Django's
# own French catalogue gives the framework's messages (« Ce champ est obligatoire. »).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
# French for the libraries that ship none (django-otp-webauthn's messages and its script's).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static and media files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"  # media is only ever served through permission-checking views
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if env("AWS_STORAGE_BUCKET_NAME"):
    # Object storage (S3-compatible), private, streamed through the views: see config/storage.py.
    STORAGES["default"] = s3_storage(os.environ)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 25) * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
CLAMD_HOST = env("CLAMD_HOST")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_SOCKET = env("CLAMD_SOCKET")
if not DEBUG and not (CLAMD_HOST or CLAMD_SOCKET):
    raise ImproperlyConfigured(
        "CLAMD_HOST or CLAMD_SOCKET must be set when DEBUG is off: uploads are scanned before anyone can open them."
    )

# --- Email -------------------------------------------------------------------------
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Espace Prêts <no-reply-prets@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "espace.core.mailbox.DemoMailboxBackend"
else:
    raise ImproperlyConfigured("EMAIL_HOST must be set when DEBUG is off: codes and notices go out by email.")
EMAIL_RETRY_BASE_DELAY = timedelta(seconds=env_int("EMAIL_RETRY_BASE_SECONDS", 30))
EMAIL_RETRY_MAX_DELAY = timedelta(hours=1)
EMAIL_RETRY_MAX_ATTEMPTS = env_int("EMAIL_RETRY_MAX_ATTEMPTS", 30)  # about a day of back-off
# « Recevoir par e-mail » (documents): attachments above this size are not sent (many mail servers
# refuse them); each user may ask for so many sendings per hour.
DOCUMENT_EMAIL_MAX_BYTES = env_int("DOCUMENT_EMAIL_MAX_MB", 10) * 1024 * 1024
DOCUMENT_EMAIL_LIMIT_PER_HOUR = env_int("DOCUMENT_EMAIL_LIMIT_PER_HOUR", 20)

# --- Background tasks ---------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# `manage.py task_worker` beats this often; a worker silent for TASK_WORKER_LOST_AFTER is dead and
# its RUNNING task runs again. Tasks of a plain `db_worker` (no beat) are taken back after the timeout.
TASK_WORKER_HEARTBEAT = timedelta(seconds=env_int("TASK_WORKER_HEARTBEAT_SECONDS", 10))
TASK_WORKER_LOST_AFTER = timedelta(seconds=env_int("TASK_WORKER_LOST_AFTER_SECONDS", 60))
TASK_UNMONITORED_TIMEOUT = timedelta(hours=6)

# --- Branding ------------------------------------------------------------------------
LENDER_NAME = env("LENDER_NAME", "Fonds d'épargne — Espace Prêts")
LENDER_SHORT_NAME = env("LENDER_SHORT_NAME", "Espace Prêts")
LENDER_POSTAL_ADDRESS = env("LENDER_POSTAL_ADDRESS", "Direction des prêts\n56 rue de Lille\n75007 Paris")
ASSISTANCE_PHONE = env("ASSISTANCE_PHONE", "0 800 887 300")
THEME_PRIMARY_COLOR = env("THEME_PRIMARY_COLOR", "#003b80")
THEME_SECONDARY_COLOR = env("THEME_SECONDARY_COLOR", "#00a3a6")
THEME_ACCENT_COLOR = env("THEME_ACCENT_COLOR", "#e4002b")
SITE_URL = env("SITE_URL") or f"http://{'localhost' if HOST in _LOCAL_HOSTS else HOST}:{PORT}"
# Reverse proxies in front of the service (0: clients connect directly). See espace.core.net.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TERMS_VERSION = env("TERMS_VERSION", "2026-1")
# Legal notice (« mentions légales ») and accessibility statement.
LEGAL_PUBLICATION_DIRECTOR = env("LEGAL_PUBLICATION_DIRECTOR", "la directrice des prêts (démonstration)")
LEGAL_HOST_NAME = env("LEGAL_HOST_NAME", "Hébergeur de démonstration")
LEGAL_HOST_ADDRESS = env("LEGAL_HOST_ADDRESS", "1 rue de l'Exemple\n75000 Paris")
LEGAL_PRIVACY_CONTACT = env("LEGAL_PRIVACY_CONTACT", "dpo@example.org")
ACCESSIBILITY_STATEMENT_DATE = env("ACCESSIBILITY_STATEMENT_DATE", "25 novembre 2026")
# Proof-of-work difficulty of the CAPTCHA: the browser tries on average half this many hashes.
# bench/captcha.py measures it (docs/security.md: about one second on a mid-range phone).
ALTCHA_MAX_NUMBER = env_int("ALTCHA_MAX_NUMBER", 100_000)

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "espace.core.views.csrf_failure"

# Identifiers are unique case-insensitively through a conditional constraint (see accounts.User),
# which Django's check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
MEMBER_VALIDATION_REMINDER_DELAY = timedelta(days=7)
# Access review (« Revue des accès »): every ACCESS_REVIEW_INTERVAL_MONTHS (set by the lender) each
# establishment's administrators confirm its active users within 30 days (a reminder 7 days
# before); users nobody confirmed are then suspended. No login for 12 months: proposed for
# deactivation.
ACCESS_REVIEW_INTERVAL_MONTHS = env_int("ACCESS_REVIEW_INTERVAL_MONTHS", 6)
ACCESS_REVIEW_PERIOD = timedelta(days=30)
ACCESS_REVIEW_REMINDER_BEFORE = timedelta(days=7)
ACCESS_REVIEW_INACTIVITY = timedelta(days=365)

# --- API of the establishments (/api/v1/) -----------------------------------------------------
# Calls per token per minute (429 with Retry-After beyond); tokens live at most a year.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600)
API_TOKEN_MAX_DAYS = 365

# Second factor (django-otp), staff and clients: TOTP apps show this issuer; 10 single-use
# recovery codes; the step between the password and the code lasts 10 minutes at most.
OTP_TOTP_ISSUER = LENDER_SHORT_NAME
RECOVERY_CODES_COUNT = 10
SECOND_FACTOR_STEP_WINDOW = timedelta(minutes=10)
# Passkeys (django-otp-webauthn), a second factor beside the TOTP app, never a login without the
# password. A passkey belongs to the site's host name: changing SITE_URL's host makes every
# passkey unusable (users then pass with their app and add a new one).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_ID = urlsplit(SITE_URL).hostname or "localhost"
OTP_WEBAUTHN_RP_NAME = LENDER_SHORT_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = [SITE_URL.rstrip("/")]
OTP_WEBAUTHN_HELPER_CLASS = "espace.accounts.passkeys.PasskeyHelper"
# A refused passkey is the user's business, not an error of the service: login failures are in the
# establishment's journal, registration failures on the user's screen (no traceback in the logs).
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = ""
