"""Pure rules of requests to join an organisation: how fast they are usually decided.

Nothing here touches the database or the clock: the callers pass the decided requests and "now".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kuntadigi.delivery.rules import is_working_day

HELSINKI = ZoneInfo("Europe/Helsinki")

# The estimate rests on the requests decided in this many days before now ...
ESTIMATE_WINDOW = timedelta(days=90)
# ... and is given only when at least this many were decided: fewer say nothing about the next one.
ESTIMATE_MINIMUM = 3


@dataclass(frozen=True)
class Estimate:
    """How many working days a request usually waits (the median, rounded up, at least 1); None when
    too few requests were decided in the window to say. `decisions`: how many the figure rests on."""

    working_days: int | None
    decisions: int


def working_days_taken(requested: date, decided: date, working_day: Callable[[date], bool] = is_working_day) -> int:
    """The working days after the day of the request up to and including the day of the decision: a
    request made on Friday and approved on Monday took 1 working day; one approved the same day, 0."""
    days = 0
    day = requested + timedelta(days=1)
    while day <= decided:
        if working_day(day):
            days += 1
        day += timedelta(days=1)
    return days


def decision_estimate(
    decided: Iterable[tuple[datetime, datetime]],
    now: datetime,
    *,
    window: timedelta = ESTIMATE_WINDOW,
    minimum: int = ESTIMATE_MINIMUM,
    working_day: Callable[[date], bool] = is_working_day,
) -> Estimate:
    """The usual wait from the decided requests, given as (requested at, decided at): the median of the
    working days taken (Helsinki days) by those decided within `window` before `now`."""
    since = now - window
    taken = [
        working_days_taken(requested.astimezone(HELSINKI).date(), decided_at.astimezone(HELSINKI).date(), working_day)
        for requested, decided_at in decided
        if decided_at is not None and since <= decided_at <= now and requested <= decided_at
    ]
    if len(taken) < minimum:
        return Estimate(None, len(taken))
    return Estimate(max(1, math.ceil(statistics.median(taken))), len(taken))


def estimate_text(estimate: Estimate) -> str:
    """The estimate in words, in the active language."""
    if estimate.working_days is None:
        return _("No estimate yet: too few requests have been decided recently.")
    return ngettext(
        "Usually decided within %(days)d working day.",
        "Usually decided within %(days)d working days.",
        estimate.working_days,
    ) % {"days": estimate.working_days}
