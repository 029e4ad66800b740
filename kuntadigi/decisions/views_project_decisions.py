"""Pages of decisions on funded projects: a draft's preview and its PDF, signing, the signed document for
the project's people, and preparing a payment-reduction decision. Views parse, call
services_project_decisions (and the kind's own service), render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import CallRole
from kuntadigi.mfa.stepup import step_up_required

from . import kind_payment_reduction, project_kinds
from . import services_project_decisions as services
from .forms_project_decisions import ProjectDecisionForm
from .models import ProjectDecision
from .services_decisions import DocumentTampered


def people(call) -> dict:
    users = get_user_model().objects.filter(is_active=True)
    return {
        "presenters": users.filter(call_roles__call=call, call_roles__role=CallRole.Role.PRESENTER).distinct().order_by("full_name", "email"),
        "decision_makers": users.filter(call_roles__call=call, call_roles__role=CallRole.Role.DECISION_MAKER).distinct().order_by("full_name", "email"),
    }


def error_items(form) -> list[tuple[str, str]]:
    items = []
    for name, errors in form.errors.items():
        anchor = form[name].auto_id if name in form.fields else "decision-form"
        items += [(anchor, str(error)) for error in errors]
    return items


def add_refusal(form, refused: Refused) -> None:
    for problem in refused.problems or []:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)
    if not refused.problems:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)


def _context(request, decision: ProjectDecision) -> dict:
    project = decision.project
    spec = project_kinds.kind(decision.kind)
    may_sign = permissions.can_sign_project_decision(request.user, decision)
    draft = decision.state == ProjectDecision.State.DRAFT
    return {
        "project": project,
        "application": project.application,
        "call": project.application.call,
        "decision": decision,
        "kind_title": spec.title,
        "doc": services.document_for(decision),
        "preview_ready": draft and services.preview_ready(decision),
        "may_prepare": draft and bool(permissions.can_prepare_project_decision(request.user, project)),
        "prepare_url": spec.prepare_url(decision),
        "may_sign": draft and bool(may_sign),
        "sign_refusal": "" if may_sign else may_sign.reason,
    }


@login_required
@require_http_methods(["GET"])
def project_decision(request, pk: int, decision_pk: int):
    decision = services.decision_for_official(request.user, pk, decision_pk)
    context = _context(request, decision)
    record_read(request.user, decision.project.application, "project_decision_preview", decision, as_official=True)
    return render(request, "decisions/project/preview.html", context)


@login_required
@require_http_methods(["GET"])
def project_decision_preview_pdf(request, pk: int, decision_pk: int):
    decision = services.decision_for_official(request.user, pk, decision_pk)
    if decision.state == ProjectDecision.State.SIGNED:
        return redirect("decisions:project_decision_document", pk=pk, decision_pk=decision.pk)
    if not services.preview_ready(decision):
        messages.info(request, _("The preview PDF is being prepared. Try again in a moment."))
        return redirect("decisions:project_decision", pk=pk, decision_pk=decision.pk)
    with decision.preview.open("rb") as handle:
        data = handle.read()
    record_read(request.user, decision.project.application, "project_decision_preview_pdf", decision, as_official=True)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.pdf_filename(decision)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@step_up_required  # signing a decision on money asks for the second factor again when it is not fresh
def project_decision_sign(request, pk: int, decision_pk: int):
    decision = services.decision_for_official(request.user, pk, decision_pk)
    if request.method == "POST":
        try:
            services.sign(request.user, decision.pk)
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The decision was signed. Its document is stored and the project's people are notified."))
        return redirect("decisions:project_decision", pk=pk, decision_pk=decision.pk)
    if decision.state == ProjectDecision.State.SIGNED:
        messages.info(request, _("The decision has already been signed."))
        return redirect("decisions:project_decision", pk=pk, decision_pk=decision.pk)
    return render(request, "decisions/project/sign.html", _context(request, decision))


@login_required
@require_http_methods(["GET"])
def project_decision_document(request, pk: int, decision_pk: int):
    """The signed decision as PDF, after checking its SHA-256: the project's people and the call's officials."""
    from kuntadigi.projects.models import FundedProject

    project = get_object_or_404(FundedProject.objects.select_related("application__call"), pk=pk)
    if not permissions.can_download_project_decision(request.user, project):
        raise Http404
    decision = ProjectDecision.objects.filter(pk=decision_pk, project=project, state=ProjectDecision.State.SIGNED).exclude(document_sha256="").first()
    if decision is None:
        raise Http404
    try:
        data = services.document_bytes(decision)
    except DocumentTampered:
        html = render_to_string("decisions/document_unavailable.html", {"application": project.application}, request=request)
        return HttpResponse(html, status=500)
    record_read(request.user, project.application, "project_decision_pdf", decision)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.pdf_filename(decision)}"'
    response["X-Content-SHA256"] = decision.document_sha256
    return response


# ── Preparing a payment-reduction decision ──────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def payment_reduction_prepare(request, request_pk: int):
    """The officials' page for the draft of a payment-reduction decision on an approved request."""
    from kuntadigi.payments.models import PaymentRequest

    payment_request = get_object_or_404(
        PaymentRequest.objects.select_related("project__application__call", "project__decision", "reduction_decision"), pk=request_pk
    )
    project = payment_request.project
    if not permissions.can_view_project_decisions(request.user, project):
        raise Http404
    allowed = permissions.can_prepare_project_decision(request.user, project)
    why_not = kind_payment_reduction.why_not_reducible(payment_request)
    kind = ProjectDecision.Kind.PAYMENT_REDUCTION
    form = None
    if allowed and not why_not:
        if request.method == "POST":
            form = ProjectDecisionForm(request.POST, **people(project.application.call))
            if form.is_valid():
                try:
                    decision = kind_payment_reduction.prepare_payment_reduction(request.user, payment_request.pk, form.decision_data())
                except Refused as refused:
                    add_refusal(form, refused)
                else:
                    messages.success(request, _("The draft decision was saved. Check the preview before it is signed."))
                    return redirect("decisions:project_decision", pk=project.pk, decision_pk=decision.pk)
        else:
            initial = ProjectDecisionForm.initial_from(services.defaults_for(project, kind, request.user, payment_request))
            form = ProjectDecisionForm(initial=initial, **people(project.application.call))
    elif request.method == "POST":
        messages.error(request, allowed.reason if not allowed else why_not)
    facts = kind_payment_reduction.reduction_facts(project, payment_request) if not why_not or payment_request.reduction_decision_id else None
    context = {
        "project": project,
        "application": project.application,
        "call": project.application.call,
        "payment_request": payment_request,
        "facts": facts,
        "form": form,
        "refusal": "" if allowed else allowed.reason,
        "why_not": why_not,
        "error_items": error_items(form) if form is not None and form.is_bound else [],
        "language": services.language_of(project),
    }
    return render(request, "decisions/project/payment_reduction_prepare.html", context)
