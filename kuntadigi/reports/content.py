"""What a report says: its fields, defined here once (the form, the validation, the page, the diff and
the frozen versions all read them from here). Pure; no database.

The substantive part follows the call's own criteria:
    improvement        the improvement achieved for residents or staff
    ways_of_working    how the ways of working and processes changed
    indicators         each indicator: its name, the value planned and the value achieved (rows)
    spreading          how the results were spread to other municipalities
    continuation       what continues after the project
    summary_fi/sv/en   a public summary for the results pages (Finnish or Swedish required; English optional)

`from_post` reads a submitted form into content, `draft_problems` says what cannot be saved even as a
draft (too long), `submit_problems` what is missing before the report can be submitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

TEXT_MAX = 5000
SUMMARY_MAX = 1500
INDICATOR_TEXT_MAX = 200
INDICATOR_VALUE_MAX = 100
INDICATORS_MAX = 20
EMPTY_ROWS = 2  # empty indicator rows offered on the form below the filled ones (the form works without JavaScript)


@dataclass(frozen=True)
class TextField:
    name: str
    label: object
    hint: object
    max_length: int
    required: bool
    public: bool = False
    language: str = ""


TEXT_FIELDS: tuple[TextField, ...] = (
    TextField(
        "improvement",
        _("The improvement achieved for residents or staff"),
        _("What is better now, for whom, and how you know it."),
        TEXT_MAX,
        True,
    ),
    TextField(
        "ways_of_working",
        _("How the ways of working changed"),
        _("The processes and ways of working that changed in the municipalities of the project."),
        TEXT_MAX,
        True,
    ),
    TextField(
        "spreading",
        _("How the results were spread to other municipalities"),
        _("Who outside the project took the results into use or heard of them, and how."),
        TEXT_MAX,
        True,
    ),
    TextField(
        "continuation",
        _("What continues after the project"),
        _("What stays in use, who maintains it and who pays for it."),
        TEXT_MAX,
        True,
    ),
)
SUMMARY_FIELDS: tuple[TextField, ...] = (
    TextField("summary_fi", _("Public summary in Finnish"), _("Shown on the public results pages."), SUMMARY_MAX, False, True, "fi"),
    TextField("summary_sv", _("Public summary in Swedish"), _("Shown on the public results pages."), SUMMARY_MAX, False, True, "sv"),
    TextField("summary_en", _("Public summary in English"), _("Optional. Shown on the English results pages."), SUMMARY_MAX, False, True, "en"),
)
ALL_TEXT_FIELDS = TEXT_FIELDS + SUMMARY_FIELDS
INDICATOR_PARTS = (
    ("name", _("Indicator"), INDICATOR_TEXT_MAX),
    ("planned", _("Planned"), INDICATOR_VALUE_MAX),
    ("achieved", _("Achieved"), INDICATOR_VALUE_MAX),
)
INDICATORS_LABEL = _("Indicators, planned and achieved")
SUMMARY_REQUIRED = _("Write the public summary in Finnish or in Swedish.")


@dataclass(frozen=True)
class Problem:
    field: str  # the form field's name: a text field, "indicators", or "indicator-<n>-<part>"
    message: str


def empty() -> dict:
    return {**{f.name: "" for f in ALL_TEXT_FIELDS}, "indicators": []}


def normalised(content: Mapping | None) -> dict:
    """The content with every field present (a draft saved before a field existed reads as empty)."""
    content = content or {}
    result = empty()
    for f in ALL_TEXT_FIELDS:
        result[f.name] = str(content.get(f.name) or "")
    result["indicators"] = [
        {part: str(row.get(part) or "") for part, _label, _max in INDICATOR_PARTS} for row in (content.get("indicators") or []) if isinstance(row, Mapping)
    ]
    return result


def _clean(value) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


def from_post(data: Mapping) -> dict:
    """The content a submitted form holds: texts stripped; indicator rows in order, empty rows left out."""
    content = empty()
    for f in ALL_TEXT_FIELDS:
        content[f.name] = _clean(data.get(f.name))
    rows = []
    for index in range(INDICATORS_MAX + EMPTY_ROWS):
        row = {part: _clean(data.get(f"indicator-{index}-{part}")) for part, _label, _max in INDICATOR_PARTS}
        if any(row.values()):
            rows.append(row)
    content["indicators"] = rows
    return content


def draft_problems(content: Mapping) -> list[Problem]:
    """What cannot be saved even in a draft: texts over their limits, too many indicators."""
    problems = []
    for f in ALL_TEXT_FIELDS:
        length = len(content.get(f.name) or "")
        if length > f.max_length:
            problems.append(
                Problem(f.name, str(_("%(field)s: at most %(max)d characters (now %(n)d).") % {"field": f.label, "max": f.max_length, "n": length}))
            )
    rows = content.get("indicators") or []
    if len(rows) > INDICATORS_MAX:
        problems.append(Problem("indicators", str(_("At most %(max)d indicators.") % {"max": INDICATORS_MAX})))
    for index, row in enumerate(rows):
        for part, label, max_length in INDICATOR_PARTS:
            if len(row.get(part) or "") > max_length:
                problems.append(
                    Problem(
                        f"indicator-{index}-{part}",
                        str(_("Indicator %(n)d, %(part)s: at most %(max)d characters.") % {"n": index + 1, "part": str(label).lower(), "max": max_length}),
                    )
                )
    return problems


def submit_problems(content: Mapping) -> list[Problem]:
    """Everything that keeps the report from being submitted (the draft's problems included)."""
    problems = draft_problems(content)
    for f in TEXT_FIELDS:
        if f.required and not (content.get(f.name) or "").strip():
            problems.append(Problem(f.name, str(_("Fill in: %(field)s.") % {"field": f.label})))
    rows = content.get("indicators") or []
    if not rows:
        problems.append(Problem("indicators", str(_("Give at least one indicator with its planned and achieved value."))))
    for index, row in enumerate(rows):
        for part, label, _max in INDICATOR_PARTS:
            if not (row.get(part) or "").strip():
                problems.append(
                    Problem(f"indicator-{index}-{part}", str(_("Indicator %(n)d: fill in %(part)s.") % {"n": index + 1, "part": str(label).lower()}))
                )
    if not (content.get("summary_fi") or "").strip() and not (content.get("summary_sv") or "").strip():
        problems.append(Problem("summary_fi", str(SUMMARY_REQUIRED)))
    return problems


def form_rows(content: Mapping) -> list[dict]:
    """The indicator rows the form shows: the filled ones and EMPTY_ROWS empty ones (up to the maximum)."""
    rows = list(content.get("indicators") or [])
    spare = max(0, min(EMPTY_ROWS, INDICATORS_MAX - len(rows)))
    blank = {part: "" for part, _label, _max in INDICATOR_PARTS}
    return [{"index": i, **row} for i, row in enumerate(rows + [dict(blank) for _ in range(spare)])]
