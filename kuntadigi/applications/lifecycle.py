"""The application lifecycle: every state and every allowed transition, at a glance.

    state       action     →  state       who                      when
    ─────────   ────────      ─────────   ──────────────────────   ─────────────────────────────
    draft       submit     →  submitted   member of the lead       call open; all partners confirmed
    submitted   withdraw   →  draft       member of the lead       call open (to edit and resubmit)

Later stages (screening, assessment, decisions) extend this table; nothing else changes `state`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


TRANSITIONS: dict[tuple[str, str], str] = {
    (State.DRAFT, "submit"): State.SUBMITTED,
    (State.SUBMITTED, "withdraw"): State.DRAFT,
}


class TransitionNotAllowed(Exception):
    pass


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionNotAllowed(f"{action} is not allowed from {state}") from None


def allowed_actions(state: str) -> list[str]:
    return [action for (from_state, action) in TRANSITIONS if from_state == state]


# Which states let the lead edit the content.
EDITABLE_STATES = {State.DRAFT}
