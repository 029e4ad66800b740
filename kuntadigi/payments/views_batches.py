"""Pages of payment batches, for the call's officials: the call's batches (and a new one), a batch with its
payments, and the actions on it. Views parse, call services, render or redirect; every rule is in
services_batches.py and permissions.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import clock, permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.views_drafting import error_items
from kuntadigi.mfa.stepup import step_up_required
from kuntadigi.projects import rules

from . import services_batches as services
from .forms_batches import BatchForm, PaidForm


def _back(batch):
    return redirect("payments_batches:detail", pk=batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def batches(request, call_slug: str):
    call = services.call_for_viewer(request.user, call_slug)
    may_manage = permissions.can_manage_payment_batches(request.user, call)
    form = BatchForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_manage:
            messages.error(request, may_manage.reason)
            return redirect("payments_batches:list", call_slug=call.slug)
        if form.is_valid():
            try:
                batch = services.create_batch(request.user, call.pk, form.cleaned_data["due_date"])
            except Refused as refusal:
                form.add_error("due_date", refusal.message)
            else:
                messages.success(request, _("Payment batch %(number)s was made. Add the approved payments to it.") % {"number": batch.number})
                return _back(batch)
        status = 400
    context = {
        "call": call,
        "batches": services.batches_of(call),
        "waiting_count": services.waiting(call).count(),
        "may_manage": bool(may_manage),
        "form": form,
        "error_items": error_items(form) if form.errors else [],
    }
    return render(request, "payments/batches_list.html", context, status=status)


def _batch_page(request, batch, *, paid_form=None, status=200):
    user = request.user
    call = batch.call
    may_manage = bool(permissions.can_manage_payment_batches(user, call))
    is_open = batch.state == services.BatchState.OPEN
    # The preparers, who send the accounts to the bank, see them whole; the payment approvers masked.
    show = rules.format_iban if may_manage else rules.masked_iban
    rows = [(payment, show(payment.iban)) for payment in services.payments_in(batch)]
    context = {
        "call": call,
        "batch": batch,
        "rows": rows,
        "total": services.batch_total(batch),
        "waiting": [(payment, show(payment.iban)) for payment in services.waiting(call)] if is_open else [],
        "stopped": list(services.stopped(call)) if is_open else [],
        "may_manage": may_manage,
        "is_open": is_open,
        "paid_form": paid_form or PaidForm(initial={"value_date": clock.helsinki(clock.now()).date()}),
        "error_items": error_items(paid_form) if paid_form is not None and paid_form.errors else [],
    }
    return render(request, "payments/batches_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def batch(request, pk: int):
    return _batch_page(request, services.batch_for_viewer(request.user, pk))


def _act(request, pk: int, action, success):
    batch = services.batch_for_viewer(request.user, pk)
    try:
        result = action(batch)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, success(result))
    return _back(batch)


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


@login_required
@require_POST
def add(request, pk: int):
    chosen = _ids(request.POST.getlist("payments"))
    return _act(
        request,
        pk,
        lambda batch: services.add_payments(request.user, batch.pk, chosen),
        lambda count: ngettext("%(n)d payment was added to the batch.", "%(n)d payments were added to the batch.", count) % {"n": count},
    )


@login_required
@require_POST
def remove(request, pk: int):
    chosen = (_ids([request.POST.get("payment")]) or [0])[0]
    return _act(
        request, pk, lambda batch: services.remove_payment(request.user, batch.pk, chosen), lambda payment: _("The payment was taken out of the batch.")
    )


@login_required
@require_POST
@step_up_required(methods=("POST",))  # sending money to the bank asks for the second factor again when it is not fresh
def export(request, pk: int):
    return _act(
        request,
        pk,
        lambda batch: services.export(request.user, batch.pk),
        lambda batch: _("The batch was exported. Download the credit-transfer file for the bank and the CSV for the State's accounting."),
    )


@login_required
@require_POST
@step_up_required(methods=("POST",))
def paid(request, pk: int):
    batch = services.batch_for_viewer(request.user, pk)
    allowed = permissions.can_manage_payment_batches(request.user, batch.call)
    if not allowed:
        messages.error(request, allowed.reason)
        return _back(batch)
    form = PaidForm(request.POST)
    if form.is_valid():
        try:
            services.mark_paid(request.user, batch.pk, form.cleaned_data["value_date"])
        except Refused as refusal:
            if refusal.field != "value_date":
                messages.error(request, refusal.message)
                return _back(batch)
            form.add_error("value_date", refusal.message)
        else:
            messages.success(request, _("The batch was marked paid. The leads of the projects are told by e-mail."))
            return _back(batch)
    return _batch_page(request, batch, paid_form=form, status=400)


@login_required
@require_http_methods(["GET"])
def download(request, pk: int, kind: str):
    batch = services.batch_for_viewer(request.user, pk)
    if kind not in services.FILES:
        raise Http404
    allowed = permissions.can_manage_payment_batches(request.user, batch.call)
    if not allowed:
        messages.error(request, allowed.reason)
        return _back(batch)
    try:
        data, name, content_type = services.file_bytes(batch, kind)
    except services.FileTampered:
        messages.error(request, _("The stored file does not match the one exported, so it is not served. The system administrators have been told."))
        return _back(batch)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
