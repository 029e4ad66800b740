"""Pure rules of delivering a decision: channel, language, own copies, Finnish holidays, the presumed day
of notification and the last day to claim rectification."""

from __future__ import annotations

from datetime import date

import pytest

from kuntadigi.delivery import rules

# ── Channel, language and copies ────────────────────────────────────────────


def test_only_consent_makes_a_delivery_electronic():
    assert rules.channel_for(True) == "electronic"
    assert rules.channel_for(False) == "post"


@pytest.mark.parametrize(
    ("is_lead", "decision_language", "majority", "expected"),
    [
        (True, "fi", "sv", "fi"),  # the lead reads the decision in the application's language
        (False, "fi", "sv", "sv"),  # a Swedish-majority partner of a Finnish application: Swedish
        (False, "sv", "fi", "fi"),
        (False, "fi", "fi", "fi"),
        (False, "sv", "", "sv"),  # a joint authority (no linguistic status): the decision's language
        (False, "fi", "se", "fi"),  # Sámi is not a language decisions are written in
        (True, "en", "", "fi"),
    ],
)
def test_a_copy_is_in_the_leads_decision_language_or_the_partners_own(is_lead, decision_language, majority, expected):
    assert rules.copy_language(is_lead=is_lead, decision_language=decision_language, majority_language=majority) == expected


@pytest.mark.parametrize(
    ("language", "electronic", "main_electronic", "expected"),
    [
        ("fi", True, True, False),
        ("fi", False, False, False),
        ("sv", True, True, True),  # a translation
        ("fi", False, True, True),  # the lead consented, this partner did not: the 7th-day instructions
        ("fi", True, False, True),
    ],
)
def test_an_own_copy_when_the_main_document_does_not_fit(language, electronic, main_electronic, expected):
    assert rules.needs_own_copy(language=language, electronic=electronic, decision_language="fi", main_electronic=main_electronic) is expected


# ── Holidays ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, date(2000, 4, 23)),
        (2008, date(2008, 3, 23)),
        (2011, date(2011, 4, 24)),
        (2020, date(2020, 4, 12)),
        (2021, date(2021, 4, 4)),
        (2024, date(2024, 3, 31)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year, easter):
    assert rules.easter_sunday(year) == easter


def test_the_days_off_of_2021_by_name():
    days = {name: day for day, name in rules.days_off(2021).items()}
    assert days == {
        "New Year's Day": date(2021, 1, 1),
        "Epiphany": date(2021, 1, 6),
        "Good Friday": date(2021, 4, 2),
        "Easter Sunday": date(2021, 4, 4),
        "Easter Monday": date(2021, 4, 5),
        "May Day": date(2021, 5, 1),
        "Ascension Day": date(2021, 5, 13),
        "Whitsunday": date(2021, 5, 23),
        "Midsummer Eve": date(2021, 6, 25),
        "Midsummer Day": date(2021, 6, 26),
        "All Saints' Day": date(2021, 11, 6),
        "Independence Day": date(2021, 12, 6),
        "Christmas Eve": date(2021, 12, 24),
        "Christmas Day": date(2021, 12, 25),
        "St Stephen's Day": date(2021, 12, 26),
    }


@pytest.mark.parametrize(
    ("year", "eve", "all_saints"),
    [(2020, date(2020, 6, 19), date(2020, 10, 31)), (2022, date(2022, 6, 24), date(2022, 11, 5)), (2025, date(2025, 6, 20), date(2025, 11, 1))],
)
def test_midsummer_eve_is_the_friday_before_the_saturday_between_20_and_26_june(year, eve, all_saints):
    days = rules.days_off(year)
    assert days[eve] == "Midsummer Eve" and eve.weekday() == 4
    assert days[all_saints] == "All Saints' Day" and all_saints.weekday() == 5


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2020, 12, 7), True),  # a Monday
        (date(2020, 12, 5), False),  # a Saturday
        (date(2020, 12, 6), False),  # Independence Day, a Sunday
        (date(2021, 12, 6), False),  # Independence Day, a Monday
        (date(2021, 12, 24), False),  # Christmas Eve, a Friday
        (date(2021, 6, 25), False),  # Midsummer Eve
        (date(2021, 5, 13), False),  # Ascension Day
        (date(2021, 5, 14), True),
        (date(2022, 5, 2), True),
    ],
)
def test_working_days(day, working):
    assert rules.is_working_day(day) is working


# ── Notification and the claim period ───────────────────────────────────────


def test_an_email_is_presumed_received_on_the_3rd_day_and_a_letter_on_the_7th():
    assert rules.presumed_notification_day("electronic", date(2020, 12, 11)) == date(2020, 12, 14)
    assert rules.presumed_notification_day("post", date(2020, 12, 11)) == date(2020, 12, 18)


def test_opening_an_emailed_decision_earlier_shows_an_earlier_notification():
    assert rules.presumed_notification_day("electronic", date(2020, 12, 11), opened_on=date(2020, 12, 12)) == date(2020, 12, 12)
    assert rules.presumed_notification_day("electronic", date(2020, 12, 11), opened_on=date(2020, 12, 20)) == date(2020, 12, 14)


def test_reading_the_decision_in_the_service_does_not_move_a_letters_day():
    # Without consent an electronic reading is no notification: only the letter's 7th day counts.
    assert rules.presumed_notification_day("post", date(2020, 12, 11), opened_on=date(2020, 12, 12)) == date(2020, 12, 18)
    assert rules.presumed_notification_day("post", None, opened_on=date(2020, 12, 15)) is None
    assert rules.presumed_notification_day("post", None) is None


def test_the_claim_period_ends_30_days_after_the_day_of_notification():
    # Notified on Tue 12.1.2021: the day is not counted, so the 30th day is Thu 11.2.2021.
    assert rules.claim_period_last_day(date(2021, 1, 12)) == date(2021, 2, 11)


def test_a_period_ending_on_a_saturday_runs_to_monday():
    assert rules.claim_period_last_day(date(2021, 1, 7)) == date(2021, 2, 8)  # 6.2.2021 is a Saturday


def test_a_period_ending_on_midsummer_eve_runs_over_the_midsummer_weekend():
    # 25.6.2021 is Midsummer Eve (Friday), then Midsummer Day and a Sunday: the period runs to Monday 28.6.
    assert rules.claim_period_last_day(date(2021, 5, 26)) == date(2021, 6, 28)


def test_a_period_ending_on_independence_day_runs_to_the_next_day():
    # 6.12.2021 is a Monday: the last day is Tuesday 7.12.2021.
    assert rules.claim_period_last_day(date(2021, 11, 6)) == date(2021, 12, 7)


def test_a_period_ending_on_christmas_eve_runs_past_christmas():
    # Fri 24.12.2021 (Christmas Eve), Sat 25.12 and Sun 26.12: Monday 27.12.2021.
    assert rules.claim_period_last_day(date(2021, 11, 24)) == date(2021, 12, 27)


def test_a_period_ending_on_easter_runs_to_the_tuesday():
    # Good Friday 2.4.2021 → Easter Monday 5.4.2021 → Tuesday 6.4.2021.
    assert rules.claim_period_last_day(date(2021, 3, 3)) == date(2021, 4, 6)


def test_a_period_ending_on_the_first_of_may_runs_on():
    # Sat 1.5.2021 and Sun 2.5.2021: Monday 3.5.2021.
    assert rules.claim_period_last_day(date(2021, 4, 1)) == date(2021, 5, 3)


def test_a_posting_date_is_not_in_the_future_nor_before_the_decision():
    today, decided = date(2020, 12, 15), date(2020, 12, 11)
    assert rules.posting_date_problem(date(2020, 12, 14), today=today, decided_on=decided) == ""
    assert rules.posting_date_problem(date(2020, 12, 11), today=today, decided_on=decided) == ""
    assert rules.posting_date_problem(date(2020, 12, 16), today=today, decided_on=decided) == "future"
    assert rules.posting_date_problem(date(2020, 12, 10), today=today, decided_on=decided) == "before_decision"
