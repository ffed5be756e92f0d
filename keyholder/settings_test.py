"""Settings for the test suite: the production module with fast, local parts.

The database comes from KEYHOLDER_DATABASE_URL as in production, so the same suite runs on
SQLite (default) and PostgreSQL.
"""

import os

os.environ.setdefault("KEYHOLDER_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("KEYHOLDER_DATABASE_URL", "sqlite:///:memory:")
# A fixed Fernet key for the migrant's record in the tests (never used anywhere else).
os.environ.setdefault("KEYHOLDER_MIGRANT_KEY", "dGVzdC1vbmx5LW1pZ3JhbnQta2V5LTMyLWJ5dGVzISE=")

from keyholder.settings import *  # noqa: F403
from keyholder.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Jobs run at once, inside the test, unless a test asks for the database queue.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Nothing leaves the machine: tests that send mail start their own SMTP server.
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = 2525
TELEGRAM_API_URL = "http://127.0.0.1:9"
LANGUAGE_CODE = "tg"
# Tests serve static files through the finders; no collected folder exists (nor is needed).
STATIC_ROOT = None
# WhiteNoise looks a static file up when it is asked for, rather than listing every file of every
# finder each time a test client is made (which was half of the suite's time).
WHITENOISE_AUTOREFRESH = True
