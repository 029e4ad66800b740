"""The ranked list of a call, proposed amounts, the allocation helper, finalising, and exports.

Views stay thin: find the call (404 for everyone but the call's preparers, presenter and
decision-maker), call a service from services_ranking.py, then render or redirect (POST-redirect-GET).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import RECEIVED_STATES, State
from kuntadigi.applications.models import Application, Participant
from kuntadigi.calls.models import Call

from . import allocation, exports, services_ranking
from .forms_ranking import ProposalForm
from .models import Allocation, Proposal

PAGE_SIZE = 50


def _call_for(user, slug: str) -> Call:
    call = get_object_or_404(Call, slug=slug)
    if not permissions.can_view_ranking(user, call):
        raise Http404
    return call


def _with_partners(applications) -> None:
    prefetch_related_objects(
        list(applications),
        Prefetch("participants", queryset=Participant.objects.filter(role=Participant.Role.PARTNER).select_related("organisation"), to_attr="partner_list"),
    )


def _back_to_ranking(call: Call):
    return redirect("decisions:ranking", call_slug=call.slug)


@login_required
def ranking(request, call_slug: str):
    call = _call_for(request.user, call_slug)
    # The allocation line needs the whole call in rank order (narrow rows); full rows only for the page.
    result, entries = services_ranking.ranking_overview(call)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = services_ranking.rows_for(call, result, page.start_index() - 1 if entries else 0, list(page.object_list))
    context = {
        "call": call,
        "ranking": result,
        "page": page,
        "line_index": result.plan.line_index,
        "rule": allocation.RULE,
        "tie_break": allocation.TIE_BREAK,
        "can_propose": permissions.can_propose_amounts(request.user, call).allowed,
    }
    return render(request, "decisions/ranking.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def proposal(request, call_slug: str, pk: int):
    call = _call_for(request.user, call_slug)
    # Only a submitted application: a draft is the applicant's own (permissions.can_read_as_ministry).
    application = get_object_or_404(Application.objects.select_related("lead"), pk=pk, call=call, state__in=RECEIVED_STATES)
    current = Proposal.objects.filter(application=application).select_related("proposed_by").first()
    can_propose = permissions.can_propose_amounts(request.user, call)
    if request.method == "POST":
        form = ProposalForm(request.POST)
        if form.is_valid():
            try:
                services_ranking.propose(request.user, call, application.pk, form.cleaned_data["amount"], form.cleaned_data["reason"])
            except Refused as refusal:
                if not refusal.problems:
                    messages.error(request, refusal.message)
                    return redirect("decisions:ranking_proposal", call_slug=call.slug, pk=application.pk)
                for problem in refusal.problems:
                    form.add_error(problem.field if problem.field in form.fields else None, str(problem.message))
            else:
                messages.success(request, _("Proposed amount saved for %(reference)s.") % {"reference": application.reference})
                return _back_to_ranking(call)
    else:
        initial = {"amount": current.amount, "reason": current.reason} if current else {"amount": application.requested_grant}
        form = ProposalForm(initial=initial)
    _with_partners([application])
    locked = Allocation.objects.filter(call=call).exists()
    context = {
        "call": call,
        "application": application,
        "proposal": current,
        "score": services_ranking.scores_for_call(call).get(application.pk),
        "form": form,
        "error_items": _error_items(form),
        "rankable": application.state == State.ELIGIBLE,
        "decided": application.state in (State.GRANTED, State.NOT_GRANTED),
        "can_propose": can_propose.allowed and not locked,
        "locked": locked,
    }
    return render(request, "decisions/ranking_proposal.html", context)


def _error_items(form) -> list[tuple[str, str]]:
    items = [("main", message) for message in form.non_field_errors()]
    for name in form.fields:
        items.extend((form[name].auto_id, message) for message in form.errors.get(name, []))
    return items


@login_required
@require_POST
def propose_requested(request, call_slug: str):
    call = _call_for(request.user, call_slug)
    try:
        count = services_ranking.propose_requested_for_all(request.user, call)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            ngettext(
                "The amount applied for was proposed for %(count)d application.",
                "The amounts applied for were proposed for %(count)d applications.",
                count,
            )
            % {"count": count},
        )
    return _back_to_ranking(call)


@login_required
@require_http_methods(["GET", "POST"])
def fill(request, call_slug: str):
    call = _call_for(request.user, call_slug)
    if request.method == "POST":
        try:
            result = services_ranking.apply_fill(request.user, call)
        except Refused as refusal:
            messages.error(request, refusal.message)
            return _back_to_ranking(call)
        messages.success(
            request,
            _("The appropriation was filled in rank order. Funded: %(funded)d; not funded: %(not_funded)d; proposed amounts changed: %(changed)d.")
            % {"funded": result.funded, "not_funded": result.not_funded, "changed": result.changed},
        )
        return _back_to_ranking(call)
    preview = services_ranking.fill_preview(call)
    changing = {row.application.pk: amount for row, amount in preview.changes}
    lines = [(row, changing.get(row.application.pk)) for row in preview.rows]
    context = {
        "call": call,
        "preview": preview,
        "lines": lines,
        "line_index": preview.plan.line_index,
        "rule": allocation.RULE,
        "can_propose": permissions.can_propose_amounts(request.user, call).allowed,
        "locked": Allocation.objects.filter(call=call).exists(),
    }
    return render(request, "decisions/ranking_fill.html", context)


@login_required
@require_POST
def finalise(request, call_slug: str):
    call = _call_for(request.user, call_slug)
    try:
        services_ranking.finalise(request.user, call)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The allocation was finalised. The proposed amounts are now locked."))
    return _back_to_ranking(call)


@login_required
@require_POST
def unfinalise(request, call_slug: str):
    call = _call_for(request.user, call_slug)
    try:
        services_ranking.unfinalise(request.user, call)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The allocation was un-finalised. The proposed amounts can be changed again."))
    return _back_to_ranking(call)


def _export(request, call_slug: str, extension: str, content_type: str, build):
    call = _call_for(request.user, call_slug)
    result = services_ranking.ranking_for(call)
    _with_partners(row.application for row in result.rows)
    response = HttpResponse(build(result), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(result, extension)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def export_xlsx(request, call_slug: str):
    return _export(request, call_slug, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx)


@login_required
def export_csv(request, call_slug: str):
    return _export(request, call_slug, "csv", "text/csv; charset=utf-8", exports.to_csv)
