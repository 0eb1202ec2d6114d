"""Settings for mailvet, read from environment variables only.

The defaults are the embedded set-up: SQLite, the in-process cache, and Celery over kombu's
filesystem transport while `REDIS_URL` is unset. Every variable is listed in the README's settings
table.
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# The well-known value that makes a development checkout work out of the box. Production (DEBUG off)
# refuses to start with it, because sessions and password-reset tokens would be forgeable.
INSECURE_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105


def env(name: str, default: str = "") -> str:
    """Return an environment variable; `NAME_FILE` (a path) wins, for secrets mounted as files."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "")
    if value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = env(name, "")
    if value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development default. Set SECRET_KEY (or SECRET_KEY_FILE), "
        "or set DEBUG=true for local development."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env("SITE_NAME", "mailvet")

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin to patch its forms.
    "modeltranslation",
    "portal.admin_apps.MailvetAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "django_countries",
    "axes",
    "portal",
    "providers",
    "criteria",
    "audits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CSP, Referrer-, Permissions-Policy on every response, static files and cached pages included.
    "portal.security_headers.SecurityHeadersMiddleware",
    # Static files from our own origin, before anything that could touch a session or a cookie.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API responses compressed (WhiteNoise serves static files precompressed itself,
    # and answers before this). Django's gzip pads each response with random bytes against
    # BREACH, which matters for the admin's pages that carry a CSRF token.
    "django.middleware.gzip.GZipMiddleware",
    # Brotli where nothing varies per user (public pages, the API); it answers before gzip does.
    "portal.compression.BrotliMiddleware",
    # CORS before anything that can answer on its own (CommonMiddleware's redirects).
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL (or anything dj-database-url knows) via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default has two writers (the web server and the worker). SQLite's deferred
    # transactions fail at once with "database is locked" when a reader turns writer while the
    # other process writes; IMMEDIATE ones take the write lock up front and wait up to `timeout`
    # seconds for it, and WAL lets pages be read while a run is being stored.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery: Redis when REDIS_URL is set, otherwise local folders.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down or silent means cache misses, never errors (portal/cache_backends.py).
            "BACKEND": "portal.cache_backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mailvet",
            "OPTIONS": {
                "socket_connect_timeout": env_float("CACHE_SOCKET_TIMEOUT", 0.5),
                "socket_timeout": env_float("CACHE_SOCKET_TIMEOUT", 0.5),
            },
        }
    }
else:
    # A folder, not process memory: the embedded default runs a worker beside the web server,
    # and a finished audit must invalidate the pages the web process serves.
    CACHES = {
        "default": {
            "BACKEND": "portal.file_cache.FileCache",
            "LOCATION": env("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            # Django's default of 300 entries is less than one language's pages and API
            # representations of a catalogue; past it, entries (versions too) are dropped at random.
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 50_000)},
        }
    }

# The broker: CELERY_BROKER_URL, else Redis, else kombu's filesystem transport under var/celery
# (embedded default: a real worker, started by `make run` beside the web server, needs no server).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_FILESYSTEM_DIR = Path(env("CELERY_FILESYSTEM_DIR", str(BASE_DIR / "var" / "celery")))
FILESYSTEM_TRANSPORT_OPTIONS = {
    "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
    "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
    "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
    "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
    "store_processed": False,
}
REDIS_TRANSPORT_OPTIONS = {
    # An unacknowledged task is handed to another worker after this long: longer than any
    # audit run may take, so a slow run is never executed twice.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3 * 3600),
    # A dead or silent Redis fails fast instead of holding a web request: short socket
    # timeouts, and one connection attempt when sending (the run row is kept and re-sent).
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    FILESYSTEM_TRANSPORT_OPTIONS
    if CELERY_BROKER_URL.startswith("filesystem:")
    else REDIS_TRANSPORT_OPTIONS
)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Task state lives in the database (audits.AuditRun), not in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Tests and one-off scripts may run tasks in-process (CELERY_TASK_ALWAYS_EAGER=true).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# JSON only: pickle would let anyone who can write to the broker run code in the workers.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Defaults for tasks that do not set their own; an audit run's limits come from its checks'
# bounds (audits/dispatch.py).
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Continuous verification (audits app): when services are audited and how long runs are kept.
AUDIT_INTERVAL_SECONDS = env_int("AUDIT_INTERVAL", 24 * 3600)
AUDIT_TICK_SECONDS = env_int("AUDIT_TICK", 300)
AUDIT_STUCK_AFTER_SECONDS = env_int("AUDIT_STUCK_AFTER", 3600)
AUDIT_RUN_OVERHEAD_SECONDS = env_int("AUDIT_RUN_OVERHEAD", 60)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 400)
# The schedule lives here, in code and environment, rather than in the database: it has three
# fixed jobs whose only knobs are intervals, so versioned settings are simpler to review and
# deploy than an admin-editable table (django-celery-beat) that needs a migration per change.
CELERY_BEAT_SCHEDULE = {
    "enqueue-due-audits": {
        "task": "audits.tasks.enqueue_due_audits",
        "schedule": float(AUDIT_TICK_SECONDS),
    },
    "sweep-stuck-audits": {
        "task": "audits.tasks.sweep_stuck_audits",
        "schedule": float(AUDIT_TICK_SECONDS),
    },
    "prune-audits": {"task": "audits.tasks.prune_audits", "schedule": 24 * 3600.0},
}

# --- /.well-known/security.txt (RFC 9116): who to tell about a vulnerability, until when.
SECURITY_CONTACTS = env_list(
    "SECURITY_CONTACT", f"mailto:{env('DEFAULT_FROM_EMAIL', 'mailvet@localhost')}"
)
SECURITY_TXT_EXPIRES = env("SECURITY_TXT_EXPIRES")

# --- Mail (regression alerts to editors): the console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "mailvet@localhost")

# --- Authentication: editors sign in with a password and a second factor (django-otp).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# ADMIN_REQUIRE_OTP=false only for a local demo; production always asks for the second factor.
ADMIN_REQUIRE_OTP = env_bool("ADMIN_REQUIRE_OTP", True)
OTP_TOTP_ISSUER = SITE_NAME
# Failed sign-ins are counted by django-axes (per account and per client address), so the
# devices' own throttles are off: with them, whoever knows a password could lock its owner's
# authenticator out by typing wrong codes.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Security keys (WebAuthn / FIDO2, django-otp-webauthn) as a second factor; the admin site mounts
# the ceremonies (portal/security_keys.py). Keys are bound to the relying party ID, a domain:
# changing it later orphans every registered key. Unset, it is the host the request came to,
# and the accepted origin is the request's own (ALLOWED_HOSTS vets both); production names them.
OTP_WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID")
OTP_WEBAUTHN_RP_ID_CALLABLE = "portal.security_keys.relying_party_id"
OTP_WEBAUTHN_RP_NAME = SITE_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("WEBAUTHN_ORIGINS")
OTP_WEBAUTHN_HELPER_CLASS = "portal.security_keys.SecurityKeyHelper"
# A key is a second factor here, never the only one: the password always comes first.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# The library's check wants OTP_WEBAUTHN_ALLOWED_ORIGINS set; the helper falls back to the
# request's origin instead.
SILENCED_SYSTEM_CHECKS = [] if OTP_WEBAUTHN_ALLOWED_ORIGINS else ["otp_webauthn.E030"]

# --- Editorial review: with the four-eyes rule, whoever submitted a change for review cannot
# publish it; a second person (a publisher) must. Off only for a one-person installation.
REVIEW_FOUR_EYES = env_bool("REVIEW_FOUR_EYES", True)

# --- Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failures (wrong user, password
# or code alike) from one address, or for one account, further attempts are refused for
# AXES_COOLOFF_MINUTES; operators see and clear lockouts in the admin ("Axes").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = True
# The client address as the API's throttle sees it (API_TRUSTED_PROXIES; portal/client_ip.py).
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"

# --- Languages. English is the default and the fallback of every translated field.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ckb", _("Central Kurdish")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("fa", _("Persian")),
]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# The tabbed admin needs jQuery UI; modeltranslation's default loads it from a CDN, which the
# site's own rules forbid, so it is served from our static files.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "UTC")

# --- Static and uploaded files, all served from our own origin.
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed names when collected (production); plain finders in development and tests,
# where no manifest exists.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    # Development serves from the finders; an uncollected STATIC_ROOT is expected there.
    warnings.filterwarnings("ignore", message="No directory at")
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# --- Security headers. HSTS only where TLS terminates in front of us (production).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Admin sessions (visitors have none): they end after SESSION_IDLE_SECONDS without a request,
# and when the browser closes. Django gives a new session key at every sign-in.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Production redirects to HTTPS and asks for HSTS preloading unless told otherwise (behind a
# proxy that redirects itself, the redirect is never reached; it costs nothing).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Public pages: Content-Security-Policy (portal/security_headers.py) and the page cache.
# Everything from our own origin; no inline script or style anywhere on the public site.
CSP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)
# Seconds a rendered public page is kept per language (0 turns the cache off). Publishing or
# auditing anything invalidates the lists (home, categories, comparison) and the pages of what
# changed: one service's, or every service's for a catalogue change (portal/cache.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# The apps whose content the public pages and the API show (not a deployment choice, so not read
# from the environment): saving any of their models invalidates the page cache
# (portal/cache.py), and their history tables date the API's Last-Modified (portal/api.py).
PUBLIC_CONTENT_APPS = ("providers", "criteria", "audits")
# The model whose rows own a page each: a change to a service or its rows re-renders that
# service's page and API representation only (portal/content_scopes.py).
PUBLIC_SERVICE_MODEL = "providers.Service"

# --- Public REST API (/api/v1/): read-only, anonymous, JSON and CSV (see portal/api.py).
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200)
if not 1 <= API_PAGE_SIZE <= API_MAX_PAGE_SIZE:
    raise ImproperlyConfigured("API_PAGE_SIZE must be between 1 and API_MAX_PAGE_SIZE.")
# Requests per client address: "120/minute" (per second, minute, hour or day), or "off".
API_ANON_THROTTLE_RATE: str | None = env("API_ANON_THROTTLE_RATE", "120/minute")
_count, _slash, _period = API_ANON_THROTTLE_RATE.partition("/")
if API_ANON_THROTTLE_RATE.lower() == "off":
    API_ANON_THROTTLE_RATE = None
elif not (_count.isdigit() and int(_count) > 0 and _period in {"second", "minute", "hour", "day"}):
    raise ImproperlyConfigured(
        f"API_ANON_THROTTLE_RATE must be like 120/minute (second, minute, hour, day) or off, "
        f"not {API_ANON_THROTTLE_RATE!r}"
    )
del _count, _slash, _period
REST_FRAMEWORK = {
    # Nobody signs in to the API: it serves published content only. Password authentication here
    # would also let anyone guess admin passwords without the second factor.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # No browsable API: its forms would set a CSRF cookie for anonymous visitors.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # The API's views use portal.api's subclasses of these (stricter paging, a rate read per
    # request); naming them here would import portal.api while DRF itself is being imported.
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_THROTTLE_RATE},
    # Client addresses come from REMOTE_ADDR unless proxies in front are trusted; counting the
    # client's own X-Forwarded-For would let anyone dodge the throttle.
    "NUM_PROXIES": env_int("API_TRUSTED_PROXIES", 1 if env_bool("BEHIND_TLS_PROXY") else 0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO; the audits make many, and the results say what matters.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# --- OpenAPI schema (/api/schema/) and docs (/api/docs/), all assets from our own static files.
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "Read-only access to the published recommendations: services with their facts, the "
        "feature catalogue, the criteria and the languages. Texts come in the language of "
        "`?lang=` or Accept-Language, falling back to English (listed in `fallback_languages`). "
        "Responses carry ETag and Last-Modified for conditional requests."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge (a third-party request); only GET can be tried out.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "validatorUrl": None,
        "supportedSubmitMethods": ["get"],
    },
    # Validators and the 304 of conditional requests on every GET (portal/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api_schema.document_conditional_requests",
        "portal.api_schema.make_schemas_exact",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ServiceKindEnum": "providers.models.ServiceKind",
        "FeatureKindEnum": "providers.models.Feature.Kind",
        "LinkKindEnum": "providers.models.ServiceLink.Kind",
        "StatusEnum": "providers.models.Status",
        "CheckStatusEnum": "audits.models.STATUS_CHOICES",
    },
}

# --- CORS: any origin may read the API (GET), never with credentials.
CORS_URLS_REGEX = r"^/api/(v1|schema)/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = (
    "ETag",
    "Content-Disposition",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)
CORS_PREFLIGHT_MAX_AGE = 86400
