"""Every date a rule writes into a message goes through core/formats: 31.1.2021 in Finnish and Swedish,
31 January 2021 in English (and times 31.1.2021 klo 16.15 / kl. 16.15 / at 16:15), never one
language's form on another language's page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kuntadigi.applications import rules as application_rules
from kuntadigi.decisions import rules_decisions
from kuntadigi.registry import rules as registry_rules
from kuntadigi.screening import conditions
from kuntadigi.screening import rules as screening_rules

HELSINKI = ZoneInfo("Europe/Helsinki")
DAYS = {"en": "31 October 2022", "fi": "31.10.2022", "sv": "31.10.2022"}


def limits() -> rules_decisions.GrantLimits:
    return rules_decisions.GrantLimits(
        requested=Decimal("12750.00"),
        remaining=Decimal("100000.00"),
        eligible_costs=Decimal("15000.00"),
        call_max_share=Decimal("0.85"),
        latest_end=date(2022, 10, 31),
    )


def terms() -> rules_decisions.GrantTerms:
    return rules_decisions.GrantTerms(amount=Decimal("12750.00"), max_share=Decimal("0.85"), costs_from=date(2021, 1, 1), costs_until=date(2022, 11, 1))


def messages(language: str) -> dict[str, str]:
    with translation.override(language):
        facts = conditions.ConditionFacts(min_municipalities=2, max_grant_share=Decimal("0.85"), project_end_latest=date(2022, 10, 31))
        return {
            "application schedule": str(application_rules.check_schedule(date(2021, 1, 1), date(2022, 11, 1), date(2022, 10, 31))[0].message),
            "screening schedule": screening_rules.check_schedule({"start_date": "2021-01-01", "end_date": "2022-11-01"}, date(2022, 10, 31)).reason,
            "condition": conditions.condition_text("schedule", facts),
            "grant period": next(p.message for p in rules_decisions.check_grant(terms(), limits()) if p.code == "after_latest_end"),
            "merger": registry_rules.not_valid_reason("Honkajoki", None, date(2022, 10, 30), "Kankaanpää", date(2022, 12, 1)) or "",
        }


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_rule_messages_write_the_day_the_way_the_page_language_does(language):
    for name, message in messages(language).items():
        assert DAYS[language] in message, (name, message)
        other = "31.10.2022" if language == "en" else "October"
        assert other not in message, (name, message)
        assert "2022-10-31" not in message, (name, message)


def test_the_decision_date_in_a_period_message_is_in_the_page_language():
    for language, expected in (("en", "11 December 2020"), ("fi", "11.12.2020"), ("sv", "11.12.2020")):
        with translation.override(language):
            message = rules_decisions.check_period_start(date(2020, 12, 1), date(2020, 12, 11), "")[0].message
        assert f"({expected})" in message


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "5 October 2020 at 16:15"), ("fi", "5.10.2020 klo 16.15"), ("sv", "5.10.2020 kl. 16.15")],
)
def test_a_late_submission_names_the_closing_time_in_the_page_language(language, expected):
    closes = datetime(2020, 10, 5, 16, 15, tzinfo=HELSINKI)
    with translation.override(language):
        check = screening_rules.check_in_time(datetime(2020, 10, 6, 9, 0, tzinfo=HELSINKI), closes)
    assert check.flagged
    assert expected in check.reason
