"""Pages of the lead's payment requests: starting one, the request's page (lines against the budget, ledger
extracts, flags and the estimate; the partners read it), a line's edit page, and the forms' POSTs. Views
parse, call services, render or redirect; every rule is in services_requests.py and permissions.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.views_drafting import error_items
from kuntadigi.calls.models import CostCategory
from kuntadigi.core import files
from kuntadigi.core.uploads import upload_too_large
from kuntadigi.projects import rules
from kuntadigi.projects import services as projects

from . import services_requests as services
from .forms_requests import LedgerForm, LineForm, RequestForm


def _to_request(found):
    return redirect("payment_requests:detail", pk=found.project_id, number=found.number)


def _choices(found):
    project = found.project
    organisations = [(row.participant.organisation_id, row.organisation.name) for row in services.claimants(project)]
    categories = [(c.pk, c.name) for c in CostCategory.objects.filter(call_id=project.application.call_id).order_by("order")]
    return organisations, categories


def _line_form(found, data=None, initial=None):
    organisations, categories = _choices(found)
    return LineForm(data, initial=initial, organisations=organisations, categories=categories)


def _ledger_form(found, data=None, files=None):
    organisations, _categories = _choices(found)
    return LedgerForm(data, files, organisations=organisations, auto_id="ledger_%s")  # ids apart from the cost form's


def _line_input(form) -> services.LineInput:
    data = form.cleaned_data
    return services.LineInput(data["organisation"], data["category"], data["description"], data["amount"], data.get("incurred_from"), data.get("incurred_to"))


def _place_refusal(form, refusal: Refused) -> bool:
    """The refusal on its field of the form; False when it is about no field of it (told as a message)."""
    if refusal.field and refusal.field in form.fields:
        form.add_error(refusal.field, refusal.message)
        return True
    return False


@login_required
@require_http_methods(["GET", "POST"])
def new(request, pk: int):
    project = projects.project_for_viewer(request.user, pk)
    allowed = permissions.can_make_payment_request(request.user, project)
    if not allowed:
        messages.error(request, allowed.reason)
        return redirect("projects:detail", pk=project.pk)
    is_final = services._cost_period_ended(project)
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if is_final or form.is_valid():
            data = {} if is_final else form.cleaned_data
            try:
                made = services.create_request(
                    request.user, project.pk, is_final=is_final, period_start=data.get("period_start"), period_end=data.get("period_end")
                )
            except Refused as refusal:
                if is_final or not _place_refusal(form, refusal):
                    messages.error(request, refusal.message)
                    return redirect("projects:detail", pk=project.pk)
            else:
                messages.success(
                    request, _("Payment request %(number)d was started. Add its costs and ledger extracts, then submit it.") % {"number": made.number}
                )
                return _to_request(made)
        status = 400
    context = {"project": project, "application": project.application, "form": form, "is_final": is_final, "error_items": error_items(form)}
    return render(request, "payments/requests_new.html", context, status=status)


def _request_page(request, found, *, line_form=None, ledger_form=None, status=200):
    user = request.user
    may_edit = permissions.can_edit_payment_request(user, found)
    lead_member = found.project.application.lead_id in permissions.organisation_ids(user)
    estimate = services.estimate_for(found)
    context = {
        "project": found.project,
        "application": found.project.application,
        "payment_request": found,
        "table": services.claim_table(found),
        "claimants": services.claimants(found.project),
        "extracts": list(found.ledger_extracts.select_related("organisation")),
        "may_edit": bool(may_edit),
        "is_lead": lead_member,
        "flags": services.flag_messages(found),
        "problems": services.problems_before_submit(found) if may_edit else [],
        "estimate": rules.euros(estimate.amount),
        "estimate_limited": estimate.limited_by_ceiling,
        "line_form": line_form or _line_form(found),
        "ledger_form": ledger_form or _ledger_form(found),
        "error_items": error_items(line_form, ledger_form),
    }
    return render(request, "payments/requests_detail.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def detail(request, pk: int, number: int):
    found = services.request_for_viewer(request.user, pk, number)
    return _request_page(request, found)


def _editable_or_back(request, found):
    allowed = permissions.can_edit_payment_request(request.user, found)
    if not allowed:
        messages.error(request, allowed.reason)
        return _to_request(found)
    return None


@login_required
@require_POST
def line_add(request, pk: int, number: int):
    found = services.request_for_viewer(request.user, pk, number)
    refused = _editable_or_back(request, found)
    if refused:
        return refused
    form = _line_form(found, request.POST)
    if form.is_valid():
        try:
            services.add_line(request.user, pk, number, _line_input(form))
        except Refused as refusal:
            if not _place_refusal(form, refusal):
                messages.error(request, refusal.message)
                return _to_request(found)
        else:
            messages.success(request, _("The cost was added."))
            return _to_request(found)
    return _request_page(request, found, line_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request, pk: int, number: int, line_pk: int):
    found, line = services.line_for_viewer(request.user, pk, number, line_pk)
    refused = _editable_or_back(request, found)
    if refused:
        return refused
    status = 200
    if request.method == "POST":
        form = _line_form(found, request.POST)
        if form.is_valid():
            try:
                services.edit_line(request.user, pk, number, line_pk, _line_input(form))
            except Refused as refusal:
                if not _place_refusal(form, refusal):
                    messages.error(request, refusal.message)
                    return _to_request(found)
            else:
                messages.success(request, _("The cost was saved."))
                return _to_request(found)
        status = 400
    else:
        form = _line_form(
            found,
            initial={
                "organisation": line.organisation_id,
                "category": line.category_id,
                "description": line.description,
                "amount": line.amount,
                "incurred_from": line.incurred_from,
                "incurred_to": line.incurred_to,
            },
        )
    context = {
        "project": found.project,
        "application": found.project.application,
        "payment_request": found,
        "line": line,
        "form": form,
        "error_items": error_items(form),
    }
    return render(request, "payments/requests_line.html", context, status=status)


@login_required
@require_POST
def line_remove(request, pk: int, number: int, line_pk: int):
    found, _line = services.line_for_viewer(request.user, pk, number, line_pk)
    try:
        services.remove_line(request.user, pk, number, line_pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The cost was removed."))
    return _to_request(found)


@login_required
@require_POST
def ledger_upload(request, pk: int, number: int):
    found = services.request_for_viewer(request.user, pk, number)
    refused = _editable_or_back(request, found)
    if refused:
        return refused
    form = _ledger_form(found, request.POST, request.FILES)
    if upload_too_large(request):  # stopped at the size limit, unread (kuntadigi/core/uploads.py)
        from kuntadigi.applications import drafting

        form.refuse_file(drafting.too_large_message())
        return _request_page(request, found, ledger_form=form, status=413)
    if form.is_valid():
        try:
            extract = services.upload_ledger(request.user, pk, number, form.cleaned_data["organisation"], form.cleaned_data["file"])
        except Refused as refusal:
            if not _place_refusal(form, refusal):
                messages.error(request, refusal.message)
                return _to_request(found)
        else:
            messages.success(request, _("%(name)s was attached.") % {"name": extract.original_name})
            return _to_request(found)
    return _request_page(request, found, ledger_form=form, status=400)


@login_required
@require_http_methods(["GET"])
def ledger_download(request, pk: int, number: int, extract_pk: int):
    extract = services.extract_for_viewer(request.user, pk, number, extract_pk)
    return files.download(extract)


@login_required
@require_POST
def ledger_remove(request, pk: int, number: int, extract_pk: int):
    found = services.request_for_viewer(request.user, pk, number)
    try:
        services.remove_ledger(request.user, pk, number, extract_pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The ledger extract was removed."))
    return _to_request(found)


@login_required
@require_POST
def submit(request, pk: int, number: int):
    found = services.request_for_viewer(request.user, pk, number)
    try:
        submitted = services.submit_request(request.user, pk, number)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Payment request %(number)d was submitted. The ministry has been told; an official checks every cost before anything is paid.")
            % {"number": submitted.number},
        )
    return _to_request(found)
