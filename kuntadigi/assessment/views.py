"""Assessment pages: the assessor's ties, queue and scoring page; the preparers' assignments; the
results for the call's officials. Views stay thin: find what the user may see (404 otherwise), call a
service, then render or redirect (POST-redirect-GET)."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application, Participant
from kuntadigi.applications.submission import content_view
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import CallRole, Criterion
from kuntadigi.registry.models import Organisation

from . import queries, rules, services
from .forms import PER_APPLICATION_DEFAULT, ScoresForm, SpreadForm, TieForm
from .models import Assignment, Score, Tie

PAGE_SIZE = 50


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _form_error_items(form) -> list[tuple[str, str]]:
    items = [("main", message) for message in form.non_field_errors()]
    for name, field in form.fields.items():
        anchor = f"{form[name].auto_id}_0" if name == "kind" else form[name].auto_id
        if field.widget.is_hidden:
            anchor = "main"
        items.extend((anchor, message) for message in form.errors.get(name, []))
    return items


# ── The assessor's ties ─────────────────────────────────────────────────────


def _require_assessor(user) -> None:
    if not permissions.is_assessor(user):
        raise Http404


def _require_tie_declarer(user) -> None:
    """Assessors, presenting officials and decision-makers keep their declared ties."""
    if not permissions.can_declare_ties(user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def ties(request):
    user = request.user
    _require_tie_declarer(user)
    form = TieForm()
    matches: list[Organisation] = []
    chosen_kind = ""
    if request.method == "POST":
        form = TieForm(request.POST)
        organisation = None
        if request.POST.get("organisation_id"):
            # A suggestion chosen from the results: the kind and note come along as hidden fields.
            organisation = Organisation.objects.filter(pk=_int(request.POST["organisation_id"]), is_active=True).first()
            form = TieForm({**request.POST.dict(), "organisation": organisation.name if organisation else ""})
        valid = form.is_valid()
        typed = form.cleaned_data.get("organisation")
        if organisation is None and typed:
            found = services.find_organisation(typed)
            if found.exact:
                organisation = found.exact
            elif found.matches:
                matches = found.matches
                chosen_kind = form.cleaned_data.get("kind", "")
            else:
                form.add_error("organisation", _("No organisation matches “%(text)s”.") % {"text": typed})
        if valid and organisation is not None and not form.errors:
            try:
                services.declare_tie(user, organisation, form.cleaned_data["kind"], form.cleaned_data["note"])
            except Refused as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            else:
                messages.success(
                    request,
                    _("Your tie to %(name)s was recorded. You will not be given its applications to assess.") % {"name": organisation.name},
                )
                return redirect("assessment:ties")
    declared = list(Tie.objects.filter(assessor=user).select_related("organisation").order_by("organisation__name_fi", "kind"))
    context = {
        "form": form,
        "is_assessor": permissions.is_assessor(user),
        "error_items": _form_error_items(form),
        "declared": declared,
        "matches": matches,
        "chosen_kind": chosen_kind,
        "options": [services.organisation_label(org) for org in Organisation.objects.filter(is_active=True).order_by("name_fi")],
    }
    return render(request, "assessment/ties.html", context)


@login_required
@require_POST
def remove_tie(request, pk: int):
    _require_tie_declarer(request.user)
    try:
        tie = services.remove_tie(request.user, pk)
    except Tie.DoesNotExist:
        raise Http404 from None
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Your tie to %(name)s was removed.") % {"name": tie.organisation.name})
    return redirect("assessment:ties")


# ── The assessor's queue ────────────────────────────────────────────────────

# The queue's filter by the assessor's own state: not yet submitted (not started or a draft), or submitted.
QUEUE_STATES = {"to_score": gettext_lazy("To score"), "submitted": gettext_lazy("Scored and submitted")}


@login_required
def queue(request):
    user = request.user
    _require_assessor(user)
    # The calls in which the user is an assessor, the current one first (the queue's filter lists them).
    roles = CallRole.objects.filter(user=user, role=CallRole.Role.ASSESSOR).select_related("call").order_by("-call__closes_at", "call_id")
    calls = [role.call for role in roles]
    assessor_calls = {call.pk for call in calls}
    my_ties = list(Tie.objects.filter(assessor=user).select_related("organisation"))
    tie_org_ids = {tie.organisation_id for tie in my_ties}
    # Assignments the assessor can no longer open: tied to a participant, or no longer an assessor of the call.
    blocked_assignments = list(
        Assignment.objects.filter(assessor=user)
        .filter(Q(application__participants__organisation_id__in=tie_org_ids) | ~Q(application__call_id__in=assessor_calls))
        .distinct()
        .select_related("application__call")
        .prefetch_related(Prefetch("application__participants", queryset=Participant.objects.only("id", "application_id", "organisation_id")))
        .order_by("application__reference")
    )
    facts = [queries.tie_fact(tie) for tie in my_ties]
    blocked = []
    for assignment in blocked_assignments:
        application = assignment.application
        if application.call_id not in assessor_calls:
            reason = _("You are not an assessor in this call.")
        else:
            reason = rules.conflict_check(facts, {p.organisation_id for p in application.participants.all()}).reason
        blocked.append({"assignment": assignment, "reason": reason})
    # The current call first (the one that closed last), then what is still to score.
    assignments = (
        Assignment.objects.filter(assessor=user)
        .exclude(pk__in=[a.pk for a in blocked_assignments])
        .select_related("application__call", "application__lead")
        .annotate(score_count=Count("scores"))
        .order_by("-application__call__closes_at", "application__call_id", F("submitted_at").asc(nulls_first=True), "application__reference", "pk")
    )
    call_filter = _int(request.GET.get("call"))
    if call_filter not in {call.pk for call in calls}:
        call_filter = None
    state_filter = request.GET.get("state", "")
    if state_filter not in QUEUE_STATES:
        state_filter = ""
    if call_filter:
        assignments = assignments.filter(application__call_id=call_filter)
    if state_filter:
        assignments = assignments.filter(submitted_at__isnull=state_filter == "to_score")
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    for assignment in page.object_list:
        assignment.state = services.assignment_state(assignment, assignment.score_count)
    query = urlencode({key: value for key, value in (("call", call_filter or ""), ("state", state_filter)) if value})
    context = {
        "page": page,
        "blocked": blocked,
        "has_ties": bool(my_ties),
        "calls": calls,
        "call_filter": call_filter,
        "states": [(value, label) for value, label in QUEUE_STATES.items()],
        "state_filter": state_filter,
        "query": query,
        "filtered": bool(call_filter or state_filter),
    }
    return render(request, "assessment/queue.html", context)


# ── Scoring ─────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def score(request, assignment_pk: int):
    user = request.user
    assignment = queries.assignment_for_assessor(user, assignment_pk)
    application = assignment.application
    call = application.call
    criteria = list(Criterion.objects.filter(call=call).order_by("order", "pk"))
    own = {s.criterion_id: s for s in Score.objects.filter(assignment=assignment)}
    if request.method == "POST":
        if assignment.submitted_at:
            messages.error(request, _("You have submitted your assessment: it can no longer be changed."))
            return redirect("assessment:score", assignment_pk=assignment.pk)
        final = request.POST.get("action") == "submit"
        form = ScoresForm(criteria, call.score_min, call.score_max, data=request.POST)
        if form.is_valid():
            try:
                services.save_scores(user, assignment.pk, form.entries, final=final)
            except services.InvalidScores as invalid:
                form.add_problems(invalid.problems)
            except Refused as refusal:
                messages.error(request, refusal.message)
                return redirect("assessment:score", assignment_pk=assignment.pk)
            else:
                if final:
                    messages.success(request, _("Your assessment was submitted. You can now see the other assessors' submitted assessments."))
                else:
                    messages.success(request, _("Your assessment was saved as a draft. Submit it when it is ready."))
                return redirect("assessment:score", assignment_pk=assignment.pk)
        else:
            # Show every problem at once, not only the scores that were not numbers.
            form.add_problems(rules.check_scores([c.pk for c in criteria], form.entries, call.score_min, call.score_max, final=final))
    else:
        form = ScoresForm(criteria, call.score_min, call.score_max, initial=own)
        record_read(user, application, "assessment_page", as_official=True)  # the page shows the submitted application
    submission = application.submissions.filter(withdrawn_at__isnull=True).order_by("-number").first()
    others = services.others_submitted(assignment)
    context = {
        "assignment": assignment,
        "application": application,
        "call": call,
        "submission": submission,
        "content": content_view(submission.content, call) if submission else None,
        "form": form,
        "rows": form.rows(),
        "error_items": form.error_items(),
        "own": own,
        "criteria": criteria,
        "others": others,
        "state": services.assignment_state(assignment, len(own)),
    }
    return render(request, "assessment/score.html", context)


# ── Assignments (preparers) ─────────────────────────────────────────────────


def _back(request, call) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("assessment:assignments", args=[call.slug])


@login_required
def assignments(request, call_slug: str):
    call = queries.call_for(request.user, call_slug, permissions.can_assign_assessors)
    applications = list(
        Application.objects.filter(Q(call=call) & (Q(state__in=services.ASSIGNABLE_STATES) | Q(assignments__isnull=False)))
        .distinct()
        .select_related("lead")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("organisation").order_by("role", "pk")),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("assessor").annotate(score_count=Count("scores")).order_by("assigned_at", "pk"),
            ),
        )
        .order_by("reference")
    )
    assessors = queries.call_assessors(call)
    ties = queries.ties_by_assessor(a.pk for a in assessors)
    facts = {a.pk: [queries.tie_fact(t) for t in ties.get(a.pk, [])] for a in assessors}
    load: dict[int, int] = defaultdict(int)
    submitted: dict[int, int] = defaultdict(int)
    rows = []
    for application in applications:
        org_ids = {p.organisation_id for p in application.participants.all()}
        taken = set()
        current = []
        for assignment in application.assignments.all():
            taken.add(assignment.assessor_id)
            load[assignment.assessor_id] += 1
            submitted[assignment.assessor_id] += bool(assignment.submitted_at)
            answer = rules.conflict_check(facts.get(assignment.assessor_id, []), org_ids, assessor_name=queries.display_name(assignment.assessor))
            current.append(
                {
                    "assignment": assignment,
                    "name": queries.display_name(assignment.assessor),
                    "state": services.assignment_state(assignment, assignment.score_count),
                    "conflict": "" if answer else answer.reason,
                }
            )
        choices = []
        for assessor in assessors:
            if assessor.pk in taken:
                continue
            clashing = rules.conflicts({f.organisation_id for f in facts[assessor.pk]}, org_ids)
            tied = ", ".join(sorted({f.organisation_name for f in facts[assessor.pk] if f.organisation_id in clashing}))
            choices.append({"pk": assessor.pk, "name": queries.display_name(assessor), "tied": tied})
        rows.append({"application": application, "assignments": current, "choices": choices, "assignable": application.state in services.ASSIGNABLE_STATES})
    assessor_rows = [
        {"assessor": a, "name": queries.display_name(a), "ties": ties.get(a.pk, []), "load": load[a.pk], "submitted": submitted[a.pk]} for a in assessors
    ]
    context = {
        "call": call,
        "rows": rows,
        "assessor_rows": assessor_rows,
        "spread_form": SpreadForm(initial={"per_application": PER_APPLICATION_DEFAULT}),
        "may_view_results": permissions.can_view_assessment_results(request.user, call),
        "eligible_count": sum(1 for a in applications if a.state == State.ELIGIBLE),
        "unscreened_count": sum(1 for a in applications if a.state == State.SUBMITTED),
    }
    return render(request, "assessment/assignments.html", context)


@login_required
@require_POST
def assign(request, call_slug: str):
    call = queries.call_for(request.user, call_slug, permissions.can_assign_assessors)
    application = get_object_or_404(Application, pk=_int(request.POST.get("application")), call=call)
    assessor_pk = _int(request.POST.get("assessor"))
    if assessor_pk is None:
        messages.error(request, _("Choose one of the call's assessors."))
        return redirect(_back(request, call))
    try:
        assignment = services.assign(request.user, application.pk, assessor_pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(name)s will assess %(reference)s.") % {"name": queries.display_name(assignment.assessor), "reference": application.reference},
        )
    return redirect(_back(request, call))


@login_required
@require_POST
def unassign(request, call_slug: str, pk: int):
    call = queries.call_for(request.user, call_slug, permissions.can_assign_assessors)
    assignment = get_object_or_404(Assignment.objects.select_related("assessor", "application"), pk=pk, application__call=call)
    try:
        services.unassign(request.user, assignment.pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(name)s no longer assesses %(reference)s.")
            % {"name": queries.display_name(assignment.assessor), "reference": assignment.application.reference},
        )
    return redirect(_back(request, call))


@login_required
@require_POST
def spread(request, call_slug: str):
    call = queries.call_for(request.user, call_slug, permissions.can_assign_assessors)
    form = SpreadForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("assessment:assignments", call_slug=call.slug)
    try:
        outcome = services.spread(request.user, call, form.cleaned_data["per_application"], include_unscreened=form.cleaned_data["include_unscreened"])
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("assessment:assignments", call_slug=call.slug)
    messages.success(
        request,
        _("New assignments: %(created)d (applications considered: %(applications)d).") % {"created": len(outcome.created), "applications": outcome.considered},
    )
    for application, missing in outcome.short:
        messages.warning(
            request,
            _("%(reference)s: assessors missing: %(missing)d. There are not enough assessors without ties to its organisations.")
            % {"reference": application.reference, "missing": missing},
        )
    return redirect("assessment:assignments", call_slug=call.slug)


# ── Results (the call's officials) ──────────────────────────────────────────


@login_required
def results(request, call_slug: str):
    call = queries.call_for(request.user, call_slug, permissions.can_view_assessment_results)
    criteria = list(Criterion.objects.filter(call=call).order_by("order", "pk"))
    summaries = services.scores_for_call(call)
    applications = list(Application.objects.filter(pk__in=list(summaries)).select_related("lead").order_by("reference"))
    rows = []
    for application in applications:
        summary = summaries[application.pk]
        if not summary.assigned and application.state not in services.ASSIGNABLE_STATES:
            continue
        means = summary.means_display
        rows.append(
            {
                "application": application,
                "summary": summary,
                "means": [{"criterion": c, "mean": means.get(c.pk), "flagged": c.pk in summary.flagged_criteria} for c in criteria],
            }
        )
    order = request.GET.get("order", "reference")
    if order == "score":
        rows.sort(key=lambda r: (r["summary"].weighted is None, -(r["summary"].weighted or 0), r["application"].reference))
    context = {
        "call": call,
        "criteria": criteria,
        "rows": rows,
        "order": order,
        "may_assign": permissions.can_assign_assessors(request.user, call),
        "flagged_count": sum(1 for r in rows if r["summary"].flagged),
    }
    return render(request, "assessment/results.html", context)
