"""A running funded project with a submitted payment request, for the review of payment requests:
Porvoo's project (projects_support), its account given, a second preparer and a payment approver named
in the call. The request's rows are made with the ORM (the lead's submission is another part's service).
Used by tests/integration/test_payrev_*.py and the browser test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from kuntadigi import clock
from kuntadigi.calls.models import CallRole, CostCategory
from kuntadigi.payments.models import CostLine, PaymentRequest
from kuntadigi.projects.models import FundedProject
from tests import factories
from tests.integration import projects_support


@dataclass
class Review:
    world: object
    project: FundedProject
    request: PaymentRequest
    approver: object
    second_preparer: object


def running(project: FundedProject) -> FundedProject:
    FundedProject.objects.filter(pk=project.pk).update(
        state="running", iban="FI2112345600000785", bic="NDEAFIHH", account_given_at=clock.now(), accepted_at=clock.now()
    )
    return FundedProject.objects.get(pk=project.pk)


def submitted_request(project: FundedProject, *, number: int = 1, lines=None, flags=None, is_final: bool = False, by=None) -> PaymentRequest:
    """A submitted request: lines [(organisation, category code, description, amount)], claimed = their sum."""
    application = project.application
    call = application.call
    lead, partner = application.lead, application.participants.exclude(organisation=application.lead).first().organisation
    lines = lines or [
        (lead, "staff", "Projektipäällikön palkka 1–6/2021", Decimal("10000.00")),
        (partner, "services", "Konsultointi, sis. alv 24 %", Decimal("2500.00")),
    ]
    by = by or FundedProject.objects.get(pk=project.pk).application.created_by
    request = PaymentRequest.objects.create(
        project=project,
        number=number,
        is_final=is_final,
        period_start=date(2021, 1, 1) + timedelta(days=180 * (number - 1)),
        period_end=date(2021, 6, 30) + timedelta(days=180 * (number - 1)),
        state="submitted",
        created_by=by,
        submitted_by=by,
        submitted_at=clock.now(),
        claimed=sum((amount for *_rest, amount in lines), Decimal("0.00")),
        flags=flags if flags is not None else [{"code": "vat", "line": 1}, {"code": "overlap", "line": None}],
    )
    categories = {category.code: category for category in CostCategory.objects.filter(call=call)}
    for organisation, code, description, amount in lines:
        CostLine.objects.create(request=request, organisation=organisation, category=categories[code], description=description, amount=amount)
    return request


def build(world) -> Review:
    project = running(projects_support.sign_grant(world))
    approver = factories.user("hyvaksyja@vm.fi", official=True, full_name="Hilkka Hyväksyjä")
    CallRole.objects.create(call=world.call, user=approver, role=CallRole.Role.PAYMENT_APPROVER)
    second = factories.official_in(world.call, "preparer", email="toinen.valmistelija@vm.fi", full_name="Toini Toinen")
    clock.set_now(clock.now() + timedelta(days=220))
    return Review(world, project, submitted_request(project), approver, second)
