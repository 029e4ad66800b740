"""Pure rules about a call's dates. No database, no clock: the caller passes the instant."""

from datetime import date, datetime, timedelta


def call_phase(opens_at: datetime, closes_at: datetime, at: datetime) -> str:
    """'upcoming', 'open' or 'closed'. Open from the opening instant up to, not including, the closing one.

    The deadline is an instant, so 16.15.00 on the closing day is already closed, and summer or winter
    time only changes how the instant is written, not when it falls.
    """
    for value in (opens_at, closes_at, at):
        if value.tzinfo is None:
            raise ValueError("Call rules take aware datetimes.")
    if at < opens_at:
        return "upcoming"
    if at < closes_at:
        return "open"
    return "closed"


def time_left(closes_at: datetime, at: datetime) -> timedelta:
    """How long until the call closes; zero once it has closed."""
    if closes_at.tzinfo is None or at.tzinfo is None:
        raise ValueError("Call rules take aware datetimes.")
    return max(closes_at - at, timedelta(0))


def project_ends_in_time(end: date, latest_end: date) -> bool:
    return end <= latest_end
