"""The officials' settlement page of a funded project: the figures, the settlement decision's draft (the
one decision path, kuntadigi.decisions), the returns of an excess and closing. Views parse, call
services_settlement, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.decisions import services_project_decisions as decisions
from kuntadigi.decisions.forms_project_decisions import ProjectDecisionForm, ReturnForm
from kuntadigi.decisions.models import ProjectDecision
from kuntadigi.decisions.views_project_decisions import add_refusal, error_items, people
from kuntadigi.mfa.stepup import step_up_required

from . import services_settlement as services
from .models import FundedProject


def _project(user, pk: int) -> FundedProject:
    project = FundedProject.objects.select_related("application__call", "application__lead", "decision").filter(pk=pk).first()
    if project is None or not permissions.can_view_project_decisions(user, project):
        raise Http404
    return project


def _page(request, project, *, form=None, return_form=None, status=200):
    settlement = services.settlement_of(project)
    allowed = permissions.can_prepare_project_decision(request.user, project)
    why_not = services.why_not_settleable(project)
    if form is None and allowed and not why_not:
        initial = ProjectDecisionForm.initial_from(decisions.defaults_for(project, ProjectDecision.Kind.SETTLEMENT, request.user))
        form = ProjectDecisionForm(initial=initial, **people(project.application.call))
    signed = settlement is not None and settlement.decision.state == ProjectDecision.State.SIGNED
    may_record = signed and settlement.balance < 0 and services.still_to_return(settlement) > 0 and bool(permissions.can_record_return(request.user, project))
    context = {
        "project": project,
        "application": project.application,
        "call": project.application.call,
        "settlement": settlement,
        "signed": signed,
        "figures": services.settlement_facts(project) if not signed else settlement.decision.facts,
        "form": form if allowed and not why_not else None,
        "refusal": "" if allowed else allowed.reason,
        "why_not": why_not,
        "return_form": return_form or (ReturnForm() if may_record else None),
        "still_to_return": services.still_to_return(settlement) if settlement else None,
        "why_not_closable": services.why_not_closable(project, settlement) if signed else "",
        "may_close": signed and project.state == "settled" and bool(permissions.can_close_project(request.user, project)),
        "balance_payment": services.balance_payment(project),
        "error_items": (error_items(form) if form is not None and form.is_bound else []) + (error_items(return_form) if return_form is not None else []),
    }
    return render(request, "projects/settlement_prepare.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def prepare(request, pk: int):
    project = _project(request.user, pk)
    if request.method == "GET":
        return _page(request, project)
    form = ProjectDecisionForm(request.POST, **people(project.application.call))
    if form.is_valid():
        try:
            decision = services.prepare_settlement(request.user, project.pk, form.decision_data())
        except Refused as refused:
            add_refusal(form, refused)
        else:
            messages.success(request, _("The draft settlement decision was saved. Check the preview before it is signed."))
            return redirect("decisions:project_decision", pk=project.pk, decision_pk=decision.pk)
    return _page(request, project, form=form, status=400)


@login_required
@require_POST
@step_up_required(methods=("POST",))  # the project's money: the second factor again
def record_return(request, pk: int):
    project = _project(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.record_return(request.user, project.pk, form.cleaned_data["returned_on"], form.cleaned_data["amount"])
        except Refused as refused:
            if refused.field in form.fields:
                form.add_error(refused.field, refused.message)
            else:
                messages.error(request, refused.message)
                return redirect("settlement:prepare", pk=project.pk)
        else:
            messages.success(request, _("The return was recorded."))
            return redirect("settlement:prepare", pk=project.pk)
    return _page(request, FundedProject.objects.get(pk=project.pk), return_form=form, status=400)


@login_required
@require_POST
@step_up_required(methods=("POST",))  # the project's money: the second factor again
def close(request, pk: int):
    project = _project(request.user, pk)
    try:
        services.close(request.user, project.pk)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The project was closed."))
    return redirect("settlement:prepare", pk=project.pk)
