"""Reviewing payment requests at the ministry: the follow-up list, the preparer's check of each line,
the approval by another person with the call's payment-approver role, and the payments it makes.

Use cases (each: permission, rules, change of state through lifecycle.next_state, audit, in one
transaction; the request's row is locked):
    check_lines            the preparer accepts each line or reduces it with a written reason
    mark_checked           ... and, every line checked, marks the request checked (stores `accepted`)
    reopen                 the preparer takes a checked request back to be checked again (before approval)
    approve                a payment approver, not the one who checked, approves: `payable` is computed in
                           cents (projects/rules.py) and an instalment Payment made to the account in force;
                           a final request is approved without one (its payment is the settlement's balance)
    stop_unpaid_payments   a change of account stops every payment not yet exported or paid (called by
                           projects.services.give_account in its transaction)
    approve_again          a stopped payment is approved again, to the new account
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import F, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.audit import services as audit
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.projects import rules as money
from kuntadigi.projects.models import FundedProject

from . import lifecycle, review_rules, tasks_review
from .lifecycle import State
from .models import CostLine, Payment, PaymentBatch, PaymentRequest

STOP_REASON_ACCOUNT_CHANGED = "account_changed"


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise Refused(decision.reason)


def _move(request: PaymentRequest, action: str) -> str:
    try:
        return lifecycle.next_state(request.state, action)
    except lifecycle.TransitionNotAllowed:
        raise Refused(_("This cannot be done while the payment request is %(state)s.") % {"state": State(request.state).label}) from None


def _lock(pk: int) -> PaymentRequest:
    request = (
        PaymentRequest.objects.select_for_update(of=("self",)).select_related("project__application__call", "project__application__lead").filter(pk=pk).first()
    )
    if request is None:
        raise Http404
    return request


def _record(actor, action: str, request: PaymentRequest, *, before=None, after=None) -> None:
    audit.record(actor, action, request, application_id=request.project.application_id, before=before, after=after)


# ── Reading ─────────────────────────────────────────────────────────────────


def request_for_official(user, pk: int) -> PaymentRequest:
    """The request as the ministry reviews it, if the user may see that; otherwise 404."""
    request = (
        PaymentRequest.objects.select_related("project__application__call", "project__application__lead", "checked_by", "approved_by", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if request is None or not permissions.can_view_payment_review(user, request):
        raise Http404
    return request


@dataclass(frozen=True)
class FollowUpRow:
    request: PaymentRequest
    flags: int
    waiting_since: datetime | None


@dataclass(frozen=True)
class RowsPage:
    """One page of a follow-up list: its rows, and the page (number, count of all, links) to move on."""

    rows: list[FollowUpRow]
    page: Page

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def total(self) -> int:
        return self.page.paginator.count


@dataclass(frozen=True)
class FollowUp:
    to_check: RowsPage
    to_approve: RowsPage
    stopped: list[Payment]


# Rows per page of each list: a call with thousands of running projects stays quick to read (bench/followup_bench.py).
PER_PAGE = 50


def _rows_page(queryset, number, since_field: str) -> RowsPage:
    page = Paginator(queryset, PER_PAGE).get_page(number)
    return RowsPage([FollowUpRow(request, len(request.flags or []), getattr(request, since_field)) for request in page.object_list], page)


def follow_up(call, *, check_page=1, approve_page=1) -> FollowUp:
    """The call's payment requests that wait for the ministry — submitted: to check, oldest first;
    checked: to approve, checked longest ago first — a page of each, and its stopped payments. Five
    queries, whatever the number of requests (a count and a page per list, the stopped payments)."""
    waiting = PaymentRequest.objects.filter(project__application__call=call).select_related("project__application__lead")
    to_check = _rows_page(waiting.filter(state=State.SUBMITTED).order_by("submitted_at", "pk"), check_page, "submitted_at")
    to_approve = _rows_page(waiting.filter(state=State.CHECKED).order_by("checked_at", "pk"), approve_page, "checked_at")
    stopped = list(
        Payment.objects.filter(project__application__call=call, stopped_at__isnull=False)
        .select_related("project__application__lead", "request")
        .order_by("stopped_at", "pk")
    )
    return FollowUp(to_check, to_approve, stopped)


@dataclass(frozen=True)
class BudgetRow:
    organisation: str
    category: str
    budget: Decimal
    accepted_before: Decimal
    claimed_now: Decimal


def budget_rows(request: PaymentRequest) -> list[BudgetRow]:
    """The accepted budget per organisation and category beside what earlier approved requests accepted
    and what this request claims: what the preparer weighs each line against. Three queries."""
    from kuntadigi.applications.models import BudgetLine

    project = request.project
    budget: dict[tuple[int, int], Decimal] = {}
    names: dict[tuple[int, int], tuple[str, str, int, int]] = {}
    for line in BudgetLine.objects.filter(application_id=project.application_id).select_related("participant__organisation", "category"):
        key = (line.participant.organisation_id, line.category_id)
        budget[key] = budget.get(key, Decimal("0")) + line.amount
        names[key] = (line.participant.organisation.name, line.category.name, line.participant_id, line.category.order)
    before: dict[tuple[int, int], Decimal] = {}
    earlier = (
        CostLine.objects.filter(request__project=project, request__state=State.APPROVED).exclude(request=request).select_related("organisation", "category")
    )
    for line in earlier:
        key = (line.organisation_id, line.category_id)
        before[key] = before.get(key, Decimal("0")) + (line.accepted if line.accepted is not None else Decimal("0"))
        names.setdefault(key, (line.organisation.name, line.category.name, 10**9, line.category.order))
    now: dict[tuple[int, int], Decimal] = {}
    for line in request.lines.select_related("organisation", "category"):
        key = (line.organisation_id, line.category_id)
        now[key] = now.get(key, Decimal("0")) + line.amount
        names.setdefault(key, (line.organisation.name, line.category.name, 10**9, line.category.order))
    keys = sorted(names, key=lambda key: (names[key][2], names[key][0], names[key][3]))
    zero = Decimal("0.00")
    return [BudgetRow(names[k][0], names[k][1], budget.get(k, zero), before.get(k, zero), now.get(k, zero)) for k in keys]


def flag_messages(request: PaymentRequest, lines: list[CostLine]) -> tuple[dict[int, list[str]], list[str]]:
    """The flags stored at submission in words: per line (by the line's id) and for the request as a whole.
    The messages are the rules' own (projects/rules.py `flags`), in the reader's language."""
    words = {
        "outside_period": _("The cost is dated outside the eligible-cost period."),
        "vat": _("The description suggests value added tax, which is not an eligible cost."),
        "over_budget": _("The costs of a category exceed its budget by more than the call's tolerance."),
        "overlap": _("The period overlaps the period of an earlier payment request."),
    }
    by_line: dict[int, list[str]] = {}
    general: list[str] = []
    for flag in request.flags or []:
        code = str(flag.get("code", ""))
        message = words.get(code.split(":", 1)[0], code)
        index = flag.get("line")
        if isinstance(index, int) and 0 <= index < len(lines):
            by_line.setdefault(lines[index].pk, []).append(message)
        else:
            general.append(message)
    return by_line, general


# ── The preparer's check ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class LineInput:
    accepted: Decimal
    reason: str


def check_lines(user, pk: int, checks: Mapping[int, LineInput]) -> PaymentRequest:
    """The preparer's check of the lines given (by line id): accepted in full, or reduced with a reason.
    Every line is validated before any is saved; Refused names the first wrong line's field."""
    with transaction.atomic():
        request = _lock(pk)
        _require(permissions.can_check_payment_request(user, request))
        if request.state != State.SUBMITTED:
            raise Refused(_("The request has been marked checked: reopen it to change the check of a line."))
        lines = {line.pk: line for line in request.lines.all()}
        unknown = set(checks) - set(lines)
        if unknown:
            raise Http404
        for line_pk, given in checks.items():
            problem = review_rules.check_line(claimed=money.cents(lines[line_pk].amount), accepted=money.cents(given.accepted), reason=given.reason)
            if problem:
                within = Decimal("0") <= given.accepted <= lines[line_pk].amount
                raise Refused(problem, field=f"{'reason' if within else 'accepted'}_{line_pk}")
        now = clock.now()
        changed = []
        for line_pk, given in checks.items():
            line = lines[line_pk]
            accepted = money.euros(money.cents(given.accepted))
            reason = given.reason.strip() if accepted < line.amount else ""
            if (line.accepted, line.reduction_reason) == (accepted, reason) and line.checked_by_id is not None:
                continue
            before = {"accepted": str(line.accepted) if line.accepted is not None else None, "reason": line.reduction_reason}
            line.accepted, line.reduction_reason, line.checked_by, line.checked_at = accepted, reason, user, now
            line.save(update_fields=["accepted", "reduction_reason", "checked_by", "checked_at"])
            changed.append({"line": line.pk, "claimed": str(line.amount), "accepted": str(accepted), "reason": reason, "before": before})
        if changed:
            _record(user, "payment_request.lines_checked", request, after={"request": request.number, "lines": changed})
    return request


def mark_checked(user, pk: int) -> PaymentRequest:
    """Every line checked: the request is checked and its accepted total frozen."""
    with transaction.atomic():
        request = _lock(pk)
        _require(permissions.can_check_payment_request(user, request))
        new_state = _move(request, "check")
        lines = list(request.lines.all())
        if not lines or any(line.accepted is None for line in lines):
            raise Refused(_("Check every line first: accept it, or reduce it with a reason."))
        accepted = sum((line.accepted for line in lines), Decimal("0.00"))
        before = request.state
        request.state, request.accepted, request.checked_by, request.checked_at = new_state, accepted, user, clock.now()
        request.save(update_fields=["state", "accepted", "checked_by", "checked_at"])
        reduced = sum(1 for line in lines if line.accepted < line.amount)
        _record(
            user,
            "payment_request.checked",
            request,
            before={"state": before},
            after={"state": request.state, "request": request.number, "claimed": str(request.claimed), "accepted": str(accepted), "reduced_lines": reduced},
        )
        enqueue_with_transaction(tasks_review.send_review_notice, request.pk, "payment_request_checked")
    return request


def reopen(user, pk: int) -> PaymentRequest:
    with transaction.atomic():
        request = _lock(pk)
        _require(permissions.can_check_payment_request(user, request))
        new_state = _move(request, "reopen")
        before = {"state": request.state, "accepted": str(request.accepted), "checked_by": request.checked_by_id}
        request.state, request.accepted, request.checked_by, request.checked_at = new_state, None, None, None
        request.save(update_fields=["state", "accepted", "checked_by", "checked_at"])
        _record(user, "payment_request.reopened", request, before=before, after={"state": request.state, "request": request.number})
    return request


# ── Approval ────────────────────────────────────────────────────────────────


def _approved_total(project, field: str, *, exclude_pk: int) -> Decimal:
    total = PaymentRequest.objects.filter(project=project, state=State.APPROVED).exclude(pk=exclude_pk).aggregate(total=Sum(field))["total"]
    return total or Decimal("0.00")


def compute_payable(request: PaymentRequest) -> money.Payable:
    """payable = min(share × cumulative accepted, maximum grant × (1 − held back)) − paid before, in cents."""
    project = request.project
    accepted_before = _approved_total(project, "accepted", exclude_pk=request.pk)
    paid_before = Payment.objects.filter(project=project).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return money.payable(
        share=project.share,
        cumulative_accepted=money.cents(accepted_before) + money.cents(request.accepted or 0),
        maximum_grant=money.cents(project.maximum_grant),
        held_back=project.application.call.held_back_share,
        paid_before=money.cents(paid_before),
    )


@dataclass(frozen=True)
class Approval:
    request: PaymentRequest
    payment: Payment | None
    reduced: bool


def approve(user, pk: int) -> Approval:
    """The approver approves a checked request: its payable amount is computed and, when above zero and the
    request is not the final one, paid as an instalment to the account in force (frozen on the payment).
    A reduction is e-mailed to the lead with its reasons and the rectification instructions."""
    with transaction.atomic():
        request = _lock(pk)
        _require(permissions.can_approve_payment(user, request))
        new_state = _move(request, "approve")
        project = request.project
        # The project's row is locked too: payments of one project are computed one at a time.
        FundedProject.objects.select_for_update(of=("self",)).filter(pk=project.pk).first()
        project.refresh_from_db(fields=["iban", "bic"])
        if not request.is_final and not project.iban:
            raise Refused(_("The project has no account for payments: the lead gives it first."))
        now = clock.now()
        payment = None
        if request.is_final:
            request.payable = None
        else:
            result = compute_payable(request)
            request.payable = money.euros(result.amount)
            if result.amount > 0:
                payment = Payment.objects.create(
                    project=project,
                    kind=Payment.Kind.INSTALMENT,
                    request=request,
                    amount=request.payable,
                    iban=project.iban,
                    bic=project.bic,
                    approved_by=user,
                    approved_at=now,
                    end_to_end_id=review_rules.end_to_end_id(project.pk, request.number),
                )
        before = request.state
        request.state, request.approved_by, request.approved_at = new_state, user, now
        request.save(update_fields=["state", "payable", "approved_by", "approved_at"])
        reduced = request.lines.filter(accepted__lt=F("amount")).exists()
        _record(
            user,
            "payment_request.approved",
            request,
            before={"state": before},
            after={
                "state": request.state,
                "request": request.number,
                "final": request.is_final,
                "accepted": str(request.accepted),
                "payable": str(request.payable) if request.payable is not None else None,
                "payment": payment.pk if payment else None,
                "iban": money.masked_iban(payment.iban) if payment else "",
                "reduced": reduced,
            },
        )
        if reduced:
            enqueue_with_transaction(tasks_review.send_reduction_notice, request.pk)
    return Approval(request, payment, reduced)


# ── A change of account ─────────────────────────────────────────────────────


def unpaid_payments(project):
    """The project's payments not yet in an exported or paid batch: those a change of account stops."""
    return Payment.objects.filter(project=project).filter(Q(batch__isnull=True) | Q(batch__state=PaymentBatch.State.OPEN))


def stop_unpaid_payments(user, project) -> list[Payment]:
    """Called by projects.services.give_account, inside its transaction, after the account changed: every
    payment approved to another account and not yet exported or paid is stopped (and taken out of an open
    batch) until an approver approves it again to the new account. The call's officials are told."""
    stopped = []
    now = clock.now()
    for payment in unpaid_payments(project).select_for_update(of=("self",)).order_by("pk"):
        if payment.stopped_at is not None or (payment.iban, payment.bic) == (project.iban, project.bic):
            continue  # stopped already (approved again to the account then in force), or to the account in force
        before = {"batch": payment.batch_id}
        payment.stopped_at, payment.stop_reason, payment.batch = now, STOP_REASON_ACCOUNT_CHANGED, None
        payment.save(update_fields=["stopped_at", "stop_reason", "batch"])
        audit.record(
            user,
            "payment.stopped",
            payment,
            application_id=project.application_id,
            before=before,
            after={"reason": STOP_REASON_ACCOUNT_CHANGED, "amount": str(payment.amount), "request": payment.request_id},
        )
        stopped.append(payment)
    if stopped:
        enqueue_with_transaction(tasks_review.send_stopped_notice, project.pk, [payment.pk for payment in stopped])
    return stopped


def payment_for_official(user, pk: int) -> Payment:
    payment = Payment.objects.select_related("project__application__call", "request").filter(pk=pk).first()
    if payment is None or not has_reader_role(user, payment):
        raise Http404
    return payment


def has_reader_role(user, payment: Payment) -> bool:
    return bool(permissions.has_call_role(user, payment.project.application.call_id, *permissions.PAYMENT_READER_ROLES))


def approve_again(user, pk: int) -> Payment:
    """A stopped payment is approved again by an approver (four eyes), to the account now in force."""
    project_id = Payment.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise Http404
    with transaction.atomic():
        # The project first, then the payment: the order give_account takes them in (no deadlock).
        project = FundedProject.objects.select_for_update(of=("self",)).select_related("application__call").get(pk=project_id)
        payment = Payment.objects.select_for_update(of=("self",)).select_related("request").filter(pk=pk).first()
        if payment is None:
            raise Http404
        payment.project = project
        _require(permissions.can_approve_payment_again(user, payment))
        before = {"iban": money.masked_iban(payment.iban), "stopped": payment.stopped_at.isoformat(), "reason": payment.stop_reason}
        payment.iban, payment.bic = project.iban, project.bic
        payment.stopped_at, payment.stop_reason = None, ""
        payment.approved_by, payment.approved_at = user, clock.now()
        payment.save(update_fields=["iban", "bic", "stopped_at", "stop_reason", "approved_by", "approved_at"])
        audit.record(
            user,
            "payment.approved_again",
            payment,
            application_id=project.application_id,
            before=before,
            after={"iban": money.masked_iban(payment.iban), "amount": str(payment.amount), "request": payment.request_id},
        )
    return payment


# ── The lead's view: reductions on the project page ──────────────────────────


@dataclass(frozen=True)
class ReviewedRequest:
    request: PaymentRequest
    reductions: list[CostLine]


def reviewed_requests(project) -> list[ReviewedRequest]:
    """The project's approved requests with their reduced lines (and reasons), newest first. Two queries."""
    requests = list(PaymentRequest.objects.filter(project=project, state=State.APPROVED).order_by("-number"))
    lines: dict[int, list[CostLine]] = {}
    reduced = CostLine.objects.filter(request__in=requests, accepted__lt=F("amount")).select_related("organisation", "category").order_by("pk")
    for line in reduced if requests else []:
        lines.setdefault(line.request_id, []).append(line)
    return [ReviewedRequest(request, lines.get(request.pk, [])) for request in requests]


def project_section(user, project) -> dict:
    """The project page's section of approved payment requests (templates/projects/_payrev.html): what was
    accepted and payable on each, and every reduction with its reason; officials get a link to the review."""
    reviewed = reviewed_requests(project)
    return {
        "payrev_requests": reviewed,
        "payrev_may_review": bool(permissions.has_call_role(user, project.application.call_id, *permissions.PAYMENT_READER_ROLES)),
        "payrev_rectification_days": tasks_review.RECTIFICATION_DAYS,
    }
