"""Decision sections for pages owned by others: the official's application page and the applicant's overview."""

from __future__ import annotations

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse

from kuntadigi import permissions
from kuntadigi.applications.lifecycle import DECIDED_STATES, RECEIVED_STATES

from .. import rules_decisions
from .. import services_decisions as services
from ..models import Decision

register = template.Library()

PROPOSAL_TEMPLATE = "decisions/_proposal.html"


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


@register.simple_tag
def official_application_url(application) -> str:
    """The official's page of an application (screening), or the overview while that page does not exist."""
    try:
        return reverse("screening:application", args=[application.pk])
    except NoReverseMatch:
        return reverse("applications:detail", args=[application.pk])


@register.simple_tag(takes_context=True)
def decision_section(context, application) -> dict:
    """What the official's application page shows of the decision; `visible` is False for those without a decision role."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    call = application.call
    if application.state not in RECEIVED_STATES or not permissions.can_view_decisions(user, call):
        return {"visible": False}
    decision = services.decision_of(application)
    signed = decision is not None and decision.state == Decision.State.SIGNED
    return {
        "visible": True,
        "decision": decision,
        "proposal": services.proposal_of(application),
        "proposal_template": PROPOSAL_TEMPLATE if _template_exists(PROPOSAL_TEMPLATE) else "",
        "not_decidable": "" if decision is not None else rules_decisions.why_not_decidable(application.state),
        "may_prepare": not signed and bool(permissions.can_prepare_decisions(user, call)) and not rules_decisions.why_not_decidable(application.state),
        "may_sign": decision is not None and not signed and bool(permissions.can_sign_decision(user, decision)),
    }


@register.simple_tag(takes_context=True)
def applicant_decision(context, application):
    """The signed decision for the applicant's overview, or None (nothing is shown before signing)."""
    if application.state not in DECIDED_STATES:  # only a signed decision decides the application
        return None
    user = context.get("user") or getattr(context.get("request"), "user", None)
    decision = Decision.objects.filter(application_id=application.pk, state=Decision.State.SIGNED).first()
    if decision is None or not permissions.can_download_decision(user, application):
        return None
    return decision


@register.simple_tag(takes_context=True)
def decision_list_url(context, call) -> str:
    """The call's decisions for those with a decision role in it; empty for everyone else."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if not permissions.can_view_decisions(user, call):
        return ""
    return reverse("decisions:decision_list", args=[call.slug])
