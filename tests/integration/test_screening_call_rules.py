"""Screening consistent with the call (issue 10 § 7): the same counting rule as submission, the call's
rule on Åland, costs before the eligible-cost period and equipment in "other costs" flagged on the
official's pages, and requests for supplement that need a reason to reopen the target areas, the
partners or the budget, whose changes the decision-maker sees."""

from __future__ import annotations

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Application, BudgetLine
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import NoGrantReason
from kuntadigi.decisions import services_decisions as decisions
from kuntadigi.screening import services
from kuntadigi.screening.models import SupplementRequest
from tests import factories
from tests.integration import screening_support as support
from tests.integration import submission_data

pytestmark = pytest.mark.django_db

REASON = "Osatoteuttajan kustannusarviosta puuttuvat ostopalvelut."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return support.World()


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ")


def checks_of(response) -> dict:
    return {check.code: check for check in response.context["checks"]}


# ── The automatic checks on the official's page and in the list ─────────────


def test_a_joint_authority_and_a_municipality_of_aland_are_flagged_for_the_official(client, world):
    """Submitted in a call whose rules changed since (the register and the call's data are editable):
    the checks read the call's rules as they are now."""
    authority = factories.joint_authority("Itä-Uudenmaan kuntayhtymä", business_id="1234567-8")
    world.call.aland_may_apply = True
    world.call.save()
    jomala = factories.municipality("Jomala", region_code="21")
    app = support.submitted(world.call, partners=[authority, jomala])
    world.call.aland_may_apply = False
    world.call.save()
    client.force_login(world.preparer)
    response = client.get(world.page(pk=app.pk))
    checks = checks_of(response)
    assert checks["municipalities"].passed  # the lead and Jomala: two municipalities
    assert "Joint municipal authorities taking part: 1; they do not count towards the minimum." in checks["municipalities"].reason
    assert checks["aland"].flagged
    assert checks["aland"].reason == "Municipalities of Åland take part: Jomala. Åland's municipalities may not apply in this call."
    assert "Municipalities of Åland take part: Jomala." in text(response)
    # The screening list filters by it, from the stored results.
    listed = client.get(world.page("list") + "?flag=aland")
    assert [row.application.pk for row in listed.context["rows"]] == [app.pk]
    # A call that allows Åland: nothing to flag, and the stored result follows the call's rule.
    world.call.aland_may_apply = True
    world.call.save()
    assert client.get(world.page("list") + "?flag=aland").context["rows"] == []


def test_a_start_before_the_call_closed_is_flagged_and_a_start_before_it_opened_is_no_rule(client, world):
    app = support.submitted(world.call, start_date=date(2020, 3, 1))
    client.force_login(world.preparer)
    response = client.get(world.page(pk=app.pk))
    checks = checks_of(response)
    assert checks["schedule"].passed
    assert "before the call opened" not in text(response)
    assert checks["cost_period"].flagged
    assert checks["cost_period"].reason == (
        "The project starts 1 March 2020, before the call closed on 5 October 2020: no grant decision can be made before then. "
        "Costs incurred before the eligible-cost period in the decision are not eligible; that period starts on the date of the decision "
        "unless the decision gives grounds for an earlier start."
    )
    with translation.override("fi"):
        page = text(client.get(reverse("screening:application", args=[app.pk])))
    assert "Päätöksessä määrättyä kustannusten hyväksyttävyysaikaa edeltävät kustannukset eivät ole hyväksyttäviä" in page
    # The default application starts 1.1.2021, after the call closed: nothing to flag.
    assert checks_of(client.get(world.page()))["cost_period"].passed


def test_equipment_in_other_costs_is_flagged_with_the_words(client, world):
    lead = factories.municipality("Kotka")
    app = submission_data.application(world.call, lead=lead, created_by=factories.member(lead, admin=True), requested=Decimal("12750.00"))
    submission_data.add_line(app.participants.get(role="lead"), "other", Decimal("2000.00"), "Kannettavat tietokoneet hankkeen työntekijöille")
    clock.set_now(factories.DURING_2020)
    from kuntadigi.applications import submission as submission_services

    assert submission_services.submit_application(app.created_by, app.pk).submission is not None
    clock.set_now(support.AFTER_2020)
    client.force_login(world.preparer)
    response = client.get(world.page(pk=app.pk))
    check = checks_of(response)["other_costs"]
    assert check.flagged and check.words == ("tietokoneet",)
    assert "Other costs on lines 2 (tietokoneet) suggest equipment purchases, which the call does not fund directly." in text(response)
    # Advisory only: the application can still be marked eligible, with the official's reason.
    services.mark_application(world.preparer, app.pk, "eligible", "Tietokoneet poistetaan päätöksessä hyväksyttävistä kustannuksista.")
    assert Application.objects.get(pk=app.pk).state == "eligible"


# ── Requests for supplement ─────────────────────────────────────────────────


def post_request(client, world, parts, reason=""):
    client.force_login(world.preparer)
    due = clock.helsinki(clock.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    fields = {"parts": parts, "message": "Kustannusarviosta puuttuu tietoja.", "reopening_reason": reason, "due_at": due}
    return client.post(world.page("request_supplement"), fields)


@pytest.mark.parametrize("part", ["budget", "partners", "target_areas"])
def test_reopening_the_budget_partners_or_target_areas_needs_a_reason(client, world, part):
    response = post_request(client, world, ["project", part])
    assert response.status_code == 200
    assert response.context["request_form"].errors["reopening_reason"] == ["Write why the target areas, the partners or the budget are reopened."]
    assert 'href="#id_reopening_reason"' in response.content.decode()  # the error summary links to the field
    assert not SupplementRequest.objects.exists()
    with pytest.raises(Refused, match="Write why the target areas"):
        services.request_supplement(world.preparer, world.app.pk, [part], "Puuttuu.", clock.now() + timedelta(days=7), "  ")
    # With the reason the request is made, and the reason is kept on it and in the audit trail.
    assert post_request(client, world, ["project", part], REASON).status_code == 302
    request = SupplementRequest.objects.get()
    assert request.reason == REASON
    assert AuditEvent.objects.get(action="screening.supplement_requested").after["reason"] == REASON


def test_other_parts_need_no_reason(client, world):
    assert post_request(client, world, ["project", "schedule", "contact", "attachments"]).status_code == 302
    assert SupplementRequest.objects.get().reason == ""


def test_the_target_areas_are_a_part_of_their_own(client, world):
    services.request_supplement(world.preparer, world.app.pk, ["target_areas"], "Tarkentakaa.", clock.now() + timedelta(days=7), REASON)
    app = world.refresh()
    client.force_login(world.lead)
    form = client.get(reverse("applications:edit", args=[app.pk])).context["form"]
    assert not form.fields["target_areas"].disabled
    assert form.fields["project_name"].disabled and form.fields["summary"].disabled
    # The lead sees why the part is reopened in the request at the top of the page.
    page = text(client.get(reverse("applications:detail", args=[app.pk])))
    assert f"Why these parts are reopened:</strong> {REASON}" in page
    area = world.call.target_areas.get(number=5)
    drafting.save_draft(world.lead, app, {"target_areas": [area]}, app.version)
    with pytest.raises(Refused):
        drafting.save_draft(world.lead, world.refresh(), {"summary": "Toinen."}, world.app.version)


def answer_with_a_new_budget(world) -> None:
    """The lead raises the partner's line and the grant, the partner confirms again, the lead resubmits."""
    from kuntadigi.applications import submission as submission_services

    app = world.refresh()
    lines = [
        {"id": line.pk, "participant_id": line.participant_id, "category_id": line.category_id, "description": line.description, "amount": line.amount}
        for line in BudgetLine.objects.filter(application=app).order_by("pk")
    ]
    lines[1]["amount"] = Decimal("6000.00")
    drafting.save_budget(world.lead, app, lines, Decimal("13600.00"), app.version)
    app = world.refresh()
    submission_services.confirm_participation(world.partner, app, world.partner_org, "Kaisa Kunnanjohtaja", "kunnanjohtaja")
    assert services.submit_supplement(world.lead, app.pk).submission.number == 2


def test_the_decision_maker_sees_what_the_reopened_budget_changed_with_the_reason(client, world, django_capture_on_commit_callbacks):
    services.request_supplement(world.preparer, world.app.pk, ["schedule", "budget"], "Puuttuu.", clock.now() + timedelta(days=7), REASON)
    app = world.refresh()
    drafting.save_draft(world.lead, app, {"end_date": date(2022, 6, 30)}, app.version)
    answer_with_a_new_budget(world)
    services.mark_application(world.preparer, world.app.pk, "ineligible", "Ei täytä ehtoja.", ["other"])
    NoGrantReason.objects.create(call=world.call, order=0, code="conditions-not-met", text_fi="Ehdot eivät täyty.", text_sv="Villkoren uppfylls inte.")

    def section(response) -> str:
        page = text(response)
        start = page.index('id="supplement-changes"')
        return page[start : page.index("</section>", start)]

    # The official's application page.
    client.force_login(world.decision_maker)
    shown = section(client.get(world.page()))
    assert REASON in shown and "Parts reopened" in shown and "Cost estimate (excluding VAT)" in shown
    assert "Changes from version 1 to version 2." in shown
    assert "13,600.00 €" in shown and "12,750.00 €" in shown  # the grant applied for, before and after
    assert "Loviisa – Ostopalvelut (en) – Koulutus – 6,000.00 €" in shown  # the partner's raised line (the factory's category name)
    assert "30 June 2022" not in shown  # the schedule was reopened too, but needs no reason: not this section's business

    # The decision's pages: prepare (the preparer) and sign (the decision-maker), in Finnish too.
    client.force_login(world.preparer)
    assert REASON in section(client.get(reverse("decisions:decision_prepare", args=[world.app.pk])))
    data = decisions.defaults_for(world.refresh(), world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    with django_capture_on_commit_callbacks(execute=True):
        decisions.prepare_decision(world.preparer, world.app.pk, data)
    client.force_login(world.decision_maker)
    shown = section(client.get(reverse("decisions:decision_sign", args=[world.app.pk])))
    assert REASON in shown and "13,600.00 €" in shown
    with translation.override("fi"):
        shown = section(client.get(reverse("decisions:decision_sign", args=[world.app.pk])))
    assert "Täydennyspyyntöjen vastauksina tehdyt muutokset" in shown and "Miksi ne avattiin uudelleen" in shown


def test_no_section_without_an_answered_request_that_needed_a_reason(client, world):
    client.force_login(world.preparer)
    assert 'id="supplement-changes"' not in client.get(world.page()).content.decode()
    services.request_supplement(world.preparer, world.app.pk, ["contact"], "Puhelin.", clock.now() + timedelta(days=7))
    app = world.refresh()
    drafting.save_draft(world.lead, app, {"contact_phone": "040 1"}, app.version)
    services.submit_supplement(world.lead, app.pk)
    assert 'id="supplement-changes"' not in client.get(world.page()).content.decode()
