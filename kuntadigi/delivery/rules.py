"""The rules of delivering a decision (tiedoksianto): pure functions, no database, no clock.

- The channel: electronically only with the organisation's consent (Act on Electronic Services and
  Communication in the Public Sector 13/2003, section 19), otherwise by post.
- The language of a copy: the decision's own for the lead applicant, the partner's own (its majority
  language) for a partner (Language Act 423/2003).
- The presumed day of notification: the 3rd day after an electronic message was sent (13/2003, 19 §),
  the 7th day after a letter was posted (Administrative Procedure Act 434/2003, 59 §), "unless shown
  otherwise": the day the decision was opened in the service, when that came first.
- The last day of the 30-day period for a claim for rectification (434/2003, 49 c §): the day of
  notification is not counted; a last day on a Saturday, a Sunday, a public holiday, Independence Day,
  Christmas Eve, Midsummer Eve or the first of May moves to the next working day (Act on the
  Calculation of Statutory Time Limits 150/1930, section 5).

Finnish public holidays (kirkolliset juhlapyhät, Church Act 1054/1993 4:3 and the act on the calendar
of holidays) are computed here from the date of Easter, so that no calendar library is needed.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from kuntadigi.decisions.documents import APPEAL_DAYS, ELECTRONIC_PRESUMED_DAY, POSTAL_PRESUMED_DAY

ELECTRONIC = "electronic"
POST = "post"
CHANNELS = (ELECTRONIC, POST)

# Days after sending on which a decision is presumed to have been received, and the period for a claim
# for rectification (434/2003, 49 c §): the same numbers the decision document states (documents.py).
PRESUMED_DAYS = {ELECTRONIC: ELECTRONIC_PRESUMED_DAY, POST: POSTAL_PRESUMED_DAY}
CLAIM_DAYS = APPEAL_DAYS

DOCUMENT_LANGUAGES = ("fi", "sv")


# ── Channel and language ───────────────────────────────────────────────────


def channel_for(has_consent: bool) -> str:
    """Electronically only with the organisation's consent to electronic notification; otherwise by post."""
    return ELECTRONIC if has_consent else POST


def copy_language(*, is_lead: bool, decision_language: str, majority_language: str = "") -> str:
    """The language of an organisation's copy: the decision's language for the lead applicant; a
    partner's own majority language (Finnish or Swedish) when it has one, else the decision's."""
    decision_language = decision_language if decision_language in DOCUMENT_LANGUAGES else "fi"
    if is_lead or majority_language not in DOCUMENT_LANGUAGES:
        return decision_language
    return majority_language


def needs_own_copy(*, language: str, electronic: bool, decision_language: str, main_electronic: bool) -> bool:
    """A copy of its own is rendered when the signed main document does not fit the delivery: another
    language (a translation), or another channel (the appeal instructions name the presumed day)."""
    return language != decision_language or electronic != main_electronic


# ── Finnish holidays and working days ──────────────────────────────────────


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _saturday_between(year: int, month: int, first: int, last: int) -> date:
    for day in range(first, last + 1):
        candidate = date(year, month, day)
        if candidate.weekday() == 5:
            return candidate
    raise ValueError("no Saturday in the range")  # pragma: no cover - a seven-day range always has one


def _all_saints_day(year: int) -> date:
    """The Saturday between 31 October and 6 November."""
    for offset in range(7):
        candidate = date(year, 10, 31) + timedelta(days=offset)
        if candidate.weekday() == 5:
            return candidate
    raise ValueError("no Saturday in the range")  # pragma: no cover


@cache
def days_off(year: int) -> dict[date, str]:
    """The days of the year (besides Saturdays and Sundays) on which a period does not end, by name:
    the public holidays, and Independence Day, Christmas Eve, Midsummer Eve and the first of May."""
    easter = easter_sunday(year)
    midsummer_day = _saturday_between(year, 6, 20, 26)
    return {
        date(year, 1, 1): "New Year's Day",
        date(year, 1, 6): "Epiphany",
        easter - timedelta(days=2): "Good Friday",
        easter: "Easter Sunday",
        easter + timedelta(days=1): "Easter Monday",
        date(year, 5, 1): "May Day",
        easter + timedelta(days=39): "Ascension Day",
        easter + timedelta(days=49): "Whitsunday",
        midsummer_day - timedelta(days=1): "Midsummer Eve",
        midsummer_day: "Midsummer Day",
        _all_saints_day(year): "All Saints' Day",
        date(year, 12, 6): "Independence Day",
        date(year, 12, 24): "Christmas Eve",
        date(year, 12, 25): "Christmas Day",
        date(year, 12, 26): "St Stephen's Day",
    }


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not one of `days_off`."""
    return day.weekday() < 5 and day not in days_off(day.year)


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


# ── Notification and the period for a claim for rectification ─────────────


def presumed_notification_day(channel: str, sent_on: date | None, opened_on: date | None = None) -> date | None:
    """The day the organisation is taken to have been notified: the 3rd (electronic) or 7th (post) day
    after sending; for an electronic notification (given with consent), the day it opened the decision
    through the link when that came first. A letter's day is not moved by reading the decision in the
    service: without consent an electronic reading is not a notification (13/2003, 19 §). None while
    nothing has been sent."""
    candidates = []
    if sent_on is not None:
        candidates.append(sent_on + timedelta(days=PRESUMED_DAYS[channel]))
    if opened_on is not None and channel == "electronic":
        candidates.append(opened_on)
    return min(candidates) if candidates else None


def claim_period_last_day(notified_on: date, days: int = CLAIM_DAYS) -> date:
    """The last day to claim rectification: `days` days after the day of notification (which is not
    counted), moved to the next working day when it is not one (määräaikalaki 150/1930, 5 §)."""
    return next_working_day(notified_on + timedelta(days=days))


def posting_date_problem(posted_on: date, *, today: date, decided_on: date | None) -> str:
    """Why a letter cannot have been posted on the day given ("" when it can): not in the future, and
    not before the decision was made. The message is a plain code for the service to translate."""
    if posted_on > today:
        return "future"
    if decided_on is not None and posted_on < decided_on:
        return "before_decision"
    return ""
