"""Pure rules of the registry: official languages, legal names, validity on the municipal map,
successors after mergers, and why an organisation cannot take part in a call.

Nothing here touches the database or the clock: the callers pass the day they ask about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kuntadigi.core import formats

HELSINKI = ZoneInfo("Europe/Helsinki")

# Statistics Finland's classification kielisuhde (linguistic status of a municipality).
FINNISH = 0  # unilingual Finnish
BILINGUAL_FINNISH_MAJORITY = 1
SWEDISH = 2  # unilingual Swedish
BILINGUAL_SWEDISH_MAJORITY = 3

_LANGUAGES = {
    FINNISH: ("fi",),
    BILINGUAL_FINNISH_MAJORITY: ("fi", "sv"),
    SWEDISH: ("sv",),
    BILINGUAL_SWEDISH_MAJORITY: ("sv", "fi"),
}


def official_languages(language_status: int | None, majority_language: str = "") -> tuple[str, ...]:
    """The official languages, the majority's first. Without a status (a joint municipal authority,
    or a municipality without data) the majority language alone, Finnish when that is unknown too."""
    if language_status in _LANGUAGES:
        return _LANGUAGES[language_status]
    return (majority_language,) if majority_language in {"fi", "sv"} else ("fi",)


def legal_name(language: str, legal_name_fi: str, legal_name_sv: str, fallback: str) -> str:
    """The legal name in `language` ("fi" or "sv"); the other language's legal name when that one is
    missing; `fallback` (the plain name) when neither is known."""
    first, second = (legal_name_sv, legal_name_fi) if language == "sv" else (legal_name_fi, legal_name_sv)
    return first or second or fallback


# ── Validity on the municipal map ───────────────────────────────────────────


def is_valid_on(valid_from: date | None, valid_until: date | None, day: date) -> bool:
    """Whether an organisation valid from `valid_from` to `valid_until` (both days included; None =
    open) exists on `day`."""
    return (valid_from is None or valid_from <= day) and (valid_until is None or day <= valid_until)


def day_after(day: date) -> date:
    return day + timedelta(days=1)


def helsinki_day(instant: datetime) -> date:
    """The calendar day in Helsinki of an aware instant (a call's opening day)."""
    return instant.astimezone(HELSINKI).date()


def format_date(day: date) -> str:
    """A day in the active language: 1.1.2021 (fi, sv), 1 January 2021 (en)."""
    return formats.day(day, get_language())


Node = TypeVar("Node")

# A merger chain longer than this is a data error (a loop), not history.
_MAX_STEPS = 50


def succession(start: Node, day: date, step: Callable[[Node], tuple[date | None, Node | None]]) -> list[tuple[Node, Node, date]]:
    """The mergers `start` went through by `day`, in order: (old, new, merger date) for each.

    `step(node)` gives a node's last valid day and its successor (None, None when it has none). A
    successor takes over on the day after its predecessor's last day; a merger dated after `day`
    has not happened yet. Raises ValueError on a loop."""
    steps: list[tuple[Node, Node, date]] = []
    current = start
    for _step in range(_MAX_STEPS):
        until, successor = step(current)
        if successor is None or until is None or day_after(until) > day:
            return steps
        steps.append((current, successor, day_after(until)))
        current = successor
    raise ValueError("The successors of an organisation form a loop.")


def successor_as_of(start: Node, day: date, step: Callable[[Node], tuple[date | None, Node | None]]) -> Node:
    """Who stands for `start` on `day`: its last successor by then, or itself."""
    steps = succession(start, day, step)
    return steps[-1][1] if steps else start


def not_valid_reason(name: str, valid_from: date | None, valid_until: date | None, successor_name: str | None, day: date) -> str | None:
    """Why an organisation cannot take part in a call that opens on `day`, or None when it can: it
    did not exist yet, it had merged into another, or it had ceased to exist."""
    if is_valid_on(valid_from, valid_until, day):
        return None
    if valid_from is not None and day < valid_from:
        return _("%(name)s exists only from %(date)s and cannot take part in this call.") % {"name": name, "date": format_date(valid_from)}
    assert valid_until is not None
    if successor_name:
        return _("%(name)s merged into %(successor)s on %(date)s and cannot take part in this call.") % {
            "name": name,
            "successor": successor_name,
            "date": format_date(day_after(valid_until)),
        }
    return _("%(name)s existed until %(date)s and cannot take part in this call.") % {"name": name, "date": format_date(valid_until)}


def party_label(name: str, predecessor_name: str | None = None, predecessor_until: date | None = None) -> str:
    """How a party is named: 'Kankaanpää (Honkajoki until 31.12.2020)' when it stands for a
    predecessor that took part, otherwise just its name."""
    if not predecessor_name or predecessor_until is None:
        return name
    return _("%(successor)s (%(predecessor)s until %(date)s)") % {"successor": name, "predecessor": predecessor_name, "date": format_date(predecessor_until)}


# ── E-mail domains (the first user of a municipality, docs/access.md) ───────

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(text: str) -> str | None:
    """A domain as typed ("Loviisa.fi", "@loviisa.fi", "mäntyharju.fi") in the form addresses carry it
    (lower case, IDNA for non-ASCII letters); None when it is not a domain name (two labels at least)."""
    value = (text or "").strip().lstrip("@").rstrip(".").lower()
    if not value or len(value) > 253:
        return None
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = value.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return None
    return value


def parse_domains(text: str) -> tuple[list[str], list[str]]:
    """Domains typed one a line or separated by commas or spaces: (the valid ones, normalised, each
    once, in the order typed; the parts that are not domains, as typed)."""
    valid: list[str] = []
    invalid: list[str] = []
    for part in re.split(r"[\s,;]+", text or ""):
        if not part:
            continue
        domain = normalise_domain(part)
        if domain is None:
            invalid.append(part)
        elif domain not in valid:
            valid.append(domain)
    return valid, invalid


def address_domain(address: str) -> str:
    """The domain of an e-mail address, normalised ("" when the address has none)."""
    _local, at, domain = (address or "").strip().rpartition("@")
    return (normalise_domain(domain) or "") if at else ""


def matching_domain(address: str, domains: Iterable[str]) -> str:
    """The organisation's domain the address is in ("" when none). Only the domain itself counts, not
    its subdomains: a subdomain may be run by someone else (a school, a company)."""
    domain = address_domain(address)
    return domain if domain and domain in {normalise_domain(d) for d in domains} else ""
