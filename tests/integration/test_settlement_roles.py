"""Acting without the role on the settlement pages is refused with the reason (the call's officials see
the pages; each step is for its own role), and the payment approver, who has no decision role, gets 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from kuntadigi.calls.models import CallRole
from kuntadigi.decisions.models import ProjectDecision
from kuntadigi.projects import services_settlement as settlement
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject, Settlement
from tests import factories
from tests.integration import decisions_support
from tests.integration import settlement_support as support


@pytest.fixture
def world(db):
    with translation.override("en"):
        yield decisions_support.build_world()


@pytest.fixture
def draft(world):
    project = support.funded(world)
    lead, _partner = support.organisations(project)
    support.approved_request(world, project, [(lead, "staff", Decimal("10000.00"), Decimal("10000.00"), "")], is_final=True)
    support.paid(world, project, Decimal("9000.00"))  # final grant 8 500: 500 to return
    return settlement.prepare_settlement(world.preparer, project.pk, support.data(world, project))


def url(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_decision_maker_sees_the_settlement_page_but_does_not_prepare(client, world, draft):
    client.force_login(world.decision_maker)
    page = client.get(url("settlement:prepare", draft.project_id))
    assert page.status_code == 200
    assert b"Only the call&#x27;s preparers and presenting officials prepare decisions on projects." in page.content
    refused = client.post(url("settlement:prepare", draft.project_id), {"grounds": "x"})
    assert refused.status_code == 400
    assert ProjectDecision.objects.get(pk=draft.pk).version == draft.version


def test_the_preparer_cannot_sign_and_is_told_why(client, world, draft):
    client.force_login(world.preparer)
    page = client.get(url("decisions:project_decision_sign", draft.project_id, draft.pk))
    assert page.status_code == 200 and b"Only the decision-maker named on the decision can sign it." in page.content
    response = client.post(url("decisions:project_decision_sign", draft.project_id, draft.pk))
    assert response.status_code == 302 and "Only the decision-maker named on the decision can sign it." in said(response)
    assert ProjectDecision.objects.get(pk=draft.pk).state == ProjectDecision.State.DRAFT


def test_only_a_preparer_records_a_return_or_closes(client, world, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        from kuntadigi.decisions import services_project_decisions as path

        path.sign(world.decision_maker, draft.pk)
    project_pk = draft.project_id
    client.force_login(world.presenter)
    response = client.post(url("settlement:record_return", project_pk), {"returned_on": "2023-03-15", "amount": "500.00"})
    assert response.status_code == 302 and "Only the call's preparers record returns of an excess grant." in said(response)
    response = client.post(url("settlement:close", project_pk))
    assert "Only the call's preparers close a project." in said(response)
    client.force_login(world.preparer)
    response = client.post(url("settlement:record_return", project_pk), {"returned_on": "2023-03-15", "amount": "600.00"})
    assert response.status_code == 400 and b"The amount is more than what is still to be returned." in response.content
    response = client.post(url("settlement:record_return", project_pk), {"returned_on": "2023-03-15", "amount": "500.00"})
    assert response.status_code == 302 and "The return was recorded." in said(response)
    assert Settlement.objects.get(project_id=project_pk).returned_amount == Decimal("500.00")
    assert FundedProject.objects.get(pk=project_pk).state == State.CLOSED


def test_the_payment_approver_has_no_way_in(client, world, draft):
    approver = factories.user("approver@vm.fi", official=True, full_name="Aino Hyväksyjä")
    CallRole.objects.create(call=world.call, user=approver, role=CallRole.Role.PAYMENT_APPROVER)
    client.force_login(approver)
    for address in (
        url("settlement:prepare", draft.project_id),
        url("decisions:project_decision", draft.project_id, draft.pk),
        url("decisions:project_decision_sign", draft.project_id, draft.pk),
    ):
        assert client.get(address).status_code == 404, address
