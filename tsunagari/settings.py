"""Tsunagari settings: one module, driven by environment variables.

Safe defaults: DEBUG is off unless asked for, and the secret key and the data-encryption keys are
required unless this process is the demo (``tsunagari demo`` generates both under its data dir).
See docs/operations.md for every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TSUNAGARI_DATA_DIR", "var")).resolve()

# Derived data that can be rebuilt (text embeddings of services, category phrases): safe to delete.
CACHE_DIR = Path(os.environ.get("TSUNAGARI_CACHE_DIR", DATA_DIR / "cache")).resolve()

# The demo is the only mode that may invent its own secrets (see tsunagari/cli.py).
DEMO = env_bool("TSUNAGARI_DEMO")
DEBUG = env_bool("TSUNAGARI_DEBUG")
HTTPS = env_bool("TSUNAGARI_HTTPS")


def _required_secret(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is required. Set it in the environment (see docs/operations.md), "
            "or run `tsunagari demo`, which generates demo secrets under its data dir."
        )
    return value


SECRET_KEY = _required_secret("TSUNAGARI_SECRET_KEY")
# Fernet keys, newest first: the first encrypts, all decrypt (key rotation).
DATA_ENCRYPTION_KEYS = [k.strip() for k in _required_secret("TSUNAGARI_DATA_KEYS").split(",") if k.strip()]
# The activity log's hash chain is keyed with this (HMAC-SHA256), so that someone with the database
# but not this key cannot recompute the chain after changing it. It cannot be rotated: keep it.
TSUNAGARI_AUDIT_KEY = _required_secret("TSUNAGARI_AUDIT_KEY")
if len(TSUNAGARI_AUDIT_KEY) < 32:
    raise ImproperlyConfigured(
        "TSUNAGARI_AUDIT_KEY must be at least 32 characters: `tsunagari generate-key` makes one."
    )

# The activity log is this many independent hash chains (lanes), so that writers on PostgreSQL need not take
# turns on one lock (docs/architecture.md, "The activity log"). 1 is the old single chain.
try:
    TSUNAGARI_AUDIT_LANES = int(os.environ.get("TSUNAGARI_AUDIT_LANES", "16"))
except ValueError:
    TSUNAGARI_AUDIT_LANES = 0
if not 1 <= TSUNAGARI_AUDIT_LANES <= 256:
    raise ImproperlyConfigured("TSUNAGARI_AUDIT_LANES must be a whole number from 1 to 256.")

ALLOWED_HOSTS = env_list("TSUNAGARI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("TSUNAGARI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, under FORM_RENDERER below
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "tsunagari.accounts",
    "tsunagari.orgs",
    "tsunagari.audit",
    "tsunagari.directory",
    "tsunagari.cases",
    "tsunagari.needs",
    "tsunagari.notifications",
    "tsunagari.watch",
    "tsunagari.meetings",
    "tsunagari.outreach",
    "tsunagari.events",
    "tsunagari.line",
    "tsunagari.reachout",
    "tsunagari.training",
    "tsunagari.ratelimit",
    "tsunagari.worker",
]

MIDDLEWARE = [
    "tsunagari.audit.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tsunagari.accounts.middleware.AbsoluteSessionTimeoutMiddleware",
    "tsunagari.accounts.middleware.IdleSessionRenewalMiddleware",
    "tsunagari.today.FreshBadgeMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tsunagari.accounts.middleware.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tsunagari.text.middleware.FuriganaMiddleware",
]

ROOT_URLCONF = "tsunagari.urls"
WSGI_APPLICATION = "tsunagari.wsgi.application"

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
                "django.template.context_processors.i18n",
                "tsunagari.orgs.context_processors.memberships",
                "tsunagari.today.badge",
                "tsunagari.text.middleware.furigana",
            ],
        },
    }
]

# Widgets render through the project's template engine, so a widget template can be overridden in
# templates/django/forms/ (the select writes its options inline: templates/django/forms/widgets/select.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------------------
# SQLite under the data dir by default; PostgreSQL (or anything dj-database-url knows) via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'tsunagari.sqlite3'}",
        conn_max_age=int(os.environ.get("TSUNAGARI_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers queue
        # instead of failing half-way; the audit hash chain relies on writes being serialised.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (login attempts) must be shared by every server process, hence a database cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tsunagari_cache",
    }
}

# --- Accounts, sessions and MFA -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

SESSION_COOKIE_AGE = int(os.environ.get("TSUNAGARI_SESSION_IDLE_SECONDS", str(30 * 60)))
# The 30-minute idle limit counts from the last request, renewed at most once a minute
# (accounts.middleware.IdleSessionRenewalMiddleware) rather than by a write on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_AGE = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

ACCOUNT_ADAPTER = "tsunagari.accounts.adapter.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are verified by the invitation link itself
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Per client address means the real client behind the trusted proxies (accounts/adapter.py). Failed logins
# are limited per account (5 in 5 minutes, wherever they come from) and, more loosely, per client (offices
# behind one NAT address share it), so one attacker cannot lock everybody out.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/5m/ip,5/5m/key",
    "reset_password": "5/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = os.environ.get("TSUNAGARI_TOTP_ISSUER", "Tsunagari")
# Localhost is a secure context for WebAuthn; the demo may also be reached over plain http.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEMO or DEBUG
INVITATION_VALID_FOR = timedelta(days=int(os.environ.get("TSUNAGARI_INVITATION_DAYS", "7")))

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
# やさしい日本語 (plain Japanese for residents, after the national guidelines) is a language of its own:
# its catalog (locale/ja_Easy) translates the public pages' strings and falls back to Japanese for the rest.
# "ja-easy" is a valid Django code (locale ja_Easy); pages still declare lang="ja" (base.html).
EASY_JAPANESE = "ja-easy"
LANGUAGES = [("ja", _("Japanese")), (EASY_JAPANESE, _("Easy Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("TSUNAGARI_STATIC_ROOT", DATA_DIR / "static"))
# Production serves what `collectstatic` gathered, with hashed names (cache-forever); the demo,
# development and tests serve straight from the app folders.
COLLECTED_STATIC = env_bool("TSUNAGARI_COLLECTED_STATIC", not (DEMO or DEBUG))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if COLLECTED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC
if not COLLECTED_STATIC:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- Mail -----------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("TSUNAGARI_FROM_EMAIL", "tsunagari@localhost")
EMAIL_TIMEOUT = int(os.environ.get("TSUNAGARI_EMAIL_TIMEOUT", "10"))
if os.environ.get("TSUNAGARI_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["TSUNAGARI_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("TSUNAGARI_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("TSUNAGARI_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TSUNAGARI_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("TSUNAGARI_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security -------------------------------------------------------------------------------------
# An upload over 2.5 MB streams to a temporary file instead of memory; other form data over 2.5 MB is refused.
# Forms cap what they read (spreadsheets: 5 MB, read row by row within caps in spreadsheets.py).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("TSUNAGARI_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("TSUNAGARI_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds every subdomain of the registrable domain (often the city's own) to HTTPS
        # for good: that is the city's decision (TSUNAGARI_HSTS_PRELOAD=1), not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Strict CSP: no inline script or style anywhere; data for scripts goes through json_script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # allauth renders the TOTP QR code as a data: URI
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
        "manifest-src": [SELF],
    }
}

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TSUNAGARI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # A request naming another host is the sender's mistake (scanners send any Host): a 400 and a log
        # line, never an error e-mail to the admins.
        "django.security.DisallowedHost": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
ADMINS = [("", email) for email in env_list("TSUNAGARI_ADMIN_EMAILS")]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Platform rules -------------------------------------------------------------------------------
# Used for links in e-mails sent outside a request (command line, worker); required for those.
TSUNAGARI_SITE_URL = os.environ.get("TSUNAGARI_SITE_URL", "")
# Reverse proxies whose X-Forwarded-For is believed when recording who did what (audit log).
TSUNAGARI_TRUSTED_PROXIES = frozenset(env_list("TSUNAGARI_TRUSTED_PROXIES"))
# Duplicate checks (「支援対象者の登録」) one person may run per hour: enough for registering, too few for probing.
TSUNAGARI_DUPLICATE_CHECKS_PER_HOUR = int(os.environ.get("TSUNAGARI_DUPLICATE_CHECKS_PER_HOUR", "30"))
# Business days a recipient has to answer a referral before it is escalated to the secretariat.
TSUNAGARI_REFERRAL_DUE_DAYS = int(os.environ.get("TSUNAGARI_REFERRAL_DUE_DAYS", "3"))
# Days a case may wait without a lead (制度のはざま) before the secretariat's coordinators are told.
TSUNAGARI_UNASSIGNED_ESCALATE_DAYS = int(os.environ.get("TSUNAGARI_UNASSIGNED_ESCALATE_DAYS", "3"))
# A 支援会議 shares its cases with the invited organisations until this many days after the meeting
# (organisations given an action keep them until the action is due and reviewed: meetings/services.py).
TSUNAGARI_MEETING_SHARING_DAYS = int(os.environ.get("TSUNAGARI_MEETING_SHARING_DAYS", "30"))
# Closed cases (and people with nothing left open) are deleted this many years after closing.
TSUNAGARI_RETENTION_YEARS = int(os.environ.get("TSUNAGARI_RETENTION_YEARS", "5"))
# Aggregates of shared needs show a figure only when it is at least this (smaller ones read 「10未満」).
TSUNAGARI_NEEDS_MIN_CELL = max(2, int(os.environ.get("TSUNAGARI_NEEDS_MIN_CELL", "10")))
# Watching over: the escalation ladder's steps (watch/ladder.py), how long an alert waits at each step
# before it climbs (urgent alerts and SOS reports faster), how many unanswered contacts in a row raise an
# alert, and the secretariat's response time for SOS reports.
TSUNAGARI_WATCH_LADDER = env_list("TSUNAGARI_WATCH_LADDER") or [
    "supporter",
    "district_welfare",
    "home_visit",
    "emergency",
]
TSUNAGARI_WATCH_ESCALATE_HOURS = int(os.environ.get("TSUNAGARI_WATCH_ESCALATE_HOURS", "24"))
TSUNAGARI_WATCH_URGENT_ESCALATE_MINUTES = int(os.environ.get("TSUNAGARI_WATCH_URGENT_ESCALATE_MINUTES", "60"))
TSUNAGARI_WATCH_NO_ANSWER_LIMIT = int(os.environ.get("TSUNAGARI_WATCH_NO_ANSWER_LIMIT", "2"))
TSUNAGARI_SOS_RESPONSE_HOURS = int(os.environ.get("TSUNAGARI_SOS_RESPONSE_HOURS", "24"))


def _clocks(text: str) -> dict[str, int]:
    """``emergency=30m,urgent=4h,routine=24h`` → minutes per urgency (watch/urgency.py reads them)."""
    clocks = {"emergency": 30, "urgent": 4 * 60, "routine": TSUNAGARI_SOS_RESPONSE_HOURS * 60}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _sep, value = item.partition("=")
        number, unit = value.strip()[:-1], value.strip()[-1:]
        if name.strip() not in clocks or unit not in {"m", "h"} or not number.isdigit() or int(number) < 1:
            raise ImproperlyConfigured(
                f"TSUNAGARI_WATCH_CLOCKS: cannot read {item!r} (e.g. emergency=30m,urgent=4h)"
            )
        clocks[name.strip()] = int(number) * (60 if unit == "h" else 1)
    return clocks


# How soon each urgency must be answered (緊急 in minutes, 至急 in hours, 通常 within the day): the response
# clock of SOS reports and of the alerts raised by contacts. 通常 defaults to TSUNAGARI_SOS_RESPONSE_HOURS.
TSUNAGARI_WATCH_CLOCKS = _clocks(os.environ.get("TSUNAGARI_WATCH_CLOCKS", ""))
# The secretariat's office hours on business days (weekdays that are not Japanese public holidays nor
# 12/29–1/3); outside them the on-call rota answers.
TSUNAGARI_OFFICE_HOURS = os.environ.get("TSUNAGARI_OFFICE_HOURS", "08:30-17:15")
TSUNAGARI_NOTIFICATION_CHANNELS = env_list("TSUNAGARI_NOTIFICATION_CHANNELS") or [
    "tsunagari.notifications.channels.EmailChannel",
    "tsunagari.line.channels.LineChannel",  # does nothing while LINE is off or for members not linked
]
# LINE (tsunagari/line, docs/operations.md "LINE"): the Messaging API channel's secret and long-lived access
# token. Without both, LINE is off: the webhook /line/webhook/ answers 404 and nothing is sent.
TSUNAGARI_LINE_CHANNEL_SECRET = os.environ.get("TSUNAGARI_LINE_CHANNEL_SECRET", "")
TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = os.environ.get("TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN", "")
# The account's "add friend" link (https://lin.ee/…), shown to members on the LINE settings page.
TSUNAGARI_LINE_ADD_FRIEND_URL = os.environ.get("TSUNAGARI_LINE_ADD_FRIEND_URL", "")
# LINE messages that fail are tried again like e-mails (1, 2, 4 … minutes), this many times in all.
TSUNAGARI_LINE_MAX_ATTEMPTS = max(1, int(os.environ.get("TSUNAGARI_LINE_MAX_ATTEMPTS", "8")))
# Minutes a one-time code for linking a LINE account stays valid, and wrong codes one LINE account may send
# an hour (against guessing).
TSUNAGARI_LINE_CODE_MINUTES = int(os.environ.get("TSUNAGARI_LINE_CODE_MINUTES", "15"))
TSUNAGARI_LINE_WRONG_CODES_PER_HOUR = int(os.environ.get("TSUNAGARI_LINE_WRONG_CODES_PER_HOUR", "5"))
# The public navigator: questions one client may ask a minute, and how many answers the machine computes
# at once (file-lock slots shared by all server processes; `tsunagari serve` sets it to its workers less
# one, so a process is always free for staff pages), and how long a question waits for a slot.
TSUNAGARI_NAVIGATOR_PER_MINUTE = int(os.environ.get("TSUNAGARI_NAVIGATOR_PER_MINUTE", "20"))
# Public event registrations: at most this many an hour from one client (0: no limit), and registrants'
# details are blanked this many days after their event unless they asked to hear about future events.
TSUNAGARI_EVENT_REGISTRATIONS_PER_HOUR = int(os.environ.get("TSUNAGARI_EVENT_REGISTRATIONS_PER_HOUR", "20"))
TSUNAGARI_EVENT_RETENTION_DAYS = int(os.environ.get("TSUNAGARI_EVENT_RETENTION_DAYS", "90"))
# Public pages visitors who are not signed in open most are kept in each server process for this many seconds
# (tsunagari/pagecache.py); 0 turns it off. Members always get fresh pages.
TSUNAGARI_PUBLIC_PAGE_SECONDS = int(os.environ.get("TSUNAGARI_PUBLIC_PAGE_SECONDS", "60"))
TSUNAGARI_NAVIGATOR_SLOTS = int(os.environ.get("TSUNAGARI_NAVIGATOR_SLOTS", "2"))
TSUNAGARI_NAVIGATOR_WAIT_SECONDS = float(os.environ.get("TSUNAGARI_NAVIGATOR_WAIT_SECONDS", "3"))
# Public forms (membership applications, inquiries to the secretariat): submissions one client may send a
# minute, against spam (with a honeypot field; no outside CAPTCHA).
TSUNAGARI_PUBLIC_FORMS_PER_MINUTE = int(os.environ.get("TSUNAGARI_PUBLIC_FORMS_PER_MINUTE", "5"))
# 「相談したい」 contact requests (tsunagari/reachout): business days the secretariat has to answer one (a
# request with crisis words is 緊急: the watch clock for emergencies), requests one client may send an hour,
# and wrong PINs a reference code allows an hour before its status page locks.
TSUNAGARI_CONTACT_RESPONSE_BUSINESS_DAYS = int(
    os.environ.get("TSUNAGARI_CONTACT_RESPONSE_BUSINESS_DAYS", "1")
)
TSUNAGARI_CONTACT_REQUESTS_PER_HOUR = int(os.environ.get("TSUNAGARI_CONTACT_REQUESTS_PER_HOUR", "5"))
TSUNAGARI_CONTACT_STATUS_ATTEMPTS = int(os.environ.get("TSUNAGARI_CONTACT_STATUS_ATTEMPTS", "5"))
# Days an answered contact request is kept (after the person was contacted, or after a case was opened from it:
# the case then holds what support needs, on its own basis); then it is deleted (reachout.jobs).
TSUNAGARI_CONTACT_REQUEST_KEEP_DAYS = int(os.environ.get("TSUNAGARI_CONTACT_REQUEST_KEEP_DAYS", "180"))
TSUNAGARI_CITY_NAME = os.environ.get("TSUNAGARI_CITY_NAME", "架空市")
TSUNAGARI_PLATFORM_NAME = os.environ.get("TSUNAGARI_PLATFORM_NAME", "孤独・孤立対策官民連携プラットフォーム")


# --- Background work (tsunagari/worker) ------------------------------------------------------------
# Tasks wait in the database (django-tasks-db) until a worker runs them: `tsunagari worker` (any number
# of them on PostgreSQL), or the one `tsunagari demo` starts beside its web server on SQLite.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /healthz answers 503 when no worker has been seen for this long, or a due task has waited this long.
TSUNAGARI_WORKER_STALE_SECONDS = int(os.environ.get("TSUNAGARI_WORKER_STALE_SECONDS", "300"))
TSUNAGARI_QUEUE_DELAY_SECONDS = int(os.environ.get("TSUNAGARI_QUEUE_DELAY_SECONDS", "600"))
# E-mails that fail are tried again with growing pauses (1, 2, 4 … minutes, at most an hour) this many
# times in all, then shown as failed (送信失敗) to the recipient and on the secretariat's notifications page.
TSUNAGARI_EMAIL_MAX_ATTEMPTS = max(1, int(os.environ.get("TSUNAGARI_EMAIL_MAX_ATTEMPTS", "8")))


def _check_data_keys(keys: list[str]) -> None:
    from cryptography.fernet import Fernet

    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError as error:
            raise ImproperlyConfigured(
                "TSUNAGARI_DATA_KEYS must be Fernet keys (32 url-safe base64 bytes), comma-separated. "
                "Generate one with `tsunagari generate-key`."
            ) from error


_check_data_keys(DATA_ENCRYPTION_KEYS)
MFA_ADAPTER = "tsunagari.accounts.adapter.EncryptingMFAAdapter"
MFA_FORMS = {"authenticate": "tsunagari.accounts.forms.AuthenticateForm"}
