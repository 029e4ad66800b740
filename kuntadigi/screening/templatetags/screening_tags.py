"""Template helpers of screening: the open request for supplement shown on the application's pages, and
what answered requests changed in the parts reopened with a reason (the official's and the decision's pages)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from kuntadigi import clock, permissions
from kuntadigi.applications.lifecycle import SUPPLEMENT_STATES

from ..rules import PART_LABELS

register = template.Library()

# Where each part is changed.
_PART_PAGES = {
    "project": ("applications:edit", "#section-basics"),
    "target_areas": ("applications:edit", "#section-basics"),
    "schedule": ("applications:edit", "#section-schedule"),
    "contact": ("applications:edit", "#section-contact"),
    "partners": ("applications:partners", ""),
    "budget": ("applications:budget", ""),
    "attachments": ("applications:attachments", ""),
}


@register.simple_tag
def open_supplement_request(application):
    """The application's open request for supplement with `part_links` [(label, url)] and `is_past`; else None."""
    if application is None or getattr(application, "state", None) not in SUPPLEMENT_STATES:
        return None
    request = permissions.open_supplement_request(application)
    if request is None:
        return None
    request.part_links = [
        (str(PART_LABELS[part]), reverse(_PART_PAGES[part][0], args=[application.pk]) + _PART_PAGES[part][1]) for part in request.parts if part in _PART_PAGES
    ]
    request.is_past = clock.now() >= request.due_at
    return request


@register.simple_tag
def supplement_changes(application):
    """[services.SupplementChanges]: for templates/screening/_supplement_changes.html."""
    from ..services import supplement_changes as changes_of

    if application is None or getattr(application, "pk", None) is None:
        return []
    return changes_of(application)
