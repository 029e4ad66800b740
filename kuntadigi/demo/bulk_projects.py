"""Funded projects at scale, written with `bulk_create` (for bench/followup_bench.py and the tests of the
follow-up lists' queries): every signed grant of a call becomes a running project with an account, and
its money and reports are filled in as the services would have left them, in fixed proportions:

    every project       payment request 1 approved, its instalment (Payment) approved; 4 in 5 of these
                        paid in batches of up to `paid_batch_size` (marked paid), the rest waiting for a
                        batch; 1 in 10 of the waiting ones stopped (the account changed after approval)
    project i % 4 == 0  payment request 2 submitted 30 days ago (overdue for its check)
    project i % 4 == 1  payment request 2 submitted 3 days ago (to be checked)
    project i % 4 == 2  payment request 2 checked (to be approved)
    project i % 5 == 0  an interim report still a draft 40 days after its due date (overdue)
    other projects      an interim report submitted on time

No audit events, no cost lines and no ledger files are written: the lists read none of them. Amounts are
whole euros. "Now" is the `now` given (the clock of the caller), so the same call gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from kuntadigi import clock
from kuntadigi.accounts.models import Membership
from kuntadigi.calls.models import Call
from kuntadigi.decisions.models import Decision
from kuntadigi.payments.lifecycle import State as RequestState
from kuntadigi.payments.models import Payment, PaymentBatch, PaymentRequest
from kuntadigi.projects.lifecycle import State as ProjectState
from kuntadigi.projects.models import FundedProject
from kuntadigi.reports.lifecycle import State as ReportState
from kuntadigi.reports.models import Report

# Accounts with valid checksums (fictional), given to the projects in turn.
ACCOUNTS = (("FI2112345600000785", "NDEAFIHH"), ("FI4950009420028730", "OKOYFIHH"))
# The paying agency and the accounting data of the call (fictional: the call files carry no payer).
PAYER = {"payer_name": "Valtiovarainministeriö", "payer_iban": "FI5810171000000122", "payer_bic": "NDEAFIHH"}
ACCOUNTING = {"budget_item": "28.90.32", "accounting_codes": {"account": "58000000", "cost_centre": "VM1234", "project": "KUNTADIGI"}}
BATCH = 1000


@dataclass
class Made:
    projects: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    payments: int = 0
    paid_batches: int = 0
    reports: dict[str, int] = field(default_factory=dict)


def give_payer(call: Call) -> None:
    """The call's paying agency and accounting data, so that its batches can be exported."""
    Call.objects.filter(pk=call.pk).update(**PAYER, **ACCOUNTING)
    call.refresh_from_db()


def running_projects(call: Call, *, now: datetime, batch_size: int = BATCH) -> int:
    """A running project with an account for every signed grant of the call that has none yet."""
    decisions = Decision.objects.filter(
        application__call=call, state=Decision.State.SIGNED, outcome=Decision.Outcome.GRANT, application__funded_project__isnull=True
    )
    rows = []
    for index, decision in enumerate(decisions.order_by("pk").iterator(chunk_size=batch_size)):
        iban, bic = ACCOUNTS[index % len(ACCOUNTS)]
        decided = decision.signed_at or now
        rows.append(
            FundedProject(
                application_id=decision.application_id,
                decision_id=decision.pk,
                state=ProjectState.RUNNING,
                maximum_grant=decision.amount,
                share=decision.max_share,
                costs_from=decision.costs_from,
                costs_until=decision.costs_until,
                acceptance_due=clock.helsinki(decided).date() + timedelta(days=30),
                created_at=decided,
                accepted_at=decided + timedelta(days=7),
                iban=iban,
                bic=bic,
                account_given_at=decided + timedelta(days=7),
            )
        )
    FundedProject.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def fill(call: Call, *, preparer, approver, now: datetime, paid_batch_size: int = 500, batch_size: int = BATCH) -> Made:
    """Payment requests, payments, paid batches and reports of the call's running projects (see the module)."""
    made = Made()
    projects = list(
        FundedProject.objects.filter(application__call=call, state=ProjectState.RUNNING)
        .order_by("pk")
        .values("pk", "application__lead_id", "maximum_grant", "costs_from", "iban", "bic")
    )
    made.projects = len(projects)
    writers = dict(
        Membership.objects.filter(organisation_id__in={p["application__lead_id"] for p in projects})
        .order_by("organisation_id", "pk")
        .values_list("organisation_id", "user_id")
    )
    today = clock.helsinki(now).date()
    with transaction.atomic():
        requests, reports = [], []
        for index, project in enumerate(projects):
            writer = writers.get(project["application__lead_id"], preparer.pk)
            start = project["costs_from"]
            amount = max(Decimal("100.00"), (project["maximum_grant"] * Decimal("0.3")).quantize(Decimal("1")))
            common = {"project_id": project["pk"], "created_by_id": writer, "submitted_by_id": writer, "claimed": amount}
            requests.append(
                PaymentRequest(
                    number=1,
                    period_start=start,
                    period_end=start + timedelta(days=89),
                    state=RequestState.APPROVED,
                    created_at=now - timedelta(days=200),
                    submitted_at=now - timedelta(days=190),
                    accepted=amount,
                    payable=amount,
                    checked_by_id=preparer.pk,
                    checked_at=now - timedelta(days=180),
                    approved_by_id=approver.pk,
                    approved_at=now - timedelta(days=170),
                    **common,
                )
            )
            second = {0: (RequestState.SUBMITTED, 30), 1: (RequestState.SUBMITTED, 3), 2: (RequestState.CHECKED, 10)}.get(index % 4)
            if second:
                state, days = second
                requests.append(
                    PaymentRequest(
                        number=2,
                        period_start=start + timedelta(days=90),
                        period_end=start + timedelta(days=179),
                        state=state,
                        created_at=now - timedelta(days=days + 1),
                        submitted_at=now - timedelta(days=days),
                        flags=["over_budget"] if index % 7 == 0 else [],
                        checked_by_id=preparer.pk if state == RequestState.CHECKED else None,
                        checked_at=now - timedelta(days=2) if state == RequestState.CHECKED else None,
                        **common,
                    )
                )
            overdue = index % 5 == 0
            reports.append(
                Report(
                    project_id=project["pk"],
                    kind=Report.Kind.INTERIM,
                    due_date=today - timedelta(days=40),
                    state=ReportState.DRAFT if overdue else ReportState.SUBMITTED,
                    created_at=now - timedelta(days=100),
                    submitted_by_id=None if overdue else writer,
                    submitted_at=None if overdue else now - timedelta(days=45),
                )
            )
        PaymentRequest.objects.bulk_create(requests, batch_size=batch_size)
        Report.objects.bulk_create(reports, batch_size=batch_size)
        for request in requests:
            made.requests[request.state] = made.requests.get(request.state, 0) + 1
        for report in reports:
            made.reports[report.state] = made.reports.get(report.state, 0) + 1

        by_project = {p["pk"]: p for p in projects}
        approved = [r for r in requests if r.state == RequestState.APPROVED]
        payments = []
        for index, request in enumerate(approved):
            project = by_project[request.project_id]
            stopped = index % 5 == 4 and index % 50 == 49
            payments.append(
                Payment(
                    project_id=request.project_id,
                    kind=Payment.Kind.INSTALMENT,
                    request_id=request.pk,
                    amount=request.payable,
                    iban=project["iban"],
                    bic=project["bic"],
                    approved_by_id=approver.pk,
                    approved_at=request.approved_at,
                    stopped_at=now - timedelta(days=20) if stopped else None,
                    stop_reason="account_changed" if stopped else "",
                    end_to_end_id=f"KD{call.pk}-{request.project_id}-{request.number}",
                )
            )
        # 4 in 5 paid (in batches of paid_batch_size), the fifth waiting for a batch.
        to_pay = [payment for index, payment in enumerate(payments) if index % 5 != 4]
        number = PaymentBatch.objects.filter(call=call).order_by("-number").values_list("number", flat=True).first() or 0
        batches = []
        for start in range(0, len(to_pay), paid_batch_size):
            number += 1
            chunk = to_pay[start : start + paid_batch_size]
            exported = now - timedelta(days=160)
            batch = PaymentBatch(
                call=call,
                number=number,
                due_date=clock.helsinki(exported).date() + timedelta(days=7),
                state=PaymentBatch.State.PAID,
                created_by=preparer,
                created_at=exported - timedelta(days=1),
                exported_by=preparer,
                exported_at=exported,
                message_id=f"KD{call.pk}-{number}-bulk"[:35],
                total=sum((payment.amount for payment in chunk), Decimal("0.00")),
                value_date=clock.helsinki(exported).date() + timedelta(days=7),
                paid_by=preparer,
                paid_marked_at=exported + timedelta(days=8),
            )
            batches.append((batch, chunk))
        PaymentBatch.objects.bulk_create([batch for batch, _chunk in batches], batch_size=batch_size)
        for batch, chunk in batches:
            for payment in chunk:
                payment.batch_id = batch.pk
        Payment.objects.bulk_create(payments, batch_size=batch_size)
        made.payments = len(payments)
        made.paid_batches = len(batches)
    return made
