"""Gunicorn's access log without secrets or personal data (gunicorn.conf.py sets it as logger_class).

A sign-in link carries its token in the path (/fi/sign-in/link/<token>/), and any query string or
Referer header may carry one too. The access log therefore records the method, the path with tokens
masked, no query string, the status, the size and the time taken: never the client's address, the
Referer, the User-Agent, cookies or any other header.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

# /xx/sign-in/link/<token>/ → /xx/sign-in/link/<token>/ with the token replaced. The request page
# /xx/sign-in/link/ itself has no token segment and stays as it is.
TOKEN_PATH = re.compile(r"(/sign-in/link/)[^/?#]+")
MASK = r"\1***"

FORMAT = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def mask_path(path: str | None) -> str:
    """The path with any sign-in token masked and any query string dropped."""
    if not path:
        return "-"
    return TOKEN_PATH.sub(MASK, path.split("?", 1)[0])


class MaskingLogger(Logger):
    """The atoms of the access log format, with secrets masked and headers left out."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = mask_path(environ.get("PATH_INFO"))
        safe = {key: value for key, value in atoms.items() if not (key.startswith("{") and key[-2:] in {"}i", "}o", "}e"})}
        safe.update(
            h="-",
            u="-",
            U=path,
            q="",
            r=f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}",
            f="-",
            a="-",
        )
        return safe


class MaskTokens(logging.Filter):
    """A logging filter (settings.LOGGING) that masks sign-in tokens in any log line, such as Django's
    "Bad Request: /fi/sign-in/link/<token>/" for a link that is no longer valid."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/sign-in/link/" in message:
            record.msg = TOKEN_PATH.sub(MASK, message)
            record.args = None
        return True
