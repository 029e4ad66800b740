"""Which reminders of a funded project are due when (kuntadigi.notifications.rules_followup)."""

from datetime import date, timedelta

import pytest

from kuntadigi.notifications import rules, rules_followup

DUE = date(2023, 2, 28)  # the 2020 call's final report: four months after 31.10.2022


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (DUE - timedelta(days=15), None),  # too early
        (DUE - timedelta(days=14), "14d"),
        (DUE - timedelta(days=4), "14d"),  # a job that missed days still sends the 14-day reminder
        (DUE - timedelta(days=3), "3d"),
        (DUE, "3d"),  # the due date itself
        (DUE + timedelta(days=1), "overdue-0"),  # the day after
        (DUE + timedelta(days=7), "overdue-0"),
        (DUE + timedelta(days=8), "overdue-1"),  # then weekly
        (DUE + timedelta(days=15), "overdue-2"),
        (DUE + timedelta(days=56), "overdue-7"),  # the eighth and last
        (DUE + timedelta(days=57), None),  # then the officials' overdue list takes over
        (DUE + timedelta(days=400), None),
    ],
)
def test_a_report_is_reminded_of_before_its_due_date_and_weekly_when_overdue(today, stage):
    assert rules_followup.report_stage(DUE, today, submitted=False) == stage


@pytest.mark.parametrize("today", [DUE - timedelta(days=14), DUE, DUE + timedelta(days=1), DUE + timedelta(days=30)])
def test_a_submitted_report_is_never_reminded_of(today):
    assert rules_followup.report_stage(DUE, today, submitted=True) is None


def test_overdue_stages_are_told_apart_from_the_reminders_before():
    assert rules_followup.is_overdue_stage("overdue-3")
    assert not rules_followup.is_overdue_stage("3d")


def test_every_day_from_14_days_before_to_8_weeks_after_has_exactly_one_stage_and_they_follow_in_order():
    stages = [rules_followup.report_stage(DUE, DUE + timedelta(days=offset), False) for offset in range(-14, 57)]
    assert None not in stages
    distinct = list(dict.fromkeys(stages))
    assert distinct == ["14d", "3d", *(f"overdue-{n}" for n in range(8))]


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (DUE - timedelta(days=8), None),
        (DUE - timedelta(days=7), "7d"),
        (DUE - timedelta(days=2), "7d"),
        (DUE - timedelta(days=1), "1d"),
        (DUE, "1d"),  # the last day of the acceptance period
        (DUE + timedelta(days=1), None),  # the period has ended: nothing to remind of
    ],
)
def test_a_grant_not_answered_is_reminded_of_7_days_and_1_day_before_its_acceptance_date(today, stage):
    assert rules_followup.acceptance_stage(DUE, today, made_on=DUE - timedelta(days=30), answered=False) == stage


def test_an_answered_grant_or_one_made_today_is_not_reminded_of():
    assert rules_followup.acceptance_stage(DUE, DUE - timedelta(days=3), made_on=DUE - timedelta(days=30), answered=True) is None
    assert rules_followup.acceptance_stage(DUE, DUE - timedelta(days=3), made_on=DUE - timedelta(days=3), answered=False) is None
    assert rules_followup.acceptance_stage(DUE, DUE - timedelta(days=3), made_on=DUE - timedelta(days=4), answered=False) == "7d"


def test_the_key_names_the_due_date_so_a_moved_due_date_is_reminded_of_again():
    first = rules.reminder_key("reminder_report", rules_followup.dated_stage("14d", DUE), 5)
    moved = rules.reminder_key("reminder_report", rules_followup.dated_stage("14d", DUE + timedelta(days=30)), 5)
    assert first == "reminder_report:14d@2023-02-28:5"
    assert first != moved
