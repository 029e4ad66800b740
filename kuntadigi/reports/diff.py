"""What changed between two submitted versions of a report (pure; no database). The same Change rows and
word-level comparison as the applications' versions (kuntadigi/screening/diff.py), so that one template
(screening/_diff.html) shows both."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _

from kuntadigi.screening.diff import LIST, TEXT, Change, text_segments

from . import content as report_content

SECTION_LABELS = {
    "substantive": _("What the project achieved"),
    "indicators": report_content.INDICATORS_LABEL,
    "summary": _("Public summary"),
    "financial": _("Financial part"),
}


def _indicator_items(version: Mapping) -> list[str]:
    return [
        str(
            _("%(name)s: planned %(planned)s, achieved %(achieved)s")
            % {"name": row.get("name", ""), "planned": row.get("planned", ""), "achieved": row.get("achieved", "")}
        )
        for row in version.get("indicators") or []
    ]


def _attachment_items(version: Mapping) -> list[str]:
    return [f"{item.get('name', '')} (SHA-256 {item.get('sha256', '')})" for item in version.get("attachments") or []]


def _list_change_items(section: str, name: str, label: str, before: Sequence[str], after: Sequence[str]) -> Change | None:
    old, new = Counter(before), Counter(after)
    removed, added = tuple((old - new).elements()), tuple((new - old).elements())
    if not removed and not added:
        return None
    return Change(section, name, label, LIST, tuple(before), tuple(after), removed=removed, added=added)


def diff(before: Mapping, after: Mapping) -> list[Change]:
    """The changes from `before` to `after` (two ReportVersion.content dicts), in page order."""
    changes: list[Change | None] = []
    for field in report_content.ALL_TEXT_FIELDS:
        old, new = before.get(field.name) or "", after.get(field.name) or ""
        if old != new:
            section = "summary" if field.public else "substantive"
            changes.append(Change(section, field.name, str(field.label), TEXT, old, new, segments=text_segments(old, new)))
    changes.append(_list_change_items("indicators", "indicators", str(report_content.INDICATORS_LABEL), _indicator_items(before), _indicator_items(after)))
    changes.append(_list_change_items("financial", "attachments", str(_("Attachments")), _attachment_items(before), _attachment_items(after)))
    return [change for change in changes if change is not None]


def sections(changes: Sequence[Change]) -> list[tuple[str, list[Change]]]:
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.section, []).append(change)
    return [(str(SECTION_LABELS[key]), grouped[key]) for key in SECTION_LABELS if key in grouped]
