"""Django settings for Samdrift.

Configuration comes from the environment, so that one build runs as a zero-set-up
embedded install (SQLite in a data directory) and as stateless production processes
behind a load balancer (PostgreSQL via DATABASE_URL). The modes:

- ``development`` (default): local use; DEBUG only when SAMDRIFT_DEBUG=1.
- ``demo``: like development; the only mode in which logins are created by themselves.
- ``production``: refuses to start without SAMDRIFT_SECRET_KEY or with DEBUG on.
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SAMDRIFT_ENV = os.environ.get("SAMDRIFT_ENV", "development").strip().lower()
if SAMDRIFT_ENV not in {"development", "demo", "production"}:
    raise ImproperlyConfigured(
        f"SAMDRIFT_ENV={SAMDRIFT_ENV!r} is not known; use development, demo or production."
    )
PRODUCTION = SAMDRIFT_ENV == "production"

DATA_DIR = Path(os.environ.get("SAMDRIFT_DATA_DIR", "var")).resolve()

DEBUG = env_flag("SAMDRIFT_DEBUG")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SAMDRIFT_DEBUG must be off when SAMDRIFT_ENV=production.")


def _secret_key() -> str:
    key = os.environ.get("SAMDRIFT_SECRET_KEY", "").strip()
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SAMDRIFT_SECRET_KEY is required when SAMDRIFT_ENV=production "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Outside production a random key is kept in the data directory, so sessions survive
    # restarts without anyone having to invent a secret.
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list(
    "SAMDRIFT_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("SAMDRIFT_ALLOWED_HOSTS is required when SAMDRIFT_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("SAMDRIFT_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "samdrift.core",
    "samdrift.organisations",
    "samdrift.accounts",
    "samdrift.catalogue",
    "samdrift.inventory",
    "samdrift.leasing",
    "samdrift.agreements",
    "samdrift.solutions",
    "samdrift.servicedesk",
    "samdrift.ordering",
    "samdrift.planning",
    "samdrift.gains",
    "samdrift.billing",
    "samdrift.imports",
    "samdrift.ui",
    "samdrift.dashboard",
    "samdrift.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "samdrift.core.middleware.ActorMiddleware",
    "samdrift.inventory.middleware.HolderRefreshMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Password guessing: after SAMDRIFT_LOGIN_FAILURES wrong passwords for one username, or
# from one address, further logins from it are refused for SAMDRIFT_LOGIN_LOCKOUT_MINUTES
# (django-axes; every failure and lock-out is recorded in its tables, shown in the admin,
# and logged). An operator lifts a lock-out early with `samdrift axes_reset_username NAME`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password check, closed to all but the break-glass operators while
    # SAMDRIFT_PASSWORD_LOGIN is off (below).
    "samdrift.accounts.backends.PasswordBackend",
    # Single sign-on (below): only its callback view calls it; listed so that its
    # sessions are recognised.
    "samdrift.accounts.backends.SignOnBackend",
]
AXES_FAILURE_LIMIT = env_int("SAMDRIFT_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("SAMDRIFT_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure, for the audit
AXES_LOCKOUT_CALLABLE = "samdrift.ui.views.locked_out"

# Single sign-on with the municipality's OpenID Connect provider (Microsoft Entra ID or any
# other; mozilla-django-oidc as the relying party, samdrift.accounts): on when
# SAMDRIFT_OIDC_CLIENT_ID is set. Who gets which role and municipality is the operators'
# mapping of the groups claim (admin: "single sign-on mappings"), never the claims alone.
# docs/operations.md lists every variable with an Entra ID example.
OIDC_RP_CLIENT_ID = os.environ.get("SAMDRIFT_OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("SAMDRIFT_OIDC_CLIENT_SECRET", "").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("SAMDRIFT_OIDC_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("SAMDRIFT_OIDC_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("SAMDRIFT_OIDC_USERINFO_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("SAMDRIFT_OIDC_JWKS_ENDPOINT", "").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("SAMDRIFT_OIDC_SIGN_ALGO", "").strip() or "RS256"
OIDC_RP_SCOPES = os.environ.get("SAMDRIFT_OIDC_SCOPES", "").strip() or "openid profile email"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("SAMDRIFT_OIDC_TIMEOUT_SECONDS", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
SAMDRIFT_SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
SAMDRIFT_OIDC_ISSUER = os.environ.get("SAMDRIFT_OIDC_ISSUER", "").strip()
SAMDRIFT_OIDC_PROVIDER_NAME = (
    os.environ.get("SAMDRIFT_OIDC_PROVIDER_NAME", "").strip() or "single sign-on"
)
# The claim that identifies a person for good (Entra ID: "oid" is the same in every app of
# the tenant, "sub" is per app); e-mail and username change and can be reassigned.
SAMDRIFT_OIDC_USER_CLAIM = os.environ.get("SAMDRIFT_OIDC_USER_CLAIM", "").strip() or "sub"
SAMDRIFT_OIDC_GROUPS_CLAIM = os.environ.get("SAMDRIFT_OIDC_GROUPS_CLAIM", "").strip() or "groups"
if SAMDRIFT_SSO_ENABLED:
    _missing = [
        name
        for name, value in [
            ("SAMDRIFT_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("SAMDRIFT_OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("SAMDRIFT_OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
            ("SAMDRIFT_OIDC_JWKS_ENDPOINT", OIDC_OP_JWKS_ENDPOINT),
        ]
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"Single sign-on (SAMDRIFT_OIDC_CLIENT_ID) also needs {', '.join(_missing)}."
        )
# Password sign-in: on by default; SAMDRIFT_PASSWORD_LOGIN=off leaves it to the
# break-glass operators (usernames in SAMDRIFT_BREAK_GLASS_USERS), for when the provider
# is down. django-axes still limits their attempts.
SAMDRIFT_PASSWORD_LOGIN = env_flag("SAMDRIFT_PASSWORD_LOGIN", True)
SAMDRIFT_BREAK_GLASS_USERS = env_list("SAMDRIFT_BREAK_GLASS_USERS", "")
if not SAMDRIFT_PASSWORD_LOGIN and not SAMDRIFT_SSO_ENABLED:
    raise ImproperlyConfigured(
        "SAMDRIFT_PASSWORD_LOGIN=off needs single sign-on (SAMDRIFT_OIDC_CLIENT_ID …): "
        "otherwise only the break-glass operators could sign in."
    )

# A move dated in the future takes effect on its day: the first request of each day (per
# process) moves assets to the assignment in force; `samdrift holders` does it on a timer.
SAMDRIFT_REFRESH_HOLDERS_LAZILY = env_flag("SAMDRIFT_REFRESH_HOLDERS_LAZILY", True)

ROOT_URLCONF = "samdrift.urls"
WSGI_APPLICATION = "samdrift.wsgi.application"

# Django's form renderer with its <select> written in Python (ui/formrenderer.py: the
# filter forms' options were a fifth of a list page's CPU time).
FORM_RENDERER = "samdrift.ui.formrenderer.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps' templates: our copies of a few third-party templates, changed only
        # to keep them within the Content-Security-Policy (the browsable API's).
        "DIRS": [BASE_DIR / "ui" / "vendor_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samdrift.ui.context_processors.samdrift",
            ],
        },
    },
]


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        return {"default": database}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "samdrift.sqlite3",
            "OPTIONS": {
                # WAL lets readers work while a billing run writes; the busy timeout makes a
                # second writer wait instead of failing; IMMEDIATE takes the write lock at the
                # start of a transaction so two writers cannot deadlock on an upgrade.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: English and Norwegian Bokmål; Oslo time; kroner.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nb", _("Norwegian Bokmål"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language of the texts billing writes onto invoices (core.invoice_language).
SAMDRIFT_INVOICE_LANGUAGE = os.environ.get("SAMDRIFT_INVOICE_LANGUAGE", "").strip() or "nb"
if SAMDRIFT_INVOICE_LANGUAGE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"SAMDRIFT_INVOICE_LANGUAGE={SAMDRIFT_INVOICE_LANGUAGE!r}: use one of "
        + ", ".join(code for code, _name in LANGUAGES)
        + "."
    )
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
CURRENCY = "NOK"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even when empty
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the app directories as well: the embedded install must
# work without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

# Background jobs (django-tasks, database backend): large list exports
# (``ui.exportjobs``). The worker is ``samdrift worker``; ``samdrift serve`` starts one
# beside Django's own server (development, demo). SAMDRIFT_TASKS=immediate runs each job
# inside the request that asks for it (no worker needed; only for small installs).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("SAMDRIFT_TASKS", "").strip().lower() == "immediate"
        else "django_tasks_db.DatabaseBackend",
    }
}
# The files of finished exports, private to their owner: outside static and media. With
# several app servers, a directory they all share (the worker writes, any app serves).
EXPORT_DIR = Path(os.environ.get("SAMDRIFT_EXPORT_DIR") or DATA_DIR / "exports").resolve()
EXPORT_KEEP_DAYS = int(os.environ.get("SAMDRIFT_EXPORT_KEEP_DAYS", "7"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = env_flag("SAMDRIFT_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Behind TLS (the production default): browsers are told to use HTTPS only, and plain
    # HTTP is redirected — except /health/, which a load balancer may check over HTTP.
    SECURE_SSL_REDIRECT = env_flag("SAMDRIFT_HTTPS_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env_int("SAMDRIFT_HSTS_SECONDS", 31_536_000)  # a year
    # includeSubDomains covers the names *below* the app's own (samdrift.ikt.example.no →
    # *.samdrift.ikt.example.no), not its siblings or parent: on by default.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SAMDRIFT_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is a commitment the owner of the whole registered domain makes (the
    # browsers' list takes only such domains, and leaving it takes months): off unless the
    # operator says so, and Django's deployment check is not to warn that it is off.
    SECURE_HSTS_PRELOAD = env_flag("SAMDRIFT_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env_flag("SAMDRIFT_BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # The client's address is the last one the proxy appended (axes locks out by it).
        AXES_IPWARE_PROXY_COUNT = 1
        AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


def _content_security_policy() -> dict:
    """The Content-Security-Policy of every response (django-csp), in every mode, so that
    the browser tests run under the policy production serves. Everything comes from our
    own origin: no inline script, style or event handler, no eval (htmx is told so in
    web/base.html), nothing framed. SAMDRIFT_CSP_EXTRA adds sources an install needs, e.g.
    ``img-src https://logo.example.no; connect-src https://sso.example.no`` — never the
    unsafe keywords (docs/operations.md)."""
    self, none = "'self'", "'none'"
    directives: dict[str, list[str]] = {
        "default-src": [self],
        "script-src": [self],
        "style-src": [self],
        "img-src": [self, "data:"],
        "font-src": [self],
        "connect-src": [self],
        "object-src": [none],
        "base-uri": [self],
        "form-action": [self],
        "frame-ancestors": [none],
    }
    for part in os.environ.get("SAMDRIFT_CSP_EXTRA", "").split(";"):
        words = part.split()
        if not words:
            continue
        directive, sources = words[0].lower(), words[1:]
        if directive not in directives or directives[directive] == [none] or not sources:
            raise ImproperlyConfigured(
                f"SAMDRIFT_CSP_EXTRA: {part.strip()!r} is not a directive with sources to "
                f"add; use one of {', '.join(d for d, v in directives.items() if v != [none])} "
                "followed by sources, parts separated by ';'."
            )
        for source in sources:
            if source.lower().startswith("'unsafe-") or source == "*":
                raise ImproperlyConfigured(
                    f"SAMDRIFT_CSP_EXTRA: {source} would undo the policy; it is refused."
                )
            if source not in directives[directive]:
                directives[directive].append(source)
    return {"DIRECTIVES": directives}


CONTENT_SECURITY_POLICY = _content_security_policy()

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "samdrift.core.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per token and per address (core.throttles); 429 with Retry-After beyond.
    "DEFAULT_THROTTLE_CLASSES": [
        "samdrift.core.throttles.TokenRateThrottle",
        "samdrift.core.throttles.AddressRateThrottle",
    ],
    # Behind the TLS proxy the client is the last address it appended.
    "NUM_PROXIES": 1 if PRODUCTION and env_flag("SAMDRIFT_BEHIND_TLS_PROXY") else None,
    "DEFAULT_PERMISSION_CLASSES": ["samdrift.core.drf.RolePermission"],
    "DEFAULT_PARSER_CLASSES": [
        "samdrift.core.drf.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "samdrift.core.filtersets.ScopedFilterBackend",
        "samdrift.core.drf.StableOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "samdrift.core.drf.KeysetPagination",
    # The browsable API (HTML forms for every endpoint) only outside production.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "samdrift.core.drf.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SAMDRIFT_API_RATE_PER_TOKEN = os.environ.get("SAMDRIFT_API_RATE_PER_TOKEN", "1200/minute")
SAMDRIFT_API_RATE_PER_ADDRESS = os.environ.get("SAMDRIFT_API_RATE_PER_ADDRESS", "2400/minute")
SAMDRIFT_API_TOKEN_FAILURES = env_int("SAMDRIFT_API_TOKEN_FAILURES", 20)

# The API's rate counts (core.throttles): in production in a database table, so that every
# app process counts together (the core migration 0004 creates it); elsewhere in memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "samdrift_throttle_cache",
        }
        if PRODUCTION
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}

# E-mail (order notifications): printed to the console in development and demo; in
# production sent by SMTP as configured by the environment.
if PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost").strip()
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "samdrift@localhost").strip()
# Links in e-mails start with this (e.g. https://samdrift.example.no); empty: relative.
SAMDRIFT_BASE_URL = os.environ.get("SAMDRIFT_BASE_URL", "").strip().rstrip("/")

SPECTACULAR_SETTINGS = {
    "TITLE": "Samdrift API",
    "DESCRIPTION": (
        "Inventory, leasing, service levels and billing for a shared municipal ICT "
        "organisation. Authenticate with `Authorization: Token <key>` (see `samdrift token`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe every endpoint: for signed-in users and tokens only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AssetStatusEnum": "samdrift.inventory.choices.AssetStatus",
        # Confidentiality, integrity and availability share one scale.
        "LevelEnum": "samdrift.solutions.choices.Level",
        # Charges and incidents both have a "source", from different lists.
        "ChargeSourceEnum": "samdrift.billing.choices.ChargeSource",
        "IncidentSourceEnum": "samdrift.servicedesk.choices.IncidentSource",
        # An order's state, a transition's from/to and a notification's event.
        "OrderStateEnum": "samdrift.ordering.choices.OrderState",
    },
    # No online validator badge: Swagger UI would fetch it from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAMDRIFT_LOG_LEVEL", "WARNING")},
    "loggers": {
        "samdrift": {"level": os.environ.get("SAMDRIFT_LOG_LEVEL", "INFO"), "propagate": True},
    },
}
