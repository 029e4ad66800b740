"""The one clock for "now".

Everything that asks what time it is (deadlines, submission times, token expiry) calls `now()`.
The clock is set by the KUNTADIGI_NOW setting: frozen at that instant when KUNTADIGI_CLOCK_FROZEN is
on, otherwise running on from it. Tests move it with `clock.frozen_at(...)` or `clock.set_now(...)`.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

HELSINKI = ZoneInfo("Europe/Helsinki")

_lock = threading.Lock()
_state: dict[str, object] = {"configured": False, "anchor": None, "started": 0.0, "frozen": False}


def parse_instant(value: str) -> datetime:
    """An aware instant from ISO 8601; a naive value is read as Helsinki time."""
    parsed = datetime.fromisoformat(value.strip())
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=HELSINKI)
    return parsed.astimezone(ZoneInfo("UTC"))


def _configure_from_settings() -> None:
    value = getattr(settings, "KUNTADIGI_NOW", "")
    _state["anchor"] = parse_instant(value) if value else None
    _state["frozen"] = bool(getattr(settings, "KUNTADIGI_CLOCK_FROZEN", False))
    _state["started"] = time.monotonic()
    _state["configured"] = True


def now() -> datetime:
    """The current instant, aware, in UTC."""
    with _lock:
        if not _state["configured"]:
            _configure_from_settings()
        anchor = _state["anchor"]
        if anchor is None:
            return timezone.now()
        if _state["frozen"]:
            return anchor  # type: ignore[return-value]
        return anchor + timedelta(seconds=time.monotonic() - float(_state["started"]))  # type: ignore[operator]


def is_set() -> bool:
    """True when the clock is not the real time (the demo, or a test)."""
    now()
    return _state["anchor"] is not None


def started_at() -> datetime | None:
    """The instant the clock was set to (KUNTADIGI_NOW, or a test's), None on real time.

    A running clock stood at this instant when it was set (for KUNTADIGI_NOW, the first time the process
    asked for the time) and has run on since at the normal pace; a frozen clock stays at it."""
    now()
    return _state["anchor"]  # type: ignore[return-value]


def is_frozen() -> bool:
    """True when a set clock stands still (KUNTADIGI_CLOCK_FROZEN, or a test's `frozen_at`)."""
    now()
    return _state["anchor"] is not None and bool(_state["frozen"])


def set_now(instant: datetime | None, *, frozen: bool = True) -> None:
    """Set the clock (None goes back to real time)."""
    if instant is not None and timezone.is_naive(instant):
        raise ValueError("The clock takes an aware datetime.")
    with _lock:
        _state.update(anchor=instant, frozen=frozen, started=time.monotonic(), configured=True)


def reset() -> None:
    """Forget any override and read the settings again."""
    with _lock:
        _state["configured"] = False


@contextmanager
def frozen_at(instant: datetime):
    saved = dict(_state)
    set_now(instant, frozen=True)
    try:
        yield
    finally:
        with _lock:
            _state.update(saved)


def helsinki(instant: datetime) -> datetime:
    """The instant in Helsinki time, for display and for deadline rules."""
    return instant.astimezone(HELSINKI)
