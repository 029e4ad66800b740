"""Pure rules of reviewing a payment request: the preparer's check of a line, the four-eyes rule of
approval, and the payment's end-to-end identification. Nothing here touches the database or the clock.

Amounts are integer cents (kuntadigi/projects/rules.py `cents`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

REASON_MAX = 2000
END_TO_END_MAX = 35  # ISO 20022 EndToEndId


def check_line(*, claimed: int, accepted: int, reason: str) -> str | None:
    """What is wrong with a line's check, in words, or None: the accepted amount is between 0 and the
    claimed amount, and a reduction has a written reason (an accepted line in full needs none)."""
    if accepted < 0:
        return _("The accepted amount cannot be negative.")
    if accepted > claimed:
        return _("The accepted amount cannot be more than the amount claimed.")
    reason = (reason or "").strip()
    if accepted < claimed and not reason:
        return _("Write the reason for the reduction: it is told to the lead.")
    if len(reason) > REASON_MAX:
        return _("The reason may be at most %(max)d characters long.") % {"max": REASON_MAX}
    return None


def reduced(*, claimed: int, accepted: int) -> bool:
    return accepted < claimed


def four_eyes(*, approver_id: int, checked_by: Iterable[int | None]) -> str | None:
    """The four-eyes rule of money: whoever checked the request (or any of its lines) does not approve
    it. The reason, or None when the approver is another person."""
    if approver_id in {person for person in checked_by if person is not None}:
        return _("You checked this request; another person must approve it.")
    return None


def end_to_end_id(project_pk: int, request_number: int, n: int = 1) -> str:
    """The payment's end-to-end identification in the credit-transfer file: 'KD-<project>-<request>-<n>',
    unique per payment and at most 35 characters (ISO 20022)."""
    value = f"KD-{project_pk}-{request_number}-{n}"
    if len(value) > END_TO_END_MAX:
        raise ValueError(f"an end-to-end identification is at most {END_TO_END_MAX} characters: {value}")
    return value
