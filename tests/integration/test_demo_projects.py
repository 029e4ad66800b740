"""The demo carries the 2019 call's funded projects on through the real services (kuntadigi/demo)."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F

from kuntadigi import clock
from kuntadigi.applications.models import BudgetLine
from kuntadigi.audit.models import AuditEvent
from kuntadigi.calls.models import Call
from kuntadigi.decisions.models import ProjectDecision
from kuntadigi.payments.models import CostLine, Payment, PaymentBatch, PaymentRequest
from kuntadigi.projects import rules
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject, Settlement
from kuntadigi.projects.services import agreement_in_force, partner_confirmations, refused_amount
from kuntadigi.reports.models import Report, SupplementRequest
from tests import factories

CALL_2019 = Path(settings.BASE_DIR) / "data" / "calls" / "digi-2019-2.json"


@pytest.fixture
def decided_2019(db):
    for n in range(8):
        factories.municipality(f"Kunta {n}", code=f"{100 + n:03d}")
    call_command("load_calls", str(CALL_2019), stdout=StringIO())
    call = Call.objects.get(slug="digi-2019-2")
    call_command("generate_applications", "--call", call.slug, "--count", "5", "--seed", "11", "--through", "decided", stdout=StringIO())
    call_command("create_funded_projects", stdout=StringIO())
    return call


def carry(call, *args) -> str:
    out = StringIO()
    call_command("carry_projects", "--call", call.slug, *args, stdout=out)
    return out.getvalue()


def test_accepted_every_grant_is_answered_one_refused_and_the_rest_run_with_account_and_agreement(decided_2019):
    projects = list(FundedProject.objects.filter(application__call=decided_2019).order_by("maximum_grant", "pk"))
    assert len(projects) >= 2, "the fixture must grant at least two projects"

    output = carry(decided_2019, "--through", "accepted")

    for project in projects:
        project.refresh_from_db()
    smallest, *others = projects
    assert smallest.state == State.REFUSED and "(demo)" in smallest.refusal_reason
    assert refused_amount(decided_2019) == smallest.maximum_grant
    for project in others:
        assert project.state == State.RUNNING
        assert project.accepted_at.date() >= project.decision.decision_date
        assert clock.helsinki(project.accepted_at).date() <= project.acceptance_due
        assert rules.validate_account(project.iban, project.bic).iban == project.iban
        agreement = agreement_in_force(project)
        assert agreement is not None and agreement.content_type == "application/pdf"
        assert all(c.confirmation is not None for c in partner_confirmations(project, agreement))
    assert "1 refused" in output
    assert AuditEvent.objects.filter(action="project.accepted").count() == len(others)
    assert AuditEvent.objects.filter(action="project.agreement_confirmed").exists()
    assert not clock.is_set()


def test_the_same_seed_gives_the_same_accounts_and_if_new_leaves_a_carried_call_alone(decided_2019):
    carry(decided_2019, "--through", "accepted", "--seed", "5")
    accounts = sorted(FundedProject.objects.exclude(iban="").values_list("iban", flat=True))

    output = carry(decided_2019, "--if-new")

    assert "nothing carried" in output
    assert sorted(FundedProject.objects.exclude(iban="").values_list("iban", flat=True)) == accounts
    assert Decimal(sum(p.maximum_grant for p in FundedProject.objects.all())) > 0


def test_a_call_without_projects_is_refused_with_what_to_do(db):
    call_command("load_calls", str(CALL_2019), stdout=StringIO())
    with pytest.raises(CommandError, match="has no funded projects"):
        carry(Call.objects.get(slug="digi-2019-2"))


def carried(call):
    return list(FundedProject.objects.filter(application__call=call).exclude(state=State.REFUSED).order_by("application__reference"))


def test_paid_requests_every_six_months_checked_by_one_approved_by_another_and_paid_in_quarterly_batches(decided_2019):
    output = carry(decided_2019, "--through", "paid")

    projects = carried(decided_2019)
    assert projects and all(p.state == State.RUNNING for p in projects)
    for project in projects:
        made = list(PaymentRequest.objects.filter(project=project).order_by("number"))
        assert len(made) >= 2 and not any(r.is_final for r in made)
        for earlier, later in itertools.pairwise(made):
            assert later.period_start == earlier.period_end + timedelta(days=1)
        for request in made:
            assert request.state == "approved" and request.approved_by_id != request.checked_by_id
            assert request.submitted_at.date() > request.period_end
            organisations = set(request.lines.values_list("organisation_id", flat=True))
            assert organisations == set(request.ledger_extracts.values_list("organisation_id", flat=True))
        budget = {}
        for line in BudgetLine.objects.filter(application=project.application).select_related("participant"):
            key = (line.participant.organisation_id, line.category_id)
            budget[key] = budget.get(key, 0) + line.amount
        claimed = {}
        for line in CostLine.objects.filter(request__project=project):
            claimed[(line.organisation_id, line.category_id)] = claimed.get((line.organisation_id, line.category_id), 0) + line.amount
        assert all(amount <= budget[key] for key, amount in claimed.items())
    reduced = CostLine.objects.filter(request__project__application__call=decided_2019, accepted__lt=F("amount"))
    assert reduced.count() == 1 and "(demo)" in reduced.get().reduction_reason
    decision = ProjectDecision.objects.get(kind=ProjectDecision.Kind.PAYMENT_REDUCTION)
    assert decision.state == ProjectDecision.State.SIGNED and decision.pk == reduced.get().request.reduction_decision_id
    payments = Payment.objects.filter(project__application__call=decided_2019)
    assert payments.count() == PaymentRequest.objects.filter(project__application__call=decided_2019).count()
    assert not payments.filter(batch=None).exists()
    batches = PaymentBatch.objects.filter(call=decided_2019)
    assert batches.count() >= 2 and set(batches.values_list("state", flat=True)) == {PaymentBatch.State.PAID}
    assert sum(b.total for b in batches) == sum(p.amount for p in payments)
    assert all(b.value_date.month in (1, 4, 7, 10) and b.credit_transfer_sha256 for b in batches)
    assert AuditEvent.objects.filter(action="payment_batch.paid").count() == batches.count()
    assert AuditEvent.objects.filter(action="payment_request.checked").exists()
    assert "payments paid" in output
    assert not clock.is_set()


def test_reported_final_requests_and_reports_reviewed_one_supplemented(decided_2019):
    carry(decided_2019, "--through", "reported")

    for project in carried(decided_2019):
        assert project.state == State.UNDER_REVIEW
        final = PaymentRequest.objects.get(project=project, is_final=True)
        assert final.state == "approved" and final.submitted_at.date() > project.costs_until
        report = Report.objects.get(project=project, kind=Report.Kind.FINAL)
        assert report.state == "approved" and report.payment_request == final
        assert all(report.content[f"summary_{language}"] for language in ("fi", "sv", "en")) and report.content["indicators"]
        assert report.attachments.filter(kind="confirmation").exists()
    supplement = SupplementRequest.objects.get()
    assert supplement.answered_by_version is not None and supplement.answered_by_version.number == 2
    assert AuditEvent.objects.filter(action="report.approved").count() == len(carried(decided_2019))
    assert not clock.is_set()


def test_settled_balances_paid_an_excess_returned_projects_closed_and_one_left_under_review(decided_2019):
    output = carry(decided_2019, "--through", "settled")

    projects = carried(decided_2019)
    states = [p.state for p in projects]
    assert states.count(State.UNDER_REVIEW) == 1 and states.count(State.CLOSED) == len(projects) - 1
    returned = Settlement.objects.get(balance__lt=0)
    assert returned.project.state == State.CLOSED and returned.returned_amount == -returned.balance
    assert returned.decision.state == ProjectDecision.State.SIGNED and returned.returned_on >= returned.decision.decision_date
    balances = Payment.objects.filter(kind=Payment.Kind.BALANCE)
    assert balances.exists() and all(p.batch.state == PaymentBatch.State.PAID for p in balances)
    for settlement in Settlement.objects.all():
        paid = sum(p.amount for p in Payment.objects.filter(project=settlement.project, kind=Payment.Kind.INSTALMENT))
        assert settlement.paid == paid and settlement.balance == settlement.final_grant - paid
    payments = Payment.objects.filter(project__application__call=decided_2019)
    assert sum(b.total for b in PaymentBatch.objects.filter(call=decided_2019)) == sum(p.amount for p in payments)
    assert max(clock.helsinki(e.at) for e in AuditEvent.objects.filter(action__startswith="project.")) < datetime(2022, 4, 20, tzinfo=clock.HELSINKI)
    assert AuditEvent.objects.filter(action="project.return_recorded").count() == 1
    assert AuditEvent.objects.filter(action="project.closed").count() == len(projects) - 1
    assert "1 under_review" in output
    assert not clock.is_set()
