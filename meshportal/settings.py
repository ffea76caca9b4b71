"""Mesh Portal settings, read from the environment (twelve-factor).

Every value a deployment changes comes from an environment variable (see the
configuration table in README.md). Development defaults exist only where they cannot
leak into production: with ``DEBUG`` off there is no default ``SECRET_KEY``.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# A SECRET_KEY is mandatory in production. The development fallback is deliberately
# marked insecure so that `check --deploy` flags it if it ever reaches production.
# Without one, servers refuse to start (meshportal/startup.py, called by the WSGI app and
# Celery), while maintenance commands that never sign anything (makemigrations, check)
# still run; Django itself refuses any use of an empty key.
_DEV_SECRET_KEY = "django-insecure-mesh-portal-development-only"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEV_SECRET_KEY
elif SECRET_KEY and not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "meshportal",
    "django.contrib.postgres",
    "projects",
    "glossary",
    "catalog",
    "subscriptions",
    "sharing",
    "accounts",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "meshportal.middleware.RejectNulMiddleware",
    "meshportal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Every page needs a login except the ones marked @login_not_required (sign-in,
    # /healthz); anonymous visitors see the login page and nothing else.
    "meshportal.middleware.LoginRequiredMiddleware",
]

# Scripts only from the portal itself (htmx, portal.js, Swagger UI's split view): no
# inline script, no other origin. Inline style attributes stay allowed (progress bars,
# Swagger UI); nothing may frame the portal.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)

ROOT_URLCONF = "meshportal.urls"
WSGI_APPLICATION = "meshportal.wsgi.application"

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
                "meshportal.context_processors.portal",
                "subscriptions.context_processors.subscription_counts",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL set → that PostgreSQL. Unset → an embedded PostgreSQL (pgserver) kept
# under .data/, started on first use; it is for one machine (demo, development, tests).
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    from meshportal.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings(BASE_DIR / ".data" / "postgres")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and SSO -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_GET = False
# Local accounts are for the demo and break-glass admins; they are created by a platform
# admin, never by self sign-up. SSO users are provisioned on their first login.
ACCOUNT_ADAPTER = "meshportal.sso.LocalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "meshportal.sso.SsoAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False

OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="Company SSO")
# The provider id appears in the callback URL the IdP must allow:
#   <portal>/accounts/oidc/<OIDC_PROVIDER_ID>/login/callback/
OIDC_PROVIDER_ID = env.str("OIDC_PROVIDER_ID", default="sso")
OIDC_SCOPES = env.list("OIDC_SCOPES", default=["openid", "profile", "email", "groups"])


def oidc_providers(
    server_url: str, client_id: str, secret: str, name: str, provider_id: str, scopes: list[str]
) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for one OpenID Connect app (none without a server
    URL and client id). The SSO tests build their configuration with this function too."""
    providers: dict = {"openid_connect": {"APPS": []}}
    if server_url and client_id:
        providers["openid_connect"]["APPS"].append(
            {
                "provider_id": provider_id,
                "name": name,
                "client_id": client_id,
                "secret": secret,
                "settings": {
                    "server_url": server_url,
                    "scope": list(scopes),
                    "oauth_pkce_enabled": True,
                },
            }
        )
        providers["openid_connect"]["SCOPE"] = list(scopes)
    return providers


SOCIALACCOUNT_PROVIDERS = oidc_providers(
    OIDC_SERVER_URL,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_PROVIDER_NAME,
    OIDC_PROVIDER_ID,
    OIDC_SCOPES,
)

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers a request without credentials with the first class's
    # challenge, so this makes it 401 + "WWW-Authenticate: Token" (session has none: 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "meshportal.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "meshportal.api.exceptions.exception_handler",
    # DRF's JSON parser with a nesting limit and no NUL characters (a 400, never a 500).
    "DEFAULT_PARSER_CLASSES": [
        "meshportal.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mesh Portal API",
    "DESCRIPTION": "Business data catalog for a data mesh: projects, environments, "
    "catalog, subscriptions and grants. Authenticate with a session or "
    "`Authorization: Token <key>` (POST /api/v1/auth/token/). Request bodies are JSON "
    "(the CSV import also takes a file). No text may contain NUL characters (U+0000): "
    "such a request answers 400. Fields that take another object's id (`project`, "
    "`domain`, `glossary`, `listing`, …) answer 400 for an id you cannot see.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # JSON bodies are documented as JSON only (meshportal/api/schema.py says why).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "meshportal.api.schema.json_only_request_bodies",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI's files come from the drf-spectacular-sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status"; name the subscriptions' enums so clients get stable
    # names instead of hashed ones.
    "ENUM_NAME_OVERRIDES": {
        "SubscriptionRequestStatusEnum": "subscriptions.choices.SubscriptionRequestStatus",
        "SubscriptionStatusEnum": "subscriptions.choices.SubscriptionStatus",
        "GrantStatusEnum": "sharing.choices.GrantStatus",
        "ManualGrantStatusEnum": "sharing.choices.ManualGrantStatus",
        "GrantBackendEnum": "sharing.choices.GrantBackend",
        "WebhookDeliveryStatusEnum": "webhooks.choices.DeliveryStatus",
    },
}

# --- Celery -----------------------------------------------------------------------------
# REDIS_URL (or CELERY_BROKER_URL) set → tasks go to a real worker. Unset → tasks run
# eagerly in the web process, which keeps the demo a single command.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"  # never used: eager tasks do not touch a broker
CELERY_RESULT_BACKEND = None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Celery closes the database connection before and after every task unless told to reuse
# it. A new PostgreSQL backend costs a connect and then cold catalog caches, so the first
# query joining a dozen tables (a grant's load) took ~25 ms instead of ~1 ms. Reuse it;
# meshportal.celery still closes it after a task that did not succeed (its session may
# hold a lock or an aborted transaction) and when CONN_MAX_AGE or the health check says so.
# Celery counts a task twice (before and after): 1000 closes it every 500 tasks at most.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# Where tasks go unless routed (a worker started with -Q for another queue, as the tests'
# workers are, sends the tasks it enqueues itself there too).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE = {
    # Environments whose worker died mid-provisioning (or mid-deletion) are moved to
    # CREATE_FAILED (DELETE_FAILED) so that a person can retry them; later issues add scheduled runs and reconciliation here.
    "sweep-stuck-environments": {
        "task": "projects.tasks.sweep_stuck_environments",
        "schedule": 300.0,
    },
    "start-scheduled-data-source-runs": {
        "task": "catalog.tasks.start_scheduled_runs",
        # How often beat looks for due schedules (the demo's test shortens it).
        "schedule": env.float("SCHEDULED_RUNS_POLL_SECONDS", default=60.0),
    },
    "sweep-stuck-data-source-runs": {
        "task": "catalog.tasks.sweep_stuck_runs",
        "schedule": 300.0,
    },
    # Subscriptions past their expiry end (REVOKED, "expired"); both sides hear 7 days before.
    "expire-subscriptions": {
        "task": "subscriptions.tasks.expire_subscriptions",
        "schedule": 3600.0,
    },
}
# Sharing: Lake Formation drift is checked every SHARING_RECONCILE_INTERVAL seconds (four
# times an hour by default); a grant IN_PROGRESS longer than SHARING_GRANT_TIMEOUT is swept
# back to PENDING; transient failures are retried SHARING_MAX_ATTEMPTS times with backoff
# from SHARING_RETRY_BASE_SECONDS; a grant waits up to SHARING_LOCK_WAIT_SECONDS for
# another grant or revoke on the same table; Lake Formation's registered locations are
# remembered per account for SHARING_LOCATIONS_CACHE_SECONDS (a "not registered" is always
# looked up again).
SHARING_RECONCILE_INTERVAL = env.int("SHARING_RECONCILE_INTERVAL", default=900)
SHARING_GRANT_TIMEOUT = env.int("SHARING_GRANT_TIMEOUT", default=600)
SHARING_MAX_ATTEMPTS = env.int("SHARING_MAX_ATTEMPTS", default=5)
SHARING_RETRY_BASE_SECONDS = env.float("SHARING_RETRY_BASE_SECONDS", default=2.0)
SHARING_LOCK_WAIT_SECONDS = env.float("SHARING_LOCK_WAIT_SECONDS", default=30.0)
SHARING_LOCATIONS_CACHE_SECONDS = env.float("SHARING_LOCATIONS_CACHE_SECONDS", default=60.0)
# A grant task claims up to this many waiting Lake Formation grants and makes the same-
# account ones together (sharing/granting.py): 20 fills two BatchGrantPermissions calls.
SHARING_GRANT_BATCH_SIZE = env.int("SHARING_GRANT_BATCH_SIZE", default=20)
# While its batches come full, one task claims the next, up to this many (each batch's AWS
# calls overlapping the previous one's SQL); then the task it queued takes over, so other
# tasks on the worker wait seconds, not minutes.
SHARING_GRANT_BATCHES_PER_TASK = env.int("SHARING_GRANT_BATCHES_PER_TASK", default=10)
CELERY_BEAT_SCHEDULE["reconcile-grants"] = {
    "task": "sharing.tasks.reconcile_grants",
    "schedule": float(SHARING_RECONCILE_INTERVAL),
}
CELERY_BEAT_SCHEDULE["sweep-stuck-grants"] = {
    "task": "sharing.tasks.sweep_stuck_grants",
    "schedule": 120.0,
}
# Webhooks (issue 12). Endpoints must be https and resolve to public addresses unless
# these allow otherwise (development, tests and the demo, which deliver to loopback).
WEBHOOKS_ALLOW_INSECURE = env.bool("WEBHOOKS_ALLOW_INSECURE", default=DEBUG)
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=DEBUG)
# Seconds per HTTP attempt (connect and each read).
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
# Multiplies webhooks.retry.retry_delay (tests shrink the day of retries to seconds).
WEBHOOKS_RETRY_DELAY_SCALE = env.float("WEBHOOKS_RETRY_DELAY_SCALE", default=1.0)
# After a rotation the previous secret keeps signing for this long.
WEBHOOKS_SECRET_OVERLAP_SECONDS = env.int("WEBHOOKS_SECRET_OVERLAP_SECONDS", default=86400)
# A delivery SENDING for longer than this (its worker died) is sent again by the sweep.
WEBHOOKS_SENDING_LEASE_SECONDS = env.int("WEBHOOKS_SENDING_LEASE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "webhooks.tasks.webhooks_sweep",
    "schedule": env.float("WEBHOOKS_SWEEP_SECONDS", default=60.0),
}
# EventBridge targets: the on-commit fan-out's safety net, and retries that came due.
CELERY_BEAT_SCHEDULE["eventbridge-sweep"] = {
    "task": "webhooks.eventbridge.tasks.eventbridge_sweep",
    "schedule": 60.0,
}
ENVIRONMENT_PROVISIONING_TIMEOUT = env.int("ENVIRONMENT_PROVISIONING_TIMEOUT", default=1800)
# A DELETING environment whose grants are still being revoked asks again after this many
# seconds; the sweep (and the task itself) fail a deletion older than the timeout above.
ENVIRONMENT_DELETION_RECHECK_SECONDS = env.int("ENVIRONMENT_DELETION_RECHECK_SECONDS", default=10)
# A RUNNING import whose heartbeat (written after every batch) is older than this is
# failed by the sweep, so that it can be run again.
DATA_SOURCE_RUN_TIMEOUT = env.int("DATA_SOURCE_RUN_TIMEOUT", default=1800)
# Tables an import writes per batch (one transaction and one progress update each).
DATA_SOURCE_IMPORT_BATCH_SIZE = env.int("DATA_SOURCE_IMPORT_BATCH_SIZE", default=500)

# --- Cache ------------------------------------------------------------------------------
# The sign-in lockout and the token endpoint's throttle (allauth's "login_failed" budget)
# count attempts in the default cache. It must be shared by every process: with Django's
# per-process LocMem default, four gunicorn workers would give a guesser four budgets.
# CACHE_URL set → that cache (django-environ's URL forms: redis://, dbcache://table, …).
# Else REDIS_URL set → that Redis. Else the database cache in the table accounts'
# migration creates, so a default install shares its counters without Redis.
CACHE_TABLE = "meshportal_cache"


def cache_settings(cache_url: str, redis_url: str) -> dict:
    """The default cache for the given CACHE_URL and REDIS_URL (both may be empty)."""
    if cache_url:
        config = env.cache_url_config(cache_url)
    elif redis_url:
        config = env.cache_url_config(redis_url)
    else:
        config = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    # Keys of their own, should the Redis also hold Celery's queues.
    config.setdefault("KEY_PREFIX", "meshportal")
    return {"default": config}


CACHES = cache_settings(env.str("CACHE_URL", default=""), REDIS_URL)

# --- AWS --------------------------------------------------------------------------------
# boto3 reads AWS_ENDPOINT_URL (moto in the demo and tests) and credentials itself.
AWS_DEFAULT_REGION = env.str("AWS_DEFAULT_REGION", default="us-east-1")

# --- Email ------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mesh-portal@localhost")

# --- Static files, i18n -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# htmx comes from the npm registry at install time (`npm ci`), never from a CDN.
if (BASE_DIR / "node_modules" / "htmx.org" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz is probed over plain HTTP by load balancers and orchestrators.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
    },
}
