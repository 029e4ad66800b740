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
CONFIG_NAMES = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL", "KUNTADIGI_NOW", "KUNTADIGI_CLOCK_FROZEN", "KUNTADIGI_DEMO")


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
