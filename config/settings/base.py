"""All settings, driven by environment variables through one environ.Env()."""

import hashlib
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from config.caches import cache_from_env
from config.databases import database_from_env
from config.keyvault import load_key_vault_secrets

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))
load_key_vault_secrets()

# No default: local.py uses LOCAL_SECRET_KEY only with DEBUG on, and marketdata.apps refuses to start any settings
# with DEBUG off whose key is empty or that one (a key in the repository would let anyone sign a superuser's JWT).
LOCAL_SECRET_KEY = "insecure-local-development-key-change-me"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "import_export",
    "django_celery_beat",
    "marketdata",
    "venues",
    "entities",
    "instruments",
    "ingestion",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "marketdata.api.middleware.PreAuthenticationThrottleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
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
        },
    },
]

# Databases: DATABASE_TYPE=sqlite (default) | postgresql | azure_sql (see config/databases.py).
DATABASES = {"default": database_from_env(env, BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by all processes), else per process. Redis is an accelerator: when it
# is unreachable every read misses and the service answers from the database (config/caches.py).
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = cache_from_env(env, REDIS_URL)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Files: local folder by default, Azure Blob Storage when AZURE_STORAGE_* is set.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "files"))
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
AZURE_STORAGE_CONNECTION_STRING = env.str("AZURE_STORAGE_CONNECTION_STRING", default="")
AZURE_STORAGE_ACCOUNT_NAME = env.str("AZURE_STORAGE_ACCOUNT_NAME", default="")
# One container per source (ingestion/blob_storage.py): the file firds/X.zip is blob X.zip in container "firds".
AZURE_STORAGE_CONTAINERS = env.dict("AZURE_STORAGE_CONTAINERS", default={"firds": "firds", "fitrs": "fitrs"})
if AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME:
    _azure_options = {"containers": AZURE_STORAGE_CONTAINERS, "overwrite_files": True}
    if AZURE_STORAGE_CONNECTION_STRING:
        _azure_options["connection_string"] = AZURE_STORAGE_CONNECTION_STRING
    else:
        from azure.identity import DefaultAzureCredential

        # The managed identity (or any DefaultAzureCredential source); without it django-storages goes anonymous.
        _azure_options["account_name"] = AZURE_STORAGE_ACCOUNT_NAME
        _azure_options["token_credential"] = DefaultAzureCredential()
    _file_storage = {"BACKEND": "ingestion.blob_storage.SourceContainersStorage", "OPTIONS": _azure_options}
else:
    _file_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}}
# Storage plan (ingestion/storage.py, storage_report / storage_tier): a budget, and blob ages in days for the tiers.
STORAGE_BUDGET_GB = env.float("STORAGE_BUDGET_GB", default=5.0)
STORAGE_WARN_PERCENT = env.float("STORAGE_WARN_PERCENT", default=80.0)
STORAGE_COOL_DAYS = env.int("STORAGE_COOL_DAYS", default=7)
STORAGE_ARCHIVE_DAYS = env.int("STORAGE_ARCHIVE_DAYS", default=30)
STORAGE_RETENTION_DAYS = env.int("STORAGE_RETENTION_DAYS", default=365)
STORAGES = {
    "default": _file_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin login lockout (django-axes, attempts in the database, so it holds with Redis down): AXES_FAILURE_LIMIT wrong
# passwords for one username from one IP lock that pair out for AXES_COOLOFF_MINUTES (429), a success resets the count.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "marketdata.api.throttling.client_ip"  # the API's rule (API_CLIENT_IP_HEADER behind a proxy)

# Content-Security-Policy on every response (django-csp): scripts only from this origin (Swagger UI's init script is
# served as a file: SpectacularSwaggerSplitView); inline styles allowed (Swagger UI's page and admin widgets use them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# API policy, once (see marketdata/api/).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "marketdata.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["marketdata.api.permissions.ReadAuthenticatedWriteCurator"],
    "DEFAULT_THROTTLE_CLASSES": ["marketdata.api.throttling.RateLimitThrottle"],
    "EXCEPTION_HANDLER": "marketdata.api.exceptions.api_exception_handler",
    # The API takes JSON bodies only, nested at most API_JSON_MAX_DEPTH levels (checked before parsing).
    "DEFAULT_PARSER_CLASSES": ["marketdata.api.parsers.DepthLimitedJSONParser"],
    # DRF's JSON output written by orjson; the browsable API stays.
    "DEFAULT_RENDERER_CLASSES": [
        "marketdata.api.renderers.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "marketdata.api.negotiation.ContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["marketdata.api.filtering.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "marketdata API",
    "DESCRIPTION": "European financial instrument reference data: FIRDS, FITRS, GLEIF, OpenFIGI, ISO 10383.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # assets from drf-spectacular-sidecar, not a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,  # request bodies documented with their own constraints (e.g. minLength)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketdata.api.schema.error_responses_hook",
        "marketdata.api.schema_nullable.nullable_without_type_hook",  # null nested objects valid under 3.0.3
    ],
    # One OpenAPI enum name per choice set that shares a field name with another.
    "ENUM_NAME_OVERRIDES": {
        "CfiCategoryEnum": "instruments.choices.CfiCategory",
        "EntityCategoryEnum": "entities.choices.EntityCategory",
        "ExceptionCategoryEnum": "entities.choices.ExceptionCategory",
        "EntityStatusEnum": "entities.choices.EntityStatus",
        "VenueStatusEnum": "venues.choices.VenueStatus",
        "RunStatusEnum": "ingestion.choices.RunStatus",
    },
}
# Rate limits (django-ratelimit rates, e.g. "100/m"), per user or per IP when anonymous, counted in the
# default cache: every view has "default"; a view's throttle_scope adds its own ("token", "expensive").
API_RATE_LIMITS = {
    "default": env.list("API_RATE_LIMITS_DEFAULT", default=["100/m", "1000/h"]),
    "token": env.list("API_RATE_LIMITS_TOKEN", default=["10/m"]),
    "expensive": env.list("API_RATE_LIMITS_EXPENSIVE", default=["10/m"]),
    # Per IP, before authentication (marketdata/api/middleware.py): requests without credentials, and 401s to
    # requests with credentials (wrong API keys, JWTs, passwords to auth/token/); past either, 429 with Retry-After.
    "anonymous": env.list("API_RATE_LIMITS_ANONYMOUS", default=["60/m"]),
    "failed_credentials": env.list("API_RATE_LIMITS_FAILED_CREDENTIALS", default=["10/m", "50/h"]),
}
RATELIMIT_USE_CACHE = "default"
# django-ratelimit's defaults, spelled out: every request reads them, and a setting left out costs an exception.
RATELIMIT_ENABLE = True
RATELIMIT_CACHE_PREFIX = "rl:"
RATELIMIT_HASH_ALGORITHM = hashlib.sha256
# Behind a reverse proxy (e.g. Azure App Service): the META key holding the client address, e.g.
# HTTP_X_FORWARDED_FOR (its first address is used). Empty: the peer address (never trust it unproxied).
API_CLIENT_IP_HEADER = env.str("API_CLIENT_IP_HEADER", default="")
RATELIMIT_FAIL_OPEN = True  # a cache outage shows in /health/ready/, not as 429s for everyone
API_KEY_LAST_USED_EVERY_SECONDS = env.int("API_KEY_LAST_USED_EVERY_SECONDS", default=60)
# A verified API key is kept this long in the default cache (a save of the key or its user drops it at once).
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=10)
# ...and held in each process's memory this long without a cache read (a save elsewhere reaches it within this time).
API_KEY_LOCAL_SECONDS = env.float("API_KEY_LOCAL_SECONDS", default=1.0)
# instruments/{isin}/ responses are cached this long under the data version every load and edit bumps; only with a
# cache shared by every process (Redis): with the per-process default a bump would not reach the other processes.
API_DETAIL_CACHE_SECONDS = env.int("API_DETAIL_CACHE_SECONDS", default=300 if REDIS_URL else 0)

# Celery: Redis broker by default; tasks retry on network errors (see ingestion/tasks.py).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3 * 3600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3 * 3600 + 300)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Beat reads its schedules from the database (django-celery-beat): the admin shows, edits and pauses them. These
# are the defaults `migrate` installs when missing (marketdata.services.beat_schedules_install); an installed
# schedule is never overwritten, so edits and pauses made in the admin stay.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {}
BEAT_SCHEDULE_DEFAULTS = {
    # Yesterday's FIRDS deltas, every morning; the week's FULINS set on Sunday (ESMA publishes it on Saturday).
    "firds-daily-delta": {"task": "ingestion.tasks.firds_load_daily_delta_task", "schedule": crontab(hour=7, minute=0)},
    "firds-weekly-full-set": {
        "task": "ingestion.tasks.firds_load_full_set_task",
        "schedule": crontab(hour=6, minute=0, day_of_week="sun"),
    },
}
BEAT_SCHEDULE_DEFAULTS.update(
    {
        # Enrichment after the morning's FIRDS load: issuers daily, FIGIs hourly in chunks (ingestion/tasks_enrich.py).
        "enrich-entities-daily": {
            "task": "ingestion.tasks_enrich.enrich_entities_task",
            "schedule": crontab(hour=9, minute=0),
        },
        # GLEIF's golden copy: the last day's LEI, relationship and exception changes, after its 08:00 UTC publish.
        "gleif-daily-delta": {"task": "ingestion.tasks.gleif_load_delta_task", "schedule": crontab(hour=8, minute=45)},
        # GLEIF's ISIN-LEI mapping, published daily at no documented time: loaded before the 09:00 enrichment,
        # which fetches the issuers only the mapping names; a day's file not out yet is the last one, skipped.
        "gleif-isin-lei-daily": {
            "task": "ingestion.tasks.gleif_isin_map_load_task",
            "schedule": crontab(hour=8, minute=15),
        },
        "enrich-figi-hourly": {"task": "ingestion.tasks_enrich.enrich_figi_task", "schedule": crontab(minute=30)},
        "ingestion-runs-fail-stale": {
            "task": "ingestion.tasks.ingestion_runs_fail_stale_task",
            "schedule": crontab(minute="*/15"),
        },
        "download-cache-prune-daily": {
            "task": "ingestion.tasks.download_cache_prune_task",
            "schedule": crontab(hour=5, minute=0),
        },
        # Blob tiers by age and retention (ingestion/storage.py), before the morning's loads.
        "storage-tier-daily": {"task": "ingestion.tasks.storage_tier_task", "schedule": crontab(hour=4, minute=30)},
    }
)
BEAT_SCHEDULE_DEFAULTS.update(
    {
        # FITRS (ingestion/tasks.py): deltas as they come (yesterday's, every morning). ESMA publishes the equity
        # results yearly with quarterly updates and the non-equity results quarterly; the latest full set of the
        # past week is looked for every Sunday, so a new one loads within a week (one already loaded is skipped).
        "fitrs-daily-delta": {
            "task": "ingestion.tasks.fitrs_load_daily_delta_task",
            "schedule": crontab(hour=7, minute=30),
        },
        "fitrs-weekly-non-equity": {
            "task": "ingestion.tasks.fitrs_load_full_set_task",
            "schedule": crontab(hour=10, minute=0, day_of_week="sun"),
            "kwargs": {"file_type": "FULNCR"},
        },
        "fitrs-weekly-equity": {
            "task": "ingestion.tasks.fitrs_load_full_set_task",
            "schedule": crontab(hour=11, minute=0, day_of_week="sun"),
            "kwargs": {"file_type": "FULECR"},
        },
    }
)

# Load commands (load_firds, load_gleif, ...) in a log or pipe: seconds between their progress lines.
LOAD_PROGRESS_SECONDS = env.float("LOAD_PROGRESS_SECONDS", default=30.0)
# A run still `running` this many hours after it started is marked failed (its process died; see
# ingestion.services.ingestion_runs_fail_stale, run when a load starts and every 15 minutes).
INGESTION_RUN_STALE_HOURS = env.float("INGESTION_RUN_STALE_HOURS", default=6.0)
# Local copies of files kept in Blob Storage (MEDIA_ROOT/cache) are deleted after this many days.
DOWNLOAD_CACHE_DAYS = env.float("DOWNLOAD_CACHE_DAYS", default=7.0)

# External sources: every base URL is a setting, official endpoints by default.
ESMA_FIRDS_REGISTRY_URL = env.str(
    "ESMA_FIRDS_REGISTRY_URL", default="https://registers.esma.europa.eu/solr/esma_registers_firds_files/select"
)
# The instrument register (one record per ISIN and venue): fetch_instrument's source.
ESMA_FIRDS_INSTRUMENTS_URL = env.str(
    "ESMA_FIRDS_INSTRUMENTS_URL", default="https://registers.esma.europa.eu/solr/esma_registers_firds/select"
)
ESMA_FITRS_REGISTRY_URL = env.str(
    "ESMA_FITRS_REGISTRY_URL", default="https://registers.esma.europa.eu/solr/esma_registers_fitrs_files/select"
)
MIC_CSV_URL = env.str(
    "MIC_CSV_URL", default="https://www.iso20022.org/sites/default/files/ISO10383_MIC/ISO10383_MIC.csv"
)
GLEIF_API_URL = env.str("GLEIF_API_URL", default="https://api.gleif.org/api/v1")
GLEIF_GOLDEN_COPY_URL = env.str("GLEIF_GOLDEN_COPY_URL", default="https://goldencopy.gleif.org/api/v2/golden-copies")
# GLEIF's ISIN-LEI mapping files (<url>/latest names the day's file and its download link).
GLEIF_ISIN_LEI_URL = env.str("GLEIF_ISIN_LEI_URL", default="https://mapping.gleif.org/api/v2/isin-lei")
OPENFIGI_API_URL = env.str("OPENFIGI_API_URL", default="https://api.openfigi.com/v3")
OPENFIGI_API_KEY = env.str("OPENFIGI_API_KEY", default="")
HTTP_TIMEOUT_SECONDS = env.float("HTTP_TIMEOUT_SECONDS", default=60.0)
HTTP_MAX_RETRIES = env.int("HTTP_MAX_RETRIES", default=5)
HTTP_RETRY_BACKOFF_SECONDS = env.float("HTTP_RETRY_BACKOFF_SECONDS", default=2.0)  # doubles per retry

# Request budgets shared by all processes through Redis (ingestion/sources/ratelimit.py); per process without it.
RATE_LIMIT_REDIS_URL = env.str("RATE_LIMIT_REDIS_URL", default=REDIS_URL)
RATE_LIMIT_KEY_PREFIX = env.str("RATE_LIMIT_KEY_PREFIX", default="marketdata:ratelimit")
RATE_LIMIT_MARGIN = env.float("RATE_LIMIT_MARGIN", default=0.01)  # widen each window by 1% against jitter
GLEIF_RATE_LIMIT = env.int("GLEIF_RATE_LIMIT", default=60)  # requests per window
GLEIF_RATE_WINDOW_SECONDS = env.float("GLEIF_RATE_WINDOW_SECONDS", default=60.0)
GLEIF_PAGE_SIZE = env.int("GLEIF_PAGE_SIZE", default=200)  # GLEIF's maximum
OPENFIGI_RATE_LIMIT = env.int("OPENFIGI_RATE_LIMIT", default=25)  # requests per window, with or without key
OPENFIGI_RATE_WINDOW_SECONDS = env.float("OPENFIGI_RATE_WINDOW_SECONDS", default=60.0)
OPENFIGI_RATE_WINDOW_SECONDS_WITH_KEY = env.float("OPENFIGI_RATE_WINDOW_SECONDS_WITH_KEY", default=6.0)
OPENFIGI_JOBS_PER_REQUEST = env.int("OPENFIGI_JOBS_PER_REQUEST", default=10)
OPENFIGI_JOBS_PER_REQUEST_WITH_KEY = env.int("OPENFIGI_JOBS_PER_REQUEST_WITH_KEY", default=100)
OPENFIGI_CONCURRENCY = env.int("OPENFIGI_CONCURRENCY", default=4)  # requests in flight (all within the budget)
OPENFIGI_NO_MATCH_RETRY_DAYS = env.int("OPENFIGI_NO_MATCH_RETRY_DAYS", default=30)  # ask again after a warning
ENRICH_FIGI_BATCH = env.int("ENRICH_FIGI_BATCH", default=1000)  # (ISIN, MIC) pairs mapped and stored per batch

# /health/ready/ answers within this many seconds whatever hangs (a check still running then is "timeout", 503);
# gunicorn's --timeout (Dockerfile) stays well above it.
HEALTH_READY_TIMEOUT_SECONDS = env.float("HEALTH_READY_TIMEOUT_SECONDS", default=3.0)
# GLEIF, OpenFIGI and ESMA: asked in the background at most every HEALTH_EXTERNAL_CACHE_SECONDS (marketdata/health.py).
HEALTH_EXTERNAL_CACHE_SECONDS = env.float("HEALTH_EXTERNAL_CACHE_SECONDS", default=300.0)
HEALTH_EXTERNAL_TIMEOUT_SECONDS = env.float("HEALTH_EXTERNAL_TIMEOUT_SECONDS", default=5.0)
# The deployed commit, shown by /health/ready/ beside the package version (the deploy workflow sets it).
GIT_SHA = env.str("GIT_SHA", default="")

# Admin: changelists never count more rows than this (fast on millions of rows).
ADMIN_COUNT_LIMIT = env.int("ADMIN_COUNT_LIMIT", default=10_000)
# Admin dashboard: its aggregates are recomputed in the background this long after a load ends (loads in a burst
# share one refresh); CSV/XLSX exports from a changelist stop after ADMIN_EXPORT_LIMIT rows.
DASHBOARD_REFRESH_DELAY_SECONDS = env.int("DASHBOARD_REFRESH_DELAY_SECONDS", default=60)
ADMIN_EXPORT_LIMIT = env.int("ADMIN_EXPORT_LIMIT", default=100_000)

# Telemetry: Application Insights when its connection string is set (marketdata/telemetry.py).
APPLICATIONINSIGHTS_CONNECTION_STRING = env.str("APPLICATIONINSIGHTS_CONNECTION_STRING", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
