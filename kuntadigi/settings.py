"""Settings for kuntadigi, read from the environment with safe development defaults.

Production sets at least SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS and DEBUG=0; with DEBUG off the
app refuses to start on the development secret key.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 (refused when DEBUG is off)
DEV_ALLOWED_HOSTS = "127.0.0.1,localhost,testserver"
# KUNTADIGI_PRODUCTION=1 marks a production server: DEBUG is then off unless asked for, and asking
# for it is refused. With DEBUG off (production or not) the development secrets are refused below.
PRODUCTION = env_bool("KUNTADIGI_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", DEV_ALLOWED_HOSTS if DEBUG else "")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG is on with KUNTADIGI_PRODUCTION=1: a production server never shows debug pages. Set DEBUG=0 or leave it unset.")
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: the development key is refused when DEBUG is off.")
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY is too short for DEBUG off: use at least 32 random characters.")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated host names) when DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The public address used in links sent by e-mail (sign-in links, receipts). Production sets it to the
# address people use (https://kuntadigi.example.fi). Unset, it is the development server's address:
# `make run PORT=8101` passes SITE_URL=http://127.0.0.1:8101, so links reach the server that sent them.
SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
# The service's own contacts, in one place: the footer of every page, the privacy notice, the accessibility
# statement, the help page, and the registry address in decision documents and letters (a call's own contact
# persons come from the call's data). The controller is the Ministry of Finance; the defaults are its public
# registry address and switchboard, as in the calls' data. A deployment sets its own.
KUNTADIGI_CONTACT = {
    "email": os.environ.get("KUNTADIGI_CONTACT_EMAIL", "valtiovarainministerio@gov.fi"),
    "phone": os.environ.get("KUNTADIGI_CONTACT_PHONE", "0295 16001"),
    # The ministry's registry by language: name, postal address, visiting address (claims for rectification go here).
    "registry": {
        "fi": ("Valtiovarainministeriö, kirjaamo", "PL 28, 00023 Valtioneuvosto", "Snellmaninkatu 1 A, Helsinki"),
        "sv": ("Finansministeriet, registratorskontoret", "PB 28, 00023 Statsrådet", "Snellmansgatan 1 A, Helsingfors"),
        "en": ("Ministry of Finance, Registry", "PO Box 28, FI-00023 Government, Finland", "Snellmaninkatu 1 A, Helsinki"),
    },
    # The controller's business ID (Y-tunnus) and its data protection officer (privacy notice), as the
    # ministry publishes them (its data protection page, vm.fi/sv/dataskydd: "Dataskyddsombud
    # vmtietosuojavastaava(at)gov.fi"; the business ID as in its own services' privacy notices).
    "business_id": os.environ.get("KUNTADIGI_BUSINESS_ID", "0245439-9"),
    "data_protection_email": os.environ.get("KUNTADIGI_DATA_PROTECTION_EMAIL", "vmtietosuojavastaava@gov.fi"),
    # Feedback on accessibility (accessibility statement); answered within 14 days.
    "accessibility_email": os.environ.get("KUNTADIGI_ACCESSIBILITY_EMAIL") or os.environ.get("KUNTADIGI_CONTACT_EMAIL", "valtiovarainministerio@gov.fi"),
}
# The funder in the open data (360Giving): org-id FI-PRO-<business ID> and name; a deployment corrects
# them here or by environment (docs/decisions.md: the prefix and the ID are to be confirmed).
PUBLICATION_FUNDER = {
    "id": os.environ.get("PUBLICATION_FUNDER_ID", "FI-PRO-0245439-9"),
    "name": os.environ.get("PUBLICATION_FUNDER_NAME", "Valtiovarainministeriö"),
    "website": os.environ.get("PUBLICATION_FUNDER_WEBSITE", "https://vm.fi/"),
}
# The prefix of the grants' 360Giving identifiers: <prefix>-<application reference>.
PUBLICATION_GRANT_ID_PREFIX = os.environ.get("PUBLICATION_GRANT_ID_PREFIX", "360G-kuntadigi")

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",  # the database task backend and its `db_worker` command
    "django_otp",  # the second factor: TOTP, recovery codes (static tokens) and passkeys (WebAuthn)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "kuntadigi.core",
    "kuntadigi.audit",
    "kuntadigi.accounts",
    "kuntadigi.registry",
    "kuntadigi.calls",
    "kuntadigi.applications",
    "kuntadigi.screening",
    "kuntadigi.assessment",
    "kuntadigi.decisions",
    "kuntadigi.delivery",
    "kuntadigi.publication",
    "kuntadigi.mfa",
    "kuntadigi.notifications",
    "kuntadigi.officials",
    "kuntadigi.projects",
    "kuntadigi.payments",
    "kuntadigi.reports",
    "kuntadigi.demo",
]

MIDDLEWARE = [
    "kuntadigi.core.middleware.RefuseTrace",  # TRACE is 405 everywhere, static files and the API included
    "django.middleware.security.SecurityMiddleware",
    "kuntadigi.core.middleware.PermissionsPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kuntadigi.api.middleware.JsonErrors",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kuntadigi.accounts.throttle.DeviceCookieMiddleware",  # trusts a browser for the account it signed in to
    "django.contrib.messages.middleware.MessageMiddleware",
    "kuntadigi.mfa.middleware.SecondFactorMiddleware",  # session limits; an unverified official reaches only the second-factor pages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "kuntadigi.core.middleware.DemoNotFound",  # the demo (DEBUG on) answers a missing page with the service's 404, not Django's technical page
]

ROOT_URLCONF = "kuntadigi.urls"
WSGI_APPLICATION = "kuntadigi.wsgi.application"

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
                "kuntadigi.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Serialise writers instead of failing with "database is locked" under concurrent saves.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Repetitive, sequential and low-entropy passwords (zxcvbn's estimate; 3 = safely unguessable).
    {"NAME": "kuntadigi.accounts.validators.PasswordStrengthValidator", "OPTIONS": {"min_score": 3}},
]

CACHES = {
    # The database cache is shared by every server process, so rate limits hold across workers.
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kuntadigi_cache"}
}
RATELIMIT_VIEW = "kuntadigi.accounts.views.rate_limited"
# Behind a reverse proxy every request comes from the proxy's address: name the header it sets for the
# client's address (e.g. HTTP_X_REAL_IP), or the per-address sign-in limits count everyone together.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None

# The second factor and sessions (kuntadigi/mfa, docs/security.md). Officials (any role in a call, the
# official and assessor flags, system administrators) must give a second factor; applicants may turn one on.
# Signing decisions, naming roles and approving payments ask for it again when it was given longer ago
# than KUNTADIGI_STEP_UP_MINUTES. Officials' sessions end after KUNTADIGI_OFFICIAL_IDLE_MINUTES without a
# request and KUNTADIGI_OFFICIAL_SESSION_HOURS after signing in; applicants' after KUNTADIGI_APPLICANT_IDLE_MINUTES.
KUNTADIGI_STEP_UP_MINUTES = int(os.environ.get("KUNTADIGI_STEP_UP_MINUTES", "10"))
KUNTADIGI_OFFICIAL_IDLE_MINUTES = int(os.environ.get("KUNTADIGI_OFFICIAL_IDLE_MINUTES", "30"))
KUNTADIGI_OFFICIAL_SESSION_HOURS = int(os.environ.get("KUNTADIGI_OFFICIAL_SESSION_HOURS", "10"))
KUNTADIGI_APPLICANT_IDLE_MINUTES = int(os.environ.get("KUNTADIGI_APPLICANT_IDLE_MINUTES", "480"))
# Second-factor code attempts allowed per person and per address (django-ratelimit, as for sign-in).
KUNTADIGI_MFA_CODE_RATE = os.environ.get("KUNTADIGI_MFA_CODE_RATE", "10/10m")
OTP_TOTP_ISSUER = "kuntadigi"
# django-otp's own per-device back-off would refuse even the right code for a while after a typing
# mistake; the per-person and per-address rate limits above stop guessing instead.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Passkeys (django-otp-webauthn): the relying party is this service's host; only second-factor use
# (a signed-in person), never passwordless sign-in.
OTP_WEBAUTHN_RP_NAME = "kuntadigi"
# The relying party is SITE_URL's host name; WebAuthn needs HTTPS or localhost (so the development server's
# passkeys work at http://localhost:8000, not at http://127.0.0.1:8000).
OTP_WEBAUTHN_RP_ID_CALLABLE = "kuntadigi.mfa.passkeys.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "kuntadigi.mfa.passkeys.Helper"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS", SITE_URL if SITE_URL.startswith(("https://", "http://localhost")) else "http://localhost:8000"
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Internationalisation: Finnish first, then Swedish and English.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fi"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fi", "sv", "en")}
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

# The one clock: an ISO instant such as 2020-10-05T12:00:00+03:00. Unset means real time.
KUNTADIGI_NOW = os.environ.get("KUNTADIGI_NOW", "")
# Frozen: "now" stays at KUNTADIGI_NOW. Otherwise the clock runs on from it.
KUNTADIGI_CLOCK_FROZEN = env_bool("KUNTADIGI_CLOCK_FROZEN", False)
KUNTADIGI_DEMO = env_bool("KUNTADIGI_DEMO", False)
# The record of e-mail sent (listed on each account page) is kept this many days; `manage.py send_reminders`
# deletes older rows in its daily run. The privacy notice states it.
KUNTADIGI_MESSAGE_RETENTION_DAYS = int(os.environ.get("KUNTADIGI_MESSAGE_RETENTION_DAYS", "730"))
# Routes the load benchmark's bare insert view (bench/deadline_rush.py); never on a production server.
KUNTADIGI_BENCH_VIEWS = env_bool("KUNTADIGI_BENCH_VIEWS", False)
if PRODUCTION and KUNTADIGI_BENCH_VIEWS:
    raise ImproperlyConfigured("KUNTADIGI_BENCH_VIEWS is for load benchmarks only; it is refused with KUNTADIGI_PRODUCTION=1.")

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Uploads (kuntadigi/core/uploads.py): the handlers stop reading a request once its files pass
# ATTACHMENT_MAX_BYTES, instead of reading whatever a client sends. A request up to 5 MB stays in memory;
# a bigger one goes to a temporary file that has no name on disk (unlinked at once), so a worker killed
# mid-upload leaves nothing behind. Form fields other than files: at most 5 MB, 1,000 fields.
FILE_UPLOAD_HANDLERS = [
    "kuntadigi.core.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "kuntadigi.core.uploads.UnlinkedTemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None  # None: the system's (TMPDIR, /tmp)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Every uploaded file is scanned by ClamAV's daemon over its unix socket before it is accepted
# (kuntadigi/core/virus_scan.py); when the scanner cannot answer, the upload is refused. Development
# without clamd may switch scanning off explicitly (KUNTADIGI_VIRUS_SCAN=off); production refuses that.
_virus_scan = os.environ.get("KUNTADIGI_VIRUS_SCAN", "on").strip().lower()
if _virus_scan not in {"on", "off", "1", "0", "true", "false", "yes", "no"}:
    raise ImproperlyConfigured(f"KUNTADIGI_VIRUS_SCAN is {_virus_scan!r}: give on or off.")
KUNTADIGI_VIRUS_SCAN = _virus_scan in {"on", "1", "true", "yes"}
if PRODUCTION and not KUNTADIGI_VIRUS_SCAN:
    raise ImproperlyConfigured(
        "KUNTADIGI_VIRUS_SCAN is off with KUNTADIGI_PRODUCTION=1: production never accepts an unscanned upload. Run clamd and set CLAMD_SOCKET."
    )
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "/var/run/clamav/clamd.ctl")  # Debian's clamav-daemon
CLAMD_TIMEOUT = float(os.environ.get("CLAMD_TIMEOUT", "60"))  # seconds for one file's scan

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The console backend prints every message, sign-in links included, to the server's log.
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if PRODUCTION and EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is the console backend with KUNTADIGI_PRODUCTION=1: it would print sign-in links to the log. "
        "Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kuntadigi <noreply@kuntadigi.invalid>")

# Background tasks (e-mail, decision PDFs). The default runs each task at once, inside the request
# (development, tests). Production sets TASK_BACKEND=django_tasks_db.DatabaseBackend and runs
# `manage.py db_worker`, which takes the queued tasks from the database.
# With DEBUG off the database backend is the default: tasks never run inside a request in production.
TASKS = {
    "default": {"BACKEND": os.environ.get("TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend" if DEBUG else "django_tasks_db.DatabaseBackend")}
}

# Security
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The language cookie (set only by the language form) goes over HTTPS only too, as the cookie notice says.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if not DEBUG else None
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
# HSTS for every subdomain too: only when all of them serve HTTPS (a deployment decides; README, Settings).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
# Browser features no page uses are turned off; passkeys (WebAuthn) stay allowed for the service itself.
PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "autoplay=()",
        "camera=()",
        "display-capture=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "midi=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "xr-spatial-tracking=()",
        "browsing-topics=()",
        "publickey-credentials-create=(self)",
        "publickey-credentials-get=(self)",
    ]
)
CSRF_FAILURE_VIEW = "kuntadigi.core.views.csrf_failure"
# /.well-known/security.txt (RFC 9116): where to report a vulnerability.
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "mailto:security@kuntadigi.invalid")

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Logs carry no personal data: requests are logged by path and status only, never e-mail addresses.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "kuntadigi.core.access_log.MaskTokens"}},  # no sign-in token in any log line
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_tokens"]},
        # The development server's own request log (runserver), with sign-in tokens masked as well.
        "django.server": {"level": "INFO", "class": "logging.StreamHandler", "formatter": "django.server", "filters": ["mask_tokens"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.security.DisallowedHost": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},  # one line per task state change is noise; failures still show
    },
}
