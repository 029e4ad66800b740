"""The content of a decision document, assembled without the database, in Finnish and in Swedish."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kuntadigi.decisions import documents
from kuntadigi.decisions.documents import DecisionInput, Signatory, assemble

HKI = ZoneInfo("Europe/Helsinki")

CONTENT = {
    "reference": "DIGI-2020-0007",
    "language": "sv",
    "project_name": "Öppen kommun",
    "lead": {"name_fi": "Porvoo", "name_sv": "Borgå", "municipality_code": "638", "business_id": None, "kind": "municipality"},
    "partners": [
        {"name_fi": "Loviisa", "name_sv": "Lovisa", "municipality_code": "434", "business_id": None, "kind": "municipality"},
        {"name_fi": "Sipoo", "name_sv": "Sibbo", "municipality_code": "753", "business_id": None, "kind": "municipality"},
        {"name_fi": "Kuntayhtymä", "name_sv": "", "municipality_code": None, "business_id": "0201256-6", "kind": "joint_authority"},
    ],
    "budget": [
        {"organisation": "638", "category": "staff", "description": "", "amount": "10000.00"},
        {"organisation": "434", "category": "services", "description": "", "amount": "5000.00"},
        {"organisation": "753", "category": "services", "description": "", "amount": "1234.56"},
    ],
    "requested_grant": "13799.37",
}


def facts(language="sv", **changes) -> DecisionInput:
    values = {
        "language": language,
        "content": CONTENT,
        "outcome": "grant",
        "presenter": Signatory("Suvi Savolainen", "konsultativ tjänsteman"),
        "decision_maker": Signatory("Anne-Marie Välikangas", "finansråd"),
        "authority": {"fi": "Valtiovarainministeriö", "sv": "Finansministeriet"}.get(language, ""),
        "call_title": "Statsunderstöd 2020",
        "call_opens": date(2020, 6, 25),
        "call_closes": date(2020, 10, 5),
        "appropriation": Decimal("10000000.00"),
        "applications_received": 61,
        "criteria": ("Förbättring", "Förändring"),
        "submission_number": 2,
        "submitted_at": datetime(2020, 10, 5, 15, 59, tzinfo=HKI),
        "fingerprint": "a" * 64,
        "amount": Decimal("12750.00"),
        "max_share": Decimal("0.8500"),
        "costs_from": date(2021, 1, 1),
        "costs_until": date(2022, 10, 31),
        "conditions": "Första villkoret\nfortsätter här.\n\nAndra villkoret.\r\n\r\n\n",
        "reporting": "Slutrapport inom fyra månader.",
        "decision_date": date(2020, 12, 11),
        "draft": False,
        "diary_number": "VN/1234/2020",
        "provisions": ("Statsunderstödslagen (688/2001) 5–7, 9–12, 14–16, 19–22 och 34 §", "Förvaltningslagen (434/2003) 45–47 § och 7 a kap."),
        "payment_terms": "Understödet betalas ut på ansökan.",
    }
    values.update(changes)
    return DecisionInput(**values)


def test_a_swedish_grant_names_the_parties_in_swedish_and_states_its_terms():
    doc = assemble(facts())

    assert doc.language == "sv"
    assert doc.authority == "Finansministeriet"
    assert (doc.reference, doc.decision_date, doc.submitted_on, doc.submission_number) == ("DIGI-2020-0007", "11.12.2020", "5.10.2020", 2)
    assert doc.recipient == "Borgå"
    assert doc.partners == ("Lovisa", "Sibbo", "Kuntayhtymä")  # a name without a Swedish form stays Finnish
    assert doc.partners_text == "Lovisa, Sibbo, Kuntayhtymä"
    assert (doc.project_name, doc.requested, doc.eligible_costs) == ("Öppen kommun", "13\u00a0799,37", "16\u00a0234,56")
    assert doc.is_grant
    assert (doc.amount, doc.max_share_percent, doc.costs_from, doc.costs_until) == ("12\u00a0750", "85", "1.1.2021", "31.10.2022")
    assert doc.conditions == ("Första villkoret fortsätter här.", "Andra villkoret.")
    assert doc.reporting == ("Slutrapport inom fyra månader.",)
    assert doc.reason == ""
    assert doc.laws == ("Statsunderstödslagen (688/2001) 5–7, 9–12, 14–16, 19–22 och 34 §", "Förvaltningslagen (434/2003) 45–47 § och 7 a kap.")
    assert doc.diary_number == "VN/1234/2020" and doc.payment_terms == ("Understödet betalas ut på ansökan.",)
    assert doc.decision_maker == Signatory("Anne-Marie Välikangas", "finansråd")
    assert doc.presenter == Signatory("Suvi Savolainen", "konsultativ tjänsteman")
    assert doc.distribution == ("Borgå", "Lovisa", "Sibbo", "Kuntayhtymä")
    assert (doc.appropriation, doc.applications_received, doc.criteria) == ("10\u00a0000\u00a0000", 61, ("Förbättring", "Förändring"))
    assert not doc.draft


def test_a_finnish_grant_uses_the_finnish_names_and_registry():
    doc = assemble(facts("fi"))

    assert doc.language == "fi"
    assert doc.authority == "Valtiovarainministeriö"
    assert doc.recipient == "Porvoo"
    assert doc.partners == ("Loviisa", "Sipoo", "Kuntayhtymä")
    assert doc.appeal.address == ("Valtiovarainministeriö, kirjaamo", "PL 28, 00023 Valtioneuvosto", "Snellmaninkatu 1 A, Helsinki")


def test_a_decision_sent_by_post_is_presumed_received_on_the_7th_day():
    doc = assemble(facts())

    assert (doc.appeal.days, doc.appeal.presumed_day, doc.appeal.electronic) == (30, 7, False)
    assert doc.appeal.authority == "finansministeriet"
    assert doc.appeal.address[1] == "PB 28, 00023 Statsrådet"
    assert doc.appeal.email == "valtiovarainministerio@gov.fi"


def test_a_decision_notified_electronically_with_consent_is_presumed_received_on_the_3rd_day():
    doc = assemble(facts(electronic=True))

    assert (doc.appeal.days, doc.appeal.presumed_day, doc.appeal.electronic) == (30, 3, True)


def test_a_copy_in_another_language_says_it_is_a_translation_of_the_original():
    original = assemble(facts("sv"))
    copy = assemble(facts("fi", original_language="sv"))

    assert not original.is_translation
    assert copy.is_translation and copy.original_language == "sv" and copy.language == "fi"
    assert copy.recipient == "Porvoo" and original.recipient == "Borgå"


def test_no_grant_states_the_reason_and_grounds_and_no_grant_terms():
    doc = assemble(facts(outcome="no_grant", reason=" Andra ansökningar placerade sig högre. ", grounds="Poängen 2,1.\n\nUnder gränsen 3,4."))

    assert not doc.is_grant
    assert doc.reason == "Andra ansökningar placerade sig högre."
    assert doc.grounds == ("Poängen 2,1.", "Under gränsen 3,4.")
    assert (doc.amount, doc.max_share_percent, doc.costs_from, doc.costs_until, doc.conditions, doc.reporting) == ("", "", "", "", (), ())


@pytest.mark.parametrize("language", ["en", "", "de"])
def test_a_document_is_in_finnish_unless_the_application_is_swedish(language):
    doc = assemble(facts(language, authority=""))

    assert doc.language == "fi"
    assert doc.authority == "Valtiovarainministeriö"  # the fallback authority name


def test_a_draft_has_no_decision_date():
    doc = assemble(facts(draft=True, decision_date=None))

    assert doc.draft and doc.decision_date == ""


def test_a_share_with_decimals_is_written_with_a_comma():
    assert assemble(facts(max_share=Decimal("0.8250"))).max_share_percent == "82,5"


@pytest.mark.parametrize(
    ("amount", "text"),
    [(Decimal("850000.00"), "850\u00a0000"), (Decimal("1090100"), "1\u00a0090\u00a0100"), (Decimal("12345.6"), "12\u00a0345,60"), (None, "")],
)
def test_money_is_written_in_whole_euros_unless_there_are_cents(amount, text):
    assert documents.money(amount) == text


def test_the_same_facts_give_the_same_document():
    assert assemble(facts()) == assemble(facts())


def test_an_ineligible_application_gets_its_failed_conditions_and_no_score():
    doc = assemble(
        facts(
            outcome="no_grant",
            ineligible=True,
            failed_conditions=("Projektet ska gälla minst ett målområde.",),
            screening_reason="Inget målområde.",
            weighted_score="3.10",
            rank=4,
        )
    )

    assert doc.ineligible and doc.failed_conditions == ("Projektet ska gälla minst ett målområde.",)
    assert doc.screening_reason == ("Inget målområde.",)
    assert (doc.weighted_score, doc.rank, doc.payment_terms) == ("", None, ())


def test_an_eligible_application_without_a_grant_gets_its_score_rank_and_the_cut_off():
    doc = assemble(facts(outcome="no_grant", weighted_score="3.10", rank=12, ranked=40, cutoff_score="3.45"))

    assert not doc.ineligible
    assert (doc.weighted_score, doc.rank, doc.ranked, doc.cutoff_score) == ("3,10", 12, 40, "3,45")


def test_a_reduced_grant_carries_its_reason():
    reduced = assemble(facts(amount=Decimal("10000.00"), reduction_reason="Resekostnaderna godtas inte."))
    full = assemble(facts(amount=Decimal("13799.37")))

    assert reduced.reduced and reduced.reduction_reason == ("Resekostnaderna godtas inte.",)
    assert not full.reduced


def test_grounds_for_earlier_costs_are_printed_only_when_the_period_starts_before_the_decision():
    early = assemble(facts(costs_from=date(2020, 12, 1), period_grounds="Projektet inleddes med ministeriets samtycke."))
    on_time = assemble(facts(costs_from=date(2021, 1, 1), period_grounds="Kvar från ett tidigare utkast."))

    assert early.period_grounds == ("Projektet inleddes med ministeriets samtycke.",)
    assert on_time.period_grounds == ()


def test_a_grant_lists_the_calls_eligible_and_ineligible_cost_types_and_a_no_grant_does_not():
    types = {"eligible_cost_types": ("Personalkostnader",), "ineligible_cost_types": ("Mervärdesskatt",)}
    grant = assemble(facts(**types))
    no_grant = assemble(facts(outcome="no_grant", **types))

    assert (grant.eligible_cost_types, grant.ineligible_cost_types) == (("Personalkostnader",), ("Mervärdesskatt",))
    assert (no_grant.eligible_cost_types, no_grant.ineligible_cost_types) == ((), ())
