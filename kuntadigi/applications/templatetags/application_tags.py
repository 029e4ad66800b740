"""The application form's tab bar: which sections are complete and which still miss something."""

from django import template

from kuntadigi.applications import submission
from kuntadigi.applications.lifecycle import State

register = template.Library()

EDITABLE = {State.DRAFT, State.SUPPLEMENT_REQUESTED}


@register.simple_tag
def section_checklist(application) -> dict:
    """{'editable': bool, 'missing': {section: count}} for the tab bar. The sections are checked only
    while the application can be edited; a submitted application has no checklist and no review tab."""
    if application is None or application.state not in EDITABLE:
        return {"editable": False, "missing": {}}
    loaded = submission.with_content(type(application).objects.filter(pk=application.pk)).first()
    if loaded is None:
        return {"editable": False, "missing": {}}
    return {"editable": True, "missing": submission.missing_by_section(submission.validate_for_submission(loaded))}
