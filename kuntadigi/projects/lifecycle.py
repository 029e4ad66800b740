"""The funded project's lifecycle: every state and every allowed transition, at a glance.

A funded project is made from a signed grant decision and lives until its settlement is decided and
the balance paid or returned (two to three years in this programme).

    state                    action                 →  state                    who                               when
    ───────────────────────  ─────────────────────     ───────────────────────  ────────────────────────────────  ────────────────────────────────────────
    granted                  accept                 →  accepted                 administrator of the lead         within the call's acceptance period
    granted                  refuse                 →  refused                  administrator of the lead         within the call's acceptance period
    accepted                 start                  →  running                  the service                       the account is given and the cost period began
    running                  submit_final_report    →  final_report_submitted   member of the lead                the eligible-cost period ended
    final_report_submitted   start_review           →  under_review             preparer                          —
    under_review             return_for_supplement  →  running                  preparer                          a supplement to the final report is asked
    under_review             settle                 →  settled                  decision-maker                    the settlement decision is signed
    settled                  close                  →  closed                   preparer                          the balance is paid, or the excess returned

Nothing else changes `state`. Payment requests are made while the project is accepted or running;
a refused project frees its amount for the call's appropriation.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi.core.lifecycle import Lifecycle, TransitionNotAllowed  # noqa: F401 (TransitionNotAllowed: raised by next_state)


class State(models.TextChoices):
    GRANTED = "granted", _("granted, not yet accepted")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")
    RUNNING = "running", _("running")
    FINAL_REPORT_SUBMITTED = "final_report_submitted", _("final report submitted")
    UNDER_REVIEW = "under_review", _("final report under review")
    SETTLED = "settled", _("settled")
    CLOSED = "closed", _("closed")


TRANSITIONS: dict[tuple[str, str], str] = {
    (State.GRANTED, "accept"): State.ACCEPTED,
    (State.GRANTED, "refuse"): State.REFUSED,
    (State.ACCEPTED, "start"): State.RUNNING,
    (State.RUNNING, "submit_final_report"): State.FINAL_REPORT_SUBMITTED,
    (State.FINAL_REPORT_SUBMITTED, "start_review"): State.UNDER_REVIEW,
    (State.UNDER_REVIEW, "return_for_supplement"): State.RUNNING,
    (State.UNDER_REVIEW, "settle"): State.SETTLED,
    (State.SETTLED, "close"): State.CLOSED,
}


_LIFECYCLE = Lifecycle(TRANSITIONS)
next_state = _LIFECYCLE.next_state
allowed_actions = _LIFECYCLE.allowed_actions


# The states in which the lead may ask for payment, and in which money has been or may be paid.
PAYABLE_STATES = {State.ACCEPTED, State.RUNNING}
# The states in which the grant counts against the appropriation (a refused grant frees its amount).
COMMITTED_STATES = {State.GRANTED, State.ACCEPTED, State.RUNNING, State.FINAL_REPORT_SUBMITTED, State.UNDER_REVIEW, State.SETTLED, State.CLOSED}
# Shown on the public pages as running, completed or refused.
PUBLIC_STATUS = {
    State.GRANTED: "running",
    State.ACCEPTED: "running",
    State.RUNNING: "running",
    State.FINAL_REPORT_SUBMITTED: "running",
    State.UNDER_REVIEW: "running",
    State.SETTLED: "completed",
    State.CLOSED: "completed",
    State.REFUSED: "refused",
}
