"""Pure screening rules: the automatic checks of a submitted version, and the parts a request for
supplement can open.

Each check reads only the stored content of a submission (Submission.content, see
applications/snapshot.py) and the call's rules as plain data (CallRules). Nothing here touches the
database or the clock. A check never rejects: it passes, or it flags the application for a person
to judge, always with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.applications.rules import ALAND_REGION_CODE, format_date, format_percent, max_grant, may_take_part, municipality_count
from kuntadigi.core import formats

# ── The parts of an application a request for supplement opens ─────────────

# The fields each part opens. Partners and attachments are whole pages; the budget page includes the
# grant applied for. Anything not named here (the declaration, for one) stays closed. The target areas
# are a part of their own: reopening them, like the partners or the budget, needs a reason.
PART_FIELDS: dict[str, tuple[str, ...]] = {
    "project": (
        "project_name",
        "summary",
        "current_state",
        "objectives",
        "change_in_ways_of_working",
        "rollout_and_spread",
        "prior_work",
        "language",
    ),
    "target_areas": ("target_areas",),
    "schedule": ("start_date", "end_date"),
    "contact": ("contact_name", "contact_email", "contact_phone", "signatory_name", "signatory_title"),
    "partners": (),
    "budget": ("requested_grant",),
    "attachments": (),
}
PARTS = tuple(PART_FIELDS)
# The parts edited on the project page.
PROJECT_PAGE_PARTS = ("project", "target_areas", "schedule", "contact")
# A request for supplement asks for missing information. Reopening these parts changes what the
# application is (who takes part, what it costs, what it is about): the request must say why, and the
# decision-maker sees what changed in them.
REASON_PARTS = ("target_areas", "partners", "budget")

PART_LABELS = {
    "project": _("Project and its texts"),
    "target_areas": _("Target areas"),
    "schedule": _("Schedule"),
    "contact": _("Contact person"),
    "partners": _("Partners"),
    "budget": _("Budget and the grant applied for"),
    "attachments": _("Attachments"),
}


def part_of_field(name: str) -> str | None:
    """The part a field belongs to; None for a field no request can open."""
    for part, names in PART_FIELDS.items():
        if name in names:
            return part
    return None


def fields_of_parts(parts: Iterable[str]) -> set[str]:
    return {name for part in parts for name in PART_FIELDS.get(part, ())}


def clean_parts(parts: Iterable[str]) -> list[str]:
    """The known parts among `parts`, once each, in the fixed order."""
    wanted = set(parts)
    return [part for part in PARTS if part in wanted]


REASON_REQUIRED = _("Write why the target areas, the partners or the budget are reopened.")


def reason_parts(parts: Iterable[str]) -> list[str]:
    """The parts among `parts` whose reopening needs a recorded reason, in the fixed order."""
    wanted = set(parts)
    return [part for part in REASON_PARTS if part in wanted]


# ── The call's rules as data ────────────────────────────────────────────────


@dataclass(frozen=True)
class ExclusionRule:
    name: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class CallRules:
    closes_at: datetime
    project_end_latest: date
    min_municipalities: int
    max_grant_share: Decimal
    vat_eligible: bool
    target_areas: frozenset[int]
    exclusions: tuple[ExclusionRule, ...] = ()
    aland_may_apply: bool = False
    # The municipality codes of Åland (region 21) in the register: the stored content names each
    # organisation by its code, not its region.
    aland_municipality_codes: frozenset[str] = frozenset()


def keywords_from_text(text: str) -> tuple[str, ...]:
    """The call's keywords as stored (one word, stem or phrase per line), cleaned."""
    words: list[str] = []
    for line in (text or "").splitlines():
        word = " ".join(line.split()).lower()
        if word and word not in words:
            words.append(word)
    return tuple(words)


@dataclass(frozen=True)
class SupplementWindow:
    """A request for supplement as the in-time check needs it."""

    requested_at: datetime
    due_at: datetime
    answered_at: datetime | None


# ── Checks ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    passed: bool
    reason: str
    words: tuple[str, ...] = field(default=())

    @property
    def flagged(self) -> bool:
        return not self.passed


CHECK_LABELS = {
    "in_time": _("Submitted in time"),
    "municipalities": _("Enough municipalities"),
    "aland": _("Åland's municipalities as the call allows"),
    "confirmations": _("Partners confirmed"),
    "grant_share": _("Grant within the maximum share"),
    "vat": _("No VAT in the costs"),
    "other_costs": _("Other costs as the call allows"),
    "target_areas": _("Target areas of the call"),
    "schedule": _("Schedule within the project period"),
    "cost_period": _("No costs before the eligible-cost period"),
    "exclusions": _("No excluded field suggested"),
}
CHECK_CODES = tuple(CHECK_LABELS)


def _check(code: str, passed: bool, reason, words: Sequence[str] = ()) -> Check:
    return Check(code=code, label=str(CHECK_LABELS[code]), passed=passed, reason=str(reason), words=tuple(words))


def _instant(value: datetime) -> str:
    """Helsinki time in the active language: 31.1.2021 klo 16.15, 31.1.2021 kl. 16.15, 31 January 2021 at 16:15."""
    return formats.instant(value, get_language())


def check_in_time(submitted_at: datetime, closes_at: datetime, supplements: Sequence[SupplementWindow] = ()) -> Check:
    """In time when the version was submitted before the call closed, or, after that, in answer to a
    request for supplement before the request's due time."""
    if submitted_at < closes_at:
        return _check(
            "in_time", True, _("Submitted %(time)s, before the call closed %(closes)s.") % {"time": _instant(submitted_at), "closes": _instant(closes_at)}
        )
    for window in supplements:
        if window.answered_at is not None and window.requested_at <= submitted_at < window.due_at:
            return _check(
                "in_time",
                True,
                _("Submitted %(time)s in answer to a request for supplement due %(due)s.") % {"time": _instant(submitted_at), "due": _instant(window.due_at)},
            )
    return _check(
        "in_time",
        False,
        _("Submitted %(time)s, after the call closed %(closes)s, and not in answer to a request for supplement before its due time.")
        % {"time": _instant(submitted_at), "closes": _instant(closes_at)},
    )


def _organisations(content: dict) -> list[dict]:
    lead = content.get("lead")
    return ([lead] if lead else []) + list(content.get("partners") or [])


def check_municipalities(content: dict, min_municipalities: int) -> Check:
    """The call's minimum by the rule submission applies (applications.rules.counts_towards_minimum):
    municipalities count, the lead included; joint authorities take part but do not count."""
    organisations = _organisations(content)
    municipalities = municipality_count(org.get("kind") for org in organisations)
    joint = len(organisations) - municipalities
    counts = _(
        "Municipalities taking part: %(municipalities)d; the call's minimum: %(min)d. Joint municipal authorities taking part: %(joint)d; "
        "they do not count towards the minimum."
    ) % {
        "municipalities": municipalities,
        "joint": joint,
        "min": min_municipalities,
    }
    return _check("municipalities", municipalities >= min_municipalities, counts)


def check_aland(content: dict, aland_may_apply: bool, aland_codes: frozenset[str] | set[str]) -> Check:
    """The call's rule on Åland's municipalities (applications.rules.may_take_part), by the codes of
    the organisations taking part."""
    if aland_may_apply:
        return _check("aland", True, _("Åland's municipalities may apply in this call."))
    names = [
        _org_name(org)
        for org in _organisations(content)
        if not may_take_part(org.get("kind"), ALAND_REGION_CODE if org.get("municipality_code") in aland_codes else None, aland_may_apply)
    ]
    if names:
        return _check(
            "aland",
            False,
            _("Municipalities of Åland take part: %(names)s. Åland's municipalities may not apply in this call.") % {"names": ", ".join(names)},
        )
    return _check("aland", True, _("No municipality of Åland takes part; Åland's municipalities may not apply in this call."))


def _org_name(org: dict) -> str:
    return org.get("name_fi") or org.get("name_sv") or org.get("municipality_code") or org.get("business_id") or "?"


def check_confirmations(content: dict) -> Check:
    partners = list(content.get("partners") or [])
    missing = [_org_name(p) for p in partners if not p.get("confirmed_at")]
    if not partners:
        return _check("confirmations", True, _("There are no partners to confirm."))
    if missing:
        return _check("confirmations", False, _("Not confirmed: %(names)s.") % {"names": ", ".join(missing)})
    return _check("confirmations", True, _("Every partner confirmed its participation (%(count)d).") % {"count": len(partners)})


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def eligible_costs(content: dict) -> Decimal:
    total = Decimal("0.00")
    for line in content.get("budget") or []:
        total += _decimal(line.get("amount")) or Decimal("0.00")
    return total.quantize(Decimal("0.01"))


def check_grant_share(content: dict, share: Decimal) -> Check:
    eligible = eligible_costs(content)
    requested = _decimal(content.get("requested_grant"))
    limit = max_grant(eligible, share)
    if requested is None:
        return _check("grant_share", False, _("No grant amount was given."))
    values = {
        "requested": formats.number(requested, get_language()),
        "eligible": formats.number(eligible, get_language()),
        "share": format_percent(share),
        "max": formats.number(limit, get_language()),
    }
    if requested > limit:
        return _check(
            "grant_share", False, _("%(requested)s € applied for is more than %(share)s %% of the eligible costs %(eligible)s € (at most %(max)s €).") % values
        )
    return _check("grant_share", True, _("%(requested)s € applied for; at most %(share)s %% of the eligible costs %(eligible)s € is %(max)s €.") % values)


# Words that say a cost line includes VAT, in Finnish, Swedish and English.
_VAT_WORDS = re.compile(r"(?<!\w)(alv|arvonlisäver\w*|moms|mervärdesskatt\w*|vat)(?!\w)", re.IGNORECASE)
VAT_CATEGORY = "vat"


def check_vat(content: dict, vat_eligible: bool) -> Check:
    if vat_eligible:
        return _check("vat", True, _("VAT is an eligible cost in this call."))
    vat_lines = []
    for index, line in enumerate(content.get("budget") or [], 1):
        if line.get("category") == VAT_CATEGORY or _VAT_WORDS.search(line.get("description") or ""):
            vat_lines.append(str(index))
    if vat_lines:
        return _check("vat", False, _("Cost lines %(lines)s are VAT or mention VAT; VAT is not eligible in this call.") % {"lines": ", ".join(vat_lines)})
    return _check("vat", True, _("No cost line is VAT or mentions it."))


def check_target_areas(content: dict, call_areas: frozenset[int] | set[int]) -> Check:
    chosen = list(content.get("target_areas") or [])
    foreign = sorted({number for number in chosen if number not in call_areas}, key=str)
    if not chosen:
        return _check("target_areas", False, _("No target area was chosen."))
    if foreign:
        return _check("target_areas", False, _("Target areas not in the call: %(numbers)s.") % {"numbers": ", ".join(str(n) for n in foreign)})
    return _check("target_areas", True, _("Target areas %(numbers)s are areas of the call.") % {"numbers": ", ".join(str(n) for n in sorted(chosen))})


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def check_schedule(content: dict, project_end_latest: date) -> Check:
    """The project ends by the call's latest end, and after it starts. When it may start is not a rule
    of the call: costs before the eligible-cost period are flagged by check_cost_period."""
    start, end = _date(content.get("start_date")), _date(content.get("end_date"))
    problems = []
    if start is None or end is None:
        problems.append(str(_("The start or end date is missing.")))
    if end and end > project_end_latest:
        problems.append(str(_("It ends %(end)s, after the latest end %(latest)s.") % {"end": format_date(end), "latest": format_date(project_end_latest)}))
    if start and end and end < start:
        problems.append(str(_("It ends before it starts.")))
    if problems:
        return _check("schedule", False, " ".join(problems))
    return _check(
        "schedule",
        True,
        _("%(start)s–%(end)s, ending by the latest end %(latest)s.")
        % {"start": format_date(start), "end": format_date(end), "latest": format_date(project_end_latest)},
    )


def earliest_decision_day(closes_at: datetime, submitted_at: datetime) -> date:
    """The first day a grant decision on this version can be made: not before the call closed, nor
    before the version was submitted (an answer to a request for supplement comes later). Helsinki dates."""
    return clock.helsinki(max(closes_at, submitted_at)).date()


def check_cost_period(content: dict, closes_at: datetime, submitted_at: datetime) -> Check:
    """Flag a project that starts before its costs can be eligible. The eligible-cost period starts on
    the date of the grant decision unless the decision gives grounds for an earlier start, and no
    decision can be made before the day returned by earliest_decision_day. Advisory, like every check."""
    start = _date(content.get("start_date"))
    if start is None:
        return _check("cost_period", True, _("The start date is missing (see the schedule)."))
    earliest = earliest_decision_day(closes_at, submitted_at)
    values = {"start": format_date(start), "earliest": format_date(earliest)}
    if start < earliest:
        if submitted_at > closes_at:
            when = _("The project starts %(start)s, before this version was submitted on %(earliest)s: no grant decision can be made before then.") % values
        else:
            when = _("The project starts %(start)s, before the call closed on %(earliest)s: no grant decision can be made before then.") % values
        because = _(
            "Costs incurred before the eligible-cost period in the decision are not eligible; that period starts on the date of the decision "
            "unless the decision gives grounds for an earlier start."
        )
        return _check("cost_period", False, f"{when} {because}")
    return _check(
        "cost_period",
        True,
        _(
            "The project starts %(start)s, not before %(earliest)s, the earliest day of a grant decision. Its costs are eligible from the start "
            "of the eligible-cost period in the decision."
        )
        % values,
    )


# The texts searched for words that suggest an excluded field.
SEARCHED_TEXTS = ("project_name", "summary", "current_state", "objectives", "change_in_ways_of_working", "rollout_and_spread", "prior_work")
# A keyword this long or longer also matches inside a compound word ('perusterveydenhuolto');
# a shorter one only at the start of a word ('sote' in 'sote-uudistus', not in other words).
COMPOUND_MIN_CHARS = 6


def _keyword_pattern(keyword: str) -> re.Pattern:
    body = r"\s+".join(re.escape(part) for part in keyword.split())
    head = r"" if len(keyword) >= COMPOUND_MIN_CHARS else r"(?<!\w)"
    return re.compile(head + body, re.IGNORECASE)


def _is_word_char(text: str, index: int) -> bool:
    """Letters and digits, and a hyphen between them ('sote-uudistus' is one word)."""
    char = text[index]
    if char.isalnum():
        return True
    return char == "-" and 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()


def _whole_word(text: str, start: int, end: int) -> str:
    while start > 0 and _is_word_char(text, start - 1):
        start -= 1
    while end < len(text) and _is_word_char(text, end):
        end += 1
    return " ".join(text[start:end].split())


def find_keywords(text: str, keywords: Iterable[str]) -> list[str]:
    """The words of `text` in which a keyword (a word, stem or phrase) is found, each once, in order."""
    found: list[str] = []
    seen: set[str] = set()
    hits: list[tuple[int, str]] = []
    for keyword in keywords:
        for match in _keyword_pattern(keyword).finditer(text or ""):
            hits.append((match.start(), _whole_word(text, match.start(), match.end())))
    for _position, word in sorted(hits):
        if word.lower() not in seen:
            seen.add(word.lower())
            found.append(word)
    return found


def check_exclusions(content: dict, exclusions: Sequence[ExclusionRule]) -> Check:
    """Words that suggest a field the call excludes: flagged for a person to judge, never rejected."""
    text = "\n".join(str(content.get(name) or "") for name in SEARCHED_TEXTS)
    flagged: list[str] = []
    words: list[str] = []
    for exclusion in exclusions:
        matched = find_keywords(text, exclusion.keywords)
        if matched:
            flagged.append(f"{exclusion.name}: {', '.join(matched)}")
            words += [word for word in matched if word not in words]
    if flagged:
        return _check("exclusions", False, _("For a person to judge. The texts mention %(matches)s.") % {"matches": "; ".join(flagged)}, words)
    return _check("exclusions", True, _("The texts mention none of the words that suggest an excluded field."))


# ── Other costs: what the call allows ───────────────────────────────────────

OTHER_CATEGORY = "other"
# Words that suggest an equipment purchase, which the calls do not fund directly (the description of
# the category "other"). Matched as find_keywords matches the exclusions' words: a word of six letters
# or more also inside a compound ('näyttölaitteet', 'it-utrustning'), a shorter one at a word's start.
# Nouns of equipment only: a bare 'hankinta' / 'anskaffning' (procurement) is as often a licence or a
# service, so 'laitehankinta' and 'anskaffning av utrustning' are found by their equipment word.
EQUIPMENT_WORDS = (
    # Finnish
    "laite",
    "laitteet",
    "laitteita",
    "laitteiden",
    "laitteen",
    "laitteisto",
    "laitehankin",
    "tietokone",
    "tabletti",
    "tabletit",
    "älypuhelin",
    "älypuhelim",
    # Swedish
    "utrustning",
    "dator",
    "surfplatt",
    "apparat",
    "hårdvara",
    "maskinvara",
    "mobiltelefon",
    # English
    "equipment",
    "hardware",
    "device",
    "computer",
    "laptop",
    "tablet",
    "smartphone",
)


def check_other_costs(content: dict) -> Check:
    """Lines of other costs whose descriptions suggest an equipment purchase: for a person to judge."""
    flagged: list[str] = []
    words: list[str] = []
    for index, line in enumerate(content.get("budget") or [], 1):
        if line.get("category") != OTHER_CATEGORY:
            continue
        matched = find_keywords(line.get("description") or "", EQUIPMENT_WORDS)
        if matched:
            flagged.append(f"{index} ({', '.join(matched)})")
            words += [word for word in matched if word not in words]
    if flagged:
        return _check(
            "other_costs",
            False,
            _("For a person to judge. Other costs on lines %(lines)s suggest equipment purchases, which the call does not fund directly.")
            % {"lines": "; ".join(flagged)},
            words,
        )
    return _check("other_costs", True, _("No line of other costs suggests an equipment purchase."))


def automatic_checks(content: dict, submitted_at: datetime, call: CallRules, supplements: Sequence[SupplementWindow] = ()) -> list[Check]:
    """Every automatic check of one submitted version, in a fixed order (CHECK_CODES)."""
    return [
        check_in_time(submitted_at, call.closes_at, supplements),
        check_municipalities(content, call.min_municipalities),
        check_aland(content, call.aland_may_apply, call.aland_municipality_codes),
        check_confirmations(content),
        check_grant_share(content, call.max_grant_share),
        check_vat(content, call.vat_eligible),
        check_other_costs(content),
        check_target_areas(content, call.target_areas),
        check_schedule(content, call.project_end_latest),
        check_cost_period(content, call.closes_at, submitted_at),
        check_exclusions(content, call.exclusions),
    ]


def flagged(checks: Sequence[Check]) -> list[Check]:
    return [check for check in checks if check.flagged]
