"""Delivery sections for pages owned by others: the application form and the partner's confirmation
(consent), the organisations page (consent and postal address), the applicant's overview (how the
decision reached each organisation and the period for a claim) and the officials' decisions list."""

from __future__ import annotations

from django import template
from django.urls import reverse

from kuntadigi import permissions
from kuntadigi.accounts.models import Membership

from .. import services
from ..models import Delivery, NotificationConsent

register = template.Library()


def _user(context):
    return context.get("user") or getattr(context.get("request"), "user", None)


@register.simple_tag
def consent_in_force(organisation) -> NotificationConsent | None:
    """The organisation's consent to electronic notification in force now, or None."""
    return services.consent_in_force(organisation.pk)


@register.simple_tag(takes_context=True)
def application_consent(context, application) -> dict:
    """The lead applicant's consent for the application form, and whether this user may change it there."""
    user = _user(context)
    return {
        "consent": services.consent_in_force(application.lead_id),
        "may_change": bool(permissions.can_consent_in_application(user, application)),
        "organisation": application.lead,
    }


@register.simple_tag(takes_context=True)
def organisation_delivery_rows(context) -> list[dict]:
    """The user's organisations with their consent and postal address; `is_admin` where the user may change them."""
    user = _user(context)
    memberships = list(Membership.objects.filter(user=user, status=Membership.Status.APPROVED).select_related("organisation").order_by("organisation__name_fi"))
    if not memberships:
        return []
    consents = {
        c.organisation_id: c
        for c in NotificationConsent.objects.filter(organisation_id__in=[m.organisation_id for m in memberships], withdrawn_at__isnull=True).select_related(
            "given_by"
        )
    }
    return [
        {
            "organisation": m.organisation,
            "consent": consents.get(m.organisation_id),
            "address": services.address_lines(m.organisation.postal_address),
            "is_admin": m.role == Membership.Role.ADMIN,
        }
        for m in memberships
    ]


@register.simple_tag(takes_context=True)
def applicant_deliveries(context, application, decision) -> list[dict]:
    """How the signed decision reached each organisation of the application, with the presumed day of
    notification and the last day to claim rectification; the link to an organisation's own copy for its members."""
    user = _user(context)
    mine = permissions.organisation_ids(user)
    official = bool(permissions.has_call_role(user, application.call_id, "preparer", "presenter", "decision_maker"))
    rows = []
    for delivery in Delivery.objects.filter(decision=decision).select_related("organisation").order_by("-is_lead", "pk"):
        copy_url = ""
        if delivery.own_copy and delivery.copy_sha256 and (delivery.organisation_id in mine or official):
            copy_url = reverse("delivery:copy_document", args=[application.pk, delivery.pk])
        rows.append({"delivery": delivery, "mine": delivery.organisation_id in mine, "copy_url": copy_url})
    return rows


@register.simple_tag(takes_context=True)
def letters_to_post(context, call) -> dict:
    """The number of the call's letters waiting to be posted, for its decision officials (`visible` False for others)."""
    if not permissions.can_view_deliveries(_user(context), call):
        return {"visible": False}
    waiting = Delivery.objects.filter(decision__application__call=call, channel=Delivery.Channel.POST, sent_on__isnull=True).count()
    return {"visible": True, "waiting": waiting}
