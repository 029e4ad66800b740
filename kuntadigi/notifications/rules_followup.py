"""Which reminders of a funded project are due on a given day: pure rules, without the database.

Report due dates and the grant's acceptance date are calendar dates (the whole Helsinki day counts),
so the rules take the Helsinki date of "now" (`rules.days_left` style: 0 on the due date itself,
negative after it):

    days left = due date − today (Helsinki)

A report (interim or final) not yet submitted:

    stage "14d"        due while 4 ≤ days left ≤ 14      (from the 14th day before the due date)
    stage "3d"         due while 0 ≤ days left ≤ 3       (the last three days and the due date itself)
    stage "overdue-N"  due while N·7 + 1 ≤ days late ≤ N·7 + 7, for N = 0 … OVERDUE_WEEKS − 1:
                       the first on the day after the due date, then one a week

After OVERDUE_WEEKS overdue reminders (about two months) the lead is no longer e-mailed: by then the
report is on the officials' overdue list, and they take it up. A stage is sent once (by its key), so a
job that missed days sends the stage still due, and never two of the same stage. The key carries the
due date, so that a report whose due date is moved is reminded of again for the new date.

The grant's acceptance, while the project is granted and not answered:

    stage "7d"  due while 2 ≤ days left ≤ 7;  stage "1d" due while 0 ≤ days left ≤ 1
    — but not on the day the project was made (its decision e-mail told the lead that day).
"""

from __future__ import annotations

from datetime import date

REPORT_BEFORE = (14, 3)  # the days before a report's due date on which a reminder starts to be due
OVERDUE_WEEKS = 8  # overdue reminders at most, one a week from the day after the due date
ACCEPTANCE_BEFORE = (7, 1)


def days_left(due: date, today: date) -> int:
    """Calendar days from today to the due date: 0 on the due date, negative after it."""
    return (due - today).days


def _before_stage(due: date, today: date, points: tuple[int, int]) -> str | None:
    first, last = points
    left = days_left(due, today)
    if left < 0:
        return None
    if left <= last:
        return f"{last}d"
    if left <= first:
        return f"{first}d"
    return None


def report_stage(due: date, today: date, submitted: bool) -> str | None:
    """The reminder stage due today for a report: "14d", "3d", "overdue-0" … "overdue-7", or None."""
    if submitted:
        return None
    late = -days_left(due, today)
    if late <= 0:
        return _before_stage(due, today, REPORT_BEFORE)
    week = (late - 1) // 7
    if week >= OVERDUE_WEEKS:
        return None
    return f"overdue-{week}"


def is_overdue_stage(stage: str) -> bool:
    return stage.startswith("overdue-")


def acceptance_stage(due: date, today: date, made_on: date, answered: bool) -> str | None:
    """The reminder stage due today for a grant not yet accepted or refused: "7d", "1d" or None."""
    if answered or made_on >= today:
        return None
    return _before_stage(due, today, ACCEPTANCE_BEFORE)


def dated_stage(stage: str, due: date) -> str:
    """The stage with the due date it counts to, for the send-once key: "14d@2023-02-28"."""
    return f"{stage}@{due.isoformat()}"
