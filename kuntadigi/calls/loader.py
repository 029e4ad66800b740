"""Calls as data: read a call file (data/calls/*.json), check it, and create or update the call.

A call file holds every text of the call in every language of the service and every rule of the
call. `validate()` checks the whole file and reports every problem at once; `sync()` writes a valid
file to the database in one transaction. Child rows keep their identity where they can (target areas
by number, cost categories by code, the other lists by position), so applications that already point
at them stay valid; rows the file no longer has are removed, unless something still uses them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import Call, Contact, CostCategory, Criterion, Exclusion, FaqEntry, NoGrantReason, TargetArea

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

# Texts of the call itself: required ones must be present; optional ones may be left out entirely.
REQUIRED_TEXTS = ("title", "funder", "summary", "purpose")
# decision_conditions and reporting_duties are the default texts of a grant decision (edited per decision).
OPTIONAL_TEXTS = (
    "programme",
    "legal_basis",
    "cooperation_rule",
    "assessment_intro",
    "decision_conditions",
    "reporting_duties",
    "payment_terms",
    "applied_provisions",
)
RULE_KEYS = (
    "appropriation",
    "opens_at",
    "closes_at",
    "project_end_latest",
    "min_municipalities",
    "max_grant_share",
    "vat_eligible",
    "summary_max_chars",
    "score_min",
    "score_max",
)
# Optional rules: left out, they take the model's default (Åland's municipalities may not apply; a grant
# is accepted within 30 days of the decision).
OPTIONAL_RULE_KEYS = ("aland_may_apply", "acceptance_days")
# After the decision (payments, reports, the State's accounting): optional, the model's default when left out.
FOLLOW_UP_KEYS = (
    "held_back_share",
    "cost_tolerance",
    "final_report_months",
    "interim_report_dates",
    "budget_item",
    "accounting_codes",
    "payer_name",
    "payer_iban",
    "payer_bic",
)
# Lists of lines per language, stored one item per line in a translatable text (VNA 893/2019 5 §).
LINE_LIST_KEYS = ("eligible_cost_types", "ineligible_cost_types")
LIST_KEYS = ("target_areas", "exclusions", "cost_categories", "criteria", "faq", "contacts", "no_grant_reasons")
TOP_KEYS = {"slug", "is_published", *REQUIRED_TEXTS, *OPTIONAL_TEXTS, *RULE_KEYS, *OPTIONAL_RULE_KEYS, *FOLLOW_UP_KEYS, *LINE_LIST_KEYS, *LIST_KEYS}
ACCEPTANCE_DAYS = 30  # the default of Call.acceptance_days
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class CallDataError(ValueError):
    """A call file that cannot be loaded. `problems` lists every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass
class CallData:
    """A checked call file, ready to be written."""

    slug: str
    values: dict  # Call field name (texts with language suffix) -> value
    children: dict[str, list[dict]] = field(default_factory=dict)  # list key -> rows of field values


@dataclass
class SyncResult:
    slug: str
    created: bool
    changed: dict[str, int]  # what -> rows created, updated or removed

    @property
    def changed_anything(self) -> bool:
        return self.created or any(self.changed.values())


class _Checker:
    def __init__(self):
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def keys(self, obj, where: str, allowed: set[str], required: set[str]) -> bool:
        if not isinstance(obj, dict):
            self.problem(where, "must be an object")
            return False
        for key in sorted(set(obj) - allowed):
            self.problem(where, f"unknown key {key!r}")
        for key in sorted(required - set(obj)):
            self.problem(where, f"missing {key!r}")
        return True

    def text(self, obj, where: str, *, required: bool = True) -> dict[str, str]:
        """{'fi': ..., 'sv': ..., 'en': ...} -> {'fi': ...}; every language must be there and non-empty."""
        if not isinstance(obj, dict):
            self.problem(where, f"must be an object with the languages {', '.join(LANGUAGES)}")
            return {}
        for key in sorted(set(obj) - set(LANGUAGES)):
            self.problem(where, f"unknown language {key!r}")
        result = {}
        for lang in LANGUAGES:
            value = obj.get(lang)
            if value is None:
                self.problem(where, f"missing language {lang!r}")
            elif not isinstance(value, str):
                self.problem(where, f"the {lang!r} text must be a string")
            elif required and not value.strip():
                self.problem(where, f"the {lang!r} text is empty")
            else:
                result[lang] = value.strip()
        return result

    def decimal(self, value, where: str, *, low: Decimal | None = None, high: Decimal | None = None, low_inclusive: bool = True) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(where, 'must be a string such as "0.85" (a JSON number could lose precision)')
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.problem(where, f"{value!r} is not a number")
            return None
        if not number.is_finite():
            self.problem(where, f"{value!r} is not a number")
            return None
        if low is not None and (number < low or (number == low and not low_inclusive)):
            self.problem(where, f"must be {'at least' if low_inclusive else 'more than'} {low}")
        if high is not None and number > high:
            self.problem(where, f"must be at most {high}")
        return number

    def integer(self, value, where: str, *, low: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, "must be a whole number")
            return None
        if value < low:
            self.problem(where, f"must be at least {low}")
        return value

    def boolean(self, value, where: str) -> bool | None:
        if not isinstance(value, bool):
            self.problem(where, "must be true or false")
            return None
        return value

    def instant(self, value, where: str) -> datetime | None:
        if not isinstance(value, str):
            self.problem(where, "must be an ISO 8601 instant with its offset, e.g. 2020-10-05T16:15:00+03:00")
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.problem(where, f"{value!r} is not an ISO 8601 instant")
            return None
        if parsed.tzinfo is None:
            self.problem(where, f"{value!r} has no UTC offset: write e.g. +03:00 (Helsinki summer time) or +02:00 (winter time)")
            return None
        return parsed

    def day(self, value, where: str) -> date | None:
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        self.problem(where, "must be a date such as 2022-10-31")
        return None

    def rows(self, obj, where: str, *, at_least: int = 0) -> list:
        if not isinstance(obj, list):
            self.problem(where, "must be a list")
            return []
        if len(obj) < at_least:
            self.problem(where, f"must have at least {at_least} item(s)")
        return obj


def _texts(name: str, text: dict[str, str]) -> dict[str, str]:
    return {f"{name}_{lang}": value for lang, value in text.items()}


def _line_lists(check: _Checker, obj, where: str) -> dict[str, str]:
    """{'fi': [items], 'sv': [...], 'en': [...]} -> {'fi': 'item\nitem', ...}; every language, no empty item."""
    if not isinstance(obj, dict):
        check.problem(where, f"must be an object with a list of items for each of the languages {', '.join(LANGUAGES)}")
        return {}
    for key in sorted(set(obj) - set(LANGUAGES)):
        check.problem(where, f"unknown language {key!r}")
    result = {}
    for lang in LANGUAGES:
        items = obj.get(lang)
        if items is None:
            check.problem(where, f"missing language {lang!r}")
        elif not isinstance(items, list) or not all(isinstance(item, str) and item.strip() and "\n" not in item for item in items):
            check.problem(where, f"the {lang!r} items must be a list of non-empty one-line strings")
        else:
            result[lang] = "\n".join(item.strip() for item in items)
    counts = {len(obj[lang]) for lang in LANGUAGES if isinstance(obj.get(lang), list)}
    if len(counts) > 1:
        check.problem(where, "every language must have the same number of items")
    return result


def _keywords(check: _Checker, obj, where: str) -> str:
    """Keywords by language ({'fi': [...], ...}) or one list, stored one per line."""
    if obj is None:
        return ""
    words: list[str] = []
    if isinstance(obj, dict):
        for key in sorted(set(obj) - set(LANGUAGES)):
            check.problem(where, f"unknown language {key!r}")
        for lang in LANGUAGES:
            if lang not in obj:
                check.problem(where, f"missing language {lang!r}")
        groups = [obj.get(lang, []) for lang in LANGUAGES]
    else:
        groups = [obj]
    for group in groups:
        if not isinstance(group, list) or not all(isinstance(word, str) and word.strip() for word in group):
            check.problem(where, "must be lists of non-empty words")
            continue
        for word in group:
            if word.strip().lower() not in words:
                words.append(word.strip().lower())
    return "\n".join(words)


def validate(data, source: str = "call") -> CallData:
    """Check a parsed call file. Raises CallDataError listing every problem."""
    check = _Checker()
    if not check.keys(data, "file", TOP_KEYS, {"slug", *REQUIRED_TEXTS, *RULE_KEYS, "target_areas", "cost_categories", "criteria"}):
        raise CallDataError(source, check.problems)
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        check.problem("slug", "must be letters, digits and hyphens, e.g. digi-2020")
    values: dict = {"is_published": check.boolean(data.get("is_published", False), "is_published")}
    for name in REQUIRED_TEXTS:
        if name in data:
            values.update(_texts(name, check.text(data[name], name)))
    for name in OPTIONAL_TEXTS:
        values.update(_texts(name, check.text(data[name], name) if name in data else dict.fromkeys(LANGUAGES, "")))

    values["appropriation"] = check.decimal(data.get("appropriation"), "appropriation", low=Decimal("0"))
    values["opens_at"] = check.instant(data.get("opens_at"), "opens_at")
    values["closes_at"] = check.instant(data.get("closes_at"), "closes_at")
    if values["opens_at"] and values["closes_at"] and values["closes_at"] <= values["opens_at"]:
        check.problem("closes_at", "must be after opens_at")
    values["project_end_latest"] = check.day(data.get("project_end_latest"), "project_end_latest")
    if values["project_end_latest"] and values["closes_at"] and values["project_end_latest"] < values["closes_at"].date():
        check.problem("project_end_latest", "is before the call closes")
    values["min_municipalities"] = check.integer(data.get("min_municipalities"), "min_municipalities", low=1)
    values["max_grant_share"] = check.decimal(data.get("max_grant_share"), "max_grant_share", low=Decimal("0"), high=Decimal("1"), low_inclusive=False)
    values["vat_eligible"] = check.boolean(data.get("vat_eligible"), "vat_eligible")
    values["aland_may_apply"] = check.boolean(data.get("aland_may_apply", False), "aland_may_apply")
    values["acceptance_days"] = check.integer(data.get("acceptance_days", ACCEPTANCE_DAYS), "acceptance_days", low=1)
    values.update(_follow_up(check, data))
    for name in LINE_LIST_KEYS:
        values.update(_texts(name, _line_lists(check, data[name], name) if name in data else dict.fromkeys(LANGUAGES, "")))
    values["summary_max_chars"] = check.integer(data.get("summary_max_chars"), "summary_max_chars", low=1)
    values["score_min"] = check.integer(data.get("score_min"), "score_min", low=0)
    values["score_max"] = check.integer(data.get("score_max"), "score_max", low=1)
    if values["score_min"] is not None and values["score_max"] is not None and values["score_max"] <= values["score_min"]:
        check.problem("score_max", "must be greater than score_min")

    children: dict[str, list[dict]] = {key: [] for key in LIST_KEYS}

    numbers = set()
    for i, row in enumerate(check.rows(data.get("target_areas"), "target_areas", at_least=1)):
        where = f"target_areas[{i}]"
        if check.keys(row, where, {"number", "name"}, {"number", "name"}):
            number = check.integer(row.get("number"), f"{where}.number", low=1)
            if number in numbers:
                check.problem(f"{where}.number", f"{number} appears twice")
            numbers.add(number)
            children["target_areas"].append({"number": number, **_texts("name", check.text(row.get("name"), f"{where}.name"))})

    for i, row in enumerate(check.rows(data.get("exclusions", []), "exclusions")):
        where = f"exclusions[{i}]"
        if check.keys(row, where, {"name", "keywords"}, {"name"}):
            name = _texts("name", check.text(row.get("name"), f"{where}.name"))
            children["exclusions"].append({"order": i, **name, "keywords": _keywords(check, row.get("keywords"), f"{where}.keywords")})

    codes = set()
    for i, row in enumerate(check.rows(data.get("cost_categories"), "cost_categories", at_least=1)):
        where = f"cost_categories[{i}]"
        if check.keys(row, where, {"code", "name", "description"}, {"code", "name"}):
            code = row.get("code")
            if not isinstance(code, str) or not SLUG.match(code):
                check.problem(f"{where}.code", "must be letters, digits and hyphens, e.g. staff")
            elif code in codes:
                check.problem(f"{where}.code", f"{code!r} appears twice")
            codes.add(code)
            description = check.text(row["description"], f"{where}.description") if "description" in row else dict.fromkeys(LANGUAGES, "")
            children["cost_categories"].append(
                {"order": i, "code": code, **_texts("name", check.text(row.get("name"), f"{where}.name")), **_texts("description", description)}
            )

    for i, row in enumerate(check.rows(data.get("criteria"), "criteria", at_least=1)):
        where = f"criteria[{i}]"
        if check.keys(row, where, {"name", "description", "weight"}, {"name", "weight"}):
            description = check.text(row["description"], f"{where}.description") if "description" in row else dict.fromkeys(LANGUAGES, "")
            children["criteria"].append(
                {
                    "order": i,
                    **_texts("name", check.text(row.get("name"), f"{where}.name")),
                    **_texts("description", description),
                    "weight": check.decimal(row.get("weight"), f"{where}.weight", low=Decimal("0")),
                }
            )

    for i, row in enumerate(check.rows(data.get("faq", []), "faq")):
        where = f"faq[{i}]"
        if check.keys(row, where, {"question", "answer"}, {"question", "answer"}):
            children["faq"].append(
                {
                    "order": i,
                    **_texts("question", check.text(row.get("question"), f"{where}.question")),
                    **_texts("answer", check.text(row.get("answer"), f"{where}.answer")),
                }
            )

    for i, row in enumerate(check.rows(data.get("contacts", []), "contacts")):
        where = f"contacts[{i}]"
        if check.keys(row, where, {"name", "role", "phone", "email"}, {"name", "role"}):
            name, phone, email = row.get("name"), row.get("phone", ""), row.get("email", "")
            if not isinstance(name, str) or not name.strip():
                check.problem(f"{where}.name", "must be a non-empty string")
            if not isinstance(phone, str):
                check.problem(f"{where}.phone", "must be a string")
            if not isinstance(email, str) or (email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email)):
                check.problem(f"{where}.email", "must be an e-mail address")
            role = _texts("role", check.text(row.get("role"), f"{where}.role"))
            children["contacts"].append({"order": i, "name": str(name).strip(), **role, "phone": str(phone).strip(), "email": str(email).strip()})

    reason_codes = set()
    for i, row in enumerate(check.rows(data.get("no_grant_reasons", []), "no_grant_reasons")):
        where = f"no_grant_reasons[{i}]"
        if check.keys(row, where, {"code", "text"}, {"code", "text"}):
            code = row.get("code")
            if not isinstance(code, str) or not SLUG.match(code):
                check.problem(f"{where}.code", "must be letters, digits and hyphens, e.g. not-within-appropriation")
            elif code in reason_codes:
                check.problem(f"{where}.code", f"{code!r} appears twice")
            reason_codes.add(code)
            children["no_grant_reasons"].append({"order": i, "code": code, **_texts("text", check.text(row.get("text"), f"{where}.text"))})

    if check.problems:
        raise CallDataError(source, check.problems)
    return CallData(slug=slug, values=values, children=children)


def read(path: Path | str) -> CallData:
    """Read and check one call file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CallDataError(path.name, ["file not found"]) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CallDataError(path.name, [f"not valid JSON ({error})"]) from error
    return validate(data, path.name)


def _apply(obj: models.Model, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _clean(obj: models.Model, source: str, where: str, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = [f"{where}.{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
        raise CallDataError(source, problems) from error


def _in_use(queryset) -> bool:
    """True when anything outside the call (an application, a budget line…) points at these rows."""
    for relation in queryset.model._meta.related_objects:
        if relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": queryset}).exists():
            return True
    return False


# list key -> (model, the field that identifies a row within its call, its label in messages)
CHILDREN = {
    "target_areas": (TargetArea, "number", "target area"),
    "exclusions": (Exclusion, "order", "exclusion"),
    "cost_categories": (CostCategory, "code", "cost category"),
    "criteria": (Criterion, "order", "criterion"),
    "faq": (FaqEntry, "order", "question"),
    "contacts": (Contact, "order", "contact"),
    "no_grant_reasons": (NoGrantReason, "code", "reason for not granting"),
}


def _sync_children(call: Call, key: str, rows: list[dict], changed: dict[str, int], source: str) -> None:
    model, identity, label = CHILDREN[key]
    existing = {getattr(obj, identity): obj for obj in model.objects.filter(call=call)}
    wanted = {row[identity] for row in rows}
    stale = model.objects.filter(call=call).exclude(**{f"{identity}__in": wanted})
    if stale.exists():
        if _in_use(stale):
            names = ", ".join(str(getattr(obj, identity)) for obj in stale)
            raise CallDataError(source, [f"{key}: cannot remove {label} {names}: applications use it"])
        changed["removed"] += stale.count()
        stale.delete()
    # A unique (call, number/code) row may move to another position: update in place, never duplicate.
    for i, row in enumerate(rows):
        obj = existing.get(row[identity])
        if obj is None:
            obj = model(call=call)
            _apply(obj, row)
            _clean(obj, source, f"{key}[{i}]", exclude=["call"])
            obj.save()
            changed["created"] += 1
        else:
            fields = _apply(obj, row)
            if fields:
                _clean(obj, source, f"{key}[{i}]", exclude=["call"])
                obj.save(update_fields=fields)
                changed["updated"] += 1


def sync(call_data: CallData, source: str = "call") -> SyncResult:
    """Create or update one call and its child rows, all in one transaction."""
    changed = {"created": 0, "updated": 0, "removed": 0}
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(slug=call_data.slug).first()
        created = call is None
        if created:
            call = Call(slug=call_data.slug)
            _apply(call, call_data.values)
            _clean(call, source, "call")
            call.save()
        else:
            fields = _apply(call, call_data.values)
            if fields:
                _clean(call, source, "call")
                call.save(update_fields=fields)
                changed["updated"] += 1
        for key in LIST_KEYS:
            _sync_children(call, key, call_data.children[key], changed, source)
    return SyncResult(slug=call_data.slug, created=created, changed=changed)


def default_files() -> list[Path]:
    return sorted((Path(settings.BASE_DIR) / "data" / "calls").glob("*.json"))


def _follow_up(check, data: dict) -> dict:
    """The call's rules after the decision: the share held back until the final report, the tolerance of a
    cost category over its budget, when reports are due, and the codes of the State's accounting."""
    values: dict = {
        "held_back_share": check.decimal(data.get("held_back_share", "0"), "held_back_share", low=Decimal("0"), high=Decimal("0.99")),
        "cost_tolerance": check.decimal(data.get("cost_tolerance", "0.10"), "cost_tolerance", low=Decimal("0"), high=Decimal("1")),
        "final_report_months": check.integer(data.get("final_report_months", 4), "final_report_months", low=1),
    }
    dates = data.get("interim_report_dates", [])
    if not isinstance(dates, list):
        check.problem("interim_report_dates", "must be a list of dates (YYYY-MM-DD)")
        dates = []
    values["interim_report_dates"] = [day.isoformat() for i, value in enumerate(dates) if (day := check.day(value, f"interim_report_dates[{i}]"))]
    codes = data.get("accounting_codes", {})
    if not isinstance(codes, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in codes.items()):
        check.problem("accounting_codes", "must be an object of names and codes, both text")
        codes = {}
    values["accounting_codes"] = codes
    for name, length in (("budget_item", 40), ("payer_name", 140), ("payer_iban", 34), ("payer_bic", 11)):
        value = data.get(name, "")
        if not isinstance(value, str) or len(value) > length:
            check.problem(name, f"must be text of at most {length} characters")
            value = ""
        values[name] = value.replace(" ", "") if name in ("payer_iban", "payer_bic") else value
    return values
