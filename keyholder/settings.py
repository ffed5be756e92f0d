"""One settings module, configured from environment variables.

Every value comes from a ``KEYHOLDER_*`` variable (or ``KEYHOLDER_*_FILE`` for secrets). The
helpers below refuse values they cannot parse instead of guessing, and there is no usable secret
key when DEBUG is off.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read KEYHOLDER_<name>, or the contents of the file named by KEYHOLDER_<name>_FILE."""
    key = f"KEYHOLDER_{name}"
    file_path = os.environ.get(f"{key}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(key, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"KEYHOLDER_{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"KEYHOLDER_{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(env("VAR_DIR", str(PROJECT_DIR / "var")) or "var")

SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug"
    else:
        raise ImproperlyConfigured(
            "Set KEYHOLDER_SECRET_KEY (or KEYHOLDER_SECRET_KEY_FILE); "
            "there is no default secret when KEYHOLDER_DEBUG is off."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000") or ""

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django Ninja's own Swagger files, served from here: the CSP allows no CDN.
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "keyholder.accounts",
    "keyholder.places",
    "keyholder.registry",
    "keyholder.keeping",
    "keyholder.indicators",
    "keyholder.notify",
    "keyholder.field",
    "keyholder.migrant",
    "keyholder.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy: no inline script anywhere (keyholder/web/security.py).
    "keyholder.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages follow the language switch, else the user's own language, else Tajik; the API
    # follows Accept-Language. After authentication, so the user's choice is known.
    "keyholder.web.middleware.LocaleMiddleware",
    # A request too large or a busy database answers its catalogue code, never a 500.
    "keyholder.core.limits.LimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A page refused to a signed-in user (404 outside their area, 403 for their role) is
    # written to the audit log.
    "keyholder.web.middleware.RefusalAuditMiddleware",
]

ROOT_URLCONF = "keyholder.urls"
WSGI_APPLICATION = "keyholder.wsgi.application"
ASGI_APPLICATION = "keyholder.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "keyholder.web.context.site",
            ],
        },
    }
]

# The embedded default is SQLite under var/; production sets a postgresql:// URL.
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'keyholder.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
# Every password set (adduser, the account pages, invites, the migrant's registration, change
# and reset) goes through these.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password guessing (keyholder/accounts/throttle.py): after SIGNIN_LIMIT failed sign-ins for one
# account, or SIGNIN_ADDRESS_LIMIT from one address, within SIGNIN_WINDOW_MINUTES, the sign-in
# page and POST /api/v1/auth/token answer 429 until the window ends, right password or not.
# The counts live in the cache: with several server processes it must be shared (KEYHOLDER_CACHE).
SIGNIN_LIMIT = env_int("SIGNIN_LIMIT", 5)
SIGNIN_ADDRESS_LIMIT = env_int("SIGNIN_ADDRESS_LIMIT", 20)
SIGNIN_WINDOW_MINUTES = env_int("SIGNIN_WINDOW_MINUTES", 15)
if min(SIGNIN_LIMIT, SIGNIN_ADDRESS_LIMIT, SIGNIN_WINDOW_MINUTES) < 1:
    raise ImproperlyConfigured("KEYHOLDER_SIGNIN_* limits must be at least 1")
# Audit rows older than this many days are deleted by the worker (keyholder/accounts/retention.py).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("KEYHOLDER_AUDIT_RETENTION_DAYS must be at least 1")
# "locmem" (one process only, the default) or "database" (shared by every process: run
# `keyholder createcachetable` once after migrate).
_cache = env("CACHE", "locmem") or "locmem"
CACHE_BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "keyholder_cache",
    },
}
if _cache not in CACHE_BACKENDS:
    raise ImproperlyConfigured(
        f"KEYHOLDER_CACHE must be one of {sorted(CACHE_BACKENDS)}, got {_cache!r}"
    )
CACHES = {"default": CACHE_BACKENDS[_cache]}
# Behind a reverse proxy every request comes from the proxy's address: name the header in
# which the proxy passes the client's (e.g. X-Forwarded-For; its last entry is used), or the
# per-address limit would count everyone together.
CLIENT_ADDRESS_HEADER = env("CLIENT_ADDRESS_HEADER", "") or ""
# How long a reset link (by email or made by an administrator) stays usable; used once.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", 24) * 3600

# Tajik first: it is the default for every page and message.
LANGUAGE_CODE = "tg"
LANGUAGES = [("tg", _("Tajik")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Dushanbe") or "Asia/Dushanbe"
LANGUAGE_COOKIE_NAME = "keyholder_language"

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = VAR_DIR / "static"
# Third-party JS and CSS are installed from the npm registry into node_modules (git-ignored).
# Only the built files the pages load are served, under /static/vendor/<package>/dist/: not the
# rest of node_modules (build tools, sources, binaries), which would be published by
# collectstatic and scanned by WhiteNoise at every start.
NODE_MODULES = PROJECT_DIR / "node_modules"
SERVED_NPM_FOLDERS = ["htmx.org/dist", "uplot/dist", "exifr/dist"]
STATICFILES_DIRS = [
    (f"vendor/{folder}", NODE_MODULES / folder)
    for folder in SERVED_NPM_FOLDERS
    if (NODE_MODULES / folder).exists()
]
# The owner report PDF's font (keeping): empty means DejaVu Sans from the npm package
# dejavu-fonts-ttf in node_modules; it must have Cyrillic and the Tajik letters.
PDF_FONT = env("PDF_FONT", "") or ""
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Limits on a request (keyholder/core/limits.py): a body (other than files) over
# DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 request.too_large, more form fields than
# DATA_UPLOAD_MAX_NUMBER_FIELDS 400 request.too_many_fields. An uploaded file is counted while
# it is read and refused past MAX_UPLOAD_BYTES; over FILE_UPLOAD_MAX_MEMORY_SIZE it goes to a
# temporary file rather than memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("MAX_FORM_FIELDS", 1000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 25) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "keyholder.core.limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SESSION_COOKIE_HTTPONLY = True
# A site served over https sends its cookies over https only, whatever DEBUG says.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a TLS-terminating proxy (docs/deploying.md): the proxy says https in
# X-Forwarded-Proto, and must overwrite that header from clients.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", False)
# HSTS: 0 (off) by default; production sets 31536000 (a year) once https works.
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)

# "smtp" (the default) sends through EMAIL_HOST; "mailbox" keeps every email in the database
# for the demo's administrator to read at /notify/mailbox/ (make demo sets it).
EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "mailbox": "keyholder.notify.mailbox.MailboxBackend",
}
_email_backend = env("EMAIL_BACKEND", "smtp") or "smtp"
if _email_backend not in EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"KEYHOLDER_EMAIL_BACKEND must be one of {sorted(EMAIL_BACKENDS)}, got {_email_backend!r}"
    )
EMAIL_BACKEND = EMAIL_BACKENDS[_email_backend]
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1") or "127.0.0.1"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "keyholder <noreply@localhost>")

TELEGRAM_API_URL = env("TELEGRAM_API_URL", "https://api.telegram.org") or ""
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN", "") or ""
# The bot's @username for the "Connect Telegram" link; empty: asked of the Bot API (getMe).
TELEGRAM_BOT_USERNAME = (env("TELEGRAM_BOT_USERNAME", "") or "").lstrip("@")
# Set on a public server: Telegram then posts updates to /notify/telegram/webhook/<secret>/ with
# this secret in a header. Empty: the worker fetches them with getUpdates instead.
TELEGRAM_WEBHOOK_SECRET = env("TELEGRAM_WEBHOOK_SECRET", "") or ""
if TELEGRAM_WEBHOOK_SECRET and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", TELEGRAM_WEBHOOK_SECRET):
    # Telegram accepts 1 to 256 of these characters; fewer than 16 would be guessable.
    raise ImproperlyConfigured(
        "KEYHOLDER_TELEGRAM_WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or -"
    )
# How long a "Connect Telegram" link stays usable.
TELEGRAM_LINK_HOURS = env_int("TELEGRAM_LINK_HOURS", 24)

# The notification outbox worker (keyholder/notify): a claimed message whose worker has not
# finished within the lease is taken to be abandoned and is sent again; failures are retried
# after RETRY_BASE x 2^(attempts-1) seconds, capped, and are given up after MAX_ATTEMPTS.
WORKER_LEASE_SECONDS = env_int("WORKER_LEASE_SECONDS", 300)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_RETRY_CAP_SECONDS = env_int("NOTIFY_RETRY_CAP_SECONDS", 6 * 3600)

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
        or "django_tasks_db.DatabaseBackend",
    }
}

# Public figures: counts under this threshold are suppressed.
SUPPRESSION_THRESHOLD = env_int("SUPPRESSION_THRESHOLD", 5)

# The offline field app (keyholder/field, docs/sync.md): a phone that has not synchronised for
# this many days wipes what it holds of the registry and the houses.
FIELD_WIPE_AFTER_DAYS = env_int("FIELD_WIPE_AFTER_DAYS", 30)
if FIELD_WIPE_AFTER_DAYS < 1:
    raise ImproperlyConfigured("KEYHOLDER_FIELD_WIPE_AFTER_DAYS must be at least 1")

# The migrant's calendar (keyholder/migrant, docs/migrant.md) encrypts every value of the
# record with these Fernet keys: one per line in KEYHOLDER_MIGRANT_KEY_FILE, the newest first
# (it encrypts; all of them decrypt, so keys rotate). In DEBUG without a key, one is derived
# from the secret key; otherwise, without a key the calendar refuses to store anything.
MIGRANT_KEYS = (env("MIGRANT_KEY", "") or "").split()
if not MIGRANT_KEYS and DEBUG:
    import base64
    import hashlib

    MIGRANT_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"migrant:{SECRET_KEY}".encode()).digest()).decode()
    ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO") or "INFO"},
    # httpx logs each request's URL at INFO, and a Telegram Bot API URL holds the bot token.
    "loggers": {"httpx": {"level": "WARNING"}},
}
