"""Delivery pages: consent to electronic notification (application form and organisation page), the
postal address, an organisation's own copy of a decision, and the officials' letters to post.
Views parse, call services, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kuntadigi import clock, permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Application
from kuntadigi.applications.queries import application_for_viewer
from kuntadigi.audit.services import record_read
from kuntadigi.calls.models import Call
from kuntadigi.decisions import services_decisions as decisions
from kuntadigi.decisions.models import Decision
from kuntadigi.registry.models import Organisation

from . import letters as letter_documents
from . import services
from .forms import PostalAddressForm, PostedForm
from .models import Delivery

CONSENT = "notification_consent"


def _consent_posted(request) -> bool:
    return request.POST.get(CONSENT) == "yes"


def _consent_message(request, changed: bool, given: bool, organisation_name: str) -> None:
    if not changed:
        messages.info(request, _("There were no changes to save."))
    elif given:
        messages.success(request, _("%(organisation)s now receives decisions electronically.") % {"organisation": organisation_name})
    else:
        messages.success(
            request, _("%(organisation)s no longer receives decisions electronically: they are sent by post.") % {"organisation": organisation_name}
        )


def _safe_next(request, value: str | None) -> str:
    if value and len(value) <= 300 and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


# ── Consent ─────────────────────────────────────────────────────────────────


@login_required
@require_POST
def application_consent(request, pk: int):
    """The lead applicant's consent from the application form (its own small form in the contact part)."""
    application = application_for_viewer(request.user, pk)
    given = _consent_posted(request)
    try:
        changed = services.set_application_consent(request.user, application.pk, given)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        _consent_message(request, changed, given, application.lead.name)
    return redirect(reverse("applications:edit", args=[application.pk]) + "#notification-consent")


@login_required
@require_POST
def organisation_consent(request, pk: int):
    """An administrator gives or withdraws the organisation's consent on the organisation page."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if organisation.pk not in permissions.organisation_ids(request.user):
        raise Http404
    given = _consent_posted(request)
    try:
        changed = services.set_organisation_consent(request.user, organisation, given)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        _consent_message(request, changed, given, organisation.name)
    return redirect(reverse("accounts:organisations") + f"#delivery-{organisation.pk}")


# ── Postal address ──────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def postal_address(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not permissions.can_edit_postal_address(request.user, organisation):
        raise Http404
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    status = 200
    if request.method == "POST":
        form = PostalAddressForm(request.POST)
        if form.is_valid():
            try:
                services.set_postal_address(request.user, organisation, form.cleaned_data["postal_address"])
            except Refused as refused:
                form.add_error("postal_address", refused.message)
            else:
                messages.success(request, _("The postal address of %(organisation)s was saved.") % {"organisation": organisation.name})
                return redirect(next_url or reverse("accounts:organisations") + f"#delivery-{organisation.pk}")
        status = 400
    else:
        form = PostalAddressForm(initial={"postal_address": organisation.postal_address})
    context = {"organisation": organisation, "form": form, "next": next_url}
    return render(request, "delivery/postal_address.html", context, status=status)


# ── An organisation's own copy ──────────────────────────────────────────────


@login_required
def copy_document(request, pk: int, delivery_pk: int):
    """An organisation's own copy of the signed decision (a translation, or another channel's), after checking its SHA-256."""
    application = get_object_or_404(Application.objects.select_related("call").prefetch_related("participants"), pk=pk)
    delivery = get_object_or_404(Delivery, pk=delivery_pk, decision__application=application, decision__state=Decision.State.SIGNED)
    if not permissions.can_download_copy(request.user, application, delivery.organisation_id) or not delivery.copy_sha256:
        raise Http404
    try:
        data = services.copy_bytes(delivery)
    except decisions.DocumentTampered:
        html = render_to_string("decisions/document_unavailable.html", {"application": application}, request=request)
        return HttpResponse(html, status=500)
    services.record_reading(request.user, application)
    record_read(request.user, application, "decision_copy_pdf", delivery, language=delivery.language)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}-paatos-beslut-{delivery.language}.pdf"'
    response["X-Content-SHA256"] = delivery.copy_sha256
    return response


# ── Letters to post (officials) ─────────────────────────────────────────────


def _call(user, slug: str) -> Call:
    call = get_object_or_404(Call, slug=slug)
    if not permissions.can_view_deliveries(user, call):
        raise Http404
    return call


def _letter(user, pk: int) -> Delivery:
    delivery = get_object_or_404(
        Delivery.objects.select_related("organisation", "decision__application__call", "sent_by"), pk=pk, channel=Delivery.Channel.POST
    )
    if not permissions.can_view_deliveries(user, delivery.decision.application.call):
        raise Http404
    return delivery


@login_required
def letters(request, call_slug: str):
    call = _call(request.user, call_slug)
    deliveries = list(
        Delivery.objects.filter(decision__application__call=call, channel=Delivery.Channel.POST)
        .select_related("organisation", "decision__application")
        .annotate(posted=Case(When(sent_on__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("posted", "decision__application__reference", "-is_lead", "pk")
    )
    context = {
        "call": call,
        "to_post": [d for d in deliveries if d.sent_on is None],
        "posted": [d for d in deliveries if d.sent_on is not None],
        "may_post": bool(permissions.can_post_letters(request.user, call)),
    }
    return render(request, "delivery/letters.html", context)


def _letter_page(request, delivery: Delivery, *, form=None, status=200):
    call = delivery.decision.application.call
    may_post = permissions.can_post_letters(request.user, call)
    context = {
        **letter_documents.letter_context(delivery),
        "call": call,
        "form": form or PostedForm(initial={"posted_on": clock.helsinki(clock.now()).date()}),
        "may_post": bool(may_post) and delivery.sent_on is None,
        "may_edit_address": bool(permissions.can_edit_postal_address(request.user, delivery.organisation)),
    }
    return render(request, "delivery/letter.html", context, status=status)


@login_required
def letter(request, pk: int):
    delivery = _letter(request.user, pk)
    record_read(request.user, delivery.decision.application, "letter", delivery, as_official=True)
    return _letter_page(request, delivery)


@login_required
def letter_pdf(request, pk: int):
    delivery = _letter(request.user, pk)
    pdf, filename = letter_documents.render_letter_pdf(delivery)
    record_read(request.user, delivery.decision.application, "letter_pdf", delivery, as_official=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def letter_posted(request, pk: int):
    delivery = _letter(request.user, pk)
    form = PostedForm(request.POST)
    if form.is_valid():
        try:
            services.mark_posted(request.user, delivery.pk, form.cleaned_data["posted_on"])
        except Refused as refused:
            if refused.field == "posted_on":
                form.add_error("posted_on", refused.message)
            else:
                messages.error(request, refused.message)
                return redirect("delivery:letter", pk=delivery.pk)
        else:
            messages.success(request, _("The letter to %(organisation)s was marked as posted.") % {"organisation": delivery.organisation.name})
            return redirect("delivery:letters", call_slug=delivery.decision.application.call.slug)
    return _letter_page(request, delivery, form=form, status=400)
