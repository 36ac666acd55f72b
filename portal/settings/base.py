"""
Production-safe settings. Every value comes from the environment; the defaults are the embedded
set-up of the README's configuration (SQLite, eager Celery, local-memory cache, console email)
except where a default would be unsafe in production, which `production.py` then insists on.
"""

from pathlib import Path

import dj_database_url

from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Application definition

INSTALLED_APPS = [
    "portal",
    "network",
    "library",
    "meetings",
    "notifications",
    "search",
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.MalformedRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.page_cache.AnonymousPageCacheMiddleware",
    "portal.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.timezones.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SecondFactorMiddleware",
    "portal.richtext.RichTextViewerMiddleware",
    "portal.middleware.SessionLifetimeMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# Database: the embedded SQLite file unless DATABASE_URL names another.

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every worker, which the rate limits need),
# local memory otherwise. Redis down means uncached pages, never an error (portal/cache.py).

REDIS_URL = env_str("REDIS_URL")
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.5,
                "RETRY_SECONDS": 1,
                # While Redis is down, the sign-in rate limits and the used second-factor codes
                # are counted in each web process's memory rather than not at all (README).
                "LOCAL_FALLBACK_PREFIXES": ("allauth:rl:", "allauth.mfa.totp.used"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous responses of public pages are cached in the shared cache (see portal/page_cache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
PAGE_CACHE_EXCLUDED_PREFIXES = (
    "/admin/",
    "/accounts/",
    "/api/",
    "/documents/",
    "/healthz",
    "/notifications/",
)

# Authentication

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = env_str("ACCOUNT_EMAIL_SUBJECT_PREFIX", "[Portal] ")
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_email": "1/m/user",
    "confirm_email": "1/3m/key",
}
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
MFA_REQUIRED_FOR_SECRETARIAT = env_bool("MFA_REQUIRED_FOR_SECRETARIAT", True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# One period either side absorbs phone clock drift; a used code is still refused.
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Network portal")

# Sessions: an idle timeout whose expiry activity renews, written only when the session changes
# or, at most, every SESSION_RENEW_SECONDS (portal.middleware.SessionMiddleware); cookies never
# readable by scripts.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 60 * 5)
# In the database only (one primary-key read per signed-in request), never through the cache: a
# sign-out made while Redis is unreachable would leave the old session there, and any process
# reading it before the cache is emptied would sign the person back in.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_ABSOLUTE_AGE = env_int("SESSION_ABSOLUTE_AGE", 60 * 60 * 24)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Internationalisation

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
# The language a visitor chooses is remembered for a year, not only for the browser session.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Static files and media

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "static")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Files served only through views that ask the access policy (directory photos); never public.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Email: console unless an SMTP host is configured.

EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Celery: eager (inline) when no broker is configured, Redis otherwise.

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A crashed worker's tasks: late acknowledgement leaves each unacknowledged in Redis, which hands it
# to another worker once the visibility timeout has passed (5 minutes) and a worker looks (every
# tenth of it). Every task ends before that (time limits below it: 4 minutes, text extraction its
# own 3.5), else Redis would hand a running task to a second worker; see the README.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 210)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 240)
_visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 5 // 4)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    "unacked_restore_interval": max(1, _visibility_timeout // 10),
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "search.tasks.*": {"queue": "indexing"},
    "library.tasks.extract_*": {"queue": "extraction"},
    "notifications.tasks.*": {"queue": "notifications"},
}
# Searches without results (search.gaps): rows are deleted after this many days, and each
# searcher's tier adds at most this many new queries a day, so a script cannot flood the list.
ZERO_RESULT_RETENTION_DAYS = env_int("ZERO_RESULT_RETENTION_DAYS", 180)
ZERO_RESULT_NEW_QUERIES_PER_DAY = env_int("ZERO_RESULT_NEW_QUERIES_PER_DAY", 200)

CELERY_BEAT_SCHEDULE = {
    # Work recorded with a change and not done within its grace period (a lost or refused
    # message, a failed task) is dispatched again from the database (portal.outbox).
    "outbox-sweep": {"task": "portal.tasks.sweep_outbox", "schedule": 60},
    "clear-expired-sessions": {
        "task": "portal.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 24,
    },
    # Search: writes the cluster missed while down are replayed (one query when there are none);
    # `search_index update` repairs any other drift between the sources and the index.
    "search-replay-pending-writes": {"task": "search.tasks.replay_pending_writes", "schedule": 60},
    "search-index-update": {
        "task": "search.tasks.update_index",
        "schedule": env_int("SEARCH_INDEX_UPDATE_SECONDS", 60 * 60),
    },
    # Searches without results are kept ZERO_RESULT_RETENTION_DAYS days (search.gaps.purge).
    "search-purge-zero-results": {
        "task": "search.tasks.purge_zero_results",
        "schedule": 60 * 60 * 24,
    },
    # Notification tasks claim each message once per recipient and event (notifications.Delivery),
    # so they run often and a repeated firing sends nothing twice; the weekly digest goes out in
    # the first hour of each ISO week.
    "notifications-send-pending": {"task": "notifications.tasks.send_pending", "schedule": 600},
    "notifications-weekly-digests": {
        "task": "notifications.tasks.send_weekly_digests",
        "schedule": 60 * 60,
    },
    "notifications-saved-search-alerts": {
        "task": "notifications.tasks.send_saved_search_alerts",
        "schedule": 60 * 60,
    },
    "notifications-meeting-reminders": {
        "task": "notifications.tasks.send_meeting_reminders",
        "schedule": 60 * 60,
    },
    "notifications-action-point-reminders": {
        "task": "notifications.tasks.send_action_point_reminders",
        "schedule": 60 * 60,
    },
    "notifications-directory-confirmations": {
        "task": "notifications.tasks.send_directory_confirmations",
        "schedule": 60 * 60 * 24,
    },
}

# Wagtail's own background work (django-tasks) runs on the same Celery workers.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if CELERY_TASK_ALWAYS_EAGER
            else "portal.tasks_backend.CeleryTaskBackend"
        )
    }
}

# Wagtail

WAGTAIL_SITE_NAME = env_str("WAGTAIL_SITE_NAME", "Network portal")
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "portal.PortalImage"
WAGTAILDOCS_DOCUMENT_MODEL = "library.LibraryDocument"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Web pages, SVG and scripts are refused by content too (portal/uploads.py).
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt", "xlsx", "pptx", "csv"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "portal.uploads.SafeDocumentForm"
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("DOCUMENT_MAX_UPLOAD_SIZE", 25 * 1024 * 1024)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("IMAGE_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# No request body may be larger than the largest upload plus the form fields sent with it
# (portal.middleware.MalformedRequestMiddleware answers 413 before reading more).
REQUEST_BODY_MAX_SIZE = env_int(
    "REQUEST_BODY_MAX_SIZE",
    max(WAGTAILDOCS_MAX_UPLOAD_SIZE, WAGTAILIMAGES_MAX_UPLOAD_SIZE) + 1024 * 1024,
)
# Wagtail's database backend, ranked in one pass on SQLite (portal/wagtail_search/).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "portal.wagtail_search"}}
# The admin's own login and password reset go through allauth (rate limits, MFA): one door only.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_I18N_ENABLED = False
WAGTAIL_MODERATION_ENABLED = True
# No avatars from gravatar.com: it would learn who opens the admin, and the policy blocks it anyway.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Search (the portal's own service; see search/)

ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
SEARCH_INDEX_PREFIX = env_str("SEARCH_INDEX_PREFIX", "portal")

# Security defaults that hold everywhere; production.py adds HTTPS-only ones.

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind one trusted reverse proxy, its X-Forwarded-For entry is the client address (see README).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per background task is noise at INFO; failures still log as errors.
        "django_tasks": {"level": "WARNING"},
    },
}

PORTAL_NETWORK_NAME_DEFAULT = env_str("PORTAL_NETWORK_NAME", "Network portal")
