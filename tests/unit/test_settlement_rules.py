"""The settlement's sentences in the audit trail, the document filters of decisions on projects, and the
kinds registry (every kind of ProjectDecision has its entry and its template), without the database."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template.loader import get_template

from kuntadigi.audit.describe import Event, Lookups, describe, known_kinds
from kuntadigi.decisions import project_kinds
from kuntadigi.decisions.models import ProjectDecision
from kuntadigi.decisions.templatetags import project_decision_tags as tags
from kuntadigi.projects import rules

NB = "\u00a0"
AT = datetime(2023, 3, 15, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("action", "after", "expected"),
    [
        ("project_decision.prepare", {"kind": "settlement"}, "Draft settlement decision prepared"),
        ("project_decision.sign", {"kind": "payment_reduction"}, "Payment-reduction decision signed"),
        ("project_decision.notify", {"messages": 3}, "Decision sent to the project's people"),
        (
            "project.settled",
            {"state": "settled", "final_grant": "9775.00", "paid": "10250.40", "balance": "-475.40"},
            f"Project settled: final grant 9,775{NB}€, paid 10,250.40{NB}€, balance -475.40{NB}€",
        ),
        ("project.settlement_prepared", {"final_grant": "9775.00", "balance": "4775.00"}, f"Settlement prepared: final grant 9,775{NB}€, balance 4,775{NB}€"),
        ("project.balance_payment_approved", {"payment": 4, "amount": "4775.00"}, f"Balance of the settlement approved for payment: 4,775{NB}€"),
        ("project.return_recorded", {"amount": "400.00"}, f"Return of the excess grant recorded: 400{NB}€"),
        ("project.closed", {"state": "closed"}, "Project closed"),
    ],
)
def test_the_settlements_events_read_as_sentences(action, after, expected):
    described = describe(Event(action, AT, None, {}, after), Lookups(), "en")
    assert described.what == expected


def test_every_event_the_settlement_records_has_a_sentence():
    recorded = {
        "project_decision.prepare",
        "project_decision.sign",
        "project_decision.document_stored",
        "project_decision.notify",
        "project.settlement_prepared",
        "project.settled",
        "project.balance_payment_approved",
        "project.return_recorded",
        "project.closed",
    }
    assert recorded <= known_kinds()


def test_every_kind_of_decision_on_a_project_has_its_entry_and_its_template():
    assert set(project_kinds.names()) == set(ProjectDecision.Kind.values)
    for name in project_kinds.names():
        kind = project_kinds.kind(name)
        get_template(kind.template(name))  # raises TemplateDoesNotExist when the kind's template is missing
        assert kind.facts and kind.source and kind.grounds and kind.prepare_url
        assert "34 §" in str(kind.provisions) or "section 34" in " ".join(str(p) for p in kind.provisions)


def test_the_document_writes_euros_days_and_names_as_a_decision_does():
    assert tags.money("12345.60") == f"12{NB}345,60"
    assert tags.money("850000.00") == f"850{NB}000"
    assert tags.money("-475.40") == "-475,40"
    assert tags.money("") == "" and tags.money("not money") == ""
    assert tags.day("2023-04-14") == "14.4.2023" and tags.day(date(2022, 10, 31)) == "31.10.2022"
    assert tags.in_language({"fi": "Loviisan kaupunki", "sv": "Lovisa stad"}, "sv") == "Lovisa stad"
    assert tags.in_language({"fi": "Porvoon kaupunki", "sv": ""}, "sv") == "Porvoon kaupunki"
    assert tags.is_negative("-0.01") and not tags.is_negative("0.00") and tags.is_positive("0.01")


def test_the_settlement_in_cents_pays_or_asks_back_the_difference():
    # 85 % of 11 500,00 = 9 775,00; paid 10 250,40: 475,40 to be returned.
    result = rules.settlement(share=Decimal("0.85"), total_accepted=1150000, maximum_grant=1275000, paid=1025040)
    assert (result.final_grant, result.balance, result.to_return, result.to_pay) == (977500, -47540, 47540, 0)
    # Capped at the maximum grant.
    capped = rules.settlement(share=Decimal("0.85"), total_accepted=2150000, maximum_grant=1000000, paid=850000)
    assert (capped.final_grant, capped.to_pay) == (1000000, 150000)
