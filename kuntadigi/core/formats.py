"""Money, dates and times written the way each of the service's languages writes them (pure functions).

Finnish and Swedish: 12 000,50 €, 31.1.2021, 31.1.2021 klo 16.15 (Swedish: kl. 16.15).
English: 12,000.50 €, 31 January 2021, 31 January 2021 at 16:15. This one English money format (comma
for thousands, point for cents, the euro sign after the amount as in the other two languages) is used
everywhere the service writes a sum in English, the messages that write "%(amount)s €" included (they
take `number`). The groups of digits and the space before € are non-breaking spaces, so a sum never
breaks across lines.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from kuntadigi import clock

NBSP = "\u00a0"
CENT = Decimal("0.01")
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# The word between the date and the time: "klo" in Finnish, "kl." in Swedish, "at" in English.
_AT = {"fi": "klo", "sv": "kl.", "en": "at"}


def _language(language: str | None) -> str:
    return (language or "fi")[:2] if (language or "fi")[:2] in _AT else "fi"


def _groups(whole: str, separator: str) -> str:
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return separator.join(groups)


def number(amount: Decimal | int | str, language: str | None, *, whole_if_even: bool = False) -> str:
    """The figure of a sum without the euro sign: '12 000,00' (fi, sv) or '12,000.00' (en)."""
    quantized = Decimal(amount).quantize(CENT)
    sign = "-" if quantized < 0 else ""
    whole, cents = f"{abs(quantized):.2f}".split(".")
    english = _language(language) == "en"
    figure = _groups(whole, "," if english else NBSP)
    if not (whole_if_even and cents == "00"):
        figure += ("." if english else ",") + cents
    return sign + figure


def money(amount: Decimal | int | str, language: str | None, *, whole_if_even: bool = False) -> str:
    """An amount in euros: '12 000,00 €' (fi, sv) or '12,000.00 €' (en). `whole_if_even` leaves out
    zero cents ('12 000 €', '12,000 €'), as a sentence in the audit timeline writes them."""
    return f"{number(amount, language, whole_if_even=whole_if_even)}{NBSP}€"


def day(value: date, language: str | None) -> str:
    """31.1.2021 (fi, sv); 31 January 2021 (en)."""
    if _language(language) == "en":
        return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day}.{value.month}.{value.year}"


def instant(value: datetime, language: str | None) -> str:
    """An instant as Helsinki wall time: 5.10.2020 klo 16.15 (fi), 5.10.2020 kl. 16.15 (sv),
    5 October 2020 at 16:15 (en)."""
    local = clock.helsinki(value)
    lang = _language(language)
    separator = ":" if lang == "en" else "."
    return f"{day(local.date(), lang)} {_AT[lang]} {local.hour}{separator}{local.minute:02d}"
