"""Pure rules for preparing an application: reading euro amounts, what a draft budget may not contain,
which files can be attached, references and confirmation states.

Like rules.py, nothing here touches the database or the clock. (Kept apart from rules.py only so that
the drafting and submission work can change their rules independently.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal
from django.utils.translation import gettext_lazy as _

from .rules import CENT, BudgetLine, Problem, check_budget, format_euros

# ── Euro amounts as people type them ─────────────────────────────────────────

# Any kind of space people type or paste between digit groups: space, no-break, narrow no-break, thin.
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"^(€|eur)\s*|\s*(€|eur|euroa|euro|euros)$", re.IGNORECASE)
# Only ASCII digits, the separators, one leading sign: no exponents, NaN, Infinity or other scripts.
_AMOUNT_CHARACTERS = re.compile(r"[+-]?[0-9., \u00a0\u202f\u2009]+")
AMOUNT_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en"}
# What a person types as an example, per interface language (grouped and with cents).
AMOUNT_EXAMPLES = {"fi": "1 234,50", "sv": "1 234,50", "en": "1,234.50"}


class AmountError(ValueError):
    """Typed text that is not an amount in euros and cents. `code`: "invalid" (not a number),
    "ambiguous" (the separators can be read two ways, or more than two decimals), "too_large"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _locale(language: str) -> str:
    return AMOUNT_LOCALES.get((language or "fi").split("-")[0].lower(), "fi_FI")


def parse_euros(text: str, language: str = "fi", *, max_digits: int = 14) -> Decimal:
    """An amount as people of the interface language type it, read by that locale's own rules
    (Babel's strict parse_decimal): '250 000,50', '250000' and '1 234,50 €' in Finnish and Swedish
    (a point before the cents is accepted too), '250,000.50' and '250000' in English. Spaces of any
    kind group digits in every language. Raises AmountError: "ambiguous" for text that another
    reading would give another amount ('250,000' in Finnish, more than two decimals), "too_large"
    for more digits than the column holds (max_digits, two of them cents), "invalid" otherwise."""
    value = (text or "").strip().replace("\u2212", "-")
    value = _CURRENCY.sub("", value).strip()
    if not value or not _AMOUNT_CHARACTERS.fullmatch(value) or not any(c.isdigit() for c in value):
        raise AmountError("invalid")
    locale = _locale(language)
    group = get_group_symbol(locale)
    sign = value[0] if value[0] in "+-" else ""
    value = _SPACES.sub(group, value.lstrip("+-").strip())  # any space stands for the locale's grouping
    if group == "\u00a0" and "," in value and "." in value:
        raise AmountError("ambiguous")  # '1.234,50' or '1,234.50' in Finnish: which is the decimal?
    try:
        amount = parse_decimal(value, locale=locale, strict=True)
    except NumberFormatError as error:
        raise AmountError("ambiguous" if getattr(error, "suggestions", None) else "invalid") from None
    if not amount.is_finite():
        raise AmountError("invalid")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise AmountError("ambiguous")  # '250,000' in Finnish, '250.000' anywhere: thousands or decimals?
    amount = amount.quantize(CENT)
    if abs(amount) >= Decimal(10) ** (max_digits - 2):
        raise AmountError("too_large")
    return -amount if sign == "-" else amount


def euros_input(amount: Decimal | None, language: str = "fi") -> str:
    """An amount as it is shown in an input, in the interface language without grouping so that it
    reads back the same: '1234,50' in Finnish and Swedish, '1234.50' in English."""
    if amount is None:
        return ""
    text = format_euros(amount).replace("\u00a0", "")
    return text.replace(",", decimal_symbol(language))


def decimal_symbol(language: str) -> str:
    return get_decimal_symbol(_locale(language))


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
DECLINED = "declined"
DECLINE_REASON_MAX = 500


def confirmation_state(confirmed: bool, current: bool, declined: bool = False) -> str:
    """'confirmed' while the partner's confirmation covers its budget as it is now; 'asked_again' when
    it confirmed and its budget lines changed since; 'waiting' when it has not confirmed; 'declined'
    when it said it does not take part (until it confirms or the lead asks again)."""
    if declined:
        return DECLINED
    if not confirmed:
        return WAITING
    return CONFIRMED if current else ASKED_AGAIN


def check_decline_reason(reason: str) -> list[Problem]:
    """A partner declining says why, briefly: required, at most DECLINE_REASON_MAX characters."""
    text = (reason or "").strip()
    if not text:
        return [Problem("decline_reason", "required", _("Tell the lead applicant briefly why your organisation does not take part."))]
    if len(text) > DECLINE_REASON_MAX:
        return [
            Problem(
                "decline_reason",
                "too_long",
                _("Shorten the reason to at most %(max)d characters (now %(count)d).") % {"max": DECLINE_REASON_MAX, "count": len(text)},
            )
        ]
    return []
