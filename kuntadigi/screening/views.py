"""The officials' screening pages: the call's received applications with the automatic checks, and
the official's page of one application (content, versions and what changed, checks, the mark,
requests for supplement, the audit trail). Views stay thin: the services and rules do the work."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kuntadigi import clock, permissions
from kuntadigi.applications import exports
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import RECEIVED_STATES, State
from kuntadigi.applications.models import Application, Participant, Submission
from kuntadigi.applications.parties import participant_parties
from kuntadigi.applications.search import SearchForm, search_applications
from kuntadigi.applications.submission import content_view
from kuntadigi.applications.views_drafting import error_items
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import Call

from . import diff, rules, services, timeline
from .forms import BulkMarkForm, MarkForm, SupplementRequestForm
from .models import Screening

PAGE_SIZE = 25
FLAG_CHOICES = ("any", "none", *rules.CHECK_CODES)


# ── The call's received applications ────────────────────────────────────────


def _screening_call(user, call_slug: str) -> Call:
    call = get_object_or_404(Call, slug=call_slug)
    if not permissions.can_view_screening(user, call):
        raise Http404
    return call


def _screening_applications(call: Call, query) -> tuple:
    """The call's received applications as the list's filters and search choose them, with the call's rules."""
    state = query.get("state", "")
    if state not in RECEIVED_STATES:
        state = ""
    flag = query.get("flag", "")
    if flag not in FLAG_CHOICES:
        flag = ""
    form = SearchForm(query)
    text = form.text()
    call_data = services.call_rules(call)
    applications = services.received_applications(call, state or None)
    if flag:  # filtered in the database by the stored results of the checks (brought up to date first)
        services.refresh_check_results(call, call_data)
        applications = services.filter_by_checks(applications, flag)
    applications = search_applications(applications, text)
    chosen = {key: value for key, value in (("state", state), ("flag", flag), ("q", text)) if value}
    return applications, chosen, form, call_data


def _list_context(request, call: Call, *, bulk_form=None, failures=None) -> dict:
    prefetch_related_objects([call], "exclusions")  # read by the checks and by the mark's conditions: one query
    applications, chosen, form, call_data = _screening_applications(call, request.GET)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = services.screening_rows(page.object_list, call_data)
    bulk_decision = permissions.can_screen_in_call(request.user, call)
    if bulk_form is None and bulk_decision:
        bulk_form = BulkMarkForm(condition_facts=services.condition_facts(call))
    picked = set(bulk_form["applications"].value() or []) if bulk_form is not None and bulk_form.is_bound else set()
    return {
        "call": call,
        "page": page,
        "rows": page.object_list,
        "state": chosen.get("state", ""),
        "flag": chosen.get("flag", ""),
        "search_form": form,
        "states": [(value, label) for value, label in State.choices if value in RECEIVED_STATES],
        "flags": [("any", _("Some check flags it")), ("none", _("Every check passes"))] + [(code, rules.CHECK_LABELS[code]) for code in rules.CHECK_CODES],
        "query": urlencode(chosen),
        "page_query": urlencode({**chosen, **({"page": page.number} if page.number > 1 else {})}),
        "user_roles": permissions.call_roles(request.user, call),
        "phase": call.phase(clock.now()),
        "bulk_form": bulk_form if bulk_decision else None,
        "picked": {str(pk) for pk in picked},
        "failures": failures or [],
        "error_items": error_items(bulk_form if bulk_form is not None and bulk_form.is_bound else None),
    }


@login_required
@require_GET
def screening_list(request, call_slug: str):
    call = _screening_call(request.user, call_slug)
    return render(request, "screening/list.html", _list_context(request, call))


@login_required
@require_GET
def screening_list_export(request, call_slug: str, fmt: str):
    """The list as filtered (every page) as CSV or XLSX."""
    call = _screening_call(request.user, call_slug)
    applications, _chosen, _form, _call_data = _screening_applications(call, request.GET)
    return exports.response(request.user, call, applications.prefetch_related(None), fmt, list_name="screening")


@login_required
@require_POST
def bulk_mark(request, call_slug: str):
    """The same mark with one shared reason for the applications ticked on the list: all of them or none."""
    call = _screening_call(request.user, call_slug)
    back = reverse("screening:list", args=[call.slug]) + (f"?{request.GET.urlencode()}" if request.GET else "")
    decision = permissions.can_screen_in_call(request.user, call)
    if not decision:
        messages.error(request, decision.reason)
        return redirect(back)
    form = BulkMarkForm(request.POST, condition_facts=services.condition_facts(call))
    failures = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            screenings = services.mark_applications(request.user, call, data["applications"], data["outcome"], data["reason"], data["failed_conditions"])
        except services.BatchRefused as refusal:
            failures = refusal.failures
            messages.error(request, refusal.message)
        except Refused as refusal:
            if not _refused_into_form(form, refusal):
                form.add_error(None, refusal.message)
        else:
            outcome = screenings[0].get_outcome_display()
            count = len(screenings)
            messages.success(
                request,
                ngettext("%(count)d application was marked %(outcome)s.", "%(count)d applications were marked %(outcome)s.", count)
                % {"count": count, "outcome": outcome},
            )
            return redirect(back)
    return render(request, "screening/list.html", _list_context(request, call, bulk_form=form, failures=failures))


# ── The official's page of one application ──────────────────────────────────


def _application_for_official(user, pk: int) -> Application:
    application = get_object_or_404(Application.objects.select_related("call", "lead"), pk=pk)
    if application.state not in RECEIVED_STATES or not permissions.can_view_official_application(user, application):
        raise Http404
    return application


def _version_pair(versions: list[Submission], query) -> tuple[Submission | None, Submission | None]:
    """The two versions to compare: ?a=&b= by number, by default the last two."""
    by_number = {version.number: version for version in versions}

    def pick(name: str, default):
        try:
            return by_number.get(int(query.get(name, "")), default)
        except ValueError:
            return default

    if len(versions) < 2:
        return None, None
    return pick("a", versions[-2]), pick("b", versions[-1])


def _page_context(request, application: Application, *, mark_form=None, request_form=None) -> dict:
    user = request.user
    call = application.call
    roles = permissions.call_roles(user, call)
    is_call_official = bool(permissions.has_call_role(user, call, *permissions.CALL_OFFICIAL_ROLES))
    may_see_audit = bool(permissions.can_view_audit_trail(user, application))
    versions = list(application.submissions.select_related("submitted_by").order_by("number"))
    requests = list(application.supplement_requests.select_related("requested_by", "answer").order_by("requested_at", "pk"))
    for supplement in requests:
        supplement.part_names = [str(rules.PART_LABELS.get(part, part)) for part in supplement.parts]
    latest = versions[-1] if versions else None
    call_data = services.call_rules(call)
    older, newer = _version_pair(versions, request.GET)
    changes = []
    if older and newer:
        area_names = {area.number: area.name for area in call.target_areas.all()}
        category_names = {category.code: category.name for category in call.cost_categories.all()}
        changes = diff.sections(diff.diff(older.content, newer.content, area_names=area_names, category_names=category_names))
    try:
        screening = application.screening
    except Screening.DoesNotExist:
        screening = None
    mark_decision = permissions.can_screen_application(user, application) if is_call_official else permissions.deny("")
    request_decision = permissions.can_request_supplement(user, application) if is_call_official else permissions.deny("")
    if mark_form is None and mark_decision:
        mark_form = MarkForm(
            initial={"outcome": screening.outcome, "reason": screening.reason, "failed_conditions": screening.failed_conditions} if screening else None,
            condition_facts=services.condition_facts(application.call),
        )
    if request_form is None and request_decision:
        request_form = SupplementRequestForm()
    # The parties today: a decided application's merged party shows as its successor, the predecessor noted.
    participants = list(application.participants.select_related("organisation__successor").order_by("role", "id"))
    parties = participant_parties(application, participants)
    return {
        "application": application,
        "call": call,
        "lead_party": next((parties[p.pk] for p in participants if p.role == Participant.Role.LEAD), None),
        "partner_parties": [parties[p.pk] for p in participants if p.role == Participant.Role.PARTNER],
        "user_roles": roles,
        "is_call_official": is_call_official,
        "may_see_audit": may_see_audit,
        "versions": versions,
        "latest": latest,
        "content": content_view(latest.content, call) if latest else None,
        "checks": services.checks_for(latest, call_data, requests) if latest else [],
        "older": older,
        "newer": newer,
        "changes": changes,
        "screening": screening,
        "failed_conditions": services.failed_condition_texts(screening),
        "mark_decision": mark_decision,
        "mark_form": mark_form,
        "requests": requests,
        "open_request": next((r for r in reversed(requests) if r.is_open), None),
        "request_decision": request_decision,
        "request_form": request_form,
        "timeline": timeline.application_timeline(application, get_language() or "fi") if may_see_audit else [],
        "error_items": error_items(
            mark_form if mark_form is not None and mark_form.is_bound else None, request_form if request_form is not None and request_form.is_bound else None
        ),
    }


@login_required
@require_GET
def application_page(request, pk: int):
    application = _application_for_official(request.user, pk)
    record_read(request.user, application, "officials_page", as_official=True)
    return render(request, "screening/application.html", _page_context(request, application))


@login_required
@require_GET
def audit_download(request, pk: int, fmt: str):
    """The application's audit events as stored (JSON or CSV), for the officials who see the timeline."""
    application = _application_for_official(request.user, pk)
    if not permissions.can_view_audit_trail(request.user, application) or fmt not in ("json", "csv"):
        raise Http404
    events = timeline.raw_events(application)
    record_read(request.user, application, f"audit_{fmt}", as_official=True)
    filename = f"audit-{application.reference}.{fmt}"
    if fmt == "json":
        response = HttpResponse(timeline.as_json(events), content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(timeline.as_csv(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _back(application: Application, anchor: str):
    return redirect(reverse("screening:application", args=[application.pk]) + f"#{anchor}")


def _refused_into_form(form, refusal: Refused) -> bool:
    """Put a refusal on its field when the form has it; False when it is a refusal of the action itself."""
    if refusal.field and refusal.field in form.fields:
        form.add_error(refusal.field, refusal.message)
        return True
    return False


@login_required
@require_POST
def mark(request, pk: int):
    application = _application_for_official(request.user, pk)
    decision = permissions.can_screen_application(request.user, application)
    if not decision:
        messages.error(request, decision.reason)
        return _back(application, "screening")
    form = MarkForm(request.POST, condition_facts=services.condition_facts(application.call))
    if form.is_valid():
        try:
            data = form.cleaned_data
            screening = services.mark_application(request.user, application.pk, data["outcome"], data["reason"], data["failed_conditions"])
        except Refused as refusal:
            if not _refused_into_form(form, refusal):
                messages.error(request, refusal.message)
                return _back(application, "screening")
        else:
            messages.success(request, _("The application was marked %(outcome)s.") % {"outcome": screening.get_outcome_display()})
            return _back(application, "screening")
    application.refresh_from_db()
    return render(request, "screening/application.html", _page_context(request, application, mark_form=form))


@login_required
@require_POST
def request_supplement(request, pk: int):
    application = _application_for_official(request.user, pk)
    decision = permissions.can_request_supplement(request.user, application)
    if not decision:
        messages.error(request, decision.reason)
        return _back(application, "supplements")
    form = SupplementRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.request_supplement(request.user, application.pk, data["parts"], data["message"], data["due_at"], data["reopening_reason"])
        except Refused as refusal:
            if not _refused_into_form(form, refusal):
                messages.error(request, refusal.message)
                return _back(application, "supplements")
        else:
            messages.success(request, _("The request for supplement was sent to the lead applicant."))
            return _back(application, "supplements")
    application.refresh_from_db()
    return render(request, "screening/application.html", _page_context(request, application, request_form=form))
