"""Approved payments ready for a payment batch: the decisions world's two grants signed, their projects
running with accounts, the call's payer and accounting data given (test data only: the call files carry no
made-up payer), a payment approver named, and approved payments made directly with the ORM (another part
builds the approval). The clock stands in spring 2021. Used by tests/integration/test_batches_*.py and the
browser test."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from kuntadigi import clock
from kuntadigi.calls.models import CallRole
from kuntadigi.payments.lifecycle import State as RequestState
from kuntadigi.payments.models import Payment, PaymentRequest
from kuntadigi.projects.lifecycle import State as ProjectState
from kuntadigi.projects.models import FundedProject
from tests import factories
from tests.integration import projects_support

# Spring 2021, Helsinki time: the projects run and have had a payment request approved.
BATCH_DAY = datetime(2021, 3, 1, 10, 0, tzinfo=factories.HKI)
PAYER = {"payer_name": "Valtiovarainministeriö", "payer_iban": "FI5810171000000122", "payer_bic": "NDEAFIHH"}
ACCOUNTING = {"budget_item": "28.90.32", "accounting_codes": {"account": "58000000", "cost_centre": "VM1234", "project": "KUNTADIGI"}}
PROJECT_ACCOUNTS = {"sv": ("FI2112345600000785", "NDEAFIHH"), "fi": ("FI4950009420028730", "OKOYFIHH")}

_e2e = itertools.count(1)


def payment_approver(world):
    user = factories.user("maksaja@vm.fi", official=True, full_name="Maija Maksaja")
    CallRole.objects.create(call=world.call, user=user, role=CallRole.Role.PAYMENT_APPROVER)
    return user


def running_projects(world, *, payer: bool = True) -> dict[str, FundedProject]:
    """Both grants signed; their projects running with an account. The call's payer and accounting data given."""
    projects = {key: projects_support.sign_grant(world, key) for key in ("sv", "fi")}
    for key, project in projects.items():
        iban, bic = PROJECT_ACCOUNTS[key]
        FundedProject.objects.filter(pk=project.pk).update(state=ProjectState.RUNNING, iban=iban, bic=bic, accepted_at=clock.now())
        project.refresh_from_db()
    call = world.call
    for name, value in {**(PAYER if payer else {}), **ACCOUNTING}.items():
        setattr(call, name, value)
    call.save()
    clock.set_now(BATCH_DAY)
    return projects


def approved_payment(project: FundedProject, approver, amount: str = "5000.00", *, number: int | None = None, stopped: bool = False) -> Payment:
    """An approved payment request and its payment, as the approval would leave them."""
    number = number or (project.payment_requests.count() + 1)
    start = project.costs_from + timedelta(days=(number - 1) * 90)
    request = PaymentRequest.objects.create(
        project=project,
        number=number,
        period_start=start,
        period_end=start + timedelta(days=89),
        state=RequestState.APPROVED,
        created_by=approver,
        claimed=Decimal(amount),
        accepted=Decimal(amount),
        payable=Decimal(amount),
        approved_by=approver,
        approved_at=clock.now(),
    )
    return Payment.objects.create(
        project=project,
        kind=Payment.Kind.INSTALMENT,
        request=request,
        amount=Decimal(amount),
        iban=project.iban,
        bic=project.bic,
        approved_by=approver,
        approved_at=clock.now(),
        stopped_at=clock.now() if stopped else None,
        stop_reason="The account was changed on 1.3.2021." if stopped else "",
        end_to_end_id=f"KD-{project.pk}-{number}-{next(_e2e)}",
    )


def build(world):
    """The world's two running projects, the payment approver, and one approved payment each."""
    projects = running_projects(world)
    approver = payment_approver(world)
    payments = {"sv": approved_payment(projects["sv"], approver, "5737.50"), "fi": approved_payment(projects["fi"], approver, "4500.00")}
    return projects, approver, payments


def due_day() -> date:
    return clock.helsinki(clock.now()).date() + timedelta(days=7)
