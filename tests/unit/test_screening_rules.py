"""The automatic screening checks, on stored content and the call's rules as plain data (no database)."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kuntadigi.screening import rules

HKI = ZoneInfo("Europe/Helsinki")
OPENS = datetime(2020, 6, 25, 10, 0, tzinfo=HKI)
CLOSES = datetime(2020, 10, 5, 16, 15, tzinfo=HKI)

SOTE = rules.ExclusionRule("Sosiaali- ja terveydenhuolto", ("sote", "sosiaali- ja terveys", "terveydenhuol", "potila", "health care", "hälsovård"))
ARCHIVE = rules.ExclusionRule("Arkistointi", ("arkisto", "arkiv"))

CALL = rules.CallRules(
    closes_at=CLOSES,
    project_end_latest=date(2022, 10, 31),
    min_municipalities=2,
    max_grant_share=Decimal("0.85"),
    vat_eligible=False,
    target_areas=frozenset({1, 2, 3, 4, 5}),
    exclusions=(SOTE, ARCHIVE),
)


def org(name, code, kind="municipality", **extra):
    return {"name_fi": name, "name_sv": name, "municipality_code": code, "business_id": "", "kind": kind, **extra}


BASE = {
    "call": "digi-2020",
    "reference": "DIGI-2020-0001",
    "language": "fi",
    "project_name": "Avoin kunta",
    "lead": org("Porvoo", "638"),
    "partners": [org("Loviisa", "434", confirmed_at="2020-10-01T09:00:00+00:00")],
    "target_areas": [2, 3],
    "summary": "Sähköiset kokoukset.",
    "current_state": "Paperiset prosessit.",
    "objectives": "Kokoukset verkossa.",
    "change_in_ways_of_working": "Valmistelu yhdessä.",
    "rollout_and_spread": "Mallit jaetaan.",
    "prior_work": "Riihimäki.",
    "start_date": "2021-01-01",
    "end_date": "2022-10-31",
    "contact": {"name": "Maija", "email": "maija@example.fi", "phone": ""},
    "declaration_not_excluded": True,
    "budget": [
        {"organisation": "638", "category": "staff", "description": "Projektipäällikkö", "amount": "10000.00"},
        {"organisation": "434", "category": "services", "description": "Koulutus", "amount": "5000.00"},
    ],
    "requested_grant": "12750.00",
    "attachments": [],
}


def content(**changes):
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def by_code(checks):
    return {check.code: check for check in checks}


def test_a_complete_application_passes_every_check_in_a_fixed_order():
    checks = rules.automatic_checks(content(), CLOSES - timedelta(hours=1), CALL)
    assert [check.code for check in checks] == list(rules.CHECK_CODES)
    assert rules.flagged(checks) == []
    assert all(check.reason for check in checks)


# ── In time ─────────────────────────────────────────────────────────────────


def test_submitted_before_the_deadline_is_in_time():
    check = rules.check_in_time(CLOSES - timedelta(seconds=1), CLOSES)
    assert check.passed
    assert check.reason == "Submitted 5 October 2020 at 16:14, before the call closed 5 October 2020 at 16:15."
    # Finnish and Swedish write the time their own way.
    with translation.override("fi"):
        assert "5.10.2020 klo 16.15" in rules.check_in_time(CLOSES - timedelta(seconds=1), CLOSES).reason
    with translation.override("sv"):
        assert "5.10.2020 kl. 16.15" in rules.check_in_time(CLOSES - timedelta(seconds=1), CLOSES).reason


def test_submitted_at_the_deadline_instant_is_late():
    check = rules.check_in_time(CLOSES, CLOSES)
    assert check.flagged
    assert "after the call closed" in check.reason


def test_a_late_version_answering_a_request_before_its_due_time_is_in_time():
    requested = CLOSES + timedelta(days=3)
    due = CLOSES + timedelta(days=10)
    answered = CLOSES + timedelta(days=5)
    window = rules.SupplementWindow(requested_at=requested, due_at=due, answered_at=answered)
    assert rules.check_in_time(answered, CLOSES, [window]).passed
    assert "request for supplement" in rules.check_in_time(answered, CLOSES, [window]).reason


def test_a_late_version_after_the_requests_due_time_or_without_an_answer_is_flagged():
    requested = CLOSES + timedelta(days=3)
    due = CLOSES + timedelta(days=10)
    unanswered = rules.SupplementWindow(requested_at=requested, due_at=due, answered_at=None)
    assert rules.check_in_time(CLOSES + timedelta(days=5), CLOSES, [unanswered]).flagged
    answered = rules.SupplementWindow(requested_at=requested, due_at=due, answered_at=due + timedelta(minutes=1))
    assert rules.check_in_time(due + timedelta(minutes=1), CLOSES, [answered]).flagged
    assert rules.check_in_time(due, CLOSES, [answered]).flagged


# ── Municipalities and confirmations ────────────────────────────────────────


def test_two_municipalities_are_enough_one_is_not():
    assert rules.check_municipalities(content(), 2).passed
    alone = rules.check_municipalities(content(partners=[]), 2)
    assert alone.flagged
    assert "Municipalities taking part: 1; the call's minimum: 2." in alone.reason


def test_a_joint_authority_is_not_counted_as_a_municipality_but_named_in_the_reason():
    check = rules.check_municipalities(content(partners=[org("Kuntayhtymä", "", kind="joint_authority", confirmed_at="2020-10-01T09:00:00+00:00")]), 2)
    assert check.flagged
    assert "Joint municipal authorities taking part: 1; they do not count towards the minimum." in check.reason


def test_every_partner_must_have_confirmed():
    assert rules.check_confirmations(content()).passed
    unconfirmed = content(partners=[BASE["partners"][0], org("Lapinjärvi", "407", confirmed_at=None)])
    check = rules.check_confirmations(unconfirmed)
    assert check.flagged
    assert "Lapinjärvi" in check.reason
    assert "Loviisa" not in check.reason


def test_no_partners_means_nothing_to_confirm():
    assert rules.check_confirmations(content(partners=[])).passed


# ── Money ───────────────────────────────────────────────────────────────────


def test_grant_at_most_the_share_of_eligible_costs_rounded_down():
    assert rules.check_grant_share(content(requested_grant="12750.00"), Decimal("0.85")).passed
    over = rules.check_grant_share(content(requested_grant="12750.01"), Decimal("0.85"))
    assert over.flagged
    assert "12,750.00 €" in over.reason
    # 85 % of 0,99 € is 0,8415 €: at most 0,84 €.
    one_line = [{"organisation": "638", "category": "staff", "description": "", "amount": "0.99"}]
    assert rules.check_grant_share(content(budget=one_line, requested_grant="0.84"), Decimal("0.85")).passed
    assert rules.check_grant_share(content(budget=one_line, requested_grant="0.85"), Decimal("0.85")).flagged


def test_a_missing_grant_amount_is_flagged():
    assert rules.check_grant_share(content(requested_grant=None), Decimal("0.85")).flagged


def test_vat_lines_are_flagged_when_vat_is_not_eligible():
    assert rules.check_vat(content(), vat_eligible=False).passed
    vat_line = {"organisation": "638", "category": "vat", "description": "", "amount": "2400.00"}
    check = rules.check_vat(content(budget=[*BASE["budget"], vat_line]), vat_eligible=False)
    assert check.flagged
    assert "3" in check.reason
    assert rules.check_vat(content(budget=[*BASE["budget"], vat_line]), vat_eligible=True).passed


@pytest.mark.parametrize("description", ["Ostopalvelut sis. alv", "Tjänster inkl. moms", "Services incl. VAT", "arvonlisävero 24 %"])
def test_a_description_mentioning_vat_is_flagged(description):
    line = {"organisation": "638", "category": "services", "description": description, "amount": "100.00"}
    assert rules.check_vat(content(budget=[line]), vat_eligible=False).flagged


def test_words_that_only_contain_the_letters_of_vat_are_not_flagged():
    line = {"organisation": "638", "category": "services", "description": "Valvonta ja kalvot, private cloud", "amount": "100.00"}
    assert rules.check_vat(content(budget=[line]), vat_eligible=False).passed


# ── Target areas and schedule ───────────────────────────────────────────────


def test_target_areas_must_be_the_calls():
    assert rules.check_target_areas(content(), CALL.target_areas).passed
    foreign = rules.check_target_areas(content(target_areas=[2, 9]), CALL.target_areas)
    assert foreign.flagged
    assert "9" in foreign.reason
    assert rules.check_target_areas(content(target_areas=[]), CALL.target_areas).flagged


def test_schedule_within_the_project_period():
    assert rules.check_schedule(content(), CALL.project_end_latest).passed
    # When the project starts is not a rule of the call: a start before the call opened is no flag here.
    assert rules.check_schedule(content(start_date="2020-01-01"), CALL.project_end_latest).passed


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2021-01-01", "2022-11-01", "after the latest end 31 October 2022"),
        ("2021-06-01", "2021-05-31", "ends before it starts"),
        (None, "2021-05-31", "missing"),
    ],
)
def test_schedule_outside_the_period_is_flagged_with_the_reason(start, end, words):
    check = rules.check_schedule(content(start_date=start, end_date=end), CALL.project_end_latest)
    assert check.flagged
    assert words in check.reason


# ── Words that suggest an excluded field ────────────────────────────────────


def test_no_keyword_no_flag():
    assert rules.check_exclusions(content(), CALL.exclusions).passed


def test_keywords_are_flagged_for_a_person_with_the_matched_words():
    check = rules.check_exclusions(content(summary="Sote-uudistus ja potilastietojen siirto."), CALL.exclusions)
    assert check.flagged
    assert check.words == ("Sote-uudistus", "potilastietojen")
    assert "For a person to judge" in check.reason
    assert "Sosiaali- ja terveydenhuolto: Sote-uudistus, potilastietojen" in check.reason


def test_a_long_stem_matches_inside_a_compound_word_a_short_one_only_at_a_word_start():
    assert rules.find_keywords("Perusterveydenhuollon ajanvaraus", ["terveydenhuol"]) == ["Perusterveydenhuollon"]
    assert rules.find_keywords("Ohjelmistosotelo", ["sote"]) == []
    assert rules.find_keywords("Sähköarkisto ja e-arkisto", ["arkisto"]) == ["Sähköarkisto", "e-arkisto"]


def test_phrases_match_across_any_whitespace_and_in_any_case():
    assert rules.find_keywords("Better Health\n care for all", ["health care"]) == ["Health care"]
    assert rules.find_keywords("Sosiaali- ja terveyspalvelut", ["sosiaali- ja terveys"]) == ["Sosiaali- ja terveyspalvelut"]


def test_swedish_keywords_and_each_word_once():
    check = rules.check_exclusions(content(objectives="Hälsovården och hälsovården, samt arkivet."), CALL.exclusions)
    assert check.flagged
    assert check.words == ("Hälsovården", "arkivet")
    assert "Arkistointi: arkivet" in check.reason


def test_project_name_is_searched_but_the_budget_is_not():
    assert rules.check_exclusions(content(project_name="Sote-digi"), CALL.exclusions).flagged
    budget = [{"organisation": "638", "category": "staff", "description": "sote", "amount": "1.00"}]
    assert rules.check_exclusions(content(budget=budget), CALL.exclusions).passed


def test_keywords_from_the_calls_text_one_per_line():
    assert rules.keywords_from_text("Sote\n\n  health   care \nsote\n") == ("sote", "health care")


# ── Parts of a request for supplement ───────────────────────────────────────


def test_parts_map_to_fields():
    assert rules.part_of_field("summary") == "project"
    assert rules.part_of_field("language") == "project"
    assert rules.part_of_field("end_date") == "schedule"
    assert rules.part_of_field("contact_phone") == "contact"
    assert rules.part_of_field("requested_grant") == "budget"
    assert rules.part_of_field("declaration_not_excluded") is None
    assert rules.fields_of_parts(["schedule", "contact"]) == {
        "start_date",
        "end_date",
        "contact_name",
        "contact_email",
        "contact_phone",
        "signatory_name",
        "signatory_title",
    }
    assert rules.clean_parts(["budget", "nonsense", "project", "budget"]) == ["project", "budget"]


def test_the_target_areas_are_a_part_of_their_own_and_need_a_reason_as_partners_and_budget_do():
    assert rules.part_of_field("target_areas") == "target_areas"
    assert "target_areas" not in rules.fields_of_parts(["project"])
    assert "target_areas" in rules.PROJECT_PAGE_PARTS
    assert rules.reason_parts(["budget", "project", "target_areas", "schedule"]) == ["target_areas", "budget"]
    assert rules.reason_parts(["project", "schedule", "contact", "attachments"]) == []


def test_parts_are_the_models_parts():
    from kuntadigi.screening.models import SupplementRequest

    assert rules.PARTS == SupplementRequest.PARTS


# ── Åland, the eligible-cost period and other costs (the call's rules, issue 10 § 7) ─────


def test_a_municipality_of_aland_is_flagged_when_the_call_does_not_allow_it():
    aland = frozenset({"478", "170"})
    mariehamn = content(partners=[org("Maarianhamina", "478", confirmed_at="2020-10-01T09:00:00+00:00")])
    check = rules.check_aland(mariehamn, False, aland)
    assert check.flagged
    assert check.reason == "Municipalities of Åland take part: Maarianhamina. Åland's municipalities may not apply in this call."
    assert rules.check_aland(mariehamn, True, aland).passed
    assert rules.check_aland(content(), False, aland).passed
    checks = by_code(rules.automatic_checks(mariehamn, CLOSES - timedelta(hours=1), dataclasses.replace(CALL, aland_municipality_codes=aland)))
    assert checks["aland"].flagged


def test_a_start_before_the_call_closed_is_flagged_with_why_its_costs_are_not_eligible():
    submitted = CLOSES - timedelta(days=1)
    check = rules.check_cost_period(content(start_date="2020-09-01"), CLOSES, submitted)
    assert check.flagged
    assert check.reason == (
        "The project starts 1 September 2020, before the call closed on 5 October 2020: no grant decision can be made before then. "
        "Costs incurred before the eligible-cost period in the decision are not eligible; that period starts on the date of the decision "
        "unless the decision gives grounds for an earlier start."
    )
    # A start on the closing day or later is no flag; neither is a start before the call opened as such.
    assert rules.check_cost_period(content(start_date="2020-10-05"), CLOSES, submitted).passed
    assert rules.check_cost_period(content(start_date="2021-01-01"), CLOSES, submitted).passed
    assert rules.check_cost_period(content(start_date=None), CLOSES, submitted).passed


def test_a_version_answering_a_request_counts_from_its_own_submission_day():
    answered = CLOSES + timedelta(days=30)  # 4.11.2020
    check = rules.check_cost_period(content(start_date="2020-11-01"), CLOSES, answered)
    assert check.flagged
    assert "before this version was submitted on 4 November 2020" in check.reason
    with translation.override("fi"):
        assert "4.11.2020" in rules.check_cost_period(content(start_date="2020-11-01"), CLOSES, answered).reason
    assert rules.check_cost_period(content(start_date="2020-11-04"), CLOSES, answered).passed


def test_other_costs_that_suggest_equipment_are_flagged_with_the_words():
    budget = [
        {"organisation": "638", "category": "other", "description": "Kannettavat tietokoneet ja näyttölaitteet", "amount": "3000.00"},
        {"organisation": "638", "category": "other", "description": "Koulutustilaisuudet", "amount": "1000.00"},
        {"organisation": "434", "category": "other", "description": "Anskaffning av IT-utrustning", "amount": "2000.00"},
        # The same words in another category are not this check's business.
        {"organisation": "434", "category": "services", "description": "Laitteiden asennuspalvelu", "amount": "500.00"},
    ]
    check = rules.check_other_costs(content(budget=budget))
    assert check.flagged
    assert check.words == ("tietokoneet", "näyttölaitteet", "IT-utrustning")
    assert "lines 1 (tietokoneet, näyttölaitteet); 3 (IT-utrustning)" in check.reason
    assert "which the call does not fund directly" in check.reason
    assert rules.check_other_costs(content(budget=budget[1:2] + budget[3:])).passed


@pytest.mark.parametrize("description", ["New laptops for the staff", "Hardware for the pilot", "Mobile devices", "Surfplattor till personalen"])
def test_equipment_words_in_english_and_swedish(description):
    line = {"organisation": "638", "category": "other", "description": description, "amount": "100.00"}
    assert rules.check_other_costs(content(budget=[line])).flagged
