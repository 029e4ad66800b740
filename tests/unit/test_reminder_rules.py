"""Which reminders are due when (kuntadigi.notifications.rules), counted in Helsinki calendar days."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kuntadigi.notifications import rules

HKI = ZoneInfo("Europe/Helsinki")
CLOSES = datetime(2020, 10, 5, 16, 15, tzinfo=HKI)  # a Monday


@pytest.mark.parametrize(
    ("now", "stage"),
    [
        (datetime(2020, 9, 27, 23, 59, tzinfo=HKI), None),  # 8 days before: too early
        (datetime(2020, 9, 28, 0, 1, tzinfo=HKI), "7d"),  # the 7th day before, at any hour
        (datetime(2020, 9, 28, 23, 0, tzinfo=HKI), "7d"),
        (datetime(2020, 10, 2, 9, 0, tzinfo=HKI), "7d"),  # a job that missed days still sends the 7-day reminder
        (datetime(2020, 10, 3, 23, 59, tzinfo=HKI), "7d"),  # 2 days before
        (datetime(2020, 10, 4, 0, 0, tzinfo=HKI), "1d"),  # the day before
        (datetime(2020, 10, 5, 16, 14, tzinfo=HKI), "1d"),  # the closing day, before the closing time
        (datetime(2020, 10, 5, 16, 15, tzinfo=HKI), None),  # closed
        (datetime(2020, 10, 6, 9, 0, tzinfo=HKI), None),
    ],
)
def test_the_stage_due_follows_helsinki_days_before_the_deadline(now, stage):
    assert rules.deadline_stage(CLOSES, now) == stage


def test_days_are_helsinki_days_whatever_the_utc_date():
    utc = ZoneInfo("UTC")
    # 22.30 UTC on 27 September is already 28 September in Helsinki (01.30 summer time): 7 days left.
    assert rules.days_left(CLOSES, datetime(2020, 9, 27, 22, 30, tzinfo=utc)) == 7
    assert rules.deadline_stage(CLOSES, datetime(2020, 9, 27, 22, 30, tzinfo=utc)) == "7d"
    assert rules.deadline_stage(CLOSES, datetime(2020, 9, 27, 20, 30, tzinfo=utc)) is None


def test_a_change_of_summer_time_moves_nothing():
    closes = datetime(2020, 11, 2, 16, 15, tzinfo=HKI)  # clocks went back on 25 October
    assert rules.deadline_stage(closes, datetime(2020, 10, 26, 0, 5, tzinfo=HKI)) == "7d"
    assert rules.deadline_stage(closes, datetime(2020, 10, 25, 23, 55, tzinfo=HKI)) is None


def test_a_supplement_is_reminded_of_the_day_before_it_is_due_unless_answered():
    due = datetime(2020, 11, 2, 16, 0, tzinfo=HKI)
    requested = datetime(2020, 10, 20, 12, 0, tzinfo=HKI)
    day_before = datetime(2020, 11, 1, 8, 0, tzinfo=HKI)
    assert rules.supplement_stage(due, requested, False, datetime(2020, 10, 30, 8, 0, tzinfo=HKI)) is None  # too early
    assert rules.supplement_stage(due, requested, False, day_before) == "1d"
    assert rules.supplement_stage(due, requested, False, due - timedelta(minutes=1)) == "1d"
    assert rules.supplement_stage(due, requested, True, day_before) is None  # answered
    assert rules.supplement_stage(due, requested, False, due) is None  # past due


def test_a_supplement_asked_today_is_not_reminded_of_the_same_day():
    due = datetime(2020, 11, 2, 16, 0, tzinfo=HKI)
    asked = datetime(2020, 11, 1, 9, 0, tzinfo=HKI)
    assert rules.supplement_stage(due, asked, False, datetime(2020, 11, 1, 20, 0, tzinfo=HKI)) is None
    assert rules.supplement_stage(due, asked, False, datetime(2020, 11, 2, 6, 0, tzinfo=HKI)) == "1d"


def test_each_reminder_has_its_own_key_per_stage_and_object():
    assert rules.reminder_key("reminder_draft", "7d", 12) == "reminder_draft:7d:12"
    assert len({rules.reminder_key("reminder_draft", stage, 12) for stage in rules.STAGES}) == 2
