"""What changed between two submitted versions: a pure function over two Submission.content dicts.

`diff(before, after)` gives one Change per field that differs, in the order of the application:
texts with a word-level comparison, lists (target areas, partners, budget lines, attachments) as the
items removed and added, and single values (dates, contact, the grant applied for) before and after.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuntadigi.core import formats

TEXT, VALUE, LIST = "text", "value", "list"


@dataclass(frozen=True)
class Change:
    section: str
    field: str
    label: str
    kind: str  # TEXT, VALUE or LIST
    before: str | tuple[str, ...]
    after: str | tuple[str, ...]
    # TEXT: (op, text) pieces with op "equal", "delete" or "insert".
    segments: tuple[tuple[str, str], ...] = field(default=())
    # LIST: the items only in `before` and only in `after`.
    removed: tuple[str, ...] = field(default=())
    added: tuple[str, ...] = field(default=())


SECTION_LABELS = {
    "project": _("Project"),
    "texts": _("Project plan"),
    "schedule": _("Schedule"),
    "contact": _("Contact person"),
    "partners": _("Lead applicant and partners"),
    "budget": _("Cost estimate (excluding VAT)"),
    "attachments": _("Attachments"),
    "declaration": _("Declaration"),
}

_LABELS = {
    "project_name": _("Project name"),
    "language": _("Language of the application"),
    "target_areas": _("Target areas"),
    "summary": _("Summary"),
    "current_state": _("Current state and the problem"),
    "objectives": _("Objectives and the concrete improvement"),
    "change_in_ways_of_working": _("How the project changes the ways of working and processes"),
    "rollout_and_spread": _("Rollout and spreading the results"),
    "prior_work": _("Earlier work the project builds on"),
    "start_date": _("Start date"),
    "end_date": _("End date"),
    "contact.name": _("Contact person"),
    "contact.email": _("E-mail"),
    "contact.phone": _("Phone"),
    "lead": _("Lead applicant"),
    "partners": _("Partners"),
    "budget": _("Cost lines"),
    "requested_grant": _("Grant applied for"),
    "attachments": _("Attachments"),
    "declaration_not_excluded": _("Declaration"),
}

TEXT_FIELDS = ("summary", "current_state", "objectives", "change_in_ways_of_working", "rollout_and_spread", "prior_work")


def _org_name(org: dict | None) -> str:
    if not org:
        return ""
    return org.get("name_fi") or org.get("name_sv") or org.get("municipality_code") or org.get("business_id") or ""


def _org_key(org: dict) -> str:
    return org.get("municipality_code") or org.get("business_id") or ""


def _money(value) -> str:
    if value in (None, ""):
        return ""
    try:
        return formats.money(Decimal(str(value)), get_language())
    except InvalidOperation:
        return str(value)


def _date(value) -> str:
    if not value:
        return ""
    try:
        return formats.day(date.fromisoformat(value), get_language())
    except (TypeError, ValueError):
        return str(value)


def _yes_no(value) -> str:
    return str(_("given")) if value else str(_("not given"))


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def text_segments(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """A word-level comparison: (op, text) pieces that read as `after` with deletions from `before`."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    pieces: list[tuple[str, str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", "".join(old[i1:i2]))
        else:
            add("delete", "".join(old[i1:i2]))
            add("insert", "".join(new[j1:j2]))
    return tuple(pieces)


def _list_change(section: str, name: str, before: Sequence[str], after: Sequence[str]) -> Change | None:
    old, new = Counter(before), Counter(after)
    removed = tuple((old - new).elements())
    added = tuple((new - old).elements())
    if not removed and not added:
        return None
    return Change(section, name, str(_LABELS[name]), LIST, tuple(before), tuple(after), removed=removed, added=added)


def _value_change(section: str, name: str, before, after, show: Callable = str) -> Change | None:
    if before == after:
        return None
    return Change(section, name, str(_LABELS[name]), VALUE, show(before) if before not in (None, "") else "", show(after) if after not in (None, "") else "")


def diff(before: dict, after: dict, *, area_names: dict[int, str] | None = None, category_names: dict[str, str] | None = None) -> list[Change]:
    """The changes from `before` to `after` (two Submission.content dicts), in page order.

    `area_names` (number → name) and `category_names` (code → name) only make the items readable."""
    area_names = area_names or {}
    category_names = category_names or {}
    changes: list[Change | None] = []

    def area(number) -> str:
        name = area_names.get(number)
        return f"{number}. {name}" if name else str(number)

    # Project
    changes.append(_value_change("project", "project_name", before.get("project_name"), after.get("project_name")))
    changes.append(_value_change("project", "language", before.get("language"), after.get("language")))
    changes.append(
        _list_change("project", "target_areas", [area(n) for n in before.get("target_areas") or []], [area(n) for n in after.get("target_areas") or []])
    )
    # Texts
    for name in TEXT_FIELDS:
        old, new = before.get(name) or "", after.get(name) or ""
        if old != new:
            changes.append(Change("texts", name, str(_LABELS[name]), TEXT, old, new, segments=text_segments(old, new)))
    # Schedule
    changes.append(_value_change("schedule", "start_date", before.get("start_date"), after.get("start_date"), _date))
    changes.append(_value_change("schedule", "end_date", before.get("end_date"), after.get("end_date"), _date))
    # Contact
    old_contact, new_contact = before.get("contact") or {}, after.get("contact") or {}
    for key in ("name", "email", "phone"):
        changes.append(_value_change("contact", f"contact.{key}", old_contact.get(key), new_contact.get(key)))
    # Lead and partners
    changes.append(_value_change("partners", "lead", _org_name(before.get("lead")) or None, _org_name(after.get("lead")) or None))
    changes.append(
        _list_change("partners", "partners", [_org_name(p) for p in before.get("partners") or []], [_org_name(p) for p in after.get("partners") or []])
    )
    # Budget
    changes.append(_list_change("budget", "budget", _budget_items(before, category_names), _budget_items(after, category_names)))
    changes.append(_value_change("budget", "requested_grant", _amount(before.get("requested_grant")), _amount(after.get("requested_grant")), _money))
    # Attachments: the same name with other content is another file.
    changes.append(_list_change("attachments", "attachments", _attachment_items(before), _attachment_items(after)))
    # Declaration
    old_decl, new_decl = bool(before.get("declaration_not_excluded")), bool(after.get("declaration_not_excluded"))
    if old_decl != new_decl:
        changes.append(Change("declaration", "declaration_not_excluded", str(_LABELS["declaration_not_excluded"]), VALUE, _yes_no(old_decl), _yes_no(new_decl)))
    return [change for change in changes if change is not None]


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _budget_items(content: dict, category_names: dict[str, str]) -> list[str]:
    names = {_org_key(org): _org_name(org) for org in [content.get("lead") or {}, *(content.get("partners") or [])]}
    items = []
    for line in content.get("budget") or []:
        organisation = names.get(line.get("organisation"), line.get("organisation") or "")
        category = category_names.get(line.get("category"), line.get("category") or "")
        parts = [organisation, category, line.get("description") or "", _money(line.get("amount"))]
        items.append(" – ".join(part for part in parts if part))
    return items


def _attachment_items(content: dict) -> list[str]:
    return [f"{item.get('name', '')} (SHA-256 {item.get('sha256', '')})" for item in content.get("attachments") or []]


# The changes that belong to each part a request for supplement can reopen with a reason.
PART_CHANGE_FIELDS = {
    "target_areas": ("target_areas",),
    "partners": ("lead", "partners"),
    "budget": ("budget", "requested_grant"),
}


def in_parts(changes: Sequence[Change], parts: Sequence[str]) -> list[Change]:
    """The changes to the fields of `parts` (keys of PART_CHANGE_FIELDS), in page order."""
    fields = {name for part in parts for name in PART_CHANGE_FIELDS.get(part, ())}
    return [change for change in changes if change.field in fields]


def sections(changes: Sequence[Change]) -> list[tuple[str, list[Change]]]:
    """The changes grouped by section, in page order, with the section's label."""
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.section, []).append(change)
    return [(str(SECTION_LABELS[key]), grouped[key]) for key in SECTION_LABELS if key in grouped]
