"""Decision pages: the officials' list, preparing, previewing and signing a decision, the whole call at
once, and the applicants' download of a signed decision. Views parse, call services_decisions, render."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import RECEIVED_STATES
from kuntadigi.applications.models import Application
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import Call, CallRole, NoGrantReason
from kuntadigi.core import formats
from kuntadigi.mfa.stepup import step_up_required

from . import documents, rules_decisions
from . import services_decisions as services
from .forms_decisions import BatchPrepareForm, DecisionForm
from .models import Allocation, Decision
from .pdf import pdf_filename

logger = logging.getLogger(__name__)


# ── Loading (404 for whoever may not see it) ────────────────────────────────


def _call(user, slug: str) -> Call:
    call = get_object_or_404(Call, slug=slug)
    if not permissions.can_view_decisions(user, call):
        raise Http404
    return call


def _application(user, pk: int) -> Application:
    application = get_object_or_404(Application.objects.select_related("call", "lead"), pk=pk, state__in=RECEIVED_STATES)
    if not permissions.can_view_decisions(user, application.call):
        raise Http404
    return application


def _people(call, role: str):
    return get_user_model().objects.filter(call_roles__call=call, call_roles__role=role, is_active=True).distinct().order_by("full_name", "email")


def _error_items(form) -> list[tuple[str, str]]:
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            items += [("decision-form", str(error)) for error in errors]
            continue
        anchor = form[name].auto_id if name in form.fields else "decision-form"
        if name in ("outcome", "no_grant_reason"):
            anchor += "_0"
        items += [(anchor, str(error)) for error in errors]
    return items


def _reason_label(language: str):
    def label(reason: NoGrantReason) -> str:
        return getattr(reason, f"text_{language}", "") or reason.text

    return label


# ── The officials' list ─────────────────────────────────────────────────────


@login_required
def decision_list(request, call_slug: str):
    call = _call(request.user, call_slug)
    applications = list(
        Application.objects.filter(call=call, state__in=RECEIVED_STATES)
        .select_related("lead", "decision", "decision__no_grant_reason", "decision__decision_maker", "proposal")
        .prefetch_related("decision__deliveries__organisation")
        .order_by("reference")
    )
    rows = [{"application": a, "decision": services.decision_of(a), "proposal": services.proposal_of(a)} for a in applications]
    totals = Decision.objects.filter(application__call=call).aggregate(
        granted=Sum("amount", filter=Q(outcome=Decision.Outcome.GRANT)),
        signed_granted=Sum("amount", filter=Q(outcome=Decision.Outcome.GRANT, state=Decision.State.SIGNED)),
        drafts=Count("id", filter=Q(state=Decision.State.DRAFT)),
        signed=Count("id", filter=Q(state=Decision.State.SIGNED)),
        my_drafts=Count("id", filter=Q(state=Decision.State.DRAFT, decision_maker=request.user)),
    )
    allocation = Allocation.objects.filter(call=call).first()
    screened = sum(1 for row in rows if row["application"].state in rules_decisions.DECIDABLE_STATES and row["decision"] is None)
    context = {
        "call": call,
        "rows": rows,
        "totals": totals,
        "allocation": allocation,
        "screened_without_decision": screened,
        "may_prepare": bool(permissions.can_prepare_decisions(request.user, call)),
        "may_sign": CallRole.Role.DECISION_MAKER in permissions.call_roles(request.user, call),
        "may_declare_ties": bool(permissions.can_declare_ties(request.user)),
    }
    return render(request, "decisions/list.html", context)


# ── One decision ────────────────────────────────────────────────────────────


def _decision_form(application, *, data=None, initial=None) -> DecisionForm:
    call = application.call
    language = documents.document_language(application.language)
    return DecisionForm(
        data=data,
        initial=initial,
        presenters=_people(call, CallRole.Role.PRESENTER),
        decision_makers=_people(call, CallRole.Role.DECISION_MAKER),
        reasons=NoGrantReason.objects.filter(call=call).order_by("order"),
        reason_label=_reason_label(language),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_prepare(request, pk: int):
    application = _application(request.user, pk)
    call = application.call
    decision = services.decision_of(application)
    if decision is not None and decision.state == Decision.State.SIGNED:
        messages.info(request, _("The decision has been signed: it can no longer be changed."))
        return redirect("decisions:decision_preview", pk=application.pk)
    allowed = permissions.can_prepare_decisions(request.user, call)
    if not allowed:
        messages.error(request, allowed.reason)
        return redirect("decisions:decision_list", call_slug=call.slug)
    not_decidable = rules_decisions.why_not_decidable(application.state)
    form = None
    if request.method == "POST":
        form = _decision_form(application, data=request.POST)
        if form.is_valid():
            try:
                services.prepare_decision(request.user, application.pk, form.decision_data())
            except Refused as refused:
                for problem in refused.problems or []:
                    form.add_error(problem.field if problem.field in form.fields else None, problem.message)
                if not refused.problems:
                    form.add_error(refused.field if refused.field in form.fields else None, refused.message)
            else:
                messages.success(request, _("The draft decision was saved. Check the preview before it is signed."))
                return redirect("decisions:decision_preview", pk=application.pk)
    elif not not_decidable:
        form = _decision_form(application, initial=DecisionForm.initial_from(services.defaults_for(application, request.user)))
    context = {
        "application": application,
        "call": call,
        "decision": decision,
        "form": form if not not_decidable or request.method == "POST" else None,
        "not_decidable": not_decidable,
        "error_items": _error_items(form) if form is not None and form.is_bound else [],
        "proposal": services.proposal_of(application),
        "remaining": services.remaining_for(call, application.pk),
        "latest": services.latest_submission(application),
        "language_name": dict(Application._meta.get_field("language").choices).get(application.language, application.language),
    }
    return render(request, "decisions/prepare.html", context)


def _preview_context(request, application) -> dict:
    try:
        decision = services.load_decision(application.pk)
    except Decision.DoesNotExist:
        raise Http404 from None
    from kuntadigi.delivery.services import main_document_electronic  # the lead's channel (at signing, or now)

    document = services.document_for(decision, electronic=main_document_electronic(decision))
    current = bool(decision.preview) and decision.preview_of == services.document_fingerprint(document)
    may_sign = permissions.can_sign_decision(request.user, decision)
    return {
        "application": application,
        "call": application.call,
        "decision": decision,
        "doc": document,
        "preview_ready": current,
        "may_prepare": decision.state == Decision.State.DRAFT and bool(permissions.can_prepare_decisions(request.user, application.call)),
        "may_sign": decision.state == Decision.State.DRAFT and bool(may_sign),
        "sign_refusal": "" if may_sign else may_sign.reason,
    }


@login_required
def decision_preview(request, pk: int):
    application = _application(request.user, pk)
    context = _preview_context(request, application)
    record_read(request.user, application, "decision_preview", context["decision"], as_official=True)
    return render(request, "decisions/preview.html", context)


@login_required
def decision_preview_pdf(request, pk: int):
    application = _application(request.user, pk)
    context = _preview_context(request, application)
    decision = context["decision"]
    if decision.state == Decision.State.SIGNED:
        return redirect("decisions:decision_document", pk=application.pk)
    if not context["preview_ready"]:
        messages.info(request, _("The preview PDF is being prepared. Try again in a moment."))
        return redirect("decisions:decision_preview", pk=application.pk)
    with decision.preview.open("rb") as handle:
        data = handle.read()
    record_read(request.user, application, "decision_preview_pdf", decision, as_official=True)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(context["doc"])}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@step_up_required  # signing asks for the second factor again when it is not fresh
def decision_sign(request, pk: int):
    application = _application(request.user, pk)
    if request.method == "POST":
        try:
            services.sign_decision(request.user, application.pk)
        except Decision.DoesNotExist:
            raise Http404 from None
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The decision was signed. Its document is stored and the applicants are notified."))
        return redirect("decisions:decision_preview", pk=application.pk)
    context = _preview_context(request, application)
    if context["decision"].state == Decision.State.SIGNED:
        messages.info(request, _("The decision has already been signed."))
        return redirect("decisions:decision_preview", pk=application.pk)
    return render(request, "decisions/sign.html", context)


# ── The whole call ──────────────────────────────────────────────────────────


def _batch_messages(request, result: services.BatchResult, what: str) -> None:
    if result.done:
        messages.success(
            request,
            _("%(what)s: %(count)d. Grants: %(grants)d, %(total)s € in total; no grant: %(no_grants)d.")
            % {
                "what": what,
                "count": len(result.done),
                "grants": result.grants,
                "total": formats.number(result.granted_total, get_language()),
                "no_grants": result.no_grants,
            },
        )
    else:
        messages.info(request, _("%(what)s: nothing to do.") % {"what": what})
    if result.skipped:
        messages.info(request, _("Left as they were: %(references)s.") % {"references": ", ".join(reference for reference, _why in result.skipped)})
    for reference, reason in result.refused:
        messages.error(request, f"{reference}: {reason}")


@login_required
@require_http_methods(["GET", "POST"])
def decision_batch_prepare(request, call_slug: str):
    call = _call(request.user, call_slug)
    allowed = permissions.can_prepare_decisions(request.user, call)
    if not allowed:
        messages.error(request, allowed.reason)
        return redirect("decisions:decision_list", call_slug=call.slug)
    people = {"presenters": _people(call, CallRole.Role.PRESENTER), "decision_makers": _people(call, CallRole.Role.DECISION_MAKER)}
    if request.method == "POST":
        form = BatchPrepareForm(request.POST, **people)
        if form.is_valid():
            try:
                result = services.prepare_all(request.user, call, form.signatories())
            except Refused as refused:
                messages.error(request, refused.message)
            else:
                _batch_messages(request, result, _("Decisions prepared"))
            return redirect("decisions:decision_list", call_slug=call.slug)
    else:
        presenters, makers = list(people["presenters"]), list(people["decision_makers"])
        initial = {"diary_number": call.diary_number}
        if any(p.pk == request.user.pk for p in presenters):
            initial["presenter"] = request.user.pk
        elif len(presenters) == 1:
            initial["presenter"] = presenters[0].pk
        if len(makers) == 1:
            initial["decision_maker"] = makers[0].pk
        form = BatchPrepareForm(initial=initial, **people)
    plans = []
    for application in Application.objects.filter(call=call, state__in=rules_decisions.DECIDABLE_STATES, decision__isnull=True).select_related("proposal"):
        proposal = services.proposal_of(application)
        plans.append(rules_decisions.batch_plan(rules_decisions.BatchItem(application.pk, application.state, proposal.amount if proposal else None)))
    summary = {
        "grants": sum(1 for p in plans if p.outcome == "grant"),
        "granted_total": sum((p.amount for p in plans if p.outcome == "grant"), Decimal("0.00")),
        "not_within": sum(1 for p in plans if p.reason_code == rules_decisions.REASON_APPROPRIATION),
        "not_eligible": sum(1 for p in plans if p.reason_code == rules_decisions.REASON_CONDITIONS),
        "total": len(plans),
    }
    context = {
        "call": call,
        "form": form,
        "summary": summary,
        "allocation": Allocation.objects.filter(call=call).first(),
        "error_items": _error_items(form) if form.is_bound else [],
    }
    return render(request, "decisions/batch_prepare.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@step_up_required
def decision_batch_sign(request, call_slug: str):
    call = _call(request.user, call_slug)
    if CallRole.Role.DECISION_MAKER not in permissions.call_roles(request.user, call):
        messages.error(request, _("Only the call's decision-makers sign decisions."))
        return redirect("decisions:decision_list", call_slug=call.slug)
    if request.method == "POST":
        try:
            result = services.sign_all(request.user, call)
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            _batch_messages(request, result, _("Decisions signed"))
        return redirect("decisions:decision_list", call_slug=call.slug)
    drafts = Decision.objects.filter(application__call=call, state=Decision.State.DRAFT, decision_maker=request.user)
    summary = drafts.aggregate(count=Count("id"), grants=Count("id", filter=Q(outcome=Decision.Outcome.GRANT)), granted_total=Sum("amount"))
    others = Decision.objects.filter(application__call=call, state=Decision.State.DRAFT).exclude(decision_maker=request.user).count()
    return render(request, "decisions/batch_sign.html", {"call": call, "summary": summary, "others": others})


# ── The applicants' download ────────────────────────────────────────────────


@login_required
def decision_document(request, pk: int):
    """The signed decision as PDF, after checking its SHA-256. Nothing before it is signed and stored."""
    application = get_object_or_404(Application.objects.select_related("call").prefetch_related("participants"), pk=pk)
    if not permissions.can_download_decision(request.user, application):
        raise Http404
    decision = Decision.objects.filter(application=application, state=Decision.State.SIGNED).exclude(document="").first()
    if decision is None or not decision.document_sha256:
        raise Http404
    try:
        data = services.signed_document_bytes(decision)
    except services.DocumentTampered:
        html = render_to_string("decisions/document_unavailable.html", {"application": application}, request=request)
        return HttpResponse(html, status=500)
    from kuntadigi.delivery.services import record_reading  # a member opening the decision is a read receipt

    record_reading(request.user, application)
    record_read(request.user, application, "decision_pdf", decision)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}-paatos-beslut.pdf"'
    response["X-Content-SHA256"] = decision.document_sha256
    return response
