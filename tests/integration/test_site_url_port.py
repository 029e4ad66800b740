"""`make run PORT=8101` serves the demo on port 8101, and the links in the e-mail it sends (sign-in links,
receipts) lead there too: the site address (settings.SITE_URL) follows the server's port unless SITE_URL
is given. Each case asks make what it would run (`make -n`) and reads the settings as that command would."""

import json
import os
import shlex
import shutil
import subprocess

import pytest

from tests.integration.test_settings import CONFIG_NAMES, ROOT, import_settings

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


def runserver_command(*make_args: str, **environ: str) -> tuple[dict[str, str], list[str]]:
    """The environment assignments and the arguments of the runserver line that `make <args>` would run."""
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_NAMES}
    env.update(environ)
    result = subprocess.run(["make", "-n", *make_args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    lines = [line for line in result.stdout.splitlines() if " runserver " in line]
    assert len(lines) == 1, result.stdout
    words = shlex.split(lines[0])
    assignments = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        assignments[name] = value
    return assignments, words


def site_url_of(assignments: dict[str, str]) -> str:
    result = import_settings(**assignments)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["SITE_URL"]


def test_make_run_on_another_port_sends_links_to_that_port():
    assignments, words = runserver_command("run", "PORT=8101")
    assert words[-1] == "127.0.0.1:8101"
    assert site_url_of(assignments) == "http://127.0.0.1:8101"


def test_the_day_after_the_deadline_follows_the_port_too():
    assignments, words = runserver_command("run-after-deadline", "PORT=8102")
    assert words[-1] == "127.0.0.1:8102"
    assert site_url_of(assignments) == "http://127.0.0.1:8102"


def test_a_server_on_every_address_sends_links_to_this_machine():
    assignments, words = runserver_command("run", "HOST=0.0.0.0", "PORT=8103")
    assert words[-1] == "0.0.0.0:8103"
    assert site_url_of(assignments) == "http://127.0.0.1:8103"


def test_an_explicit_public_address_wins_over_the_port():
    assignments, _ = runserver_command("run", "PORT=8101", SITE_URL="https://kuntadigi.example.fi/")
    assert site_url_of(assignments) == "https://kuntadigi.example.fi"


def test_an_empty_site_url_counts_as_unset():
    assignments, _ = runserver_command("run", "PORT=8104", SITE_URL="")
    assert site_url_of(assignments) == "http://127.0.0.1:8104"
    assert json.loads(import_settings(SITE_URL="").stdout)["SITE_URL"] == "http://127.0.0.1:8000"
