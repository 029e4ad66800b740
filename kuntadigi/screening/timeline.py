"""The audit trail of one application as a timeline: who did what and when, in words, with the values
before and after. The labels are translated; an action without a label shows its code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from kuntadigi.audit.models import AuditEvent
from kuntadigi.audit.services import READ

ACTION_LABELS = {
    "application.started": _("Application started"),
    "application.saved": _("Project page saved"),
    "application.partner_added": _("Partner added"),
    "application.partner_removed": _("Partner removed"),
    "application.budget_saved": _("Budget saved"),
    "application.attachment_added": _("Attachment added"),
    "application.attachment_deleted": _("Attachment deleted"),
    "application.confirm_participation": _("Partner confirmed its participation"),
    "application.submit": _("Application submitted"),
    "application.withdraw": _("Application withdrawn"),
    "application.submit_supplement": _("Supplemented application submitted"),
    "screening.marked": _("Eligibility marked"),
    "screening.supplement_requested": _("Supplement requested"),
    "assessment.assigned": _("Assessor assigned"),
    "assessment.unassigned": _("Assessor's assignment removed"),
    "assessment.draft_saved": _("Assessment saved as a draft"),
    "assessment.submitted": _("Assessment submitted"),
    "decisions.proposal_set": _("Amount proposed"),
    "decisions.proposal_set_to_requested": _("Amount applied for proposed"),
    "decisions.proposal_filled": _("Amount proposed by filling the appropriation"),
    "decision.prepare": _("Decision prepared"),
    "decision.sign": _("Decision signed"),
    "decision.document_stored": _("Decision document stored"),
    "decision.notify": _("Applicant notified of the decision"),
    "application.party_succeeded": _("Party replaced by its successor after a municipal merger"),
    "delivery.consent_given": _("Consent to electronic notification given"),
    "delivery.consent_withdrawn": _("Consent to electronic notification withdrawn"),
    "delivery.posted": _("Letter with the decision posted"),
    "delivery.read": _("Decision opened by an organisation"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def _show(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("yes")) if value else str(_("no"))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def value_changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(key, before, after) for every key of either, in the order the event names them. A value
    that did not change is left out only when it is present on both sides and equal."""
    before, after = before or {}, after or {}
    keys = list(before) + [key for key in after if key not in before]
    rows = []
    for key in keys:
        if key in before and key in after and before[key] == after[key]:
            continue
        rows.append((key, _show(before.get(key)) if key in before else "", _show(after.get(key)) if key in after else ""))
    return rows


@dataclass
class Entry:
    at: datetime
    actor: object
    action: str
    label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def application_timeline(application_id: int) -> list[Entry]:
    """Every audit event of the application that changed something, oldest first (one query). Officials'
    reads (audit.services.READ) are listed for system administrators in the admin, not here."""
    events = AuditEvent.objects.filter(application_id=application_id).exclude(action=READ).select_related("actor").order_by("at", "id")
    return [Entry(at=e.at, actor=e.actor, action=e.action, label=action_label(e.action), changes=value_changes(e.before, e.after)) for e in events]
