"""One settings module, read from the environment (see .env.example).

It fails closed: DEBUG is off unless asked for, and with DEBUG off a missing or
placeholder SECRET_KEY stops the start instead of running with a guessable key.
"""

import datetime
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the placeholder a real start refuses


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("LOA_DEBUG", False)
VAR_DIR = Path(env("LOA_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env("SECRET_KEY") or PLACEHOLDER_SECRET
if SECRET_KEY == PLACEHOLDER_SECRET and not DEBUG:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (see .env.example); "
        "`loa run` sets a development key for you."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "loa.core.views.csrf_failure"
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Loa's apps first: their templates (sign-in, password reset) win over the admin's.
    "loa.core",
    "loa.org",
    "loa.library",
    "loa.plans",
    "loa.outreach",
    "loa.events",
    "loa.budget",
    "loa.voices",
    "loa.reports",
    "loa.dashboard",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "loa.core.telemetry.RequestTelemetryMiddleware",  # first: times and names the whole request
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "loa.core.middleware.VietnameseFirstMiddleware",  # before the locale: ignores the browser's
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "loa.core.middleware.IdleSessionMiddleware",  # an idle session ends before anything else
    "django_otp.middleware.OTPMiddleware",
    "loa.core.middleware.TwoFactorMiddleware",  # after OTPMiddleware: reads user.is_verified()
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
]

ROOT_URLCONF = "loa.urls"
WSGI_APPLICATION = "loa.wsgi.application"

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
                "django.template.context_processors.i18n",
                "loa.menu.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'loa.sqlite3'}"),
        # Persistent connections: opening one per request costs more than the request itself.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # In a file, not in memory, so the tests' real worker processes open the same database.
    # One file per test run, so two runs in one checkout don't share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"loa-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# Background work: a database-backed queue by default; Redis and RQ workers at scale
# (TASKS_BACKEND=django_tasks_rq.RQBackend, REDIS_URL, and `loa rqworker --with-scheduler
# --job-class django_tasks_rq.Job default`).
TASKS_BACKEND = env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS: dict[str, dict] = {"default": {"BACKEND": TASKS_BACKEND}}
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {
        "default": {"URL": env("REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}
    }

# With Redis, one cache is shared by every process: rate limits count across all gunicorn
# workers, and sessions are read from it instead of the database on every request (cached_db
# still writes them to the database, so an emptied Redis signs nobody out).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "loa",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes' backend first: it refuses a locked-out user name before any password is checked (it is
# also a ModelBackend, so sessions naming it load their user); the ModelBackend signs people in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "loa" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Dates are dd/mm/yyyy in both languages; Vietnamese users expect it from English pages too.
FORMAT_MODULE_PATH = ["loa.formats"]
LANGUAGE_COOKIE_NAME = "loa_language"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files on the local disk (MEDIA_ROOT), or, with LOA_MEDIA_STORAGE=s3, in a bucket of
# any S3-compatible store (MinIO, Viettel/VNPT/FPT object storage, AWS): the web processes and
# workers of several machines then share them. Downloads go through Loa's views either way,
# which check who may see the file.


def media_storage(environ: Mapping[str, str]) -> dict:
    """STORAGES["default"] as LOA_MEDIA_STORAGE and LOA_S3_* in `environ` ask for it. The tests
    build it from their own mapping, to point Loa at an S3 server on loopback as an operator
    points it at a store."""
    kind = environ.get("LOA_MEDIA_STORAGE", "local")
    if kind not in ("local", "s3"):
        raise ImproperlyConfigured(f"LOA_MEDIA_STORAGE must be local or s3, not {kind!r}")
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    addressing = environ.get("LOA_S3_ADDRESSING_STYLE") or None
    if addressing not in (None, "path", "virtual"):
        raise ImproperlyConfigured(
            f"LOA_S3_ADDRESSING_STYLE must be path or virtual, not {addressing!r}"
        )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ.get("LOA_S3_BUCKET") or "loa-media",
            "endpoint_url": environ.get("LOA_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("LOA_S3_REGION") or None,
            "access_key": environ.get("LOA_S3_ACCESS_KEY") or None,
            "secret_key": environ.get("LOA_S3_SECRET_KEY") or None,
            "location": environ.get("LOA_S3_PREFIX", "media"),
            # None lets boto3 choose; path: the bucket in the URL's path (MinIO's default);
            # virtual: the bucket in the host name.
            "addressing_style": addressing,
            "default_acl": None,  # the bucket stays private; nothing is public by URL
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


LOA_MEDIA_STORAGE = env("LOA_MEDIA_STORAGE", "local")
MEDIA_STORAGE = media_storage(os.environ)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: imports are small spreadsheets; anything larger is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
LOA_IMPORT_MAX_BYTES = env_int("LOA_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
LOA_IMPORT_MAX_ROWS = env_int("LOA_IMPORT_MAX_ROWS", 10_000)
LOA_ATTACHMENT_MAX_BYTES = env_int("LOA_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
LOA_PLAN_IMPORT_MAX_BYTES = env_int("LOA_PLAN_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# Webhooks may go to addresses on private networks only where the installation allows it.
LOA_WEBHOOK_ALLOW_PRIVATE = env_bool("LOA_WEBHOOK_ALLOW_PRIVATE", False)
# The Zalo Official Account API (tests point these at a local server speaking its protocol).
LOA_ZALO_API_URL = env("LOA_ZALO_API_URL", "https://openapi.zalo.me")
LOA_ZALO_OAUTH_URL = env("LOA_ZALO_OAUTH_URL", "https://oauth.zaloapp.com")
# Activities: photos up to this size; a unit with no activity for this many days is reported
# to its head and the coordinator (each agency may set its own number).
LOA_PHOTO_MAX_BYTES = env_int("LOA_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
LOA_CADENCE_DAYS = env_int("LOA_CADENCE_DAYS", 30)
# How many days before a report's deadline its coordinators are reminded (`loa report deadlines`).
LOA_REPORT_REMIND_DAYS = env_int("LOA_REPORT_REMIND_DAYS", 5)
# A message whose channel failed is tried again after 2, 4, 8 … times this many seconds.
LOA_RETRY_BASE_SECONDS = env_int("LOA_RETRY_BASE_SECONDS", 60)
# Automatic reminders go to people who have not acknowledged this many days after sending.
LOA_REMIND_AFTER_DAYS = env_int("LOA_REMIND_AFTER_DAYS", 3)
# The plan editor sends about ten fields a task, for up to 200 tasks.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# No upload of any kind goes beyond this (the largest of the limits above).
LOA_MAX_UPLOAD_BYTES = max(
    LOA_IMPORT_MAX_BYTES, LOA_ATTACHMENT_MAX_BYTES, LOA_PLAN_IMPORT_MAX_BYTES
)
FILE_UPLOAD_HANDLERS = [
    "loa.core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Mail: the console in development; SMTP from the environment in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if not env("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Loa <loa@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. HTTPS settings follow LOA_HTTPS, on by default outside DEBUG.
HTTPS = env_bool("LOA_HTTPS", not DEBUG)
LANGUAGE_COOKIE_SECURE = HTTPS  # the demo on the office network is plain http
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# The reverse proxies whose X-Real-IP names the client (rate limits, lockout): nginx on the same
# machine is 127.0.0.1 (docs/operations.md). Empty: every address is the client's own.
LOA_TRUSTED_PROXIES = env_list("LOA_TRUSTED_PROXIES")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# A sign-in lasts at most SESSION_COOKIE_AGE (set once at sign-in, never extended) and ends
# sooner after LOA_SESSION_IDLE_MINUTES without a request (core.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
LOA_SESSION_IDLE_MINUTES = env_int("LOA_SESSION_IDLE_MINUTES", 30)
X_FRAME_OPTIONS = "DENY"

# Lockout (django-axes): AXES_FAILURE_LIMIT wrong passwords for one user name from one address
# lock that pair for AXES_COOLOFF_MINUTES; signing in successfully clears the count. Attempts are
# kept in the database, so every process sees them; the address is the one the rate limit uses.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout ends when announced: attempts made meanwhile do not start the wait again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "loa.core.sign_in_views.locked_out"  # the sign-in page, saying why
AXES_CLIENT_IP_CALLABLE = "loa.core.ratelimit.client_address"

# Two-factor sign-in (django-otp): the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env("LOA_OTP_ISSUER", "Loa")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# No inline scripts, no CDN: every script, style and font is served by Loa itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Logs go to standard output (journald keeps them), one JSON object a line with the request
# id (LOG_FORMAT=json, the default without DEBUG), or as plain text.
LOG_FORMAT = env("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "loa.core.telemetry.RequestIdFilter"},
        "task_arguments": {"()": "loa.core.telemetry.TaskArgumentsFilter"},
    },
    "formatters": {
        "json": {"()": "loa.core.telemetry.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own messages once, through this handler, not again through the root.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # RQ names each job by its call with its arguments: the filter keeps only the name.
        "rq.worker": {"filters": ["task_arguments"]},
        # One line a request; LOA_ACCESS_LOG=false leaves it to nginx.
        "loa.access": {"level": "INFO" if env_bool("LOA_ACCESS_LOG", True) else "WARNING"},
    },
}

# Operators' pages: /readyz fails when the oldest waiting task has waited longer than this (no
# worker is taking them); /metrics answers only a scraper with this bearer token.
LOA_READY_MAX_WAIT_SECONDS = env_int("LOA_READY_MAX_WAIT_SECONDS", 300)
LOA_METRICS_TOKEN = env("LOA_METRICS_TOKEN")
LOA_METRICS_CACHE_SECONDS = env_int("LOA_METRICS_CACHE_SECONDS", 30)
