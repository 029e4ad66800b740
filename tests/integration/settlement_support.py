"""A funded project ready for its settlement: accepted, running, its final report approved, payment
requests approved (rows made with the ORM: the payments and reports helpers build those services), and
payments in a batch marked paid. Built on projects_support's world (Porvoo leads in Swedish, Loviisa is
its partner; Hämeenlinna's project is in Finnish). Used by tests/integration/test_settlement_*.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from kuntadigi import clock
from kuntadigi.calls.models import CostCategory
from kuntadigi.decisions import services_project_decisions as path
from kuntadigi.payments.models import CostLine, Payment, PaymentBatch, PaymentRequest
from kuntadigi.projects.lifecycle import State
from kuntadigi.projects.models import FundedProject
from kuntadigi.reports.models import Report
from tests import factories
from tests.integration import projects_support

# The day the settlement is decided (Helsinki time), after the final report.
SETTLEMENT_DAY = datetime(2023, 3, 15, 10, 0, tzinfo=factories.HKI)
PAYER_IBAN = "FI79 5000 0120 2518 64"
PAYER_BIC = "OKOYFIHH"


def funded(world, key: str = "sv") -> FundedProject:
    """The project of the application `key`, under review with its final report approved."""
    project = projects_support.sign_grant(world, key)
    call = project.application.call
    call.payer_name, call.payer_iban, call.payer_bic = "Valtiokonttori", PAYER_IBAN.replace(" ", ""), PAYER_BIC
    call.save(update_fields=["payer_name", "payer_iban", "payer_bic"])
    project.iban, project.bic = projects_support.IBAN.replace(" ", ""), projects_support.BIC
    project.state = State.UNDER_REVIEW
    project.save(update_fields=["iban", "bic", "state"])
    clock.set_now(SETTLEMENT_DAY)
    Report.objects.update_or_create(  # the final report was made with the project
        project=project,
        kind=Report.Kind.FINAL,
        defaults={"due_date": date(2023, 2, 28), "state": "approved", "approved_by": world.preparer, "approved_at": clock.now()},
    )
    return project


def approved_request(world, project, lines, *, is_final=False) -> PaymentRequest:
    """An approved request. `lines`: (organisation, category code, claimed, accepted, reason)."""
    number = project.payment_requests.count() + 1
    request = PaymentRequest.objects.create(
        project=project,
        number=number,
        is_final=is_final,
        period_start=project.costs_from,
        period_end=project.costs_until,
        state="approved",
        created_by=world.lead_user,
        checked_by=world.preparer,
        approved_by=world.decision_maker,
        approved_at=clock.now(),
    )
    claimed = accepted = Decimal("0.00")
    for organisation, code, amount, ok, reason in lines:
        category = CostCategory.objects.get(call=project.application.call, code=code)
        CostLine.objects.create(
            request=request,
            organisation=organisation,
            category=category,
            description=f"{category.name_fi} {number}",
            amount=amount,
            accepted=ok,
            reduction_reason=reason,
        )
        claimed += amount
        accepted += ok
    request.claimed, request.accepted, request.payable = claimed, accepted, (accepted * project.share).quantize(Decimal("0.01"))
    request.save(update_fields=["claimed", "accepted", "payable"])
    return request


def paid(world, project, amount: Decimal, *, state: str = PaymentBatch.State.PAID) -> Payment:
    """A payment of `amount` to the project, in a batch in `state` (paid by default)."""
    call = project.application.call
    batch = PaymentBatch.objects.create(
        call=call, number=PaymentBatch.objects.filter(call=call).count() + 1, due_date=date(2022, 6, 1), state=state, created_by=world.preparer
    )
    return Payment.objects.create(
        project=project,
        kind=Payment.Kind.INSTALMENT,
        amount=amount,
        iban=project.iban,
        approved_by=world.decision_maker,
        batch=batch,
        end_to_end_id=f"T-{project.pk}-{batch.pk}",
    )


def organisations(project):
    participants = list(project.application.participants.select_related("organisation").order_by("pk"))
    lead = next(p.organisation for p in participants if p.role == "lead")
    partner = next(p.organisation for p in participants if p.role != "lead")
    return lead, partner


def categories(project) -> list[str]:
    return list(CostCategory.objects.filter(call=project.application.call).order_by("order").values_list("code", flat=True))


def data(world, project, **changes) -> path.ProjectDecisionData:
    titles = {"fi": ("neuvotteleva virkamies", "finanssineuvos"), "sv": ("konsultativ tjänsteman", "finansråd")}[path.language_of(project)]
    values = {
        "presenter_id": world.presenter.pk,
        "decision_maker_id": world.decision_maker.pk,
        "presenter_title": titles[0],
        "decision_maker_title": titles[1],
        "grounds": "Loppuraportti on hyväksytty." if path.language_of(project) == "fi" else "Slutrapporten har godkänts.",
        "diary_number": "VN/1234/2020",
    }
    values.update(changes)
    return path.ProjectDecisionData(**values)
