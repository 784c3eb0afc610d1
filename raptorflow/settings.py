"""RaptorFlow settings: one module, every value read from the environment.

Each environment variable is documented in the README ("Configuration").
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ---------------------------------------------------------------- core
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str(
    "SECRET_KEY",
    # Only a DEBUG process may fall back to a throw-away key.
    default="dev-insecure-key-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "raptorflow.apps.RaptorFlowAdminConfig",  # django.contrib.admin with the project's AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "axes",
    "raptorflow",
    "campaigns",
    "gamification",
    "agents",
    "intelligence",
    "alerts",
]

MIDDLEWARE = [
    # First: a request that met a database outage leaves with the 503 page (also with
    # DEBUG on, replacing the technical 500 page), counted for the outage's log line.
    "raptorflow.outage.OutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files from gunicorn, no separate web server needed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Opens the request's transaction and sets the workspace and user for RLS
    # inside it; it must come after authentication.
    "raptorflow.middleware.WorkspaceMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page,
    # rendered inside the workspace transaction when the user is signed in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "raptorflow.urls"
# Widget templates come from templates/ too (labelled admin date/time inputs).
# Django's TemplatesSetting, plain inputs rendered without the template engine (issue 19, raptorflow/form_renderer.py).
FORM_RENDERER = "raptorflow.form_renderer.RaptorFlowFormRenderer"
WSGI_APPLICATION = "raptorflow.wsgi.application"

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
                "raptorflow.context_processors.workspace",
            ],
        },
    },
]

# ---------------------------------------------------------------- database
# Always DATABASE_URL, never a fallback: a production process that lost it must
# not quietly write into a local database. The embedded development server is
# started by the development entry points (make run, make test, the DBA make
# targets, a bare pytest: tools/dev.py), which then set DATABASE_URL.
if not env.str("DATABASE_URL", default=""):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Set it to the PostgreSQL URL of this process's role"
        " (e.g. postgres://user:password@host:5432/raptorflow), or use `make run` / `make test`,"
        " which start the embedded development server and set it."
    )
DATABASES = {"default": env.db("DATABASE_URL")}

# django-rls's backend is Django's PostgreSQL backend plus a schema editor that
# renders ENABLE/FORCE ROW LEVEL SECURITY and CREATE/DROP POLICY; the tenancy
# migration operations use it (see README, "django-rls").
DATABASES["default"]["ENGINE"] = "django_rls.backends.postgresql"
# Persistent connections are safe: the workspace settings are transaction-local.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The middleware owns the request transaction (docs/tenancy.md, pitfall 3), so Django's
# ATOMIC_REQUESTS, which wraps only the view, stays off.
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# Behind pgbouncer in transaction mode: no server-side cursors (they outlive the
# transaction) and no prepared statements (they live in a server session).
if env.str("DATABASE_POOLER", default="") == "pgbouncer-transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None

# Parallel test runs on one server need distinct test databases.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="") or None}

# manage.py migrate (raptorflow/management/commands/migrate.py) on a live database.
# Seconds a migration statement may wait for a lock: a waiting DDL statement queues
# every later query on that table behind it, so wait briefly, roll back, retry. 0: wait forever.
MIGRATION_LOCK_TIMEOUT = env.float("MIGRATION_LOCK_TIMEOUT", default=2)
# Retries of a migration that hit the lock timeout, waiting lock timeout x 2^n (at most 30 s) in between.
MIGRATION_LOCK_RETRIES = env.int("MIGRATION_LOCK_RETRIES", default=5)
# Seconds one migration statement may run (0: no limit). Online-safe migrations hold strong
# locks only briefly; a statement running longer is a rewrite or an unbatched backfill
# holding its locks. Raise it for a long CREATE INDEX CONCURRENTLY, which blocks nobody.
MIGRATION_STATEMENT_TIMEOUT = env.float("MIGRATION_STATEMENT_TIMEOUT", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- tenancy
# NOLOGIN group role through which the web process gets its privileges.
RAPTORFLOW_APP_ROLE = env.str("RAPTORFLOW_APP_ROLE", default="raptorflow_app")
# Development only: let the web process start under a role that bypasses RLS.
RAPTORFLOW_ALLOW_RLS_BYPASS = env.bool("RAPTORFLOW_ALLOW_RLS_BYPASS", default=False)
# Days an emailed invitation link stays valid (resending issues a new link).
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=7)

# ---------------------------------------------------------------- auth
AUTH_USER_MODEL = "raptorflow.User"
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's database sessions, read with one prepared statement that is also the
# connection health check (raptorflow/sessions.py, issue 19).
SESSION_ENGINE = "raptorflow.sessions"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# ---------------------------------------------------------------- sign-in throttling (django-axes)
# Failures are counted per account and, separately, per client address, on
# /login/ and /admin/login/ alike; either count reaching the limit locks that
# sign-in out for the cool-off, and every attempt meanwhile restarts it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
# Both sign-in forms post the email as "username", the key authenticate() receives too.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Attempts belong to no workspace (every customer's emails and addresses), so no
# admin list shows them; unlock with `manage.py axes_reset_username EMAIL`.
AXES_ENABLE_ADMIN = False
# Reverse proxies in front of the app that append the client's address to
# X-Forwarded-For; 0: clients connect directly and REMOTE_ADDR is theirs.
RAPTORFLOW_PROXY_COUNT = env.int("RAPTORFLOW_PROXY_COUNT", default=0)


# How failures are keyed: raptorflow/signin.py.
AXES_USERNAME_CALLABLE = "raptorflow.signin.attempted_email"
AXES_LOCKOUT_PARAMETERS = "raptorflow.signin.lockout_parameters"
AXES_CLIENT_IP_CALLABLE = "raptorflow.signin.client_address"

# ---------------------------------------------------------------- email
# EMAIL_URL sets EMAIL_BACKEND and, for SMTP, EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS/EMAIL_USE_SSL:
# consolemail:// prints mail (development), smtp+tls://user:pass@host:587 sends it.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="RaptorFlow <no-reply@raptorflow.example>")
# Sender of error mail to ADMINS.
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Seconds before a stuck SMTP server fails the send instead of holding a web worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# ---------------------------------------------------------------- i18n and static
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One date format everywhere dates are shown without an explicit one (the admin): ISO, year always.
FORMAT_MODULE_PATH = ["raptorflow.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# ---------------------------------------------------------------- agents
# A workspace's agent is flagged as underperforming below this success rate
# or above this p95 latency.
AGENT_MIN_SUCCESS_RATE = env.float("AGENT_MIN_SUCCESS_RATE", default=0.9)
AGENT_MAX_P95_MS = env.int("AGENT_MAX_P95_MS", default=5000)

# ---------------------------------------------------------------- security
# Production-safe by default; a DEBUG (local) process relaxes what needs HTTPS.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers load balancers over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# ---------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "raptorflow.logging.JSONFormatter"},
    },
    "filters": {
        # A database outage is said once by raptorflow.outage, not as a traceback per request.
        "hide_outage_records": {"()": "raptorflow.outage.HideOutageRecords"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": env.str("LOG_FORMAT", default="plain")},
    },
    "loggers": {
        "django.request": {"filters": ["hide_outage_records"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
