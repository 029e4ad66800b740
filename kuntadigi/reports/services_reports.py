"""A funded project's reports: made when the project is created or starts running, filled in and
submitted by the lead, reviewed by the call's preparers, supplemented on request, approved.

Use cases (each: permission, rules, change of state through lifecycle.next_state, audit, in one
transaction; the report's row is locked):
    ensure_reports        the project's due reports, made once (projects.services calls it on creation and start)
    make_missing          the same for every open project (manage.py create_funded_projects / start_funded_projects)
    save_draft            the lead saves the report's content; texts over their limits save nothing
    upload_confirmation   the auditor's or finance office's confirmation of the final report (checked, scanned)
    submit                draft or supplement_requested → submitted, a frozen ReportVersion each time; the final
                          report moves the project running → final_report_submitted; the preparers are told
    review                a preparer passes a review (substantive; financial for the final report) or asks for a
                          supplement (what, by when): the report → supplement_requested, the project returned to
                          running; the lead is told. When every review the report needs has passed, it is approved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.applications import drafting, drafting_rules
from kuntadigi.applications.errors import Refused
from kuntadigi.audit import services as audit
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.payments.lifecycle import State as PaymentState
from kuntadigi.payments.models import PaymentRequest
from kuntadigi.projects import lifecycle as project_lifecycle
from kuntadigi.projects.lifecycle import State as ProjectState
from kuntadigi.projects.models import FundedProject

from . import content as report_content
from . import lifecycle, rules, tasks
from .lifecycle import State
from .models import Part, Report, ReportAttachment, ReportReview, ReportVersion, SupplementRequest

# The projects whose reports are made: once granted and until settled; a refused grant has none.
OPEN_PROJECT_STATES = (ProjectState.GRANTED, ProjectState.ACCEPTED, ProjectState.RUNNING)
SUPPLEMENT_MESSAGE_MAX = 3000
NOTES_MAX = 3000


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise Refused(decision.reason)


def _today() -> date:
    return clock.helsinki(clock.now()).date()


def _lock(report_pk: int) -> Report:
    report = Report.objects.select_for_update(of=("self",)).select_related("project__application__call").filter(pk=report_pk).first()
    if report is None:
        raise Http404
    return report


def _move(report: Report, action: str) -> str:
    try:
        return lifecycle.next_state(report.state, action)
    except lifecycle.TransitionNotAllowed:
        raise Refused(_("This cannot be done while the report is %(state)s.") % {"state": State(report.state).label}) from None


def _audit(actor, action: str, report: Report, *, before=None, after=None) -> None:
    audit.record(actor, action, report, application_id=report.project.application_id, before=before, after={"kind": report.kind, **(after or {})})


# ── Reading ─────────────────────────────────────────────────────────────────


def report_for_viewer(user, pk: int) -> Report:
    """The report if the user may see its project; otherwise 404 (its existence is not revealed)."""
    report = Report.objects.select_related("project__application__call", "project__application__lead", "payment_request").filter(pk=pk).first()
    if report is None or not permissions.can_view_report(user, report):
        raise Http404
    return report


def report_for_official(user, pk: int) -> Report:
    """The report for the officials' review page: the call's officials only; others 404."""
    report = report_for_viewer(user, pk)
    if not permissions.can_read_report_reviews(user, report):
        raise Http404
    return report


def parts_needed(report: Report) -> tuple[str, ...]:
    """A final report needs the substantive and the financial review; an interim report the substantive one."""
    if report.kind == Report.Kind.FINAL:
        return (Part.SUBSTANTIVE, Part.FINANCIAL)
    return (Part.SUBSTANTIVE,)


def parts_passed(report: Report) -> set[str]:
    """The reviews whose latest outcome is 'passed' (a passed review stands; a supplement asked in a part
    needs that part to pass again)."""
    latest: dict[str, str] = {}
    for part, outcome in report.reviews.order_by("reviewed_at", "id").values_list("part", "outcome"):
        latest[part] = outcome
    return {part for part, outcome in latest.items() if outcome == ReportReview.Outcome.PASSED}


def final_payment_request(project: FundedProject) -> PaymentRequest | None:
    return PaymentRequest.objects.filter(project=project, is_final=True).first()


def confirmation(report: Report) -> ReportAttachment | None:
    return report.attachments.filter(kind=ReportAttachment.Kind.CONFIRMATION).order_by("-uploaded_at", "-id").first()


def open_supplement(report: Report) -> SupplementRequest | None:
    return report.supplement_requests.filter(answered_by_version__isnull=True).order_by("-requested_at", "-id").first()


@dataclass(frozen=True)
class Missing:
    field: str
    message: str


def financial_problems(report: Report) -> list[Missing]:
    """What the final report's financial part lacks: the final payment request submitted, the confirmation."""
    if report.kind != Report.Kind.FINAL:
        return []
    problems = []
    request = final_payment_request(report.project)
    if request is None or request.state == PaymentState.DRAFT:
        problems.append(Missing("payment_request", _("Submit the final payment request (every cost of the project) first.")))
    if confirmation(report) is None:
        problems.append(Missing("file", _("Upload the confirmation of the auditor or the finance office.")))
    return problems


def project_reports(project: FundedProject) -> list[Report]:
    return list(project.reports.order_by("due_date", "id"))


# ── Making the due reports ──────────────────────────────────────────────────


def ensure_reports(project: FundedProject) -> list[Report]:
    """The project's interim reports (the call's dates within its cost period) and its final report (the
    call's months after the period), each made once; the reports made now. Called inside the caller's
    transaction (the project's creation or start); the service is the actor."""
    if project.state not in OPEN_PROJECT_STATES:
        return []
    call = project.application.call
    due = rules.due_dates(project.costs_from, project.costs_until, call.final_report_months, call.interim_report_dates)
    existing = set(project.reports.values_list("kind", "due_date"))
    has_final = any(kind == Report.Kind.FINAL for kind, _day in existing)
    wanted = [(Report.Kind.INTERIM, day) for day in due.interim]
    if not has_final:
        wanted.append((Report.Kind.FINAL, due.final))
    made = []
    for kind, day in wanted:
        if (kind, day) in existing:
            continue
        report = Report.objects.create(project=project, kind=kind, due_date=day, created_at=clock.now())
        _audit(None, "report.scheduled", report, after={"due_date": day.isoformat()})
        made.append(report)
    return made


def make_missing() -> int:
    """The due reports of every open project that lacks them; how many reports were made (idempotent)."""
    made = 0
    for pk in list(FundedProject.objects.filter(state__in=OPEN_PROJECT_STATES).order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            project = FundedProject.objects.select_for_update(of=("self",)).select_related("application__call").get(pk=pk)
            made += len(ensure_reports(project))
    return made


# ── The lead fills in and submits ───────────────────────────────────────────


def _changed_fields(before: dict, after: dict) -> list[str]:
    return [name for name in [*(f.name for f in report_content.ALL_TEXT_FIELDS), "indicators"] if before.get(name) != after.get(name)]


def save_draft(user, report_pk: int, content: dict) -> Report:
    """The lead saves the content. Texts over their limits save nothing (Refused with the problems; the
    page shows what was typed); an unchanged content writes nothing."""
    problems = report_content.draft_problems(content)
    with transaction.atomic():
        report = _lock(report_pk)
        _require(permissions.can_edit_report(user, report))
        if problems:
            raise Refused(problems[0].message, field=problems[0].field, problems=problems)
        before = report_content.normalised(report.content)
        after = report_content.normalised(content)
        changed = _changed_fields(before, after)
        if not changed:
            return report
        report.content = after
        report.save(update_fields=["content"])
        _audit(user, "report.saved", report, after={"fields": changed})
    return report


def upload_confirmation(user, report_pk: int, uploaded) -> ReportAttachment:
    """The auditor's or finance office's confirmation of the final report: the same checks as an
    application's attachments (size, type from the content, virus scan), made before the row is locked."""
    size = uploaded.size or 0
    detected = drafting.detect_type(uploaded) if 0 < size <= settings.ATTACHMENT_MAX_BYTES else None
    problems = drafting_rules.check_attachment(size, detected, settings.ATTACHMENT_MAX_BYTES)
    if problems:
        raise Refused(problems[0].message, field="file", problems=problems)
    report = Report.objects.select_related("project__application").filter(pk=report_pk).first()
    if report is None:
        raise Http404
    _require(permissions.can_edit_report(user, report))  # before the scan too: an outsider's file is not read
    if report.kind != Report.Kind.FINAL:
        raise Refused(_("Only the final report has the confirmation of the auditor or the finance office."))
    drafting.scan_for_viruses(uploaded, report.project.application_id)
    with transaction.atomic():
        report = _lock(report_pk)
        _require(permissions.can_edit_report(user, report))
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        sha256 = digest.hexdigest()
        uploaded.seek(0)
        current = confirmation(report)
        if current is not None and current.sha256 == sha256:
            raise Refused(_("This file has already been uploaded."), field="file")
        name = (uploaded.name or "confirmation").replace("/", "_").replace("\\", "_")[-255:]
        attachment = ReportAttachment(
            report=report,
            kind=ReportAttachment.Kind.CONFIRMATION,
            original_name=name,
            content_type=detected,
            size=size,
            sha256=sha256,
            uploaded_by=user,
            uploaded_at=clock.now(),
        )
        attachment.file.save(sha256, uploaded, save=False)
        stored_name = attachment.file.name
        try:  # the stored file goes if the rows cannot be written
            attachment.save()
            _audit(
                user,
                "report.attachment_added",
                report,
                before={"attachment": current.pk} if current else {},
                after={"attachment": attachment.pk, "name": name, "content_type": detected, "size": size, "sha256": sha256},
            )
        except Exception:
            attachment.file.storage.delete(stored_name)
            raise
    return attachment


def _frozen(report: Report) -> dict:
    """The version's content: the texts and indicators, and the financial part as it stood."""
    frozen = report_content.normalised(report.content)
    frozen["attachments"] = [
        {"kind": a.kind, "name": a.original_name, "sha256": a.sha256, "size": a.size} for a in report.attachments.order_by("uploaded_at", "id")
    ]
    if report.payment_request_id:
        frozen["payment_request"] = report.payment_request.number
    return frozen


def submit(user, report_pk: int, content: dict | None = None) -> Report:
    """Save the content given (kept even if the report cannot be submitted yet), then submit: every required
    part filled in, and for the final report the final payment request submitted and the confirmation
    uploaded. Refused with the problems otherwise."""
    if content is not None:
        save_draft(user, report_pk, content)
    with transaction.atomic():
        report = _lock(report_pk)
        _require(permissions.can_edit_report(user, report))
        problems = [Missing(p.field, p.message) for p in report_content.submit_problems(report_content.normalised(report.content))]
        problems += financial_problems(report)
        if problems:
            raise Refused(problems[0].message, field=problems[0].field, problems=problems)  # type: ignore[arg-type]
        if report.kind == Report.Kind.FINAL and report.project.state != ProjectState.RUNNING:
            # projects/lifecycle.py: only a running project submits its final report (an accepted one has
            # not begun its cost period; it would never reach the review and the settlement).
            raise Refused(_("The final report is submitted once the project is running."))
        before = report.state
        report.state = _move(report, "submit")
        report.submitted_by, report.submitted_at = user, clock.now()
        if report.kind == Report.Kind.FINAL:
            report.payment_request = final_payment_request(report.project)
        report.save(update_fields=["state", "submitted_by", "submitted_at", "payment_request"])
        number = report.versions.count() + 1
        version = ReportVersion.objects.create(report=report, number=number, content=_frozen(report), submitted_by=user, submitted_at=clock.now())
        answered = list(report.supplement_requests.filter(answered_by_version__isnull=True))
        report.supplement_requests.filter(pk__in=[s.pk for s in answered]).update(answered_by_version=version, answered_at=clock.now())
        _audit(user, "report.submitted", report, before={"state": before}, after={"state": report.state, "version": number, "supplement": bool(answered)})
        if report.kind == Report.Kind.FINAL:
            _move_project(user, report.project, "submit_final_report")
        enqueue_with_transaction(tasks.send_report_notice, report.pk, "report_submitted")
    return report


def _move_project(user, project: FundedProject, action: str) -> None:
    """The project's state as projects/lifecycle.py allows; a project already past this step is left alone."""
    project = FundedProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    if action not in project_lifecycle.allowed_actions(project.state):
        return
    before = project.state
    project.state = project_lifecycle.next_state(project.state, action)
    project.save(update_fields=["state"])
    audit.record(user, f"project.{action}", project, application_id=project.application_id, before={"state": before}, after={"state": project.state})


# ── The officials review ────────────────────────────────────────────────────


def review(user, report_pk: int, part: str, *, passed: bool, notes: str = "", message: str = "", due_date: date | None = None) -> ReportReview:
    """A preparer's review of the latest version: passed, or a supplement asked (what, by when)."""
    notes, message = (notes or "").strip(), (message or "").strip()
    with transaction.atomic():
        report = _lock(report_pk)
        _require(permissions.can_review_report(user, report, part))
        if len(notes) > NOTES_MAX:
            raise Refused(_("The notes may be at most %(max)d characters long.") % {"max": NOTES_MAX}, field="notes")
        if not passed:
            if not message:
                raise Refused(_("Say what is to be supplemented."), field="message")
            if len(message) > SUPPLEMENT_MESSAGE_MAX:
                raise Refused(_("Say it in at most %(max)d characters.") % {"max": SUPPLEMENT_MESSAGE_MAX}, field="message")
            if due_date is None:
                raise Refused(_("Give the date by which the report is to be supplemented."), field="due_date")
            if due_date < _today():
                raise Refused(_("The date to supplement by cannot be in the past."), field="due_date")
        version = report.versions.order_by("-number").first()
        if report.kind == Report.Kind.FINAL:
            _move_project(user, report.project, "start_review")  # the officials' review of the final report begins
        outcome = ReportReview.Outcome.PASSED if passed else ReportReview.Outcome.SUPPLEMENT
        result = ReportReview.objects.create(report=report, part=part, version=version, outcome=outcome, notes=notes, reviewed_by=user, reviewed_at=clock.now())
        _audit(user, "report.reviewed", report, after={"part": part, "outcome": outcome, "version": version.number, "notes": notes})
        if passed:
            if set(parts_needed(report)) <= parts_passed(report):
                before = report.state
                report.state = _move(report, "approve")
                report.approved_by, report.approved_at = user, clock.now()
                report.save(update_fields=["state", "approved_by", "approved_at"])
                _audit(user, "report.approved", report, before={"state": before}, after={"state": report.state})
            return result
        request = SupplementRequest.objects.create(report=report, part=part, message=message, due_date=due_date, requested_by=user, requested_at=clock.now())
        before = report.state
        report.state = _move(report, "ask_supplement")
        report.save(update_fields=["state"])
        _audit(
            user,
            "report.supplement_requested",
            report,
            before={"state": before},
            after={"state": report.state, "part": part, "message": message, "due_date": due_date.isoformat(), "request": request.pk},
        )
        if report.kind == Report.Kind.FINAL:
            _move_project(user, report.project, "return_for_supplement")
        enqueue_with_transaction(tasks.send_report_notice, report.pk, "report_supplement_request")
    return result
