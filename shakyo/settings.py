"""Settings for shakyo: one file, read from the environment.

The embedded default needs nothing: SQLite next to manage.py and Celery running tasks
in-process. DEBUG is off unless the environment asks for it (DEBUG=1: ``make run`` and
``make test`` do); without DEBUG, SECRET_KEY must be set. Production (``make serve``) sets
DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# Off unless asked for: a production that forgets the variable never shows tracebacks.
DEBUG = env_bool("DEBUG", False)
# The development key only works with DEBUG; production must set SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY") or ("django-insecure-shakyo-development-only" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "環境変数 SECRET_KEY を設定してください（開発で使う場合は DEBUG=1 を設定します）。"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "shakyo.admin.OperatorAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "plans",
    "targets",
    "results",
    "books",
    "collab",
    "landing",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "shakyo.middleware.SessionLifetimeMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shakyo.urls"
WSGI_APPLICATION = "shakyo.wsgi.application"

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
                "plans.context_processors.navigation",
            ],
        },
    },
]

# SQLite in WAL mode with immediate transactions and a busy timeout, so that several
# people saving at once wait for each other instead of failing with "database is locked".
SQLITE_PATH = env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_PATH") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "plans.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Password guessing: lock a user name *from one address* after 5 failures for 15 minutes,
# so that one person mistyping never locks out a whole office behind one address.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "plans.lockouts.lockout_response"
# The address half of the pair is the person's, also behind the office's reverse proxies:
# BEHIND_PROXY=1 and PROXY_COUNT = how many proxies (each appending to X-Forwarded-For)
# stand in front of the application (shakyo.proxy.client_address).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
PROXY_COUNT = env_int("PROXY_COUNT", 1)
AXES_CLIENT_IP_CALLABLE = "shakyo.proxy.client_address"

# Sessions end after 30 idle minutes (the cookie is renewed on every request) and after
# 12 hours at most (shakyo.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_LIFETIME = timedelta(hours=12)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "tables/bootstrap5_ja.html"

# The largest section has ~115 rows with several inputs each; Django's default of 1,000
# fields would cut such a save.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shakyo@localhost")

# Reminders: section staff are mailed this many days before a quarter's deadline.
RESULTS_REMINDER_DAYS_BEFORE = env_int("RESULTS_REMINDER_DAYS_BEFORE", 3)
# Absolute links in mails (e.g. https://shakyo.example.jp); relative links without it.
SITE_URL = env_str("SITE_URL")

# Tolerance of the 順調 band when an organisation has not set its own.
DEFAULT_TOLERANCE = Decimal("0.10")

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message not acknowledged (its worker died) is delivered again after this many seconds
# (Redis's own default is an hour). It must exceed the longest job: exports and imports of
# one council take seconds to a minute (docs/performance.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 15 * 60)
}
CELERY_TIMEZONE = TIME_ZONE
# Every task stops within these many seconds (soft: an exception the task handles; hard:
# the pool process is killed). Book jobs have their own, shorter limits below.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 10 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 11 * 60)

# Content-Security-Policy (Django's own): no inline or foreign scripts. Inline style
# attributes stay allowed for progress-bar widths; scripts are files under static/js.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Production (DEBUG=0): HTTPS only, HSTS, secure cookies.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- 帳票 (books/) ---------------------------------------------------------------------
# An uploaded workbook may expand to at most this many bytes (zip-bomb guard), and the
# files of finished book jobs are kept this many days.
BOOKS_MAX_UNCOMPRESSED_BYTES = env_int("BOOKS_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
BOOKS_KEEP_DAYS = env_int("BOOKS_KEEP_DAYS", 7)
# A book job is failed with a message past BOOKS_JOB_SOFT_SECONDS (the largest council's
# book takes under a minute) and its process killed past BOOKS_JOB_HARD_SECONDS. The
# sweeper sends again a job waiting longer than BOOKS_JOB_QUEUE_SECONDS, and one running
# longer than BOOKS_JOB_RUN_SECONDS, which must exceed the hard limit and the broker's
# visibility timeout (no worker is on such a job, and the broker will not redeliver it).
BOOKS_JOB_SOFT_SECONDS = env_int("BOOKS_JOB_SOFT_SECONDS", 5 * 60)
BOOKS_JOB_HARD_SECONDS = env_int("BOOKS_JOB_HARD_SECONDS", 6 * 60)
BOOKS_JOB_QUEUE_SECONDS = env_int("BOOKS_JOB_QUEUE_SECONDS", 15 * 60)
BOOKS_JOB_RUN_SECONDS = env_int("BOOKS_JOB_RUN_SECONDS", 20 * 60)
# Seconds LibreOffice may take to print one book as PDF (books/pdf.py) before it is killed.
BOOKS_PDF_TIMEOUT = env_int("BOOKS_PDF_TIMEOUT", 180)

# --- API (api/) --------------------------------------------------------------------------
# A read API for city and council systems: token only (no sessions, no browsable pages),
# JSON only, a page of 100 rows, and a rate per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasApiToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": env_str("API_RATE", "120/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "shakyo API",
    "DESCRIPTION": (
        "事業計画の行（目標値とその読み取り）と、課長が承認した四半期の実績・状況・理由を"
        "読み出す API です。利用キーは事務局が発行します（Authorization: Bearer <キー>）。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}
