"""When reports are due, and what a report must say (pure; no database)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from kuntadigi.reports import content, rules


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2022, 10, 31), 4, date(2023, 2, 28)),  # the 2020 call: the month is shorter, its last day
        (date(2023, 10, 31), 4, date(2024, 2, 29)),  # a leap year
        (date(2022, 6, 30), 4, date(2022, 10, 30)),
        (date(2022, 8, 31), 1, date(2022, 9, 30)),
        (date(2022, 11, 15), 3, date(2023, 2, 15)),  # over the turn of the year
        (date(2022, 12, 31), 12, date(2023, 12, 31)),
        (date(2022, 1, 31), 0, date(2022, 1, 31)),
    ],
)
def test_months_are_added_to_the_same_day_or_the_last_day_of_a_shorter_month(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_the_final_report_is_due_the_calls_months_after_the_cost_period():
    due = rules.due_dates(date(2021, 1, 1), date(2022, 10, 31), 4, [])
    assert due == rules.DueDates(interim=(), final=date(2023, 2, 28))


def test_interim_reports_are_the_calls_dates_within_the_cost_period_once_and_in_order():
    dates = ["2022-06-30", "2021-06-30", "2020-12-31", "2022-10-31", "2023-06-30", "2021-06-30", "not a date", date(2021, 12, 31)]
    due = rules.due_dates(date(2021, 1, 1), date(2022, 10, 31), 4, dates)
    assert due.interim == (date(2021, 6, 30), date(2021, 12, 31), date(2022, 6, 30), date(2022, 10, 31))


def complete() -> dict:
    data = {f.name: "Tekstiä." for f in content.TEXT_FIELDS}
    data.update(summary_fi="Tiivistelmä.", summary_sv="", summary_en="", indicators=[{"name": "Asiointi verkossa", "planned": "60 %", "achieved": "72 %"}])
    return data


def test_a_complete_report_has_no_problems():
    assert content.submit_problems(complete()) == []


def test_every_required_text_and_an_indicator_are_needed_to_submit():
    problems = content.submit_problems(content.empty())
    fields = [p.field for p in problems]
    assert fields == ["improvement", "ways_of_working", "spreading", "continuation", "indicators", "summary_fi"]
    assert "The improvement achieved for residents or staff" in problems[0].message


def test_the_summary_is_needed_in_finnish_or_in_swedish_english_alone_is_not_enough():
    data = complete() | {"summary_fi": "", "summary_en": "Summary."}
    assert [p.message for p in content.submit_problems(data)] == ["Write the public summary in Finnish or in Swedish."]
    assert content.submit_problems(data | {"summary_sv": "Sammandrag."}) == []


def test_an_indicator_row_needs_its_planned_and_achieved_values():
    data = complete() | {"indicators": [{"name": "Asiointi", "planned": "", "achieved": "72 %"}]}
    problems = content.submit_problems(data)
    assert [(p.field, p.message) for p in problems] == [("indicator-0-planned", "Indicator 1: fill in planned.")]


def test_texts_over_their_limits_cannot_be_saved_even_as_a_draft():
    data = content.empty() | {"summary_sv": "x" * (content.SUMMARY_MAX + 1), "improvement": "x" * content.TEXT_MAX}
    problems = content.draft_problems(data)
    assert [p.field for p in problems] == ["summary_sv"]
    assert problems[0].message == f"Public summary in Swedish: at most {content.SUMMARY_MAX} characters (now {content.SUMMARY_MAX + 1})."


def test_a_draft_may_be_incomplete():
    assert content.draft_problems(content.empty() | {"improvement": "Alku."}) == []


def test_the_form_is_read_with_empty_rows_left_out_and_texts_stripped():
    posted = {
        "improvement": "  Parempi palvelu.\r\nToinen rivi.  ",
        "indicator-0-name": "A",
        "indicator-0-planned": "1",
        "indicator-0-achieved": "2",
        "indicator-1-name": "",
        "indicator-2-name": "C",
    }
    data = content.from_post(posted)
    assert data["improvement"] == "Parempi palvelu.\nToinen rivi."
    assert data["indicators"] == [{"name": "A", "planned": "1", "achieved": "2"}, {"name": "C", "planned": "", "achieved": ""}]
    assert data["summary_en"] == ""


def test_the_form_offers_empty_rows_below_the_filled_ones():
    rows = content.form_rows({"indicators": [{"name": "A", "planned": "1", "achieved": "2"}]})
    assert [row["index"] for row in rows] == [0, 1, 2]
    assert rows[1] == {"index": 1, "name": "", "planned": "", "achieved": ""}
