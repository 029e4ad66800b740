"""The ministry's pages for payment requests: the call's follow-up list, a request's review (the
preparer's check, the approval) and approving a stopped payment again. Views parse, call
services_review, render or redirect; every rule is in services_review.py and permissions.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.views_drafting import error_items
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import Call
from kuntadigi.core import files
from kuntadigi.mfa.stepup import step_up_required
from kuntadigi.projects import rules as money

from . import services_review as services
from .forms_review import LinesCheckForm
from .lifecycle import State
from .models import LedgerExtract


def _back(payment_request):
    return redirect("payment_review:request", pk=payment_request.pk)


@login_required
@require_http_methods(["GET"])
def follow_up_list(request, call_slug: str):
    call = get_object_or_404(Call, slug=call_slug)
    if not permissions.can_follow_payment_requests(request.user, call):
        raise Http404
    context = {
        "call": call,
        "follow_up": services.follow_up(call, check_page=request.GET.get("check_page") or 1, approve_page=request.GET.get("approve_page") or 1),
        "is_approver": "payment_approver" in permissions.call_roles(request.user, call),
        "active": "payments",
    }
    return render(request, "payments/review_list.html", context)


@login_required
@require_http_methods(["GET"])
def request_page(request, pk: int):
    payment_request = services.request_for_official(request.user, pk)
    return _request_page(request, payment_request)


def _request_page(request, payment_request, *, form=None, status=200):
    user = request.user
    lines = list(payment_request.lines.select_related("organisation", "category", "checked_by"))
    by_line, general = services.flag_messages(payment_request, lines)
    may_check = permissions.can_check_payment_request(user, payment_request)
    approve = permissions.can_approve_payment(user, payment_request)
    is_approver = "payment_approver" in permissions.call_roles(user, payment_request.project.application.call_id)
    if form is None and may_check and payment_request.state == State.SUBMITTED:
        form = LinesCheckForm(lines)
    payment = getattr(payment_request, "payment", None) if payment_request.state == State.APPROVED else None
    project = payment_request.project
    record_read(user, project.application, "payment_request", payment_request, as_official=True, number=payment_request.number)
    context = {
        "payment_request": payment_request,
        "project": project,
        "application": project.application,
        "call": project.application.call,
        "lines": [(line, by_line.get(line.pk, [])) for line in lines],
        "general_flags": general,
        "budget": services.budget_rows(payment_request),
        "extracts": list(payment_request.ledger_extracts.select_related("organisation")),
        "form": form,
        "rows": [(line, accepted, reason, by_line.get(line.pk, [])) for line, accepted, reason in form.rows()] if form is not None else [],
        "error_items": error_items(form) if form is not None and form.is_bound else [],
        "may_check": bool(may_check) and payment_request.state == State.SUBMITTED,
        "may_reopen": bool(may_check) and payment_request.state == State.CHECKED,
        "may_approve": bool(approve),
        # An approver who may not approve this one (four eyes, not yet checked) reads why.
        "approve_refusal": approve.reason if is_approver and not approve and payment_request.state == State.CHECKED else "",
        "payment": payment,
        "payment_iban": money.format_iban(payment.iban) if payment else "",
        # Reduced lines of an approved request: the payment-reduction decision (decisions/kind_payment_reduction.py).
        "reduced": payment_request.state == State.APPROVED and any(line.accepted is not None and line.accepted < line.amount for line in lines),
        "reduction_decision": payment_request.reduction_decision,
        "may_prepare_reduction": bool(permissions.can_prepare_project_decision(user, project)),
        "active": "payments",
    }
    return render(request, "payments/review_request.html", context, status=status)


@login_required
@require_POST
def check(request, pk: int):
    payment_request = services.request_for_official(request.user, pk)
    allowed = permissions.can_check_payment_request(request.user, payment_request)
    if not allowed:
        messages.error(request, allowed.reason)
        return _back(payment_request)
    form = LinesCheckForm(list(payment_request.lines.all()), request.POST)
    if form.is_valid():
        try:
            services.check_lines(request.user, payment_request.pk, form.checks())
            if request.POST.get("action") == "checked":
                services.mark_checked(request.user, payment_request.pk)
        except Refused as refusal:
            if refusal.field in form.fields:
                form.add_error(refusal.field, refusal.message)
            else:
                messages.error(request, refusal.message)
                return _back(payment_request)
        else:
            if request.POST.get("action") == "checked":
                messages.success(request, _("The payment request was marked checked. A payment approver approves it."))
            else:
                messages.success(request, _("The check of the lines was saved."))
            return _back(payment_request)
    payment_request = services.request_for_official(request.user, pk)
    return _request_page(request, payment_request, form=form, status=400)


@login_required
@require_POST
def reopen(request, pk: int):
    payment_request = services.request_for_official(request.user, pk)
    try:
        services.reopen(request.user, payment_request.pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The payment request was reopened to be checked again."))
    return _back(payment_request)


@login_required
@require_http_methods(["GET", "POST"])
@step_up_required(methods=("POST",))  # approving money asks for the second factor again when it is not fresh
def approve(request, pk: int):
    payment_request = services.request_for_official(request.user, pk)
    if request.method == "GET":  # back from the second factor: the request's page, with its button
        return _back(payment_request)
    try:
        approval = services.approve(request.user, payment_request.pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return _back(payment_request)
    if approval.request.is_final:
        messages.success(request, _("The final payment request was approved. Nothing is paid on it now: its payment is the balance of the settlement."))
    elif approval.payment is None:
        messages.success(request, _("The payment request was approved. Nothing is payable on it now."))
    else:
        messages.success(
            request, _("The payment request was approved: %(amount)s is to be paid in the next payment batch.") % {"amount": _euros(approval.payment.amount)}
        )
    if approval.reduced:
        messages.info(request, _("The lead is told of the reduced lines and their reasons by e-mail."))
    return _back(payment_request)


def _euros(amount) -> str:
    from kuntadigi.core.templatetags.kd import euros

    return euros(amount)


@login_required
@require_http_methods(["GET", "POST"])
@step_up_required(methods=("POST",))
def approve_again(request, pk: int):
    payment = services.payment_for_official(request.user, pk)
    back = redirect("payment_review:list", call_slug=payment.project.application.call.slug)
    if request.method == "GET":
        return back
    try:
        services.approve_again(request.user, payment.pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The payment was approved again to the new account."))
    return back


@login_required
@require_http_methods(["GET"])
def ledger_extract(request, pk: int, extract_pk: int):
    payment_request = services.request_for_official(request.user, pk)
    item = get_object_or_404(LedgerExtract, pk=extract_pk, request=payment_request)
    record_read(request.user, payment_request.project.application, "ledger_extract", item, as_official=True, name=item.original_name, sha256=item.sha256)
    return files.download(item)
