"""Settings come from the environment; production (DEBUG=0) refuses the development secret key.

Each case imports the settings in a fresh Python process, because settings are read once at import.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SITE_URL": settings.SITE_URL,
    "KUNTADIGI_CLOCK_FROZEN": settings.KUNTADIGI_CLOCK_FROZEN,
}))
"""
CONFIG_NAMES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "SITE_URL",
    "KUNTADIGI_NOW",
    "KUNTADIGI_CLOCK_FROZEN",
    "KUNTADIGI_DEMO",
    "KUNTADIGI_PRODUCTION",
    "KUNTADIGI_BENCH_VIEWS",
    "TASK_BACKEND",
    "RATELIMIT_IP_META_KEY",
    "EMAIL_BACKEND",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURITY_CONTACT",
    "KUNTADIGI_VIRUS_SCAN",
    "CLAMD_SOCKET",
)


def import_settings(**environ: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_NAMES}
    env.update(environ, DJANGO_SETTINGS_MODULE="kuntadigi.settings", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_production_refuses_the_development_secret_key():
    result = import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_secret_key_given_explicitly():
    from kuntadigi.settings import DEV_SECRET_KEY

    result = import_settings(DEBUG="false", SECRET_KEY=DEV_SECRET_KEY)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_starts_with_its_own_secret_key():
    result = import_settings(
        DEBUG="0",
        SECRET_KEY="a-long-random-production-key-0123456789abcdef",
        ALLOWED_HOSTS="kuntadigi.example.fi, www.kuntadigi.example.fi",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["ALLOWED_HOSTS"] == ["kuntadigi.example.fi", "www.kuntadigi.example.fi"]


def test_development_defaults():
    result = import_settings()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["SITE_URL"] == "http://127.0.0.1:8000"
    assert values["KUNTADIGI_CLOCK_FROZEN"] is False


def test_database_url_and_site_url_come_from_the_environment():
    result = import_settings(DATABASE_URL="postgres://kd@db.example.fi:5432/kuntadigi", SITE_URL="https://kuntadigi.example.fi/", KUNTADIGI_CLOCK_FROZEN="1")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["SITE_URL"] == "https://kuntadigi.example.fi"
    assert values["KUNTADIGI_CLOCK_FROZEN"] is True


# ── Production refuses development secrets (KUNTADIGI_PRODUCTION=1 or DEBUG=0) ──────────────────────

PRODUCTION_KEY = "a-long-random-production-key-0123456789abcdef"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
PRODUCTION_ENV = {"KUNTADIGI_PRODUCTION": "1", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "kuntadigi.example.fi", "EMAIL_BACKEND": SMTP}
PROBE_PRODUCTION = """
import json
from django.conf import settings
print(json.dumps({"DEBUG": settings.DEBUG, "TASKS": settings.TASKS["default"]["BACKEND"], "STATIC": settings.STORAGES["staticfiles"]["BACKEND"],
                  "BENCH": settings.KUNTADIGI_BENCH_VIEWS, "IP_KEY": settings.RATELIMIT_IP_META_KEY,
                  "HSTS_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "HSTS_SECONDS": settings.SECURE_HSTS_SECONDS}))
"""


def import_production(probe: str = PROBE_PRODUCTION, **environ: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_NAMES}
    env.update(environ, DJANGO_SETTINGS_MODULE="kuntadigi.settings", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def refusal(result: subprocess.CompletedProcess) -> str:
    """The ImproperlyConfigured line the process died with."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if "ImproperlyConfigured" in line]
    assert lines, result.stderr
    return lines[-1]


def test_a_production_server_starts_with_its_own_secrets_and_production_defaults():
    result = import_production(**PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["TASKS"] == "django_tasks_db.DatabaseBackend"  # tasks go to the db_worker, never inside a request
    assert values["STATIC"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["BENCH"] is False
    assert values["IP_KEY"] is None


def test_production_without_a_secret_key_is_refused():
    environ = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    assert "SECRET_KEY" in refusal(import_production(**environ))


def test_production_with_the_development_secret_key_is_refused():
    from kuntadigi.settings import DEV_SECRET_KEY

    assert "SECRET_KEY" in refusal(import_production(**{**PRODUCTION_ENV, "SECRET_KEY": DEV_SECRET_KEY}))


def test_production_with_a_short_secret_key_is_refused():
    assert "at least 32" in refusal(import_production(**{**PRODUCTION_ENV, "SECRET_KEY": "short-secret"}))


def test_production_without_allowed_hosts_is_refused():
    environ = {key: value for key, value in PRODUCTION_ENV.items() if key != "ALLOWED_HOSTS"}
    assert "ALLOWED_HOSTS" in refusal(import_production(**environ))
    assert "ALLOWED_HOSTS" in refusal(import_production(**{**PRODUCTION_ENV, "ALLOWED_HOSTS": " , "}))


def test_debug_off_without_the_production_flag_also_needs_allowed_hosts():
    assert "ALLOWED_HOSTS" in refusal(import_production(DEBUG="0", SECRET_KEY=PRODUCTION_KEY))


def test_production_with_debug_on_is_refused():
    assert "DEBUG" in refusal(import_production(**{**PRODUCTION_ENV, "DEBUG": "1"}))


def test_production_refuses_the_benchmark_views():
    assert "KUNTADIGI_BENCH_VIEWS" in refusal(import_production(**{**PRODUCTION_ENV, "KUNTADIGI_BENCH_VIEWS": "1"}))


def test_an_explicit_task_backend_and_proxy_address_header_are_kept():
    result = import_production(**PRODUCTION_ENV, TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend", RATELIMIT_IP_META_KEY="HTTP_X_REAL_IP")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["TASKS"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert values["IP_KEY"] == "HTTP_X_REAL_IP"


def test_development_runs_tasks_at_once_and_serves_no_benchmark_views():
    result = import_production()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is True
    assert values["TASKS"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert values["BENCH"] is False


def test_production_refuses_the_console_email_backend_which_would_print_sign_in_links():
    environ = {key: value for key, value in PRODUCTION_ENV.items() if key != "EMAIL_BACKEND"}
    assert "EMAIL_BACKEND" in refusal(import_production(**environ))  # the default is the console
    assert "EMAIL_BACKEND" in refusal(import_production(**{**PRODUCTION_ENV, "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}))
    assert import_production(**PRODUCTION_ENV).returncode == 0


def test_development_keeps_the_console_email_backend():
    assert import_production().returncode == 0


def test_hsts_covers_subdomains_only_when_the_deployment_says_so():
    values = json.loads(import_production(**PRODUCTION_ENV).stdout)
    assert values["HSTS_SECONDS"] == 31536000 and values["HSTS_SUBDOMAINS"] is False
    values = json.loads(import_production(**PRODUCTION_ENV, SECURE_HSTS_INCLUDE_SUBDOMAINS="1").stdout)
    assert values["HSTS_SUBDOMAINS"] is True


# ── Uploads are scanned: on by default, off only by an explicit setting, never in production ────────

PROBE_SCAN = """
import json
from django.conf import settings
print(json.dumps({"SCAN": settings.KUNTADIGI_VIRUS_SCAN, "SOCKET": settings.CLAMD_SOCKET}))
"""


def test_virus_scanning_is_on_by_default_through_debians_clamd_socket():
    result = import_production(PROBE_SCAN)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"SCAN": True, "SOCKET": "/var/run/clamav/clamd.ctl"}
    result = import_production(PROBE_SCAN, **PRODUCTION_ENV)
    assert json.loads(result.stdout)["SCAN"] is True


def test_development_may_switch_scanning_off_explicitly():
    result = import_production(PROBE_SCAN, KUNTADIGI_VIRUS_SCAN="off", CLAMD_SOCKET="/run/clamd/test.sock")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"SCAN": False, "SOCKET": "/run/clamd/test.sock"}


def test_production_refuses_to_run_without_virus_scanning():
    assert "KUNTADIGI_VIRUS_SCAN is off with KUNTADIGI_PRODUCTION=1" in refusal(import_production(**{**PRODUCTION_ENV, "KUNTADIGI_VIRUS_SCAN": "off"}))


def test_a_misspelt_scanning_setting_is_refused_rather_than_read_as_off():
    assert "KUNTADIGI_VIRUS_SCAN is 'of': give on or off." in refusal(import_production(PROBE_SCAN, KUNTADIGI_VIRUS_SCAN="of"))
