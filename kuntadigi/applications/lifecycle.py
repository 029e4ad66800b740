"""The application lifecycle: every state and every allowed transition, at a glance.

    state                  action               →  state                  who (role in the call)   when
    ─────────────────────  ───────────────────     ─────────────────────  ───────────────────────  ──────────────────────────────────
    draft                  submit               →  submitted              member of the lead       call open; all partners confirmed
    submitted              withdraw             →  draft                  member of the lead       call open (to edit and resubmit)
    submitted              request_supplement   →  supplement_requested   preparer                 call closed, not yet screened
    supplement_requested   submit_supplement    →  submitted              member of the lead       before the request's due time
    supplement_requested   mark_eligible        →  eligible               preparer                 the request's due time passed unanswered
    supplement_requested   mark_ineligible      →  ineligible             preparer                 the request's due time passed unanswered
    submitted              mark_eligible        →  eligible               preparer                 call closed
    submitted              mark_ineligible      →  ineligible             preparer                 call closed
    eligible               mark_ineligible      →  ineligible             preparer                 no decision yet
    ineligible             mark_eligible        →  eligible               preparer                 no decision yet
    eligible               sign_grant           →  granted                decision-maker           the decision document is ready
    eligible               sign_no_grant        →  not_granted            decision-maker           the decision document is ready
    ineligible             sign_no_grant        →  not_granted            decision-maker           the decision document is ready

Nothing else changes `state`. A submitted application that was never screened cannot be decided.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi.core.lifecycle import Lifecycle, TransitionNotAllowed  # noqa: F401 (TransitionNotAllowed: raised by next_state)


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("supplement requested")
    ELIGIBLE = "eligible", _("eligible")
    INELIGIBLE = "ineligible", _("ineligible")
    GRANTED = "granted", _("grant decided")
    NOT_GRANTED = "not_granted", _("no grant decided")


TRANSITIONS: dict[tuple[str, str], str] = {
    (State.DRAFT, "submit"): State.SUBMITTED,
    (State.SUBMITTED, "withdraw"): State.DRAFT,
    (State.SUBMITTED, "request_supplement"): State.SUPPLEMENT_REQUESTED,
    (State.SUPPLEMENT_REQUESTED, "submit_supplement"): State.SUBMITTED,
    (State.SUPPLEMENT_REQUESTED, "mark_eligible"): State.ELIGIBLE,
    (State.SUPPLEMENT_REQUESTED, "mark_ineligible"): State.INELIGIBLE,
    (State.SUBMITTED, "mark_eligible"): State.ELIGIBLE,
    (State.SUBMITTED, "mark_ineligible"): State.INELIGIBLE,
    (State.ELIGIBLE, "mark_ineligible"): State.INELIGIBLE,
    (State.INELIGIBLE, "mark_eligible"): State.ELIGIBLE,
    (State.ELIGIBLE, "sign_grant"): State.GRANTED,
    (State.ELIGIBLE, "sign_no_grant"): State.NOT_GRANTED,
    (State.INELIGIBLE, "sign_no_grant"): State.NOT_GRANTED,
}


_LIFECYCLE = Lifecycle(TRANSITIONS)
next_state = _LIFECYCLE.next_state
allowed_actions = _LIFECYCLE.allowed_actions


# Which states let the lead edit the content (a supplement request opens only its named parts).
EDITABLE_STATES = {State.DRAFT}
SUPPLEMENT_STATES = {State.SUPPLEMENT_REQUESTED}
# States in which the application has been received by the ministry (it counts as submitted).
RECEIVED_STATES = {State.SUBMITTED, State.SUPPLEMENT_REQUESTED, State.ELIGIBLE, State.INELIGIBLE, State.GRANTED, State.NOT_GRANTED}
DECIDED_STATES = {State.GRANTED, State.NOT_GRANTED}
