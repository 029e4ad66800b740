"""Pages of a funded project: the project page (the lead's and partners' staff; the call's officials read
only) and the forms for accepting or refusing the grant, the account and the agreement with the partners.
Views parse, call services, render or redirect; every rule is in services.py and permissions.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.views_drafting import error_items
from kuntadigi.audit.services import record_read
from kuntadigi.core import files
from kuntadigi.core.uploads import upload_too_large
from kuntadigi.payments import services_requests
from kuntadigi.payments.services_batches import paid_context
from kuntadigi.payments.services_review import project_section
from kuntadigi.reports.views_reports import project_reports_context

from . import rules, services, services_settlement
from .forms import AccountForm, AgreementForm, RefuseForm
from .models import PartnerAgreement


def _back(project):
    return redirect("projects:detail", pk=project.pk)


def _refused(request, project, refusal: Refused):
    messages.error(request, refusal.message)
    return _back(project)


@login_required
@require_http_methods(["GET"])
def detail(request, pk: int):
    project = services.project_for_viewer(request.user, pk)
    return _detail_page(request, project)


def _detail_page(request, project, *, agreement_form=None, status=200):
    user = request.user
    agreement = services.agreement_in_force(project)
    confirmations = services.partner_confirmations(project, agreement)
    my_orgs = permissions.organisation_ids(user)
    is_lead = project.application.lead_id in my_orgs
    is_partner = not is_lead and bool(my_orgs & permissions.project_org_ids(project))
    may_upload = permissions.can_upload_agreement(user, project)
    context = {
        "project": project,
        "application": project.application,
        "call": project.application.call,
        "agreement": agreement,
        "confirmations": confirmations,
        "to_confirm": [row for row in confirmations if row.confirmation is None and row.participant.organisation_id in my_orgs],
        "is_lead": is_lead,
        # Partners see the account masked; the lead and the call's officials see it whole.
        "iban": rules.masked_iban(project.iban) if is_partner else rules.format_iban(project.iban),
        "may_answer": bool(permissions.can_answer_grant(user, project)),
        "may_give_account": bool(permissions.can_give_account(user, project)),
        "may_upload": bool(may_upload),
        "agreement_form": agreement_form or AgreementForm(),
        "error_items": error_items(agreement_form) if agreement_form is not None else [],
        "to_do": services.to_do(user, project, agreement, confirmations),
        "payments_paid": paid_context(user, project),
    }
    context.update(project_reports_context(user, project))
    context.update(services_requests.project_section(user, project))
    context.update(services_settlement.project_context(user, project))
    context.update(project_section(user, project))  # approved payment requests and their reductions (payments.services_review)
    return render(request, "projects/detail.html", context, status=status)


@login_required
@require_POST
def accept(request, pk: int):
    project = services.project_for_viewer(request.user, pk)
    try:
        services.accept(request.user, project.pk)
    except Refused as refusal:
        return _refused(request, project, refusal)
    messages.success(request, _("You accepted the grant and its terms."))
    return _back(project)


@login_required
@require_http_methods(["GET", "POST"])
def refuse(request, pk: int):
    project = services.project_for_viewer(request.user, pk)
    allowed = permissions.can_answer_grant(request.user, project)
    if not allowed:
        messages.error(request, allowed.reason)
        return _back(project)
    status = 200
    form = RefuseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.refuse(request.user, project.pk, form.cleaned_data["reason"])
            except Refused as refusal:
                if refusal.field != "reason":
                    return _refused(request, project, refusal)
                form.add_error("reason", refusal.message)
            else:
                messages.success(request, _("You refused the grant. The ministry has been told, and the amount is freed."))
                return _back(project)
        status = 400
    context = {"project": project, "application": project.application, "form": form, "error_items": error_items(form)}
    return render(request, "projects/refuse.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account(request, pk: int):
    project = services.project_for_viewer(request.user, pk)
    allowed = permissions.can_give_account(request.user, project)
    if not allowed:
        messages.error(request, allowed.reason)
        return _back(project)
    status = 200
    if request.method == "POST":
        form = AccountForm(request.POST)
        if form.is_valid():
            try:
                services.give_account(request.user, project.pk, form.cleaned_data["iban"], form.cleaned_data["bic"])
            except Refused as refusal:
                if refusal.field not in ("iban", "bic"):
                    return _refused(request, project, refusal)
                form.add_error(refusal.field, refusal.message)
            else:
                messages.success(request, _("The account was saved. The grant is paid to it."))
                return _back(project)
        status = 400
    else:
        form = AccountForm(initial={"iban": rules.format_iban(project.iban), "bic": project.bic})
    context = {"project": project, "application": project.application, "form": form, "error_items": error_items(form)}
    return render(request, "projects/account.html", context, status=status)


@login_required
@require_POST
def agreement(request, pk: int):
    project = services.project_for_viewer(request.user, pk)
    allowed = permissions.can_upload_agreement(request.user, project)
    if not allowed:
        messages.error(request, allowed.reason)
        return _back(project)
    form = AgreementForm(request.POST, request.FILES)
    if upload_too_large(request):  # stopped at the size limit, unread (kuntadigi/core/uploads.py)
        from kuntadigi.applications import drafting

        form.refuse_file(drafting.too_large_message())
        return _detail_page(request, project, agreement_form=form, status=413)
    if form.is_valid():
        try:
            uploaded = services.upload_agreement(request.user, project.pk, form.cleaned_data["file"])
        except Refused as refusal:
            if refusal.field != "file":
                return _refused(request, project, refusal)
            form.add_error("file", refusal.message)
        else:
            messages.success(request, _("%(name)s was uploaded. The partners can now confirm it.") % {"name": uploaded.original_name})
            return _back(project)
    return _detail_page(request, project, agreement_form=form, status=400)


@login_required
@require_http_methods(["GET"])
def agreement_download(request, pk: int, agreement_pk: int):
    project = services.project_for_viewer(request.user, pk)
    item = get_object_or_404(PartnerAgreement, pk=agreement_pk, project=project)
    record_read(request.user, project.application, "project_agreement", item, name=item.original_name, sha256=item.sha256)
    return files.download(item)


@login_required
@require_POST
def confirm(request, pk: int):
    project = services.project_for_viewer(request.user, pk)
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    try:
        services.confirm_agreement(request.user, project.pk, organisation_id)
    except Refused as refusal:
        return _refused(request, project, refusal)
    messages.success(request, _("Your organisation confirmed the agreement."))
    return _back(project)
