"""Which reminders are due at a given instant: pure rules, without the database.

The reminder job (`manage.py send_reminders`) runs once a day, at any hour. "7 days before" and "1 day
before" are counted in Helsinki calendar days, so that a run at 03.00 and one at 09.00 decide alike and
a change to or from summer time moves nothing:

    days left = (the Helsinki date of the deadline) − (the Helsinki date of now)

    stage "7d"  due while 2 ≤ days left ≤ 7          (from the 7th day before the closing day)
    stage "1d"  due while days left ≤ 1 and now < deadline   (the day before and the closing day itself)

A stage is sent once, by its key (see `reminder_key`): a job that did not run on the 7th day sends the
"7d" reminder on a later day while it is still due, and one that first runs on the last day sends only
the "1d" reminder. Nothing is due after the deadline.

A request for supplement is reminded of once, in stage "1d" of its due time, unless it was answered, and
not on the Helsinki day it was made (its own e-mail told the applicant that day).
"""

from __future__ import annotations

from datetime import datetime

from kuntadigi.clock import helsinki

SEVEN_DAYS = "7d"
ONE_DAY = "1d"
STAGES = (SEVEN_DAYS, ONE_DAY)


def days_left(deadline: datetime, now: datetime) -> int:
    """Helsinki calendar days from now to the deadline's day: 0 on the day itself, negative after it."""
    return (helsinki(deadline).date() - helsinki(now).date()).days


def deadline_stage(deadline: datetime, now: datetime) -> str | None:
    """The reminder stage due now for this deadline: "7d", "1d" or None (too early, or passed)."""
    if now >= deadline:
        return None
    left = days_left(deadline, now)
    if left <= 1:
        return ONE_DAY
    if left <= 7:
        return SEVEN_DAYS
    return None


def supplement_stage(due_at: datetime, requested_at: datetime, answered: bool, now: datetime) -> str | None:
    """ "1d" when an unanswered request for supplement is due tomorrow or today (and was not made today)."""
    if answered or deadline_stage(due_at, now) != ONE_DAY:
        return None
    if helsinki(requested_at).date() >= helsinki(now).date():
        return None
    return ONE_DAY


def reminder_key(kind: str, stage: str, object_id: int) -> str:
    """The send-once key of a reminder; notifications.services.send adds the recipient's address."""
    return f"{kind}:{stage}:{object_id}"
