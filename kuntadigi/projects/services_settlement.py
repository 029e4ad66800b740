"""The settlement of a funded project and its closing.

Use cases (each: permission, rules, change of state through lifecycle.next_state, audit, in one
transaction; the project's row is locked):
    prepare_settlement   once the final report is approved, the preparer prepares the settlement decision
                         (decisions.ProjectDecision kind settlement, through the one decision path) and the
                         Settlement row with its figures
    on_sign              called when the decision-maker signs it: the figures frozen again, the project
                         under_review → settled, a positive balance becomes a balance payment (approved by
                         the signing decision-maker), a negative one a request to return the excess by the
                         due date (RETURN_DAYS after the decision); a zero balance closes the project
    record_return        an official records a return of the excess (date, amount; partial returns add up)
    close                settled → closed when the balance payment is paid, the excess returned in full,
                         or the balance is zero (at the step that makes it so, or by the daily close_due,
                         manage.py close_settled_projects)

The total of accepted costs: the final payment request covers every cost of the project, so when an
approved final request exists its accepted total IS the total; otherwise (a project settled without a
final request) the accepted totals of all its approved requests are added up. docs/payments.md says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.audit import services as audit
from kuntadigi.decisions.models import ProjectDecision

from . import rules
from .lifecycle import State
from .models import FundedProject, Settlement
from .services import _lock, _move, _today

# A negative balance is to be returned within this many days of the settlement decision (valtionavustuslaki 20 §).
RETURN_DAYS = 30

SETTLEMENT = ProjectDecision.Kind.SETTLEMENT


# ── Figures ─────────────────────────────────────────────────────────────────


def approved_requests(project) -> list:
    """The approved payment requests the settlement counts: the final one alone when it is approved
    (it covers every cost of the project), otherwise every approved request."""
    from kuntadigi.payments.lifecycle import State as RequestState

    approved = list(project.payment_requests.filter(state=RequestState.APPROVED).order_by("number"))
    final = [r for r in approved if r.is_final]
    return final or approved


def figures(project) -> rules.Settlement:
    """The settlement in cents (projects/rules.py `settlement`); paid = the payments in batches marked paid."""
    from kuntadigi.payments import services_batches

    total = sum((rules.cents(r.accepted or 0) for r in approved_requests(project)), 0)
    return rules.settlement(
        share=project.share, total_accepted=total, maximum_grant=rules.cents(project.maximum_grant), paid=rules.cents(services_batches.paid_total(project))
    )


def _lines(requests) -> list:
    from kuntadigi.payments.models import CostLine

    return list(
        CostLine.objects.filter(request__in=requests).select_related("organisation", "category").order_by("organisation__name_fi", "category__order", "pk")
    )


def settlement_facts(project, source=None) -> dict:
    """What the settlement decision prints, euros as strings and names in fi and sv: accepted costs per
    organisation and category, reductions with reasons, the final grant, paid, balance, the return."""
    from kuntadigi.decisions.kind_payment_reduction import _names, _organisation

    requests = approved_requests(project)
    numbers = [r.number for r in requests]
    by_key: dict[tuple, Decimal] = defaultdict(lambda: Decimal("0.00"))
    labels: dict[tuple, dict] = {}
    reductions = []
    for line in _lines(requests):
        key = (line.organisation_id, line.category_id)
        by_key[key] += line.accepted or Decimal("0.00")
        labels[key] = {"organisation": _organisation(line.organisation), "category": _names(line.category)}
        if line.accepted is not None and line.accepted < line.amount:
            reductions.append(
                {
                    "organisation": _organisation(line.organisation),
                    "category": _names(line.category),
                    "description": line.description,
                    "claimed": str(line.amount),
                    "accepted": str(line.accepted),
                    "reason": line.reduction_reason,
                }
            )
    result = figures(project)
    call = project.application.call
    return {
        "requests": numbers,
        "final_request": any(r.is_final for r in requests),
        "costs": [{**labels[key], "accepted": str(amount)} for key, amount in by_key.items()],
        "reductions": reductions,
        "maximum_grant": str(project.maximum_grant),
        "share": str(project.share),
        "share_percent": f"{(project.share * 100).normalize():f}".replace(".", ","),
        "total_accepted": str(rules.euros(result.total_accepted)),
        "final_grant": str(rules.euros(result.final_grant)),
        "paid": str(rules.euros(result.paid)),
        "balance": str(rules.euros(result.balance)),
        "to_pay": str(rules.euros(result.to_pay)),
        "to_return": str(rules.euros(result.to_return)),
        "return_days": RETURN_DAYS,
        "payer": {"name": call.payer_name, "iban": rules.format_iban(call.payer_iban), "bic": call.payer_bic},
        "account": rules.format_iban(project.iban),
    }


def source_of(decision) -> FundedProject:
    return decision.project


def default_grounds(language: str, facts: dict) -> str:
    with translation.override(language):
        text = _(
            "The final report has been approved. The final grant is the grant's maximum share of the accepted eligible costs, "
            "at most the maximum amount of the grant, rounded down to the cent."
        )
        if Decimal(facts.get("balance", "0")) < 0:
            text += "\n\n" + _("More has been paid than the final grant. The excess must be returned (State Subsidies Act, section 20).")
        return text


# ── Reading ─────────────────────────────────────────────────────────────────


def settlement_of(project) -> Settlement | None:
    return Settlement.objects.filter(project=project).select_related("decision").first()


def final_report_approved(project) -> bool:
    from kuntadigi.reports.lifecycle import State as ReportState
    from kuntadigi.reports.models import Report

    return Report.objects.filter(project=project, kind=Report.Kind.FINAL, state=ReportState.APPROVED).exists()


def _money_not_settled(project) -> str:
    """Why the project's money is not ready for the settlement: the final payment request approved, no
    request waiting for a check or approval, every instalment paid (the balance is the final grant less
    what was paid: an instalment still on its way would be paid twice)."""
    from kuntadigi.payments.lifecycle import State as RequestState
    from kuntadigi.payments.models import Payment, PaymentBatch

    requests = project.payment_requests.all()
    if requests.filter(state__in=[RequestState.SUBMITTED, RequestState.CHECKED]).exists():
        return _("A payment request of the project waits for its check or approval: it is decided before the settlement.")
    if not requests.filter(is_final=True, state=RequestState.APPROVED).exists():
        return _("The final payment request has not been approved yet.")
    unpaid = Payment.objects.filter(project=project, kind=Payment.Kind.INSTALMENT).exclude(batch__state=PaymentBatch.State.PAID)
    if unpaid.exists():
        return _("An approved payment of the project has not been paid yet (it waits for a batch, is stopped, or its batch is not marked paid).")
    return ""


def why_not_settleable(project) -> str:
    if project.state != State.UNDER_REVIEW:
        return _("The settlement is prepared when the final report is under review; the project is %(state)s.") % {"state": State(project.state).label}
    if not final_report_approved(project):
        return _("The final report has not been approved yet.")
    money = _money_not_settled(project)
    if money:
        return money
    existing = settlement_of(project)
    if existing is not None and existing.decision.state == ProjectDecision.State.SIGNED:
        return _("The settlement decision has already been signed.")
    return ""


@dataclass(frozen=True)
class SettlementView:
    """The project page's settlement section."""

    settlement: Settlement | None
    signed: bool
    returned: Decimal
    still_to_return: Decimal
    balance_paid: bool
    document_url: str


def returned_total(settlement: Settlement) -> Decimal:
    return settlement.returned_amount or Decimal("0.00")


def still_to_return(settlement: Settlement) -> Decimal:
    return max(settlement.to_return - returned_total(settlement), Decimal("0.00"))


def balance_payment(project):
    from kuntadigi.payments.models import Payment

    return Payment.objects.filter(project=project, kind=Payment.Kind.BALANCE).select_related("batch").first()


def project_context(user, project) -> dict:
    """The settlement section of the project page (templates/projects/_settlement.html)."""
    from django.urls import reverse

    settlement = settlement_of(project)
    may_settle = bool(permissions.can_prepare_project_decision(user, project))
    if settlement is None:
        return {"settlement_view": None, "may_settle_now": may_settle and not why_not_settleable(project)}
    signed = settlement.decision.state == ProjectDecision.State.SIGNED
    if not signed and not permissions.can_view_project_decisions(user, project):
        return {"settlement_view": None}
    payment = balance_payment(project)
    url = ""
    if signed and settlement.decision.document_sha256:
        url = reverse("decisions:project_decision_document", args=[project.pk, settlement.decision_id])
    return {
        "settlement_view": SettlementView(settlement, signed, returned_total(settlement), still_to_return(settlement), bool(payment and payment.is_paid), url),
        "may_settle": may_settle,
    }


# ── Preparing and signing ───────────────────────────────────────────────────


def _store(project, decision, result: rules.Settlement) -> Settlement:
    settlement = settlement_of(project) or Settlement(project=project)
    settlement.decision = decision
    settlement.total_accepted = rules.euros(result.total_accepted)
    settlement.final_grant = rules.euros(result.final_grant)
    settlement.paid = rules.euros(result.paid)
    settlement.balance = rules.euros(result.balance)
    settlement.save()
    return settlement


def _snapshot(settlement: Settlement) -> dict:
    return {
        "total_accepted": str(settlement.total_accepted),
        "final_grant": str(settlement.final_grant),
        "paid": str(settlement.paid),
        "balance": str(settlement.balance),
        "return_due": settlement.return_due.isoformat() if settlement.return_due else None,
        "returned_amount": None if settlement.returned_amount is None else str(settlement.returned_amount),
        "returned_on": settlement.returned_on.isoformat() if settlement.returned_on else None,
    }


def prepare_settlement(user, project_pk: int, data) -> ProjectDecision:
    """The settlement decision's draft (a new version when one exists) and the Settlement row with its figures."""
    from kuntadigi.decisions import services_project_decisions as path

    with transaction.atomic():
        project = _lock(project_pk)
        if not permissions.can_view_project_decisions(user, project):
            raise Http404
        allowed = permissions.can_prepare_project_decision(user, project)
        if not allowed:
            raise Refused(allowed.reason)
        why_not = why_not_settleable(project)
        if why_not:
            raise Refused(why_not)
        decision = path.prepare(user, project, SETTLEMENT, project, data)
        before = _snapshot(settlement_of(project)) if settlement_of(project) else {}
        settlement = _store(project, decision, figures(project))
        audit.record(user, "project.settlement_prepared", project, application_id=project.application_id, before=before, after=_snapshot(settlement))
    return decision


def on_sign(user, decision) -> None:
    """The settlement decision is signed (inside the signing transaction, the project locked)."""
    from kuntadigi.payments.models import Payment

    project = decision.project
    if project.state != State.UNDER_REVIEW:
        raise Refused(_("The settlement is prepared when the final report is under review; the project is %(state)s.") % {"state": State(project.state).label})
    if not final_report_approved(project):
        raise Refused(_("The final report has not been approved yet."))
    money = _money_not_settled(project)
    if money:
        raise Refused(money)
    result = figures(project)
    settlement = _store(project, decision, result)
    if result.balance < 0:
        settlement.return_due = decision.decision_date + timedelta(days=RETURN_DAYS)
        settlement.save(update_fields=["return_due"])
        decision.facts = {**decision.facts, "return_due": settlement.return_due.isoformat()}  # printed in the document
        decision.save(update_fields=["facts"])
    new_state = _move(project, "settle")
    before = {"state": project.state}
    project.state = new_state
    project.save(update_fields=["state"])
    audit.record(user, "project.settled", project, application_id=project.application_id, before=before, after={"state": new_state, **_snapshot(settlement)})
    if result.balance > 0:
        if not project.iban:
            raise Refused(_("The project has no account to pay the balance to."))
        payment = Payment.objects.create(
            project=project,
            kind=Payment.Kind.BALANCE,
            amount=rules.euros(result.balance),
            iban=project.iban,
            bic=project.bic,
            approved_by=user,
            approved_at=clock.now(),
            end_to_end_id=f"KD-{project.pk}-SETTLEMENT-{settlement.pk}"[:35],
        )
        audit.record(
            user,
            "project.balance_payment_approved",
            project,
            application_id=project.application_id,
            after={"payment": payment.pk, "amount": str(payment.amount)},
        )
    _close_if_done(None, project, settlement)


# ── Returns and closing ─────────────────────────────────────────────────────


def why_not_closable(project, settlement: Settlement | None) -> str:
    if project.state != State.SETTLED or settlement is None:
        return _("Only a settled project can be closed.")
    if settlement.balance > 0:
        payment = balance_payment(project)
        if payment is None or not payment.is_paid:
            return _("The balance has not been paid yet.")
    if settlement.balance < 0 and still_to_return(settlement) > 0:
        return _("The excess has not been returned in full.")
    return ""


def _close_if_done(actor, project, settlement: Settlement) -> bool:
    if why_not_closable(project, settlement):
        return False
    new_state = _move(project, "close")
    project.state, before = new_state, project.state
    project.save(update_fields=["state"])
    audit.record(actor, "project.closed", project, application_id=project.application_id, before={"state": before}, after={"state": new_state})
    return True


def record_return(user, project_pk: int, returned_on: date, amount: Decimal) -> Settlement:
    """An official records a return of the excess. Partial returns add up; the project closes once it is whole."""
    with transaction.atomic():
        project = _lock(project_pk)
        if not permissions.can_view_project_decisions(user, project):
            raise Http404
        allowed = permissions.can_record_return(user, project)
        if not allowed:
            raise Refused(allowed.reason)
        settlement = Settlement.objects.select_for_update().filter(project=project).first()
        if settlement is None or project.state != State.SETTLED or settlement.balance >= 0:
            raise Refused(_("No excess is to be returned on this project."))
        if amount is None or amount <= 0:
            raise Refused(_("Enter the amount returned, more than zero."), field="amount")
        if amount > still_to_return(settlement):
            raise Refused(_("The amount is more than what is still to be returned."), field="amount")
        if returned_on is None or returned_on > _today():
            raise Refused(_("Enter the day the return was received, not a day in the future."), field="returned_on")
        before = _snapshot(settlement)
        settlement.returned_amount = returned_total(settlement) + amount
        settlement.returned_on = returned_on
        settlement.return_recorded_by = user
        settlement.save(update_fields=["returned_amount", "returned_on", "return_recorded_by"])
        audit.record(
            user,
            "project.return_recorded",
            project,
            application_id=project.application_id,
            before=before,
            after={**_snapshot(settlement), "amount": str(amount)},
        )
        _close_if_done(user, project, settlement)
    return settlement


def close(user, project_pk: int) -> FundedProject:
    """The preparer closes a settled project whose balance is paid or returned (or zero)."""
    with transaction.atomic():
        project = _lock(project_pk)
        if not permissions.can_view_project_decisions(user, project):
            raise Http404
        allowed = permissions.can_close_project(user, project)
        if not allowed:
            raise Refused(allowed.reason)
        why_not = why_not_closable(project, settlement_of(project))
        if why_not:
            raise Refused(why_not)
        _close_if_done(user, project, settlement_of(project))
    return project


def close_due() -> int:
    """The daily check (manage.py close_settled_projects): close every settled project whose balance is
    paid, returned in full or zero. Idempotent; each project in its own transaction."""
    closed = 0
    for pk in FundedProject.objects.filter(state=State.SETTLED).values_list("pk", flat=True):
        with transaction.atomic():
            project = _lock(pk)
            if project.state == State.SETTLED and _close_if_done(None, project, settlement_of(project)):
                closed += 1
    return closed
