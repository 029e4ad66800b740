"""Pages of a project's reports: the report (the lead fills it in and submits it; partners and the call's
officials read it), the officials' review page, and the versions with the changes between them.
Views parse, call services, render or redirect; every rule is in services_reports.py and permissions.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.views_drafting import error_items
from kuntadigi.audit.services import record_read
from kuntadigi.core import files
from kuntadigi.core.uploads import upload_too_large

from . import content as report_content
from . import diff as report_diff
from . import services_reports as services
from .forms_reports import ConfirmationForm, ReviewForm
from .models import Part, Report, ReportAttachment, ReportReview


def _back(report):
    return redirect("reports:report", pk=report.pk)


def _anchor(field: str) -> str:
    return "id_file" if field == "file" else field


def _problem_items(problems) -> list[tuple[str, str]]:
    return [(_anchor(p.field), p.message) for p in problems]


def _text_fields(content: dict, errors: dict[str, str]) -> list[dict]:
    return [
        {
            "name": f.name,
            "label": f.label,
            "hint": f.hint,
            "max": f.max_length,
            "value": content.get(f.name, ""),
            "error": errors.get(f.name, ""),
            "required": f.required,
            "language": f.language,
        }
        for f in report_content.ALL_TEXT_FIELDS
    ]


def _report_page(request, report, *, content=None, problems=(), confirmation_form=None, status=200):
    user = request.user
    project = report.project
    shown = report_content.normalised(content if content is not None else report.content)
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.field, problem.message)
    fields = _text_fields(shown, errors)
    may_edit = permissions.can_edit_report(user, report)
    rows = report_content.form_rows(shown) if may_edit else [{"index": i, **row} for i, row in enumerate(shown["indicators"])]
    context = {
        "report": report,
        "project": project,
        "application": project.application,
        "may_edit": bool(may_edit),
        "edit_refusal": may_edit.reason,
        "substantive_fields": fields[: len(report_content.TEXT_FIELDS)],
        "summary_fields": fields[len(report_content.TEXT_FIELDS) :],
        "rows": rows,
        "row_errors": errors,
        "indicators_error": errors.get("indicators", ""),
        "payment_request": services.final_payment_request(project) if report.kind == Report.Kind.FINAL else None,
        # The project's staff open the request's own page; the call's officials its review page.
        "request_page": "payment_requests:detail" if permissions.is_project_member(user, project) else "payment_review:request",
        "confirmation": services.confirmation(report),
        "confirmation_form": confirmation_form or ConfirmationForm(),
        "financial_problems": services.financial_problems(report) if may_edit else [],
        "supplement": services.open_supplement(report),
        "supplements": list(report.supplement_requests.order_by("requested_at", "id")),
        "versions": list(report.versions.order_by("-number")),
        "may_review": bool(permissions.can_read_report_reviews(user, report)),
        "error_items": _problem_items(problems) + (error_items(confirmation_form) if confirmation_form is not None else []),
        "summary_max": report_content.SUMMARY_MAX,
    }
    return render(request, "reports/reports_report.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk: int):
    item = services.report_for_viewer(request.user, pk)
    if request.method == "GET":
        return _report_page(request, item)
    allowed = permissions.can_edit_report(request.user, item)
    if not allowed:
        messages.error(request, allowed.reason)
        return _back(item)
    posted = report_content.from_post(request.POST)
    submitting = request.POST.get("action") == "submit"
    try:
        if submitting:
            services.submit(request.user, item.pk, posted)
        else:
            services.save_draft(request.user, item.pk, posted)
    except Refused as refusal:
        problems = refusal.problems or [report_content.Problem(refusal.field or "main", refusal.message)]
        if submitting and not report_content.draft_problems(posted):
            messages.warning(request, _("Your draft was saved, but the report cannot be submitted yet."))
        item = services.report_for_viewer(request.user, pk)
        return _report_page(request, item, content=posted, problems=problems, status=400)
    if submitting:
        messages.success(request, _("The report was submitted. The ministry reviews it and tells you if anything is missing."))
    else:
        messages.success(request, _("The draft was saved."))
    return _back(item)


@login_required
@require_POST
def confirmation(request, pk: int):
    item = services.report_for_viewer(request.user, pk)
    allowed = permissions.can_edit_report(request.user, item)
    if not allowed:
        messages.error(request, allowed.reason)
        return _back(item)
    form = ConfirmationForm(request.POST, request.FILES)
    if upload_too_large(request):  # stopped at the size limit, unread (kuntadigi/core/uploads.py)
        from kuntadigi.applications import drafting

        form.refuse_file(drafting.too_large_message())
        return _report_page(request, item, confirmation_form=form, status=413)
    if form.is_valid():
        try:
            uploaded = services.upload_confirmation(request.user, item.pk, form.cleaned_data["file"])
        except Refused as refusal:
            if refusal.field != "file":
                messages.error(request, refusal.message)
                return _back(item)
            form.add_error("file", refusal.message)
        else:
            messages.success(request, _("%(name)s was uploaded.") % {"name": uploaded.original_name})
            return _back(item)
    return _report_page(request, item, confirmation_form=form, status=400)


@login_required
@require_http_methods(["GET"])
def attachment_download(request, pk: int, attachment_pk: int):
    item = services.report_for_viewer(request.user, pk)
    attachment = get_object_or_404(ReportAttachment, pk=attachment_pk, report=item)
    record_read(request.user, item.project.application, "report_attachment", attachment, name=attachment.original_name, sha256=attachment.sha256)
    return files.download(attachment)


def _review_page(request, report, *, forms=None, status=200):
    user = request.user
    passed = services.parts_passed(report)
    parts = []
    for part in services.parts_needed(report):
        allowed = permissions.can_review_report(user, report, part)
        form = (forms or {}).get(part) or ReviewForm(part=part)
        parts.append(
            {
                "part": part,
                "label": Part(part).label,
                "passed": part in passed,
                "may_review": bool(allowed),
                "refusal": allowed.reason,
                "form": form,
                "reviews": [r for r in report.reviews.select_related("reviewed_by", "version").order_by("reviewed_at", "id") if r.part == part],
            }
        )
    shown = report_content.normalised(report.content)
    versions = list(report.versions.order_by("-number"))
    latest = versions[0] if versions else None
    context = {
        "report": report,
        "project": report.project,
        "application": report.project.application,
        "parts": parts,
        "content": shown,
        "latest": latest,
        "latest_content": report_content.normalised(latest.content) if latest else shown,
        "latest_texts": _text_fields(report_content.normalised(latest.content) if latest else shown, {}),
        "versions": versions,
        "payment_request": report.payment_request or services.final_payment_request(report.project) if report.kind == Report.Kind.FINAL else None,
        "confirmation": services.confirmation(report),
        "supplements": list(report.supplement_requests.order_by("requested_at", "id")),
        "error_items": error_items(*(forms or {}).values()),
        "outcomes": ReportReview.Outcome,
    }
    return render(request, "reports/reports_review.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    item = services.report_for_official(request.user, pk)
    if request.method == "GET":
        record_read(request.user, item.project.application, "report_review", item, as_official=True)
        return _review_page(request, item)
    part = request.POST.get("review", "")
    if part not in services.parts_needed(item):
        raise Http404
    allowed = permissions.can_review_report(request.user, item, part)
    if not allowed:
        messages.error(request, allowed.reason)
        return redirect("reports:review", pk=item.pk)
    form = ReviewForm(request.POST, part=part)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.review(
                request.user,
                item.pk,
                part,
                passed=data["outcome"] == "passed",
                notes=data["notes"],
                message=data["message"],
                due_date=data["due_date"],
            )
        except Refused as refusal:
            if refusal.field not in ("notes", "message", "due_date"):
                messages.error(request, refusal.message)
                return redirect("reports:review", pk=item.pk)
            form.add_error(refusal.field, refusal.message)
        else:
            if data["outcome"] == "passed":
                messages.success(request, _("The review was recorded as passed."))
            else:
                messages.success(request, _("The supplement was asked. The lead has been told by e-mail."))
            return redirect("reports:review", pk=item.pk)
    return _review_page(request, services.report_for_official(request.user, pk), forms={part: form}, status=400)


@login_required
@require_http_methods(["GET"])
def versions(request, pk: int):
    item = services.report_for_viewer(request.user, pk)
    all_versions = list(item.versions.select_related("submitted_by").order_by("number"))
    by_number = {v.number: v for v in all_versions}

    def number(name: str, default: int | None) -> int | None:
        try:
            return int(request.GET.get(name, ""))
        except ValueError:
            return default

    newer = by_number.get(number("b", all_versions[-1].number if all_versions else None) or 0)
    older = by_number.get(number("a", newer.number - 1 if newer else None) or 0)
    changes = None
    if older is not None and newer is not None:
        changes = report_diff.sections(report_diff.diff(older.content, newer.content))
    record_read(request.user, item.project.application, "report_versions", item)
    context = {
        "report": item,
        "project": item.project,
        "application": item.project.application,
        "versions": all_versions,
        "older": older,
        "newer": newer,
        "changes": changes,
        "may_review": bool(permissions.can_read_report_reviews(request.user, item)),
    }
    return render(request, "reports/reports_versions.html", context)


def project_reports_context(user, project) -> dict:
    """The project page's section of reports (templates/projects/_reports.html)."""
    from kuntadigi.projects.lifecycle import State as ProjectState

    if project.state in (ProjectState.GRANTED, ProjectState.REFUSED):
        return {"reports": [], "reports_shown": False}
    return {"reports": services.project_reports(project), "reports_shown": True}
