"""How fast requests to join are usually decided, and the organisations' e-mail domains: pure rules."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kuntadigi.accounts.rules import Estimate, decision_estimate, estimate_text, working_days_taken
from kuntadigi.registry.rules import address_domain, matching_domain, normalise_domain, parse_domains

HKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2020, 10, 30, 12, 0, tzinfo=HKI)  # a Friday


def at(day: int, hour: int = 10, month: int = 10) -> datetime:
    return datetime(2020, month, day, hour, 0, tzinfo=HKI)


def test_working_days_skip_weekends_and_holidays():
    assert working_days_taken(date(2020, 10, 23), date(2020, 10, 23)) == 0  # the same day
    assert working_days_taken(date(2020, 10, 23), date(2020, 10, 26)) == 1  # Friday → Monday
    assert working_days_taken(date(2020, 10, 19), date(2020, 10, 23)) == 4
    assert working_days_taken(date(2020, 12, 23), date(2020, 12, 28)) == 1  # Christmas Eve to Boxing Day are off


def test_the_estimate_is_the_median_in_working_days_at_least_one():
    decided = [(at(19), at(19, 15)), (at(20), at(21)), (at(21), at(26))]  # 0, 1 and 3 working days
    assert decision_estimate(decided, NOW) == Estimate(1, 3)
    slower = [(at(5), at(8)), (at(12), at(15)), (at(19), at(22)), (at(20), at(27))]  # 3, 3, 3, 5
    assert decision_estimate(slower, NOW) == Estimate(3, 4)


def test_too_few_recent_decisions_give_no_estimate():
    old = at(1, month=7)  # more than 90 days before NOW
    decided = [(at(19), at(20)), (at(20), at(21)), (old - timedelta(days=1), old)]
    assert decision_estimate(decided, NOW) == Estimate(None, 2)
    assert decision_estimate([], NOW).working_days is None


@pytest.mark.parametrize(
    ("language", "estimate", "words"),
    [
        ("en", Estimate(1, 5), "Usually decided within 1 working day."),
        ("en", Estimate(3, 5), "Usually decided within 3 working days."),
        ("en", Estimate(None, 1), "No estimate yet: too few requests have been decided recently."),
        ("fi", Estimate(1, 5), "Pyyntö ratkaistaan yleensä 1 työpäivän kuluessa."),
        ("fi", Estimate(3, 5), "Pyyntö ratkaistaan yleensä 3 työpäivän kuluessa."),
        ("sv", Estimate(3, 5), "Begäran avgörs vanligen inom 3 arbetsdagar."),
        ("sv", Estimate(None, 0), "Ingen uppskattning ännu: för få begäranden har avgjorts under den senaste tiden."),
    ],
)
def test_the_estimate_in_words(language, estimate, words):
    with translation.override(language):
        assert estimate_text(estimate) == words


@pytest.mark.parametrize(
    ("typed", "domain"),
    [("loviisa.fi", "loviisa.fi"), (" @Loviisa.FI. ", "loviisa.fi"), ("mäntyharju.fi", "xn--mntyharju-v2a.fi"), ("hel.fi", "hel.fi")],
)
def test_domains_are_stored_in_one_form(typed, domain):
    assert normalise_domain(typed) == domain


@pytest.mark.parametrize("typed", ["", "loviisa", "-x.fi", "a..fi", "http://loviisa.fi", "1.2.3.4", "x@loviisa.fi"])
def test_what_is_not_a_domain_is_refused(typed):
    assert normalise_domain(typed) is None


def test_typed_domains_are_split_cleaned_and_listed_once():
    assert parse_domains("loviisa.fi\nLOVIISA.fi, lovisa.fi; bad") == (["loviisa.fi", "lovisa.fi"], ["bad"])
    assert parse_domains("  ") == ([], [])


def test_an_address_matches_its_organisations_domain_but_not_a_subdomain_or_a_lookalike():
    assert address_domain("Liisa.Virtanen@Loviisa.FI") == "loviisa.fi"
    assert matching_domain("liisa@loviisa.fi", ["loviisa.fi", "lovisa.fi"]) == "loviisa.fi"
    assert matching_domain("liisa@koulu.loviisa.fi", ["loviisa.fi"]) == ""
    assert matching_domain("liisa@loviisa.fi.example.com", ["loviisa.fi"]) == ""
    assert matching_domain("liisa@gmail.com", ["loviisa.fi"]) == ""
    assert matching_domain("liisa@loviisa.fi", []) == ""
