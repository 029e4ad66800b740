"""The settlement and the one decision path for decisions on funded projects: prepare → preview → sign →
render → notify → audit, for a settlement (positive, negative and zero balance) and a payment reduction;
the settlement PDF read back with pypdf in Swedish and Finnish; returns of an excess and closing."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import CallRole
from kuntadigi.decisions import kind_payment_reduction
from kuntadigi.decisions import services_project_decisions as path
from kuntadigi.decisions.models import ProjectDecision
from kuntadigi.notifications.models import Message
from kuntadigi.payments.models import Payment, PaymentBatch, PaymentRequest
from kuntadigi.projects import services_settlement as settlement
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject, Settlement
from tests.integration import decisions_support
from tests.integration import settlement_support as support


@pytest.fixture
def world(db):
    with translation.override("en"):
        yield decisions_support.build_world()


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def costs(world, project, *, staff=("10000.00", "10000.00", ""), travel=("2000.00", "1500.00", "Taxi rides are not eligible.")):
    """An approved final request: the lead's staff costs and the partner's travel (partly reduced)."""
    lead, partner = support.organisations(project)
    return support.approved_request(
        world,
        project,
        [(lead, "staff", Decimal(staff[0]), Decimal(staff[1]), staff[2]), (partner, "travel", Decimal(travel[0]), Decimal(travel[1]), travel[2])],
        is_final=True,
    )


def settle(world, project, capture) -> ProjectDecision:
    with capture(execute=True):
        decision = settlement.prepare_settlement(world.preparer, project.pk, support.data(world, project))
    with capture(execute=True):
        path.sign(world.decision_maker, decision.pk)
    with capture(execute=True):  # the notification queued by the stored document
        pass
    return ProjectDecision.objects.get(pk=decision.pk)


def fresh(project) -> FundedProject:
    return FundedProject.objects.get(pk=project.pk)


def test_positive_balance_is_paid_through_a_batch_and_the_project_closes_when_it_is_paid(world, django_capture_on_commit_callbacks):
    project = support.funded(world)
    # An interim request (counted only when there is no final one) and the final request covering every cost.
    lead, _partner = support.organisations(project)
    support.approved_request(world, project, [(lead, "staff", Decimal("4000.00"), Decimal("4000.00"), "")])
    costs(world, project)
    support.paid(world, project, Decimal("5000.00"))
    decision = settle(world, project, django_capture_on_commit_callbacks)

    row = Settlement.objects.get(project=project)
    # Final request accepted 11 500; 85 % = 9 775 (under the maximum 12 750); paid 5 000; balance 4 775.
    assert (row.total_accepted, row.final_grant, row.paid, row.balance) == (Decimal("11500.00"), Decimal("9775.00"), Decimal("5000.00"), Decimal("4775.00"))
    assert row.return_due is None
    assert decision.state == ProjectDecision.State.SIGNED and decision.document_sha256 and decision.notified_at
    assert fresh(project).state == State.SETTLED
    payment = Payment.objects.get(project=project, kind=Payment.Kind.BALANCE)
    assert payment.amount == Decimal("4775.00") and payment.approved_by == world.decision_maker and payment.iban == project.iban

    assert settlement.close_due() == 0  # the balance is not paid yet
    with pytest.raises(Refused, match="balance has not been paid"):
        settlement.close(world.preparer, project.pk)
    batch = PaymentBatch.objects.create(call=project.application.call, number=99, due_date=support.SETTLEMENT_DAY.date(), created_by=world.preparer)
    payment.batch = batch
    payment.save(update_fields=["batch"])
    PaymentBatch.objects.filter(pk=batch.pk).update(state="paid")  # exported and paid (nothing in a batch changes once exported)
    call_command("close_settled_projects", stdout=io.StringIO())
    assert fresh(project).state == State.CLOSED
    assert settlement.close_due() == 0  # idempotent

    actions = list(AuditEvent.objects.filter(application_id=project.application_id).values_list("action", flat=True))
    for action in (
        "project_decision.prepare",
        "project.settlement_prepared",
        "project_decision.sign",
        "project.settled",
        "project.balance_payment_approved",
        "project_decision.document_stored",
        "project_decision.notify",
        "project.closed",
    ):
        assert action in actions


def test_the_settlement_pdf_in_swedish_shows_the_figures_the_reductions_and_the_rectification(world, django_capture_on_commit_callbacks):
    project = support.funded(world, "sv")
    costs(world, project)
    support.paid(world, project, Decimal("10250.40"))
    decision = settle(world, project, django_capture_on_commit_callbacks)
    text = pdf_text(path.document_bytes(decision))
    # 85 % of 11 500 = 9 775; paid 10 250,40; to return 475,40, within 30 days of 15.3.2023.
    assert "Slutredovisningsbeslut" in text or "slutredovisning" in text.lower()
    assert "9 775" in text and "10 250,40" in text and "-475,40" in text and "11 500" in text
    assert "475,40" in text and "14.4.2023" in text and "FI79 5000 0120 2518 64" in text
    assert "Taxi rides are not eligible." in text and "Lovisa stad" in text
    assert "34 §" in text or "34" in text
    with translation.override("sv"):
        assert re.sub(r"\s+", " ", translation.gettext("Instructions for claiming rectification")) in text
    row = Settlement.objects.get(project=project)
    assert row.balance == Decimal("-475.40") and str(row.return_due) == "2023-04-14"
    assert not Payment.objects.filter(project=project, kind=Payment.Kind.BALANCE).exists()


def test_the_settlement_pdf_in_finnish_and_a_grant_capped_at_its_maximum(world, django_capture_on_commit_callbacks):
    project = support.funded(world, "fi")  # Hämeenlinna: maximum grant 10 000
    costs(world, project, staff=("20000.00", "20000.00", ""))
    support.paid(world, project, Decimal("8500.00"))
    decision = settle(world, project, django_capture_on_commit_callbacks)
    text = pdf_text(path.document_bytes(decision))
    row = Settlement.objects.get(project=project)
    assert row.final_grant == Decimal("10000.00") and row.balance == Decimal("1500.00")  # min(10 000, 85 % × 21 500)
    assert "21 500" in text and "10 000" in text and "8 500" in text and "1 500" in text
    with translation.override("fi"):
        assert translation.gettext("Final grant") in text
        assert re.sub(r"\s+", " ", translation.gettext("Instructions for claiming rectification")) in text
    assert "Hämeenlinnan kaupunki" in text


def test_partial_returns_leave_the_rest_open_and_the_whole_return_closes_the_project(world, django_capture_on_commit_callbacks):
    project = support.funded(world)
    costs(world, project)
    support.paid(world, project, Decimal("10775.00"))  # balance −1 000
    settle(world, project, django_capture_on_commit_callbacks)
    with pytest.raises(Refused, match="more than what is still to be returned"):
        settlement.record_return(world.preparer, project.pk, support.SETTLEMENT_DAY.date(), Decimal("1000.01"))
    with pytest.raises(Refused, match="Only the call's preparers"):
        settlement.record_return(world.presenter, project.pk, support.SETTLEMENT_DAY.date(), Decimal("400.00"))
    settlement.record_return(world.preparer, project.pk, support.SETTLEMENT_DAY.date(), Decimal("400.00"))
    assert fresh(project).state == State.SETTLED
    assert settlement.still_to_return(Settlement.objects.get(project=project)) == Decimal("600.00")
    settlement.record_return(world.preparer, project.pk, support.SETTLEMENT_DAY.date(), Decimal("600.00"))
    row = Settlement.objects.get(project=project)
    assert row.returned_amount == Decimal("1000.00") and fresh(project).state == State.CLOSED
    assert AuditEvent.objects.filter(action="project.return_recorded", object_id=str(project.pk)).count() == 2


def test_a_zero_balance_closes_the_project_at_signing(world, django_capture_on_commit_callbacks):
    project = support.funded(world)
    costs(world, project)
    support.paid(world, project, Decimal("9775.00"))
    settle(world, project, django_capture_on_commit_callbacks)
    assert fresh(project).state == State.CLOSED
    assert not Payment.objects.filter(project=project, kind=Payment.Kind.BALANCE).exists()


def test_without_a_final_request_every_approved_request_is_added_up(world):
    project = support.funded(world)
    lead, partner = support.organisations(project)
    support.approved_request(world, project, [(lead, "staff", Decimal("3000.00"), Decimal("3000.00"), "")])
    support.approved_request(world, project, [(partner, "travel", Decimal("1000.00"), Decimal("900.00"), "Ei kuitteja.")])
    result = settlement.figures(project)
    assert (result.total_accepted, result.final_grant) == (390000, 331500)


def test_the_settlement_waits_for_the_approved_final_report_and_needs_two_people(world):
    project = support.funded(world)
    costs(world, project)
    project.reports.update(state="submitted")
    with pytest.raises(Refused, match="final report has not been approved"):
        settlement.prepare_settlement(world.preparer, project.pk, support.data(world, project))
    project.reports.update(state="approved")
    with pytest.raises(Refused, match="Only the call's preparers and presenting officials"):
        settlement.prepare_settlement(world.decision_maker, project.pk, support.data(world, project))
    # A preparer who is also a decision-maker of the call neither names themselves nor signs what they prepared.
    CallRole.objects.create(call=project.application.call, user=world.preparer, role="decision_maker")
    permissions.forget_cached_call_roles(world.preparer)
    with pytest.raises(Refused, match="another person must make it"):
        settlement.prepare_settlement(world.preparer, project.pk, support.data(world, project, decision_maker_id=world.preparer.pk))
    decision = settlement.prepare_settlement(world.preparer, project.pk, support.data(world, project))
    with pytest.raises(Refused, match="Only the decision-maker named"):
        path.sign(world.other_maker, decision.pk)
    ProjectDecision.objects.filter(pk=decision.pk).update(decision_maker=world.preparer)
    with pytest.raises(Refused, match="another person must sign it"):
        path.sign(world.preparer, decision.pk)
    assert fresh(project).state == State.UNDER_REVIEW


def test_a_new_draft_replaces_the_old_one_and_signing_freezes_the_figures_as_they_stand(world, django_capture_on_commit_callbacks):
    project = support.funded(world)
    costs(world, project)
    first = settlement.prepare_settlement(world.preparer, project.pk, support.data(world, project))
    assert first.facts["paid"] == "0.00"
    support.paid(world, project, Decimal("1000.00"))
    second = settlement.prepare_settlement(world.preparer, project.pk, support.data(world, project, version=first.version))
    assert second.pk == first.pk and second.version == first.version + 1 and second.facts["paid"] == "1000.00"
    with pytest.raises(Refused, match="Someone else changed this draft"):
        settlement.prepare_settlement(world.preparer, project.pk, support.data(world, project, version=first.version))
    support.paid(world, project, Decimal("500.00"))
    with django_capture_on_commit_callbacks(execute=True):
        signed = path.sign(world.decision_maker, second.pk)
    assert signed.facts["paid"] == "1500.00" and Settlement.objects.get(project=project).paid == Decimal("1500.00")
    with pytest.raises(Refused, match="already been signed"):
        path.sign(world.decision_maker, second.pk)


def test_the_payment_reduction_goes_the_same_path(world, django_capture_on_commit_callbacks):
    project = support.funded(world)
    project.state = State.RUNNING
    project.save(update_fields=["state"])
    decisions_support.consent_to_email(project.application)
    lead, partner = support.organisations(project)
    request = support.approved_request(
        world,
        project,
        [
            (lead, "staff", Decimal("5000.00"), Decimal("5000.00"), ""),
            (partner, "travel", Decimal("1200.00"), Decimal("700.00"), "Ulkomaanmatka ei kuulu hankkeeseen."),
        ],
    )
    plain = support.approved_request(world, project, [(lead, "staff", Decimal("100.00"), Decimal("100.00"), "")])
    with pytest.raises(Refused, match="No line of this payment request was reduced"):
        kind_payment_reduction.prepare_payment_reduction(world.preparer, plain.pk, support.data(world, project))
    with django_capture_on_commit_callbacks(execute=True):
        decision = kind_payment_reduction.prepare_payment_reduction(world.preparer, request.pk, support.data(world, project))
    assert PaymentRequest.objects.get(pk=request.pk).reduction_decision == decision
    decision = ProjectDecision.objects.get(pk=decision.pk)
    assert decision.kind == "payment_reduction" and decision.preview and decision.facts["lines"][0]["reduction"] == "500.00"
    with django_capture_on_commit_callbacks(execute=True):
        path.sign(world.decision_maker, decision.pk)
    with django_capture_on_commit_callbacks(execute=True):
        pass
    decision = ProjectDecision.objects.get(pk=decision.pk)
    text = pdf_text(path.document_bytes(decision))
    assert "1 200" in text and "700" in text and "Ulkomaanmatka ei kuulu hankkeeseen." in text and "6 200" in text and "5 700" in text
    with translation.override("sv"):
        assert re.sub(r"\s+", " ", translation.gettext("Instructions for claiming rectification")) in text
    sent = set(Message.objects.filter(kind="project_decision_signed").values_list("address", flat=True))
    assert world.lead_user.email in sent and world.partner_user.email in sent and world.outsider.email not in sent
    assert fresh(project).state == State.RUNNING  # a payment reduction does not move the project
    with pytest.raises(Refused, match="already been signed"):
        kind_payment_reduction.prepare_payment_reduction(world.preparer, request.pk, support.data(world, project))


def test_the_pages_prepare_sign_and_serve_the_settlement(world, client, django_capture_on_commit_callbacks):
    project = support.funded(world)
    costs(world, project)
    client.force_login(world.preparer)
    with translation.override("en"):
        page = client.get(reverse("settlement:prepare", args=[project.pk]))
        assert page.status_code == 200 and b"9 775" in page.content.replace(b"\xc2\xa0", b" ")
        form = support.data(world, project)
        post = {
            "presenter": form.presenter_id,
            "presenter_title": form.presenter_title,
            "decision_maker": form.decision_maker_id,
            "decision_maker_title": form.decision_maker_title,
            "grounds": form.grounds,
            "diary_number": form.diary_number,
        }
        bad = client.post(reverse("settlement:prepare", args=[project.pk]), {**post, "grounds": ""})
        assert bad.status_code == 400 and b"error-summary" in bad.content
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(reverse("settlement:prepare", args=[project.pk]), post)
        decision = ProjectDecision.objects.get(project=project, kind="settlement")
        assert done.status_code == 302 and done["Location"] == reverse("decisions:project_decision", args=[project.pk, decision.pk])
        preview = client.get(done["Location"])
        assert preview.status_code == 200 and b"Download preview PDF" in preview.content
        assert client.get(reverse("decisions:project_decision_preview_pdf", args=[project.pk, decision.pk]))["Content-Type"] == "application/pdf"
        client.force_login(world.decision_maker)
        with django_capture_on_commit_callbacks(execute=True):
            signed = client.post(reverse("decisions:project_decision_sign", args=[project.pk, decision.pk]))
        assert signed.status_code == 302
        client.force_login(world.partner_user)
        document = client.get(reverse("decisions:project_decision_document", args=[project.pk, decision.pk]))
        assert document.status_code == 200 and document["X-Content-SHA256"] == ProjectDecision.objects.get(pk=decision.pk).document_sha256
        detail = client.get(reverse("projects:detail", args=[project.pk]))
        assert b"Download the settlement decision (PDF)" in detail.content
        client.force_login(world.outsider)
        assert client.get(reverse("decisions:project_decision_document", args=[project.pk, decision.pk])).status_code == 404


def test_a_tampered_document_is_not_served(world, client, django_capture_on_commit_callbacks):
    project = support.funded(world)
    costs(world, project)
    decision = settle(world, project, django_capture_on_commit_callbacks)
    with decision.document.open("wb") as handle:
        handle.write(b"%PDF-1.4 changed")
    client.force_login(world.lead_user)
    with translation.override("en"):
        response = client.get(reverse("decisions:project_decision_document", args=[project.pk, decision.pk]))
    assert response.status_code == 500


def test_the_settlement_waits_until_every_payment_is_paid_and_no_request_waits(world, django_capture_on_commit_callbacks):
    """The balance is the final grant less what was paid: an instalment still on its way to the bank would
    be paid twice, and a request still waiting would change the figures."""
    project = support.funded(world)
    costs(world, project)
    support.paid(world, project, Decimal("5000.00"))
    on_its_way = support.paid(world, project, Decimal("700.00"), state=PaymentBatch.State.EXPORTED)

    assert "has not been paid yet" in settlement.why_not_settleable(project)
    with pytest.raises(Refused, match="has not been paid yet"):
        settle(world, project, django_capture_on_commit_callbacks)

    PaymentBatch.objects.filter(pk=on_its_way.batch_id).update(state=PaymentBatch.State.PAID)
    PaymentRequest.objects.filter(project=project, is_final=True).update(state="checked")
    assert "waits for its check or approval" in settlement.why_not_settleable(project)
    PaymentRequest.objects.filter(project=project, is_final=True).update(state="approved")
    assert settlement.why_not_settleable(project) == ""
