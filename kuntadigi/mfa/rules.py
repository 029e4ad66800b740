"""Pure rules of the second factor and of sessions: no database, no request, only times and facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

IDLE = "idle"
ABSOLUTE = "absolute"


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lasts: without a request (idle) and from signing in (absolute; None = no limit)."""

    idle: timedelta
    absolute: timedelta | None


def limits_for(*, official: bool, official_idle: timedelta, official_absolute: timedelta, applicant_idle: timedelta) -> SessionLimits:
    """Officials: a short idle time and a working day at most. Applicants: a longer idle time, no day limit."""
    if official:
        return SessionLimits(idle=official_idle, absolute=official_absolute)
    return SessionLimits(idle=applicant_idle, absolute=None)


def session_ended(now: datetime, *, signed_in_at: datetime | None, last_seen_at: datetime | None, limits: SessionLimits) -> str | None:
    """Why the session has ended ("absolute" or "idle"), or None while it is still valid.

    A time after `now` (the demo's clock was set back) counts as just now: it never ends a session."""
    if limits.absolute is not None and signed_in_at is not None and now - signed_in_at > limits.absolute:
        return ABSOLUTE
    if last_seen_at is not None and now - last_seen_at > limits.idle:
        return IDLE
    return None


def needs_second_factor(*, official: bool, has_device: bool) -> bool:
    """Officials always; anyone else once they have turned a second factor on."""
    return official or has_device


def is_fresh(now: datetime, verified_at: datetime | None, max_age: timedelta) -> bool:
    """Step-up: the second factor was given at most `max_age` ago (never given: not fresh)."""
    if verified_at is None:
        return False
    return now - verified_at <= max_age


def normalise_code(text: str) -> str:
    """What a person typed as a code: spaces and dashes dropped ("123 456", "abcd-efgh"), lower case."""
    return "".join(ch for ch in (text or "") if not ch.isspace() and ch != "-").lower()


def looks_like_totp(code: str, digits: int = 6) -> bool:
    return len(code) == digits and code.isdigit()
