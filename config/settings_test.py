"""Test settings: the production module with a fast hasher and an in-memory outbox.

DATABASE_URL selects PostgreSQL (CI) or SQLite (default).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("EMAIL_HOST", "127.0.0.1")
os.environ.setdefault("CLAMD_HOST", "127.0.0.1")  # make test starts a real clamd (bin/start-clamd)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from config.settings import *  # noqa: F403
from config.settings import DATABASES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
# Local disk unless AWS_STORAGE_BUCKET_NAME is set (the multi-node tests' processes use a bucket).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from config.settings import CACHES as DEPLOYED_CACHES  # noqa: E402

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": DEPLOYED_CACHES["fragments"],
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "espace-pages"},
}
ALTCHA_TEST_MODE = True  # unit tests only; browser tests solve the real proof of work
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
