"""A report's lifecycle (interim or final): every state and every allowed transition, at a glance.

    state                  action           →  state                  who                               when
    ─────────────────────  ───────────────     ─────────────────────  ────────────────────────────────  ────────────────────────────────────────
    draft                  submit           →  submitted              member of the lead                the required parts are filled in
    submitted              ask_supplement   →  supplement_requested   preparer (substantive or financial review)  with what is missing and a due date
    supplement_requested   submit           →  submitted              member of the lead                a new version is kept; the diff is shown
    submitted              approve          →  approved               preparer                          every review the report needs is passed

A final report needs both reviews: the substantive review (asiatarkastus) of what the project achieved
and the financial review (taloustarkastus) of its final payment request and the confirmation of the
auditor or finance office. An interim report needs the substantive review only.
Nothing else changes `state`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi.core.lifecycle import Lifecycle, TransitionNotAllowed  # noqa: F401 (TransitionNotAllowed: raised by next_state)


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, under review")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("supplement requested")
    APPROVED = "approved", _("approved")


TRANSITIONS: dict[tuple[str, str], str] = {
    (State.DRAFT, "submit"): State.SUBMITTED,
    (State.SUBMITTED, "ask_supplement"): State.SUPPLEMENT_REQUESTED,
    (State.SUPPLEMENT_REQUESTED, "submit"): State.SUBMITTED,
    (State.SUBMITTED, "approve"): State.APPROVED,
}

_LIFECYCLE = Lifecycle(TRANSITIONS)
next_state = _LIFECYCLE.next_state
allowed_actions = _LIFECYCLE.allowed_actions
