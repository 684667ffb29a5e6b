"""Factmark settings.

Everything that differs between a laptop and a team deployment comes from the
environment: SECRET_KEY, DEBUG, ALLOWED_HOSTS, DATABASE_URL (see README).
Without DATABASE_URL the embedded SQLite database in WAL mode is used.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
DEVELOPMENT_SECRET_KEY = "factmark-development-only-not-secret"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY  # an empty value counts as unset
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment when DEBUG is off.")
if not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's own deploy check (security.W009) only warns; a weak key signs sessions
    # and password-reset links, so the server does not start with one.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: use at least 50 characters with at least 5 different ones, "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",  # Content-Security-Policy header (security section below)
    "axes",  # login brute-force lockout (security section below)
    "ninja",  # the JSON API (annotator.api): its Swagger UI assets, served locally under the CSP
    "articles",
    "annotator",
]

MIDDLEWARE = [
    "config.logging.RequestIdMiddleware",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PageCompression",  # gzip for pages and fragments, not for streamed exports
    "csp.middleware.CSPMiddleware",  # before WhiteNoise, so static files carry the policy too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.SessionLifetimeMiddleware",  # before the login check: an ended session needs a login
    "config.middleware.HtmxLoginRequiredMiddleware",
    "config.middleware.AddressLoginThrottle",  # per address, across usernames; axes counts per username
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # keep last: turns a lockout into the login page with a message
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
            ],
            "builtins": [
                "django_htmx.templatetags.django_htmx",
                "template_partials.templatetags.partials",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets readers and one writer work at once; IMMEDIATE avoids
                # "database is locked" when two annotators write together.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Imports: a single uploaded or imported file may not be larger than this.
FACTMARK_MAX_IMPORT_BYTES = int(os.environ.get("FACTMARK_MAX_IMPORT_BYTES", 20 * 1024 * 1024))
# Assignments started and untouched this long can be released by a manager.
FACTMARK_RELEASE_AFTER_HOURS = int(os.environ.get("FACTMARK_RELEASE_AFTER_HOURS", 48))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The JSON API (/api/v1/): requests per token (per user for a session) in each window of
# FACTMARK_API_RATE_SECONDS, counted in Django's cache (0: no limit), and the largest body.
FACTMARK_API_RATE = int(os.environ.get("FACTMARK_API_RATE", 600))
FACTMARK_API_RATE_SECONDS = int(os.environ.get("FACTMARK_API_RATE_SECONDS", 60))
FACTMARK_API_MAX_BODY_BYTES = int(os.environ.get("FACTMARK_API_MAX_BODY_BYTES", FACTMARK_MAX_IMPORT_BYTES))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------- security
# Production needs DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS
# (README, "Security"); `manage.py check --deploy` then passes without a warning.
# Each rule below is held by a test in tests/test_security.py or tests/test_deploy_check.py.

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
# Idle timeout: a session unused for this long needs a new login.  Saving the session
# on every request moves the expiry forward while someone is working.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", 8 * 60 * 60))
SESSION_SAVE_EVERY_REQUEST = True
# Absolute lifetime: however busy, a session ends this long after its login
# (config.middleware.SessionLifetimeMiddleware).
SESSION_MAX_SECONDS = int(os.environ.get("SESSION_MAX_SECONDS", 7 * 24 * 60 * 60))
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # TLS ends at the proxy in front of gunicorn, which must set X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registered domain for months and is the domain
        # owner's decision: opt in with SECURE_HSTS_PRELOAD=true.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp 4) on every response, static files included.
# No inline script, no eval: label colours come from /p/<slug>/labels.css, data
# for scripts from json_script, and htmx is configured in base.html not to eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Login brute force (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one address, even the right password is refused until the cool-off
# has passed; the login page says so (config.middleware.login_locked_out).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 15)))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.middleware.login_locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# Failures while locked out do not extend the lockout: otherwise anyone could keep any
# account locked for good by trying one wrong password every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind N reverse proxies the client's address is in X-Forwarded-For, N entries from
# the right (config.middleware.client_address); without this every login would seem
# to come from the proxy, and anyone could lock any account for everyone.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_address"
# Password spraying: failed logins from one address, whatever the usernames, before
# every login from it is refused for the cool-off (config.middleware.AddressLoginThrottle).
FACTMARK_LOGIN_ADDRESS_LIMIT = int(os.environ.get("LOGIN_ADDRESS_LIMIT", 30))

# LOG_FORMAT=json: one JSON object per line with the request id (config.logging).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"}
        | ({"formatter": "json"} if os.environ.get("LOG_FORMAT") == "json" else {}),
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
