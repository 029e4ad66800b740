"""validate_for_submission: everything complete and within the call's rules, each problem linked to its field."""

from decimal import Decimal

import pytest
from django.utils import translation

from kuntadigi.applications.models import Application, BudgetLine
from kuntadigi.applications.rules import Problem
from kuntadigi.applications.submission import load_for_content, problem_link, validate_for_submission
from tests import factories
from tests.integration import submission_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def problems_of(app):
    return validate_for_submission(load_for_content(app.pk))


def fields(problems):
    return {p.field for p in problems}


def test_complete_application_has_no_problems(call_2020):
    app = data.application(call_2020, requested=Decimal("12750.00"))
    assert problems_of(app) == []


def test_empty_draft_lists_every_missing_part(call_2020):
    app = data.application(call_2020, complete=False, confirmed=False)
    found = fields(problems_of(app))
    assert {
        "project_name",
        "target_areas",
        "summary",
        "current_state",
        "objectives",
        "change_in_ways_of_working",
        "rollout_and_spread",
        "prior_work",
        "start_date",
        "end_date",
        "contact_name",
        "contact_email",
        "declaration_not_excluded",
        "budget",
        "requested_grant",
        "confirmations",
    } <= found


def test_summary_longer_than_the_call_allows(call_2020):
    call_2020.summary_max_chars = 20
    call_2020.save()
    app = data.application(call_2020, requested=Decimal("12750.00"), summary="x" * 21)
    problems = problems_of(app)
    assert [(p.field, p.code) for p in problems] == [("summary", "too_long")]


def test_project_must_end_by_the_calls_latest_end(call_2020):
    from datetime import date

    app = data.application(call_2020, requested=Decimal("12750.00"), end_date=date(2022, 11, 1))
    assert [(p.field, p.code) for p in problems_of(app)] == [("end_date", "end_too_late")]
    assert "31 October 2022" in str(problems_of(app)[0].message)  # the active language here is English


def test_single_municipality_application_is_refused(call_2020):
    app = data.application(call_2020, partners=[], requested=Decimal("8500.00"))
    problems = problems_of(app)
    assert {"no_partners", "too_few_municipalities"} <= {p.code for p in problems}
    assert fields(problems) == {"partners"}


def test_request_above_85_percent_is_refused(call_2020):
    # 15 000 € of eligible costs: at most 12 750,00 €.
    app = data.application(call_2020, requested=Decimal("12750.01"))
    problems = problems_of(app)
    assert [(p.field, p.code) for p in problems] == [("requested_grant", "requested_above_share")]
    assert "12,750.00" in str(problems[0].message)


def test_vat_line_is_refused_when_the_call_does_not_fund_vat(call_2020):
    from kuntadigi.calls.models import CostCategory

    CostCategory.objects.create(call=call_2020, order=9, code="vat", name_fi="ALV", name_sv="Moms", name_en="VAT")
    app = data.application(call_2020, confirmed=False, requested=Decimal("12750.00"))
    data.add_line(data.partner(app), "vat", Decimal("1200.00"))
    data.confirm(data.partner(app), app.created_by)
    problems = problems_of(app)
    assert [p.code for p in problems] == ["vat_not_eligible"]


def test_unconfirmed_partner_blocks_and_a_budget_change_asks_again(call_2020):
    app = data.application(call_2020, confirmed=False, requested=Decimal("12750.00"))
    problems = problems_of(app)
    assert [p.code for p in problems] == ["not_confirmed"]
    assert "Vaasa has not confirmed its participation" in str(problems[0].message)

    partner = data.partner(app)
    data.confirm(partner, app.created_by)
    assert problems_of(app) == []

    line = BudgetLine.objects.get(participant=partner)
    line.amount = Decimal("6000.00")
    line.save()
    problems = problems_of(app)
    assert [p.code for p in problems] == ["confirmation_outdated"]
    assert "Vaasa" in str(problems[0].message)


def test_a_change_to_the_leads_lines_does_not_ask_partners_again(call_2020):
    app = data.application(call_2020, requested=Decimal("12750.00"))
    lead = app.participants.get(role="lead")
    data.add_line(lead, "travel", Decimal("100.00"))
    assert problems_of(app) == []


def test_problem_links_point_to_the_drafting_pages(call_2020):
    app = data.application(call_2020, complete=False, confirmed=False)
    pk = app.pk
    assert problem_link(app, Problem("summary", "required", "")) == f"/en/applications/{pk}/edit/#id_summary"
    assert problem_link(app, Problem("declaration_not_excluded", "required", "")) == f"/en/applications/{pk}/edit/#id_declaration_not_excluded"
    assert problem_link(app, Problem("target_areas", "required", "")) == f"/en/applications/{pk}/edit/#id_target_areas"
    assert problem_link(app, Problem("end_date", "end_too_late", "")) == f"/en/applications/{pk}/edit/#id_end_date"
    assert problem_link(app, Problem("partners", "no_partners", "")) == f"/en/applications/{pk}/partners/#partners"
    assert problem_link(app, Problem("confirmations", "not_confirmed", "")) == f"/en/applications/{pk}/partners/#partners"
    assert problem_link(app, Problem("budget-2", "category_not_eligible", "")) == f"/en/applications/{pk}/budget/#budget"
    assert problem_link(app, Problem("budget", "budget_empty", "")) == f"/en/applications/{pk}/budget/#budget"
    assert problem_link(app, Problem("requested_grant", "requested_missing", "")) == f"/en/applications/{pk}/budget/#id_requested_grant"
    assert problem_link(app, Problem("attachments", "missing", "")) == f"/en/applications/{pk}/attachments/"


def test_validation_reads_a_constant_number_of_queries(call_2020, django_assert_max_num_queries):
    app = data.application(call_2020, partners=[factories.municipality() for _ in range(6)], requested=Decimal("10.00"))
    with django_assert_max_num_queries(9):
        validate_for_submission(load_for_content(app.pk))
    assert Application.objects.count() == 1
