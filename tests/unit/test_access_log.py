"""Gunicorn's access log records no sign-in token, query string, Referer or client address."""

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from kuntadigi.core.access_log import FORMAT, MaskingLogger, mask_path

TOKEN = "Xy7-very-secret-token_0123456789"


def log_line(path: str, query: str = "", **headers: str) -> str:
    logger = MaskingLogger(Config())
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.7",
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    request = SimpleNamespace(headers=[(name.upper(), value) for name, value in headers.items()])
    response = SimpleNamespace(status="302 Found", sent=120, headers=[("Location", f"/fi/?next={TOKEN}")])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=42))
    return FORMAT % atoms


def test_a_sign_in_link_is_logged_without_its_token():
    line = log_line(f"/fi/sign-in/link/{TOKEN}/")
    assert TOKEN not in line
    assert '"POST /fi/sign-in/link/***/ HTTP/1.1" 302 120 42ms' in line


def test_query_strings_referers_and_addresses_stay_out_of_the_log():
    line = log_line("/fi/applications/", query=f"token={TOKEN}", referer=f"https://kuntadigi.example.fi/fi/sign-in/link/{TOKEN}/")
    assert TOKEN not in line
    assert "198.51.100.7" not in line
    assert "token=" not in line
    assert '"POST /fi/applications/ HTTP/1.1"' in line


def test_custom_formats_cannot_reach_the_secret_atoms():
    logger = MaskingLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/sv/sign-in/link/{TOKEN}/?a=b", "PATH_INFO": f"/sv/sign-in/link/{TOKEN}/", "QUERY_STRING": "a=b"}
    environ.update(SERVER_PROTOCOL="HTTP/1.1", HTTP_REFERER=TOKEN)
    request = SimpleNamespace(headers=[("REFERER", TOKEN), ("COOKIE", f"sessionid={TOKEN}")])
    atoms = logger.atoms(SimpleNamespace(status="200 OK", sent=1, headers=[]), request, environ, timedelta(0))
    assert all(TOKEN not in str(value) for value in atoms.values())
    assert atoms["r"] == "GET /sv/sign-in/link/***/ HTTP/1.1"


def test_paths_without_a_token_are_kept():
    assert mask_path("/fi/sign-in/link/") == "/fi/sign-in/link/"
    assert mask_path("/en/applications/12/autosave/") == "/en/applications/12/autosave/"
    assert mask_path(None) == "-"


def test_log_lines_from_django_mask_sign_in_tokens():
    import logging

    from kuntadigi.core.access_log import MaskTokens

    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Bad Request: %s", (f"/fi/sign-in/link/{TOKEN}/",), None)
    assert MaskTokens().filter(record) is True
    assert record.getMessage() == "Bad Request: /fi/sign-in/link/***/"
    plain = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/fi/nothing/",), None)
    MaskTokens().filter(plain)
    assert plain.getMessage() == "Not Found: /fi/nothing/"
