"""A payment request's lifecycle: every state and every allowed transition, at a glance.

    state       action     →  state       who                                        when
    ─────────   ────────      ─────────   ─────────────────────────────────────────  ───────────────────────────────────────
    draft       submit     →  submitted   member of the lead                         every organisation with costs has its ledger extract
    submitted   check      →  checked     preparer of the call                       every line accepted or reduced with a reason
    checked     reopen     →  submitted   preparer of the call                       the check is to be redone (before approval)
    checked     approve    →  approved    payment approver of the call               not the person who checked it (four eyes)

Nothing else changes `state`. An approved request has its Payment (models.Payment), which a payment batch
pays; a change of account stops the payment, not the request.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi.core.lifecycle import Lifecycle, TransitionNotAllowed  # noqa: F401 (TransitionNotAllowed: raised by next_state)


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, to be checked")
    CHECKED = "checked", _("checked, to be approved")
    APPROVED = "approved", _("approved")


TRANSITIONS: dict[tuple[str, str], str] = {
    (State.DRAFT, "submit"): State.SUBMITTED,
    (State.SUBMITTED, "check"): State.CHECKED,
    (State.CHECKED, "reopen"): State.SUBMITTED,
    (State.CHECKED, "approve"): State.APPROVED,
}

_LIFECYCLE = Lifecycle(TRANSITIONS)
next_state = _LIFECYCLE.next_state
allowed_actions = _LIFECYCLE.allowed_actions
