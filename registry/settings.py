"""Settings of the registry, read from environment variables.

Development works with no variables set (DEBUG on, SQLite file in the project folder).
Production sets at least DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a real secret of 50 characters or more.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "import_export",
    "axes",
    "rest_framework",
    "knox",
    "roles",
    "houses",
    # Before drf_spectacular: its ``spectacular`` command is the registry's own (2-space JSON).
    "registry",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "notifications",
]

# Benchmark mode (make bench only): mounts a baseline view and counts queries per request
# in an X-Query-Count header. Never set in production.
BENCHMARK_BASELINE = envbool("BENCHMARK_BASELINE", False)

# The whole order in one place, outermost first.
MIDDLEWARE = [
    # Benchmark mode only: counts every query of the request, so it wraps everything.
    *(["registry.benchmark.QueryCountMiddleware"] if BENCHMARK_BASELINE else []),
    # Every response under /api/ (also Django's own 404 and 500) gets the API-Version header
    # and an application/problem+json body for errors.
    "registry.api.ApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Right after Django's SecurityMiddleware: CSP and Cache-Control on every response.
    "registry.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "registry.middleware.DutchByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the Dutch lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"

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
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "registry.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Spreadsheet import in the admin: larger files and more rows are refused at once.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 1024 * 1024)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 1000)

LANGUAGE_CODE = "nl"
# One date style for pages and admin (registry/formats/): 31 oktober 2026, 31-10-2026 in tables.
FORMAT_MODULE_PATH = ["registry.formats"]
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# How long (in years) after agreement a phase-out may run at most.
PHASE_OUT_MAX_YEARS = envint("PHASE_OUT_MAX_YEARS", 3)

# Everything to standard error; every write that simple-history records also as one JSON line
# on the "registry.writes" logger (registry/audit.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json_line": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "writes": {"class": "logging.StreamHandler", "formatter": "json_line"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "registry.writes": {"handlers": ["writes"], "level": "INFO", "propagate": False},
    },
}

# --- Read cache -------------------------------------------------------
# The read cache (registry/lib/cache.py) keys every entry on change counters kept in the
# database, so an entry is never served after a write; the timeout only bounds memory.
# CACHE_URL unset: each server process keeps its own copy in memory (bounded in entries and in
# bytes). CACHE_URL=redis://host:port/db: one Redis shared by every worker and app server, so
# one recompute after a write serves them all (give Redis a maxmemory and allkeys-lru).
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
# No single cached body larger than this (bytes): it is computed for every read instead.
REGISTRY_CACHE_MAX_ITEM_BYTES = envint("CACHE_MAX_ITEM_BYTES", 16 * 1024 * 1024)
if not CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "registry.lib.cache_backends.BoundedLocMemCache",
            "LOCATION": "registry",
            "OPTIONS": {
                "MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 20000),
                "MAX_BYTES": envint("CACHE_MAX_BYTES", 256 * 1024 * 1024),
                "MAX_ITEM_BYTES": REGISTRY_CACHE_MAX_ITEM_BYTES,
            },
        }
    }
elif CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "registry"),
        }
    }
else:
    raise ImproperlyConfigured("CACHE_URL: leave it unset, or give a redis:// address.")
REGISTRY_CACHE_TIMEOUT = envint("REGISTRY_CACHE_TIMEOUT", 600)
# Retry-After (seconds) of a 503 after a passing database error (deadlock, restart).
RETRY_AFTER_SECONDS = envint("RETRY_AFTER_SECONDS", 5)

# Background work (webhook deliveries): django-tasks with its database backend, run by
# ``manage.py run_worker``. Jobs live in the registry's own database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# E-mail (digests): SMTP from the environment; printed to the console in development.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "register@politie.example")
# Absolute links in webhook bodies (the worker has no request to take the host from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WEBHOOK_TIMEOUT = envint("WEBHOOK_TIMEOUT", 10)  # seconds per attempt
WEBHOOK_LEASE_MARGIN = envint("WEBHOOK_LEASE_MARGIN", 30)  # seconds beyond the timeout
WEBHOOK_RETRY_HOURS = envint("WEBHOOK_RETRY_HOURS", 48)  # keep retrying this long
# Receivers at http:// or in a private network: only for development and tests.
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", DEBUG)
WEBHOOK_ALLOW_PRIVATE = envbool("WEBHOOK_ALLOW_PRIVATE", False)

# --- Security and operations -----------------------------------------------------------------
# Login throttling (django-axes), Content-Security-Policy, no-store on the API, the write log.

# The lockout check first: it refuses locked-out logins before a password is checked. It has
# no get_user(), so the test client's force_login() picks ModelBackend.
AUTHENTICATION_BACKENDS = [
    "registry.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
# Lock the combination of account and address: a typo-prone colleague elsewhere is not locked out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "registry.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "registry.security.client_ip"
TRUST_X_FORWARDED_FOR = envbool("BEHIND_TLS_PROXY", False)

# Load balancers probe the app servers directly over plain HTTP: no redirect for the probe.
SECURE_REDIRECT_EXEMPT = [r"^gezondheid$"]
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

CSP_DIRECTIVES = {
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
# drf-spectacular's Swagger UI page has an inline <style> block; only the docs allow that.
CSP_RELAXED_PREFIXES = ["/api/v1/docs"]
CSP_RELAXED_DIRECTIVES = {"style-src": ["'unsafe-inline'"]}
NO_STORE_PREFIXES = ["/api/"]

# ---------------------------------------------------------------------------------------------
# REST API (/api/v1/): Django REST framework, tokens (knox), OpenAPI (drf-spectacular).
# ---------------------------------------------------------------------------------------------
API_VERSION = "1.0.0"  # SemVer; sent as the API-Version header and in the OpenAPI document.

KNOX_TOKEN_MODEL = "registry.ApiToken"
# knox's own migrations create its default token table even when the model is swapped out;
# that unused table refers to users and makes PostgreSQL refuse to empty the user table
# (TRUNCATE, as tests and flush do). Tokens live in registry.ApiToken only.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=envint("API_TOKEN_DAYS", 365)),
    "AUTH_HEADER_PREFIX": "Token",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The browsable API (HTML) is for development: off unless DEBUG or API_BROWSABLE is on.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(
            ["rest_framework.renderers.BrowsableAPIRenderer"]
            if envbool("API_BROWSABLE", DEBUG)
            else []
        ),
    ],
    # Rate limits: per token or user when signed in, per address for anonymous requests.
    # Values like "600/minute"; answered with 429 problem+json and Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_THROTTLE_USER", "3000/minute"),
        "anon": os.environ.get("API_THROTTLE_ANON", "120/minute"),
    },
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "registry.api.problem_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Register politie in Veiligheidshuizen",
    "DESCRIPTION": (
        "Wat de politie levert in elk (Zorg- en) Veiligheidshuis: de landelijke standaard, "
        "toewijzingen van politiefuncties, lokale afwijkingen en het takenpakket per huis. "
        "Authenticatie met een token: `Authorization: Token <token>`.\n\n"
        "Wijzigingen in deze versie: `…/historie` is gepagineerd zoals elke lijst; een onbekende, "
        "lege of ongeldige queryparameter geeft 400 (voorheen genegeerd); If-Match vergelijkt "
        "sterk (`*` wordt aanvaard); 413 voor een te groot verzoek, 429 bij te veel verzoeken "
        "en 503 bij een tijdelijke databasefout, elk met Retry-After waar dat past."
    ),
    "VERSION": API_VERSION,
    "CONTACT": {
        "name": os.environ.get("API_CONTACT_NAME", "Landelijk beheer register Veiligheidshuizen"),
        "email": os.environ.get("API_CONTACT_EMAIL", "registerbeheer@politie.example"),
        "url": os.environ.get("API_CONTACT_URL", "https://www.politie.nl/"),
    },
    "SERVERS": [
        {
            "url": os.environ.get("API_SERVER_URL", "/api/v1"),
            "description": "Register politie in Veiligheidshuizen",
        }
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": True,
    "ENUM_NAME_OVERRIDES": {
        "StandaardStatusEnum": "roles.models.StandardVersion.Status",
        "TaakSoortEnum": "roles.models.Task.Kind",
        "AanwezigheidEnum": "roles.models.Presence",
        "BetrokkenheidPolitieEnum": "roles.models.CaseMeetingType.Involvement",
        "EenheidSoortEnum": "houses.models.PoliceUnit.Kind",
        "ToewijzingStatusEnum": "houses.models.Assignment.Status",
        "AfwijkingSoortEnum": "houses.models.Variation.Kind",
        "AfwijkingStatusEnum": "houses.models.Variation.Status",
        "TakenpakketStatusEnum": "houses.serializers.PACKAGE_STATUS_CHOICES",
        "HistorySoortEnum": "notifications.models.Event.Kind",
        "GebeurtenisBronEnum": "notifications.models.Event.Resource",
        "KantEnum": "houses.consent.Side",
        "WijzigingSoortEnum": "houses.consent.Change",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registry.api.document_responses",
    ],
}
