"""Confirming, submitting and following an application; the officials' lists of submitted applications.

Views stay thin: find the application through queries.application_for_viewer (404 for others), call a
service from submission.py, then render or redirect (POST-redirect-GET).
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kuntadigi import clock, permissions
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import Call

from . import drafting_rules, exports, snapshot
from .lifecycle import DECIDED_STATES, RECEIVED_STATES, State
from .models import Application, BudgetLine, Participant, Submission
from .parties import content_party_names, participant_parties
from .queries import application_for_viewer
from .search import SearchForm, search_applications
from .submission import (
    Refused,
    budget_summary,
    confirm_participation,
    content_view,
    decline_participation,
    linked_problems,
    receipt_facts,
    submit_application,
    validate_for_submission,
    with_content,
    withdraw_application,
)

NAV_TEMPLATE = "applications/_nav.html"
PAGE_SIZE = 50


_nav_found = False


def _nav_exists() -> bool:
    global _nav_found
    if not _nav_found:
        try:
            get_template(NAV_TEMPLATE)
        except TemplateDoesNotExist:
            return False
        _nav_found = True
    return True


def _nav(active: str) -> dict:
    """The drafting pages' tab navigation, once it exists."""
    return {"nav_template": NAV_TEMPLATE if _nav_exists() else "", "active": active}


def _load_details(application: Application) -> Application:
    """Add what the pages show (budget lines, target areas, attachments, versions) to a viewer's application."""
    prefetch_related_objects(
        [application],
        Prefetch("participants__budget_lines", queryset=BudgetLine.objects.select_related("category").order_by("category__order", "id")),
        "target_areas",
        "attachments",
        "call__cost_categories",
    )
    return application


def _confirmation_state(participant: Participant) -> str:
    if participant.role != Participant.Role.PARTNER:
        return ""
    if participant.declined_at:
        return "declined"
    if not participant.confirmed_at:
        return "missing"
    return "confirmed" if snapshot.confirmation_is_current(participant) else "outdated"


def _user_partner_participants(user, application) -> list[Participant]:
    mine = permissions.organisation_ids(user)
    return [p for p in application.participants.all() if p.role == Participant.Role.PARTNER and p.organisation_id in mine]


# ── Overview ────────────────────────────────────────────────────────────────


@login_required
def detail(request, pk: int):
    application = _load_details(application_for_viewer(request.user, pk, read="overview"))
    user = request.user
    if application.state in DECIDED_STATES:  # the signed decision is on this page: a member opening it is a read receipt
        from kuntadigi.delivery.services import record_reading

        record_reading(user, application)
    now = clock.now()
    phase = application.call.phase(now)
    # A decided application's party that has merged into another municipality shows as its successor.
    parties = participant_parties(application, application.participants.all())
    participants = [{"participant": p, "party": parties[p.pk], "confirmation": _confirmation_state(p)} for p in application.participants.all()]
    to_confirm = [
        p
        for p in _user_partner_participants(user, application)
        if _confirmation_state(p) != "confirmed" and permissions.can_confirm_participation(user, application, p)
    ]
    is_lead = permissions.is_lead_member(user, application)
    submissions = list(application.submissions.order_by("number"))
    context = {
        "application": application,
        "phase": phase,
        "participants": participants,
        "budget": budget_summary(application),
        "submissions": submissions,
        "latest": submissions[-1] if submissions else None,
        "to_confirm": to_confirm,
        "may_review": is_lead
        and (
            (application.state == State.DRAFT and phase == Call.Phase.OPEN)
            or (application.state == State.SUPPLEMENT_REQUESTED and bool(permissions.can_submit_supplement(user, application)))
        ),
        "may_withdraw": application.state == State.SUBMITTED and bool(permissions.can_withdraw_application(user, application)),
        "may_delete": application.state == State.DRAFT and bool(permissions.can_delete_draft(user, application)),
        "is_lead": is_lead,
        "is_member": permissions.is_application_member(user, application),
        "may_see_official_list": not permissions.is_application_member(user, application)
        and bool(permissions.can_view_submitted_applications(user, application.call_id)),
        **_nav("overview"),
    }
    return render(request, "applications/submission/detail.html", context)


# ── Partner confirmation ────────────────────────────────────────────────────


def _chosen_participant(request, application) -> Participant | None:
    candidates = _user_partner_participants(request.user, application)
    wanted = request.POST.get("organisation") if request.method == "POST" else request.GET.get("organisation")
    if wanted:
        return next((p for p in candidates if str(p.organisation_id) == wanted), None)
    return candidates[0] if candidates else None


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request, pk: int):
    application = _load_details(application_for_viewer(request.user, pk, read="confirmation" if request.method == "GET" else ""))
    participant = _chosen_participant(request, application)
    if participant is None:
        messages.error(request, _("Only the partner organisation's staff can confirm its participation."))
        return redirect("applications:detail", pk=application.pk)
    if request.method == "POST":
        try:
            confirm_participation(
                request.user, application, participant.organisation, request.POST.get("authorised_name", ""), request.POST.get("authorised_title", "")
            )
            if "notification_consent_shown" in request.POST:  # the consent box of delivery/_confirmation_consent.html
                from kuntadigi.delivery.services import set_confirmation_consent

                set_confirmation_consent(request.user, application, participant.organisation, request.POST.get("notification_consent") == "yes")
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Thank you. The participation of %(organisation)s is confirmed.") % {"organisation": participant.organisation.name})
        return redirect("applications:detail", pk=application.pk)
    return _confirm_page(request, application, participant)


def _confirm_page(request, application: Application, participant: Participant, *, decline_error: str = "", decline_reason: str = "", status: int = 200):
    lines = list(participant.budget_lines.all())
    context = {
        "application": application,
        "participant": participant,
        "lines": lines,
        "total": sum((line.amount for line in lines), start=Decimal("0.00")),
        "confirmation": _confirmation_state(participant),
        "decision": permissions.can_confirm_participation(request.user, application, participant),
        "may_decline": permissions.can_decline_participation(request.user, application, participant),
        "decline_error": decline_error,
        "decline_reason": decline_reason if decline_error else "",
        "decline_max": drafting_rules.DECLINE_REASON_MAX,
        **_nav("overview"),
    }
    return render(request, "applications/submission/confirm.html", context, status=status)


@login_required
@require_POST
def decline(request, pk: int):
    """A partner declines to take part, with a short reason (the form is on the confirmation page)."""
    application = _load_details(application_for_viewer(request.user, pk))
    participant = _chosen_participant(request, application)
    if participant is None:  # the lead, or another partner's staff: not theirs to decline
        raise Http404
    reason = request.POST.get("decline_reason", "")
    try:
        decline_participation(request.user, application, participant.organisation, reason)
    except Refused as refused:
        if refused.field == "decline_reason":
            return _confirm_page(request, application, participant, decline_error=refused.message, decline_reason=reason[:2000], status=400)
        messages.error(request, refused.message)
        return redirect(reverse("applications:confirm", args=[application.pk]) + f"?organisation={participant.organisation_id}")
    messages.success(
        request,
        _("You declined the participation of %(organisation)s. The lead applicant was told by e-mail.") % {"organisation": participant.organisation.name},
    )
    return redirect("applications:mine")


# ── Review and submit ───────────────────────────────────────────────────────


def _review_context(request, application: Application, problems=None) -> dict:
    full = with_content(Application.objects.all()).get(pk=application.pk)
    if problems is None:
        problems = validate_for_submission(full)
    has_lead = any(p.role == Participant.Role.LEAD for p in full.participants.all())
    content = content_view(snapshot.application_content(full), full.call) if has_lead else None
    phase = full.call.phase(clock.now())
    decision = permissions.can_submit_application(request.user, full)
    return {
        "application": full,
        "content": content,
        "problems": linked_problems(full, problems),
        "phase": phase,
        "decision": decision,
        "latest": full.submissions.order_by("-number").first() if full.state == State.SUBMITTED else None,
        "may_submit": not problems
        and (
            (bool(decision) and full.state == State.DRAFT and phase == Call.Phase.OPEN)
            or (full.state == State.SUPPLEMENT_REQUESTED and bool(permissions.can_submit_supplement(request.user, full)))
        ),
        **_nav("submit"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk: int):
    application = application_for_viewer(request.user, pk, read="review" if request.method == "GET" else "")
    if request.method == "POST":
        try:
            if application.state == State.SUPPLEMENT_REQUESTED:  # the answer to a request for supplement
                from kuntadigi.screening.services import submit_supplement

                result = submit_supplement(request.user, application.pk)
            else:
                result = submit_application(request.user, application.pk)
        except Refused as refused:
            messages.error(request, refused.message)
            return redirect("applications:submit", pk=application.pk)
        if result.already_submitted:
            messages.info(request, result.message)
            if result.submission:
                return redirect("applications:receipt", pk=application.pk, number=result.submission.number)
            return redirect("applications:detail", pk=application.pk)
        if result.problems:
            return render(request, "applications/submission/review.html", _review_context(request, application, result.problems))
        messages.success(request, _("The application has been submitted."))
        return redirect("applications:receipt", pk=application.pk, number=result.submission.number)
    return render(request, "applications/submission/review.html", _review_context(request, application))


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    application = application_for_viewer(request.user, pk, read="withdrawal" if request.method == "GET" else "")
    if request.method == "POST":
        try:
            withdrawn = withdraw_application(request.user, application.pk)
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            message = _("Version %(number)d was withdrawn and the application is a draft again. Submit it again before the call closes.")
            messages.success(request, message % {"number": withdrawn.number})
        return redirect("applications:detail", pk=application.pk)
    decision = permissions.can_withdraw_application(request.user, application)
    context = {
        "application": application,
        "decision": decision,
        "latest": application.submissions.order_by("-number").first(),
        "may_withdraw": application.state == State.SUBMITTED and bool(decision),
        **_nav("overview"),
    }
    return render(request, "applications/submission/withdraw.html", context)


# ── Receipt and PDF ─────────────────────────────────────────────────────────


def _submission_for_viewer(user, pk: int, number: int, read: str) -> Submission:
    application = application_for_viewer(user, pk, rule=permissions.can_view_submitted_version)
    submission = get_object_or_404(Submission.objects.select_related("submitted_by"), application=application, number=number)
    submission.application = application
    record_read(user, application, read, submission, version=submission.number)
    return submission


@login_required
def receipt(request, pk: int, number: int):
    submission = _submission_for_viewer(request.user, pk, number, "receipt")
    facts = receipt_facts(submission)
    # From a merger on, a decided application's merged party is named by its successor, the predecessor noted.
    lead, partners = content_party_names(submission.application, submission.content)
    if lead is not None:
        facts.update(lead=lead, partners=partners)
    # The applicants get a receipt number and the time; the fingerprint stays in the PDF and for the officials.
    is_member = bool(permissions.application_org_ids(submission.application) & permissions.organisation_ids(request.user))
    context = {"application": submission.application, "submission": submission, "facts": facts, "show_fingerprint": not is_member, **_nav("overview")}
    return render(request, "applications/submission/receipt.html", context)


@login_required
def submission_pdf(request, pk: int, number: int):
    from .pdf import pdf_filename, render_submission_pdf

    submission = _submission_for_viewer(request.user, pk, number, "application_pdf")
    response = HttpResponse(render_submission_pdf(submission), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(submission)}"'
    return response


@login_required
@require_GET
def draft_print(request, pk: int):
    """The live draft as a page to print (the browser's print command), marked as a draft throughout."""
    application = application_for_viewer(request.user, pk)
    if application.state != State.DRAFT:
        return redirect("applications:detail", pk=application.pk)
    full = with_content(Application.objects.all()).get(pk=application.pk)
    context = {"application": full, "content": content_view(snapshot.application_content(full), full.call), "printed_at": clock.now()}
    return render(request, "applications/print.html", context)


@login_required
@require_GET
def draft_pdf(request, pk: int):
    """The live draft as a PDF marked DRAFT (the same layout as a submitted version's PDF)."""
    from .pdf import render_draft_pdf

    application = application_for_viewer(request.user, pk)
    if application.state != State.DRAFT:
        return redirect("applications:detail", pk=application.pk)
    full = with_content(Application.objects.all()).get(pk=application.pk)
    response = HttpResponse(render_draft_pdf(full, clock.now()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}-draft.pdf"'
    return response


# ── Officials ───────────────────────────────────────────────────────────────

SORTS = {
    "submitted": ("submitted_at", "id"),
    "requested": ("-requested_grant", "submitted_at", "id"),
    "lead": ("lead__name_fi", "submitted_at", "id"),
}


@login_required
def official_calls(request):
    user = request.user
    # The calls in which the user is an official: only their applications are listed and opened. All the
    # user's roles are read at once, so that each call's process steps ask nothing more.
    official_roles = set(permissions.CALL_OFFICIAL_ROLES)
    role_call_ids = {call_id for call_id, roles in permissions.all_call_roles(user).items() if roles & official_roles}
    is_admin = permissions.is_system_admin(user)
    if not (permissions.is_official(user) or role_call_ids or is_admin):
        raise Http404
    calls = Call.objects.annotate(**stage_counts()).order_by("-opens_at")
    context = {
        "calls": calls,
        "role_call_ids": role_call_ids,
        "may_name_roles": is_admin,
    }
    return render(request, "applications/submission/official_calls.html", context)


def stage_counts() -> dict[str, Count]:
    """A call's applications at each stage, counted in the one query of the calls (each application once,
    however many assessments it has): received (submitted to the ministry, in any later state too),
    screened (marked eligible or ineligible, or decided), assessed (at least one submitted assessment)
    and decided (a signed decision)."""
    screened = {State.ELIGIBLE, State.INELIGIBLE, *DECIDED_STATES}
    return {
        "received_count": Count("applications", filter=Q(applications__state__in=RECEIVED_STATES), distinct=True),
        "screened_count": Count("applications", filter=Q(applications__state__in=screened), distinct=True),
        "assessed_count": Count(
            "applications", filter=Q(applications__state__in=RECEIVED_STATES, applications__assignments__submitted_at__isnull=False), distinct=True
        ),
        "decided_count": Count("applications", filter=Q(applications__state__in=DECIDED_STATES), distinct=True),
    }


def _official_applications(call: Call, query) -> tuple:
    """The call's submitted applications as the list's filters, search and order choose them."""
    sort = query.get("sort", "submitted")
    if sort not in SORTS:
        sort = "submitted"
    lead_filter = query.get("lead", "").strip()[:100]
    form = SearchForm(query)
    text = form.text()
    applications = Application.objects.filter(call=call, state=State.SUBMITTED).order_by(*SORTS[sort])
    if lead_filter:
        applications = applications.filter(Q(lead__name_fi__icontains=lead_filter) | Q(lead__name_sv__icontains=lead_filter))
    applications = search_applications(applications, text)
    chosen = {"sort": sort, **({"lead": lead_filter} if lead_filter else {}), **({"q": text} if text else {})}
    return applications, chosen, form


def _official_call(user, call_slug: str) -> Call:
    call = get_object_or_404(Call, slug=call_slug)
    if not permissions.can_view_submitted_applications(user, call):
        raise Http404
    return call


@login_required
@require_GET
def official_list(request, call_slug: str):
    call = _official_call(request.user, call_slug)
    applications, chosen, form = _official_applications(call, request.GET)
    applications = applications.select_related("lead").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.filter(role=Participant.Role.PARTNER).select_related("organisation"), to_attr="partner_list")
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "call": call,
        "page": page,
        "sort": chosen["sort"],
        "sorts": [("submitted", _("Submission time")), ("requested", _("Grant applied for, largest first")), ("lead", _("Lead applicant"))],
        "lead_filter": chosen.get("lead", ""),
        "search_form": form,
        "query": urlencode(chosen),
    }
    return render(request, "applications/submission/official_list.html", context)


@login_required
@require_GET
def official_list_export(request, call_slug: str, fmt: str):
    """The list as filtered and ordered, every page of it, as CSV or XLSX."""
    call = _official_call(request.user, call_slug)
    applications, _chosen, _form = _official_applications(call, request.GET)
    return exports.response(request.user, call, applications, fmt, list_name="applications")
