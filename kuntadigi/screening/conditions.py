"""The conditions of a call that an ineligible application fails.

The preparer names them when marking an application ineligible, and the no-grant decision states
them as its decisive facts (Administrative Procedure Act 434/2003, 45 §): which rule, or which field
the call excludes. Pure: the call's facts come in as plain data; texts are in the active language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kuntadigi.core import formats

# The call's general rules, in the order of the screening checks.
RULES = ("in_time", "municipalities", "aland", "confirmations", "grant_share", "vat", "target_areas", "schedule")
EXCLUSION = "exclusion:"  # followed by the id of the call's exclusion (a field the call does not fund)
OTHER = "other"


@dataclass(frozen=True)
class ConditionFacts:
    min_municipalities: int
    max_grant_share: Decimal
    project_end_latest: date
    exclusions: Mapping[str, str] = field(default_factory=dict)  # code ("exclusion:<id>") -> name


def exclusion_code(exclusion_id: int) -> str:
    return f"{EXCLUSION}{exclusion_id}"


def condition_codes(facts: ConditionFacts) -> list[str]:
    return [*RULES, *facts.exclusions, OTHER]


def clean_conditions(codes: Iterable[str], facts: ConditionFacts) -> list[str]:
    """The known codes among `codes`, once each, in the call's order."""
    wanted = set(codes)
    return [code for code in condition_codes(facts) if code in wanted]


def condition_text(code: str, facts: ConditionFacts) -> str:
    """The condition as a decision states it, in the active language."""
    percent = f"{(facts.max_grant_share * 100).normalize():f}".replace(".", ",")
    end = facts.project_end_latest
    texts = {
        "in_time": _("The application must be submitted through the e-service within the application period."),
        "municipalities": _("The project must be carried out jointly by at least %(count)d municipalities.") % {"count": facts.min_municipalities},
        "aland": _("Åland's municipalities may not take part in this call."),
        "confirmations": _("Every municipality named in the application must confirm its participation."),
        "grant_share": _("The grant applied for may be at most %(percent)s %% of the project's eligible costs.") % {"percent": percent},
        "vat": _("Value added tax is not an eligible cost."),
        "target_areas": _("The project must concern at least one target area of the call."),
        "schedule": _("The project must end by %(date)s.") % {"date": formats.day(end, get_language())},
        OTHER: _("Another condition of the call, named in the grounds below."),
    }
    if code in texts:
        return str(texts[code])
    if code in facts.exclusions:
        return str(_("The call does not fund this field: %(name)s.") % {"name": facts.exclusions[code]})
    return ""
