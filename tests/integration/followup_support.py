"""Rows of a funded project's follow-up, made directly (the services that make them are other parts' work):
a running project, its reports, payment requests and paid payments. Used by tests/integration/test_followup_*.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from itertools import count

from kuntadigi import clock
from kuntadigi.payments.lifecycle import State as RequestState
from kuntadigi.payments.models import Payment, PaymentBatch, PaymentRequest
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject
from kuntadigi.reports.lifecycle import State as ReportState
from kuntadigi.reports.models import Report

IBAN = "FI2112345600000785"
_numbers = count(1)

SUMMARY = {
    "fi": "Hanke toi kuntalaisille sähköisen asioinnin.",
    "sv": "Projektet gav invånarna e-tjänster.",
    "en": "The project brought e-services to the residents.",
}


def summary_content(summary: dict[str, str]) -> dict[str, str]:
    """A report's content with its public summary as reports/content.py stores it: one key per language."""
    return {f"summary_{language}": text for language, text in summary.items()}


def set_state(project: FundedProject, state: str, **fields) -> FundedProject:
    FundedProject.objects.filter(pk=project.pk).update(state=state, **fields)
    project.refresh_from_db()
    return project


def running(project: FundedProject) -> FundedProject:
    """The project running, without the reports made for it when it was granted: each test makes its own."""
    Report.objects.filter(project=project, versions__isnull=True).delete()
    return set_state(project, State.RUNNING, accepted_at=clock.now(), iban=IBAN, bic="NDEAFIHH")


def report(project: FundedProject, due: date, *, kind: str = Report.Kind.FINAL, state: str = ReportState.DRAFT, content: dict | None = None) -> Report:
    values = {"due_date": due, "state": state, "content": content or {}}
    if kind == Report.Kind.FINAL:  # a project gets its final report when it is made (reports/services_reports.py)
        return Report.objects.update_or_create(project=project, kind=kind, defaults=values)[0]
    return Report.objects.create(project=project, kind=kind, **values)


def payment_request(project: FundedProject, submitted_at: datetime, *, state: str = RequestState.SUBMITTED, by=None) -> PaymentRequest:
    number = PaymentRequest.objects.filter(project=project).count() + 1
    return PaymentRequest.objects.create(
        project=project,
        number=number,
        period_start=project.costs_from,
        period_end=project.costs_until,
        state=state,
        created_by=by,
        submitted_by=by,
        submitted_at=submitted_at,
    )


def payment(project: FundedProject, amount: str, *, by, batch_state: str = PaymentBatch.State.PAID) -> Payment:
    """A payment of `amount` in a batch of its own, in `batch_state` (paid by default)."""
    call = project.application.call
    batch = PaymentBatch.objects.create(call=call, number=next(_numbers), due_date=clock.now().date(), state=batch_state, created_by=by)
    return Payment.objects.create(
        project=project,
        kind=Payment.Kind.INSTALMENT,
        amount=Decimal(amount),
        iban=IBAN,
        approved_by=by,
        batch=batch,
        end_to_end_id=f"KD-TEST-{batch.pk}-{next(_numbers)}",
    )


def project_for(decision, *, state: str = State.GRANTED, acceptance_due: date = date(2021, 1, 31)) -> FundedProject:
    """A funded project made directly for a signed decision (publication_support's decisions have none)."""
    return FundedProject.objects.create(
        application=decision.application,
        decision=decision,
        state=state,
        maximum_grant=decision.amount,
        share=decision.max_share or Decimal("0.85"),
        costs_from=decision.costs_from or date(2021, 1, 1),
        costs_until=decision.costs_until or date(2022, 10, 31),
        acceptance_due=acceptance_due,
    )
