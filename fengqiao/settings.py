"""Django settings for Fengqiao, driven by environment variables.

Nothing needs to be configured to check out, install and run the demo station: SQLite in
WAL mode under ./var is the default. Every variable is read through the checked helpers of
`fengqiao.conf`, so a bad value stops start-up with a message that names the variable.
See the README's configuration table for the full list.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fengqiao.conf import env_bool, env_choice, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(env_str("FENGQIAO_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("FENGQIAO_DEBUG", False)
TESTING = env_bool("FENGQIAO_TESTING", False)


def _secret_key() -> str:
    """FENGQIAO_SECRET_KEY, or a random key kept in the data directory (made on first run)."""
    configured = env_str("FENGQIAO_SECRET_KEY", "")
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("FENGQIAO_SECRET_KEY must be at least 32 characters long")
        return configured
    key_file = DATA_DIR / "secret.key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# The key that encrypts identity numbers at rest (fengqiao/records/crypto.py): 64 bytes,
# base64; unset, a key file is made on first use. Keep it apart from database backups.
FENGQIAO_RECORDS_KEY = env_str("FENGQIAO_RECORDS_KEY", "")
FENGQIAO_RECORDS_KEY_FILE = env_str("FENGQIAO_RECORDS_KEY_FILE", "")
ALLOWED_HOSTS = list(env_list("FENGQIAO_ALLOWED_HOSTS", ("127.0.0.1", "localhost", "[::1]")))
CSRF_TRUSTED_ORIGINS = list(env_list("FENGQIAO_CSRF_TRUSTED_ORIGINS", ()))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "fengqiao.core",
    "fengqiao.accounts",
    "fengqiao.audit",
    "fengqiao.organisation",
    "fengqiao.records",
    "fengqiao.intake",
    "fengqiao.dispatch",
    "fengqiao.community",
    "fengqiao.cases",
    "fengqiao.transfers",
    "fengqiao.support",
    "fengqiao.campaigns",
    "fengqiao.analysis",
    "fengqiao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fengqiao.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the idle timeout, which leaves a message for the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    "fengqiao.accounts.middleware.IdleTimeoutMiddleware",
    "fengqiao.audit.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fengqiao.urls"
ASGI_APPLICATION = "fengqiao.asgi.application"
WSGI_APPLICATION = "fengqiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fengqiao.core.context_processors.navigation",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    """SQLite (WAL, immediate transactions) by default; PostgreSQL when asked for."""
    engine = env_choice("FENGQIAO_DB", "", ("", "sqlite", "postgres"))
    url = env_str("DATABASE_URL", "")
    if engine == "postgres" or (engine == "" and url):
        if not url:
            raise ImproperlyConfigured(
                "FENGQIAO_DB=postgres needs DATABASE_URL, e.g. postgres://user:pass@127.0.0.1:5432/fengqiao"
            )
        try:
            config = dj_database_url.parse(url, conn_max_age=0)
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
        if config.get("ENGINE") != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL when FENGQIAO_DB=postgres")
        config["ATOMIC_REQUESTS"] = False
        pool_size = env_int("FENGQIAO_DB_POOL_SIZE", 0, minimum=0)
        if pool_size:
            config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
        else:
            # Each of the server's request threads keeps its connection (see SQLite below).
            config["CONN_MAX_AGE"] = env_int("FENGQIAO_DB_CONN_MAX_AGE", 600, minimum=0)
            config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("TEST", {})["NAME"] = env_str("FENGQIAO_TEST_DB_NAME", "test_fengqiao")
        return {"default": config}
    path = Path(env_str("FENGQIAO_DB_PATH", str(DATA_DIR / "fengqiao.sqlite3")))
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # Kept by the server's request threads (fengqiao.core.handler): a new SQLite
            # connection parses the schema again and starts with a cold page cache.
            "CONN_MAX_AGE": env_int("FENGQIAO_DB_CONN_MAX_AGE", 600, minimum=0),
            "OPTIONS": {
                # WAL lets the board read while intake writes; FULL sync keeps a committed
                # call through a power cut; IMMEDIATE takes the write lock at BEGIN so two
                # writers queue on busy_timeout instead of failing halfway through.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 10,
            },
            "TEST": {"NAME": env_str("FENGQIAO_TEST_DB_PATH", "") or _scratch_test_database()},
        }
    }


def _scratch_test_database() -> str:
    """The test database: a file of this test run, in memory-backed /dev/shm where there is one.

    A file, not SQLite's shared in-memory database, so that the test suite meets SQLite as the
    station does — WAL, readers never blocking the writer — also when a live server's request
    threads read while another writes (the shared in-memory database locks whole tables and
    answers "database table is locked" at once instead of waiting)."""
    import tempfile

    # Named only for a test run's lifetime on a test machine: Django creates it afresh and removes it.
    shm = "/dev/shm"  # noqa: S108
    folder = Path(shm) if os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    return str(folder / f"fengqiao-test-{os.getpid()}.sqlite3")


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["fengqiao.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out: the Nth failed attempt within the window locks the account until an
# administrator releases it or the window has passed since the last failure.
LOCKOUT_ATTEMPTS = env_int("FENGQIAO_LOCKOUT_ATTEMPTS", 5, minimum=1, maximum=100)
LOCKOUT_WINDOW_MINUTES = env_int("FENGQIAO_LOCKOUT_WINDOW_MINUTES", 15, minimum=1, maximum=1440)

# Idle sessions end after this many minutes without a request from the person.
# Threads that run requests in `fengqiao serve` (each worker process): this many requests
# are worked on at once, the others wait their turn on the event loop.
REQUEST_THREADS = env_int("FENGQIAO_REQUEST_THREADS", 16, minimum=1, maximum=256)
IDLE_TIMEOUT_MINUTES = env_int("FENGQIAO_IDLE_TIMEOUT_MINUTES", 30, minimum=1, maximum=1440)
# Roles (group code names) whose sessions never time out, e.g. "commander" for the
# command-room wall console.
IDLE_EXEMPT_ROLES = env_list("FENGQIAO_IDLE_EXEMPT_ROLES", ())

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_SECURE = env_bool("FENGQIAO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("FENGQIAO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when serving from finders
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("FENGQIAO_LOG_LEVEL", "INFO").upper()},
    # WeasyPrint tells every step of every PDF at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# The incident-number template and other station defaults are added by later issues.
FENGQIAO_DEMO_PASSWORD = env_str("FENGQIAO_DEMO_PASSWORD", "fengqiao-demo-2026")
