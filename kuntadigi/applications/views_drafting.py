"""Preparing an application: thin views that parse the request, call a service in drafting.py and
render or redirect. Every page works without JavaScript; application.js only enhances."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import clock, permissions
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import Call
from kuntadigi.core import files
from kuntadigi.core.uploads import upload_too_large
from kuntadigi.registry.models import Organisation
from kuntadigi.screening.rules import PROJECT_PAGE_PARTS, fields_of_parts

from . import drafting, drafting_rules, rules, submission
from .drafting import Refused, StaleVersion
from .forms import (
    ApplicationForm,
    AttachmentForm,
    BudgetForm,
    BudgetLineFormSet,
    PartnerSearchForm,
    ReadOnlyBudgetLineFormSet,
    StartForm,
)
from .lifecycle import SUPPLEMENT_STATES
from .models import Application, Attachment, Participant
from .queries import application_for_viewer


def error_items(*forms) -> list[tuple[str, str]]:
    """(element id, message) for the error summary at the top of a page, in page order."""
    items = []
    for form in forms:
        if form is None:
            continue
        if hasattr(form, "forms"):  # a formset
            for message in form.non_form_errors():
                items.append(("budget", message))
            for sub in form.forms:
                items.extend(error_items(sub))
            continue
        for message in form.non_field_errors():
            items.append(("main", message))
        for name, field in form.fields.items():
            anchor = "main" if field.widget.is_hidden else form[name].auto_id
            for message in form.errors.get(name, []):
                items.append((anchor, message))
    return items


def _read_on_get(request, kind: str) -> str:
    """The kind of read to record for a page that is read on GET (a POST changes, or is refused)."""
    return kind if request.method == "GET" else ""


def _page(application, active: str, **context) -> dict:
    return {"application": application, "active": active, **context}


def _project_page_decision(user, application) -> tuple[permissions.Decision, set[str] | None]:
    """(may save, the fields open) for the project page: every field of an editable draft (None);
    after a request for supplement, only the fields of the parts it opens."""
    if application.state not in SUPPLEMENT_STATES:
        return permissions.can_edit_application(user, application), None
    decisions = {part: permissions.can_edit_application(user, application, part=part) for part in PROJECT_PAGE_PARTS}
    open_parts = [part for part, decision in decisions.items() if decision]
    if not open_parts:
        return decisions[PROJECT_PAGE_PARTS[0]], set()
    return decisions[open_parts[0]], fields_of_parts(open_parts)


def _close_fields(form, open_fields: set[str] | None) -> None:
    if open_fields is None:
        return
    for name, field in form.fields.items():
        if name != "version" and name not in open_fields:
            field.disabled = True


# ── Start ────────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def start(request, call_slug):
    call = get_object_or_404(Call, slug=call_slug, is_published=True)
    organisations = Organisation.objects.filter(pk__in=permissions.organisation_ids(request.user)).order_by("name_fi")
    phase = call.phase(clock.now())
    status = 200
    if request.method == "POST":
        form = StartForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                application = drafting.start_application(request.user, call, form.cleaned_data["lead"], form.cleaned_data["language"])
            except Refused as refusal:
                form.add_error(None, refusal.message)
                status = 403
            else:
                messages.success(request, _("The application %(reference)s was started. It is saved as a draft.") % {"reference": application.reference})
                return redirect("applications:edit", pk=application.pk)
    else:
        form = StartForm(initial={"language": "sv" if get_language() == "sv" else "fi"}, organisations=organisations)
    context = {"call": call, "form": form, "phase": phase, "has_organisations": organisations.exists(), "error_items": error_items(form)}
    return render(request, "applications/start.html", context, status=status)


# ── The project ──────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    application = application_for_viewer(request.user, pk, read=_read_on_get(request, "project"))
    decision, open_fields = _project_page_decision(request.user, application)
    stale = None
    status = 200
    form = None
    if request.method == "POST":
        if not decision:
            messages.error(request, decision.reason)
            return redirect("applications:edit", pk=application.pk)
        # After a request for supplement, closed fields keep their values whatever is posted.
        initial = ApplicationForm.initial_from(application) if open_fields is not None else None
        form = ApplicationForm(request.POST, initial=initial, application=application)
        _close_fields(form, open_fields)
        if form.is_valid():
            data = form.cleaned_data if open_fields is None else {k: v for k, v in form.cleaned_data.items() if k in open_fields}
            try:
                saved, changed = drafting.save_draft(request.user, application, data, form.cleaned_data["version"])
            except StaleVersion as error:
                stale = error.message
                status = 409
            except Refused as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            else:
                if changed:
                    messages.success(request, _("Saved at %(time)s.") % {"time": drafting.saved_at(saved)})
                else:
                    messages.info(request, _("There were no changes to save."))
                return redirect("applications:edit", pk=application.pk)
    if form is None:
        form = ApplicationForm(initial=ApplicationForm.initial_from(application), application=application, read_only=not decision)
        _close_fields(form, open_fields)
    context = _page(
        application,
        "project",
        form=form,
        can_edit=decision,
        supplement_fields=open_fields,
        stale=stale,
        exclusions=list(application.call.exclusions.all()),
        warnings=drafting.draft_warnings(application) if not form.is_bound else [],
        error_items=error_items(form),
    )
    return render(request, "applications/edit.html", context, status=status)


def _application_to_save(user, pk) -> tuple[Application, bool]:
    """The application for an autosave and whether its row is locked. Call inside a transaction.

    The lead's staff get it read and locked in one query (drafting.lock_lead_draft), so the save need
    not read it again; nobody else ever takes the lock: anyone else goes through
    application_for_viewer, so that what they may not see stays a 404."""
    application = drafting.lock_lead_draft(user, pk)
    if application is not None:
        return application, True
    return application_for_viewer(user, pk), False


AUTOSAVE_FIELDS = frozenset(ApplicationForm.base_fields) - {"version"}


def _posted_fields(post) -> set[str] | None:
    """The fields an autosave carries: the names listed in `fields` (the browser sends the fields that
    changed since the last save), or None when the post has no list (the whole form, as the Save
    button sends it). Raises ValueError for a name that is not a field of the project page."""
    if "fields" not in post:
        return None
    names = {name for name in post["fields"].split(",") if name}
    if not names <= AUTOSAVE_FIELDS:
        raise ValueError(sorted(names - AUTOSAVE_FIELDS))
    return names


@require_POST
def autosave(request, pk):
    """The project page saved in the background: the same service, answered in JSON. The browser
    posts url-encoded only the fields that changed since its last save, named in `fields` (the whole
    form is accepted too, url-encoded or multipart, as the form itself would send it). Fields not
    posted keep their saved values."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "message": _("Your session has ended. Sign in again, then save.")}, status=401)
    try:
        only = _posted_fields(request.POST)  # the body is read before the row is locked
    except ValueError:
        return JsonResponse({"ok": False, "message": _("Not saved automatically: reload the page, then save.")}, status=400)
    try:
        # One transaction: the row read for the permission check is the row locked and saved.
        # StaleVersion and Refused leave it (rolled back: nothing was written) and are answered below.
        with transaction.atomic():
            application, locked = _application_to_save(request.user, pk)
            decision = permissions.can_edit_application(request.user, application)
            if not decision:
                return JsonResponse({"ok": False, "message": decision.reason}, status=403)
            form = ApplicationForm(request.POST, application=application, only=only)
            if not form.is_valid():
                errors = {name: [str(message) for message in messages_] for name, messages_ in form.errors.items()}
                return JsonResponse(
                    {"ok": False, "message": _("Not saved automatically: correct the fields with errors, then save."), "errors": errors}, status=400
                )
            saved, changed = drafting.save_draft(request.user, application, form.cleaned_data, form.cleaned_data["version"], locked=locked)
    except StaleVersion as error:
        return JsonResponse({"ok": False, "message": error.message, "stale": True}, status=409)
    except Refused as refusal:
        return JsonResponse({"ok": False, "message": refusal.message}, status=403)
    return JsonResponse({"ok": True, "version": saved.version, "saved_at": drafting.saved_at(saved), "changed": changed})


# ── Partners ─────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def partners(request, pk):
    application = application_for_viewer(request.user, pk, read=_read_on_get(request, "partners"))
    decision = permissions.can_edit_application(request.user, application, part="partners")
    search_form = PartnerSearchForm()
    matches = []
    status = 200
    notify_email = ""
    if request.method == "POST":
        if not decision:
            messages.error(request, decision.reason)
            return redirect("applications:partners", pk=application.pk)
        action = request.POST.get("action")
        if action == "remove":
            try:
                participant_pk = int(request.POST.get("participant", ""))
                organisation = drafting.remove_partner(request.user, application, participant_pk)
            except (ValueError, Refused) as error:
                messages.error(request, getattr(error, "message", _("Choose the partner to remove.")))
            else:
                messages.success(request, _("%(name)s and its budget lines were removed from the application.") % {"name": organisation.name})
            return redirect("applications:partners", pk=application.pk)
        if action == "ask_again":
            try:
                participant = drafting.ask_partner_again(request.user, application, int(request.POST.get("participant", "")))
            except (ValueError, Refused) as error:
                messages.error(request, getattr(error, "message", _("Choose the partner to ask again.")))
            else:
                messages.success(
                    request,
                    _("%(name)s was asked again to confirm its participation. Its staff were told by e-mail.") % {"name": participant.organisation.name},
                )
            return redirect("applications:partners", pk=application.pk)
        # Adding: a suggestion chosen from the results, or whatever was typed in the picker.
        notify_email = request.POST.get("notify_email", "").strip()[:254]
        organisation = None
        if request.POST.get("organisation_id"):
            organisation_id = _int(request.POST["organisation_id"])
            organisation = Organisation.objects.filter(pk=organisation_id).first() if organisation_id is not None else None
            if organisation is None:
                search_form = PartnerSearchForm.refused_choice(_("Choose the organisation again."), request.POST.get("organisation", ""), notify_email)
                status = 400
        else:
            search_form = PartnerSearchForm(request.POST)
            if search_form.is_valid():
                typed = search_form.cleaned_data["organisation"]
                found = drafting.find_partner(application, typed)
                if found.exact:
                    organisation = found.exact
                elif found.already_in:
                    search_form.add_error("organisation", _("%(name)s already takes part in the application.") % {"name": found.already_in.name})
                elif found.refused:
                    search_form.add_error("organisation", found.refused)
                elif found.matches:
                    matches = found.matches
                else:
                    search_form.add_error("organisation", _("No active municipality or joint authority matches “%(text)s”.") % {"text": typed})
        if organisation is not None:
            try:
                drafting.add_partner(request.user, application, organisation, notify_email)
            except Refused as refusal:
                # The refusal on the picker, with what was chosen or typed still in it.
                search_form = PartnerSearchForm({"organisation": request.POST.get("organisation") or organisation.name, "notify_email": notify_email})
                search_form.is_valid()
                search_form.add_error(refusal.field if refusal.field in {"organisation", "notify_email"} else None, refusal.message)
            else:
                messages.success(
                    request,
                    _("%(name)s was added as a partner. Its staff were told by e-mail and confirm its participation in kuntadigi.")
                    % {"name": organisation.name},
                )
                return redirect("applications:partners", pk=application.pk)

    rows = drafting.partner_rows(drafting.participants_with_budget(application))
    if request.method == "GET" and "remove" in request.GET and decision:
        row = next((r for r in rows if str(r.participant.pk) == request.GET["remove"] and r.participant.role == Participant.Role.PARTNER), None)
        if row is None:
            raise Http404
        return render(request, "applications/partner_remove.html", _page(application, "partners", row=row))

    lead = next((r.participant for r in rows if r.participant.role == Participant.Role.LEAD), None)
    cooperation = rules.check_participants(
        lead.organisation.kind if lead else None,
        [r.participant.organisation.kind for r in rows if r.participant.role == Participant.Role.PARTNER],
        application.call.min_municipalities,
    ) + rules.check_aland(submission.parties([r.participant for r in rows]), application.call.aland_may_apply)
    context = _page(
        application,
        "partners",
        rows=rows,
        can_edit=decision,
        search_form=search_form,
        matches=matches,
        candidates=[(org, drafting.option_label(org)) for org in drafting.partner_candidates(application)] if decision else [],
        cooperation=cooperation,
        states={
            "confirmed": drafting_rules.CONFIRMED,
            "waiting": drafting_rules.WAITING,
            "asked_again": drafting_rules.ASKED_AGAIN,
            "declined": drafting_rules.DECLINED,
        },
        notify_email=notify_email,
        error_items=error_items(search_form),
    )
    return render(request, "applications/partners.html", context, status=status)


def _int(value) -> int | None:
    """A database id from the request, or None (also for numbers no id column can hold)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


# ── Budget ───────────────────────────────────────────────────────────────────

# Which form field a budget Problem belongs to.
_PROBLEM_FIELD = {
    "category_not_eligible": "category",
    "organisation_not_participant": "participant",
    "amount_not_positive": "amount",
    "amount_cents": "amount",
}


@login_required
@require_http_methods(["GET", "POST"])
def budget(request, pk):
    application = application_for_viewer(request.user, pk, read=_read_on_get(request, "budget"))
    decision = permissions.can_edit_application(request.user, application, part="budget")
    participants = list(application.participants.select_related("organisation"))
    categories = list(application.call.cost_categories.all())
    form_kwargs = {"participants": participants, "categories": categories}
    stale = None
    status = 200
    if request.method == "POST":
        if not decision:
            messages.error(request, decision.reason)
            return redirect("applications:budget", pk=application.pk)
        formset = BudgetLineFormSet(request.POST, prefix="lines", form_kwargs=form_kwargs)
        form = BudgetForm(request.POST)
        formset_ok, form_ok = formset.is_valid(), form.is_valid()
        if formset_ok and form_ok:
            indexed = formset.lines()
            lines = [line for _index, line in indexed]
            requested = form.cleaned_data.get("requested_grant")
            try:
                drafting.save_budget(request.user, application, lines, requested, form.cleaned_data["version"])
            except StaleVersion as error:
                stale = error.message
                status = 409
            except Refused as refusal:
                _attach_problems(refusal, formset, form, [index for index, _line in indexed])
            else:
                messages.success(request, _("The budget was saved."))
                return redirect("applications:budget", pk=application.pk)
        shown_lines = _valid_rows(formset)
        requested = form.cleaned_data.get("requested_grant") if hasattr(form, "cleaned_data") else None
    else:
        stored = drafting.stored_lines(application)
        initial = [
            {
                "line_id": line["id"],
                "participant": line["participant_id"],
                "category": line["category_id"],
                "description": line["description"],
                "amount": line["amount"],
            }
            for line in stored
        ]
        formset_class = BudgetLineFormSet if decision else ReadOnlyBudgetLineFormSet
        formset = formset_class(initial=initial, prefix="lines", form_kwargs=form_kwargs)
        form = BudgetForm(initial={"version": application.version, "requested_grant": application.requested_grant})
        if not decision:
            for sub in [*formset.forms, form]:
                for field in sub.fields.values():
                    field.disabled = True
        shown_lines = stored
        requested = application.requested_grant
    overview = drafting.budget_overview(application.call, participants, categories, shown_lines, requested)
    context = _page(
        application,
        "budget",
        formset=formset,
        form=form,
        overview=overview,
        can_edit=decision,
        stale=stale,
        categories=categories,
        participants=participants,
        error_items=error_items(formset, form),
    )
    return render(request, "applications/budget.html", context, status=status)


def _valid_rows(formset) -> list[dict]:
    """The rows that read correctly, for totals shown next to a refused budget."""
    lines = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not all(data.get(key) is not None for key in ("participant", "category", "amount")):
            continue
        lines.append({"participant_id": data["participant"], "category_id": data["category"], "amount": data["amount"]})
    return lines


def _attach_problems(refusal: Refused, formset, form, row_of_line: list[int]) -> None:
    problems = refusal.problems or [rules.Problem(refusal.field or "", "refused", refusal.message)]
    for problem in problems:
        if problem.field == "requested_grant":
            form.add_error("requested_grant", problem.message)
        elif problem.field.startswith("budget-") and problem.field[7:].isdigit() and int(problem.field[7:]) < len(row_of_line):
            row = formset.forms[row_of_line[int(problem.field[7:])]]
            row.add_error(_PROBLEM_FIELD.get(problem.code), problem.message)
        else:
            form.add_error(None, problem.message)


# ── Attachments ──────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def attachments(request, pk):
    application = application_for_viewer(request.user, pk, read=_read_on_get(request, "attachments"))
    decision = permissions.can_edit_application(request.user, application, part="attachments")
    form = AttachmentForm()
    status = 200
    if request.method == "POST":
        if not decision:
            messages.error(request, decision.reason)
            return redirect("applications:attachments", pk=application.pk)
        form = AttachmentForm(request.POST, request.FILES)
        if upload_too_large(request):  # the upload was stopped at the size limit, unread (kuntadigi/core/uploads.py)
            form.refuse_file(drafting.too_large_message())
            status = 413
        elif form.is_valid():
            # Each file goes through the one upload service (and its validation) on its own: a refused
            # file is named with its reason, the others are kept.
            uploaded = []
            for file in form.cleaned_data["file"]:
                try:
                    uploaded.append(drafting.add_attachment(request.user, application, file, form.cleaned_data["description"]))
                except Refused as refusal:
                    form.add_error("file", _("%(name)s: %(reason)s") % {"name": file.name, "reason": refusal.message})
            for attachment in uploaded:
                messages.success(request, _("%(name)s was uploaded.") % {"name": attachment.original_name})
            if not form.errors:
                return redirect("applications:attachments", pk=application.pk)
    items = [
        (attachment, drafting_rules.ATTACHMENT_TYPES.get(attachment.content_type, attachment.content_type), drafting_rules.format_size(attachment.size))
        for attachment in application.attachments.select_related("uploaded_by")
    ]
    context = _page(application, "attachments", form=form, items=items, can_edit=decision, error_items=error_items(form), previewable=PREVIEWABLE_TYPES)
    return render(request, "applications/attachments.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def attachment_download(request, pk, attachment_pk):
    application = application_for_viewer(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, application=application)
    record_read(request.user, application, "attachment", attachment, name=attachment.original_name, sha256=attachment.sha256)
    return files.download(attachment)


# Types a browser shows by itself; anything else is only downloaded.
PREVIEWABLE_TYPES = {"application/pdf", "image/png", "image/jpeg"}
# The preview's own policy: no scripts, styles or connections; the PDF viewer's embed and the image itself only.
PREVIEW_CSP = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


@login_required
@require_http_methods(["GET"])
def attachment_preview(request, pk, attachment_pk):
    """A PDF, PNG or JPEG attachment opened in the browser (inline), with its detected type only."""
    application = application_for_viewer(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, application=application)
    if attachment.content_type not in PREVIEWABLE_TYPES:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record_read(request.user, application, "attachment_preview", attachment, name=attachment.original_name, sha256=attachment.sha256)
    response = FileResponse(handle, as_attachment=False, filename=attachment.original_name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    application = application_for_viewer(request.user, pk)
    get_object_or_404(Attachment, pk=attachment_pk, application=application)
    try:
        attachment = drafting.delete_attachment(request.user, application, attachment_pk)
    except Refused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(name)s was deleted.") % {"name": attachment.original_name})
    return redirect("applications:attachments", pk=application.pk)


# ── Deleting a draft ─────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    """A confirmation page (GET) and the deletion (POST): works without JavaScript."""
    application = application_for_viewer(request.user, pk)
    decision = permissions.can_delete_draft(request.user, application)
    if not decision:
        messages.error(request, decision.reason)
        return redirect("applications:detail", pk=application.pk)
    if request.method == "POST":
        try:
            reference = drafting.delete_draft(request.user, application)
        except Refused as refusal:
            messages.error(request, refusal.message)
            return redirect("applications:detail", pk=application.pk)
        messages.success(request, _("The draft application %(reference)s was deleted.") % {"reference": reference})
        return redirect("applications:mine")
    partner_names = [p.organisation.name for p in application.participants.filter(role=Participant.Role.PARTNER).select_related("organisation")]
    return render(request, "applications/delete.html", _page(application, "overview", partner_names=partner_names))


# ── My applications ──────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET"])
def my_applications(request):
    led, partnered = drafting.my_applications(request.user)
    open_calls = [call for call in Call.objects.filter(is_published=True) if call.phase(clock.now()) == "open"]
    context = {
        "waiting": drafting.waiting_for(request.user, led, partnered),
        "led": led,
        "partnered": partnered,
        "has_organisations": bool(permissions.organisation_ids(request.user)),
        "open_calls": open_calls,
    }
    return render(request, "applications/mine.html", context)
