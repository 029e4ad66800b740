"""Template helpers of the assessment pages, and the data of the assessment section on the official's
application page (templates/assessment/_official_section.html)."""

from __future__ import annotations

from django import template

from kuntadigi import permissions

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ scores|get_item:criterion.pk }}"""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def assessment_section(context, application) -> dict:
    """What the signed-in user may see of the application's assessment.

    `mode` is "officials" for the call's preparers, presenter and decision-maker (assessors by name,
    submitted scores, means, the weighted score and the disagreement flag), "assessor" for an assessor
    with an assignment on it (only their own assessment: blind), and "" for everyone else (nothing)."""
    from kuntadigi.assessment import queries, rules, services
    from kuntadigi.assessment.models import Assignment

    user = _user(context)
    if application is None or not getattr(user, "is_authenticated", False):
        return {"mode": ""}
    call = application.call
    if permissions.can_view_assessment_results(user, call) or permissions.can_assign_assessors(user, call):
        data = services.application_assessment(application)
        may_assign = bool(permissions.can_assign_assessors(user, call))
        choices = []
        if may_assign and application.state in services.ASSIGNABLE_STATES:
            taken = {view.assignment.assessor_id for view in data.assignments}
            org_ids = permissions.application_org_ids(application)
            assessors = [a for a in queries.call_assessors(call) if a.pk not in taken]
            ties = queries.ties_by_assessor(a.pk for a in assessors)
            for assessor in assessors:
                tied = sorted({t.organisation.name for t in ties.get(assessor.pk, []) if t.organisation_id in org_ids})
                choices.append({"pk": assessor.pk, "name": queries.display_name(assessor), "tied": ", ".join(tied)})
        means = data.summary.means_display
        return {
            "mode": "officials",
            "call": call,
            "data": data,
            "criteria_means": [
                {"criterion": c, "mean": means.get(c.pk), "flagged": c.pk in data.summary.flagged_criteria, "weight": c.weight} for c in data.criteria
            ],
            "may_assign": may_assign,
            "choices": choices,
            "spread": call.disagreement_spread,
            "weighted_display": rules.for_display(data.summary.weighted),
        }
    assignment = Assignment.objects.filter(application=application, assessor=user).first()
    if assignment is None:
        return {"mode": ""}
    decision = permissions.can_assess_application(user, application)
    return {
        "mode": "assessor",
        "assignment": assignment,
        "allowed": bool(decision),
        "reason": decision.reason,
        "state": services.assignment_state(assignment, assignment.scores.count()),
    }


@register.simple_tag(takes_context=True)
def assessment_links(context, call) -> list[tuple[str, str]]:
    """(label, address) of the call's assessment pages the signed-in user may open; empty for others."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    user = _user(context)
    links = []
    if permissions.can_assign_assessors(user, call):
        links.append((_("Assessors and assignments"), reverse("assessment:assignments", args=[call.slug])))
    if permissions.can_view_assessment_results(user, call):
        links.append((_("Assessment results"), reverse("assessment:results", args=[call.slug])))
    return links
