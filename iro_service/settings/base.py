"""Settings shared by every environment.

Everything that differs between a laptop, the test run and production is read from the
environment (django-environ); the defaults here are the safe, local ones.
"""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.contrib.messages import constants as message_constants

# Generic classes (ModelForm[Child], ModelAdmin[Review]) subscriptable at run time, as written for mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "children",
    "reviews",
    "audits",
    "caseload",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "accounts.middleware.AuditRefusalsMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iro_service.urls"

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
                "accounts.context_processors.authority",
                "accounts.context_processors.unread_notifications",
                "accounts.context_processors.two_factor",
            ],
        },
    },
]

WSGI_APPLICATION = "iro_service.wsgi.application"
ASGI_APPLICATION = "iro_service.asgi.application"

# The embedded SQLite database lets `make run` work with no services at all.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every request may write (the access log, the session): take SQLite's write lock when the
    # transaction starts, and wait for it, instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in lockout (django-axes): five failures lock the username (from any address, and the
# username at that address) for 30 minutes, known or not, with the same answer either way.
# Locking a whole IP address is a setting, off by default: a council's staff often share one.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
if env.bool("IRO_LOCKOUT_BY_IP", default=False):
    AXES_LOCKOUT_PARAMETERS.append("ip_address")
AXES_RESET_ON_SUCCESS = True
# The cool-off is 30 minutes from the lockout: trying again meanwhile does not restart it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address, for the lockout as for the access log: X-Forwarded-For counts only
# when the request comes from one of these proxies (addresses or CIDR ranges, comma-separated;
# none by default, so a client cannot pick its own address).
IRO_TRUSTED_PROXIES = env.list("IRO_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "accounts.audit.client_ip"

# Sessions end after 30 minutes idle (the cookie's age, renewed by every request) and 12 hours
# after sign-in whatever the activity (accounts.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
# A form refused by the CSRF check gets a page in the site's layout saying what to do.
CSRF_FAILURE_VIEW = "iro_service.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Permissions-Policy (accounts.middleware.PermissionsPolicyMiddleware): the service uses none of
# these browser features, so no page (nor anything framed in one) may ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

# Two-factor sign-in (TOTP, django-otp) for managers: required when this is on (production).
IRO_REQUIRE_MANAGER_2FA = env.bool("IRO_REQUIRE_MANAGER_2FA", default=False)
OTP_TOTP_ISSUER = "IRO service"

# Content-Security-Policy (django-csp): no inline script, nothing from other origins.
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Dates read like "Thu 15 May 2014" everywhere: our own en_GB formats win over Django's.
FORMAT_MODULE_PATH = ["iro_service.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by whitenoise straight from the app's folders here; production collects them.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# messages.error(...) is drawn as Bootstrap's "danger" alert (base.html), not an unstyled "error".
MESSAGE_TAGS = {message_constants.ERROR: "danger"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: the broker is Redis; `make run` runs tasks eagerly (see local.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Beat's schedules live in the database (django-celery-beat), editable in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# If the broker is down, give up publishing after about a second: the notification stays
# unsent in the database and the next sweep asks for it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With late acknowledgement, a task running when the broker connection drops is redelivered;
# stop it rather than finish it twice (delivery is idempotent either way).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Logging is Django's (LOGGING below); the worker must not replace the root logger's handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The authority running this instance: shown on pages and documents.
IRO_AUTHORITY_NAME = env("IRO_AUTHORITY_NAME", default="Demo Borough Council")
# The IRO service's telephone number, printed in the letter to a child whose IRO has given no
# work number (accounts.IROProfile.work_phone). Blank: the letter says to ask the social worker.
IRO_SERVICE_PHONE = env("IRO_SERVICE_PHONE", default="")
# A monitoring form is due within this many working days of the review.
IRO_MONITORING_FORM_WORKING_DAYS = env.int("IRO_MONITORING_FORM_WORKING_DAYS", default=5)
# Children per FTE in the annual report (caseload.definitions.caseload_basis): "fte" divides by the
# FTE of the IROs in post on the last day, "funded_posts" by IRO_FUNDED_POSTS (the seed: 305 / 4 = 76).
IRO_CASELOAD_BASIS = env("IRO_CASELOAD_BASIS", default="fte")
IRO_FUNDED_POSTS = env("IRO_FUNDED_POSTS", default="")
# The authority's ONS local-authority code: placements elsewhere are "outside the authority".
IRO_AUTHORITY_LA_CODE = env("IRO_AUTHORITY_LA_CODE", default="E06000042")
# A static file (path under static/) drawn at the top of every document.
IRO_AUTHORITY_LOGO = env("IRO_AUTHORITY_LOGO", default="img/authority-logo.svg")
# Review documents (PDFs) are kept here, outside anything served as a URL; downloads go
# through a view that checks permission.
IRO_PRIVATE_DOCUMENTS_ROOT = env("IRO_PRIVATE_DOCUMENTS_ROOT", default=str(BASE_DIR / "var" / "documents"))
# The largest SSDA903 file the import (command and upload page) reads, in bytes: the whole
# history of 96,000 children is 29 MB in its largest file (README "SSDA903 import and export").
IRO_SSDA903_MAX_BYTES = env.int("IRO_SSDA903_MAX_BYTES", default=100_000_000)
# The return check runs the Data to Insight validator with this Python (its own environment: the
# validator pins pandas below 2; `make test` builds .venv-903), for at most this many seconds.
IRO_SSDA903_VALIDATOR_PYTHON = env(
    "IRO_SSDA903_VALIDATOR_PYTHON", default=str(BASE_DIR / ".venv-903" / "bin" / "python")
)
IRO_SSDA903_VALIDATOR_TIMEOUT = env.int("IRO_SSDA903_VALIDATOR_TIMEOUT", default=1800)
# Where `make backup` writes its archives (manage.py backup; see README "Backup and restore").
IRO_BACKUP_DIR = env("IRO_BACKUP_DIR", default=str(BASE_DIR / "var" / "backups"))
# The PostgreSQL role the web app and the worker connect as; `manage.py db_grant` (run by the
# owner after every migrate) gives it its privileges (iro_service/dbroles.py). Empty: none.
IRO_DB_RUNTIME_ROLE = env("IRO_DB_RUNTIME_ROLE", default="")
# Links in emails point here.
IRO_SITE_URL = env("IRO_SITE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

# The shared cache: the API's request budgets per client are counted here, so every web process
# must see the same one (Redis in production and tests; this process's memory for `make run`).
IRO_CACHE_URL = env("IRO_CACHE_URL", default="")
if IRO_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": IRO_CACHE_URL}}

# The API for the council's case system (api/, README "API"): clients, not people; each call
# needs the scope its endpoint names; a budget of requests per client.
IRO_API_RATE = env("IRO_API_RATE", default="600/min")
IRO_API_IDEMPOTENCY_HOURS = env.int("IRO_API_IDEMPOTENCY_HOURS", default=24)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": IRO_API_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IRO service API",
    "DESCRIPTION": (
        "For the council's case system: care events in, reviews and outcomes out. "
        "Authenticate with `Authorization: Bearer <key_id>.<secret>`. See the README's API section."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from the application's own static files, no CDN (CSP allows 'self' only).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and docs pages are for anyone holding a credential, whatever its scopes.
    "SERVE_PERMISSIONS": ["api.permissions.AnyClient"],
    "SERVE_AUTHENTICATION": [
        "api.authentication.ClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "APPEND_COMPONENTS": {
        "securitySchemes": {"client": {"type": "http", "scheme": "bearer", "bearerFormat": "<key_id>.<secret>"}}
    },
    "SECURITY": [{"client": []}],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.openapi_auth.common_error_responses",
    ],
}
