"""Pure rules for preparing an application: reading euro amounts, what a draft budget may not contain,
which files can be attached, references and confirmation states.

Like rules.py, nothing here touches the database or the clock. (Kept apart from rules.py only so that
the drafting and submission work can change their rules independently.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from .rules import CENT, BudgetLine, Problem, check_budget, format_euros

# ── Euro amounts as people type them ─────────────────────────────────────────

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_CURRENCY = re.compile(r"(€|eur|euroa|euro)$", re.IGNORECASE)


def parse_euros(text: str) -> Decimal:
    """'1 234,50', '1234.50', '1 234,50 €' → Decimal('1234.50'). Raises ValueError when it is not an
    amount in euros and cents. With both separators, the last one is the decimal separator."""
    value = _SPACES.sub("", text or "")
    value = _CURRENCY.sub("", value)
    value = _SPACES.sub("", value)
    if not value:
        raise ValueError("empty")
    if "," in value and "." in value:
        decimal_sep = "," if value.rfind(",") > value.rfind(".") else "."
        thousands_sep = "." if decimal_sep == "," else ","
        value = value.replace(thousands_sep, "")
        if decimal_sep == ",":
            value = value.replace(",", ".")
    else:
        value = value.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d*)?|[+-]?\.\d+", value):
        raise ValueError("not a number")
    try:
        amount = Decimal(value)
    except InvalidOperation as error:
        raise ValueError("not a number") from error
    if amount != amount.quantize(CENT):
        raise ValueError("more than two decimals")
    return amount.quantize(CENT)


def euros_input(amount: Decimal | None) -> str:
    """An amount as it is shown in an input: '1234,50' (no grouping, so it reads back the same)."""
    if amount is None:
        return ""
    return format_euros(amount).replace("\u00a0", "")


# ── Budget of a draft ────────────────────────────────────────────────────────

# A draft may be incomplete: an empty budget or a missing request is fine until submission.
_COMPLETENESS_CODES = {"budget_empty", "requested_missing"}


def check_budget_draft(
    lines: Sequence[BudgetLine],
    requested: Decimal | None,
    share: Decimal,
    allowed_categories: set[str],
    participant_ids: set[int],
) -> list[Problem]:
    """What a saved draft budget may never contain: foreign categories or organisations, amounts that
    are not positive, and a request above the call's maximum share."""
    return [problem for problem in check_budget(lines, requested, share, allowed_categories, participant_ids) if problem.code not in _COMPLETENESS_CODES]


def share_percent(requested: Decimal | None, eligible: Decimal) -> Decimal | None:
    """The requested grant as a percentage of the eligible costs, to two decimals (half up: it is only
    shown; the limit itself is checked in euros)."""
    if requested is None or eligible <= 0:
        return None
    return (requested * 100 / eligible).quantize(CENT, rounding=ROUND_HALF_UP)


# ── Attachments ──────────────────────────────────────────────────────────────

# The file types an attachment may have, by the type detected from its content.
ATTACHMENT_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
}


def attachment_type_names() -> str:
    return ", ".join(ATTACHMENT_TYPES.values())


def check_attachment(size: int, detected_type: str | None, max_bytes: int) -> list[Problem]:
    """An attachment is refused when it is empty, too big, or its content is not one of the types."""
    problems: list[Problem] = []
    if size <= 0:
        problems.append(Problem("file", "file_empty", _("The file is empty.")))
        return problems
    if size > max_bytes:
        problems.append(
            Problem(
                "file",
                "file_too_big",
                _("The file is too big: a file may be at most %(max)s.") % {"max": format_size(max_bytes)},
            )
        )
    if detected_type not in ATTACHMENT_TYPES:
        problems.append(
            Problem(
                "file",
                "file_type_not_allowed",
                _("The file is not a %(types)s file. Check its content, not only its name.") % {"types": attachment_type_names()},
            )
        )
    return problems


def format_size(size: int) -> str:
    """Bytes for people: '512 B', '12,3 kB', '20,0 MB' (powers of 1024, comma decimals)."""
    if size < 1024:
        return f"{size}\u00a0B"
    value = size / 1024
    unit = "kB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value /= 1024
        unit = bigger
    return f"{value:.1f}".replace(".", ",") + f"\u00a0{unit}"


# ── References ───────────────────────────────────────────────────────────────


def reference_prefix(call_slug: str) -> str:
    """'digi-2020' → 'DIGI-2020'. Kept short enough for a 30-character reference."""
    return call_slug.upper()[:24].rstrip("-")


def next_reference(prefix: str, existing: Iterable[str]) -> str:
    """The next reference in a call's sequence: 'DIGI-2020-0001', '…-0002', … after the highest used."""
    highest = 0
    for reference in existing:
        head, _sep, tail = reference.rpartition("-")
        if head == prefix and tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}-{highest + 1:04d}"


# ── A partner's confirmation ─────────────────────────────────────────────────

CONFIRMED = "confirmed"
WAITING = "waiting"
ASKED_AGAIN = "asked_again"


def confirmation_state(confirmed: bool, current: bool) -> str:
    """'confirmed' while the partner's confirmation covers its budget as it is now; 'asked_again' when
    it confirmed and its budget lines changed since; 'waiting' when it has not confirmed."""
    if not confirmed:
        return WAITING
    return CONFIRMED if current else ASKED_AGAIN
