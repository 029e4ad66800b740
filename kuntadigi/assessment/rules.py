"""The pure rules of assessment: conflicts of interest, the weighted score, disagreement and
spreading assessors evenly. No database here: plain values in, plain values out.

Criteria, organisations, applications and assessors are named by their ids (ints).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from django.utils.translation import gettext as _

CriterionId = int
CENT = Decimal("0.01")
# Precision of the full-precision weighted score (ranking). Equal fractions always give equal Decimals.
PRECISION = 28


# ── Conflicts of interest ───────────────────────────────────────────────────


def conflicts(assessor_org_ids: set[int], application_org_ids: set[int]) -> set[int]:
    """The organisations the assessor is tied to that take part in the application."""
    return set(assessor_org_ids) & set(application_org_ids)


@dataclass(frozen=True)
class TieFact:
    """One declared tie as the rules need it: the organisation, its name and the kind in words."""

    organisation_id: int
    organisation_name: str
    kind_label: str


@dataclass(frozen=True)
class ConflictAnswer:
    """Like permissions.Decision: `allowed` with the reason in words, plus the conflicting organisations."""

    allowed: bool
    reason: str = ""
    organisation_ids: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return self.allowed


def describe_ties(ties: Iterable[TieFact]) -> str:
    """'Porvoo (employer), Loviisa (close relation)', in the order of the names."""
    return ", ".join(f"{tie.organisation_name} ({tie.kind_label})" for tie in sorted(ties, key=lambda t: (t.organisation_name, t.kind_label)))


def conflict_check(ties: Iterable[TieFact], application_org_ids: set[int], *, assessor_name: str | None = None) -> ConflictAnswer:
    """May the assessor with these ties assess an application of these organisations?

    The reason names the organisations and the kind of each tie. Without `assessor_name` it speaks
    to the assessor ('You cannot assess ...'); with it, about them ('Anna cannot assess ...')."""
    ties = list(ties)
    clashing = conflicts({t.organisation_id for t in ties}, application_org_ids)
    if not clashing:
        return ConflictAnswer(True)
    named = describe_ties(t for t in ties if t.organisation_id in clashing)
    if assessor_name is None:
        reason = _("You cannot assess this application: tied to %(ties)s.") % {"ties": named}
    else:
        reason = _("%(name)s cannot assess this application: tied to %(ties)s.") % {"name": assessor_name, "ties": named}
    return ConflictAnswer(False, reason, frozenset(clashing))


# ── Scores ──────────────────────────────────────────────────────────────────


def _to_decimal(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = PRECISION
        context.rounding = ROUND_HALF_EVEN
        return Decimal(value.numerator) / Decimal(value.denominator)


def mean(values: Sequence[int]) -> Decimal | None:
    """The mean of the scores in full precision; None for no scores."""
    if not values:
        return None
    return _to_decimal(Fraction(sum(values), len(values)))


def weighted_score(weights: Mapping[CriterionId, Decimal], scores: Mapping[CriterionId, Sequence[int]]) -> Decimal | None:
    """Σ w_c·mean_c / Σ w_c over the criteria that have scores: the weighted mean of the assessors' mean
    scores, in full precision (round with `for_display` only to show it).

    A criterion without scores does not count (neither its weight); scores of a criterion that has no
    weight are ignored. None when nothing is scored, or when the criteria scored weigh nothing in all.
    Computed exactly (fractions), so equal results are equal Decimals and ranking ties stay ties."""
    numerator = Fraction(0)
    total_weight = Fraction(0)
    for criterion, weight in weights.items():
        values = scores.get(criterion) or []
        if not values:
            continue
        w = Fraction(Decimal(weight))
        numerator += w * Fraction(sum(values), len(values))
        total_weight += w
    if total_weight == 0:
        return None
    return _to_decimal(numerator / total_weight)


def for_display(value: Decimal | None) -> Decimal | None:
    """Two decimals, half up: 3.125 → 3.13."""
    if value is None:
        return None
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def disagreement(scores: Mapping[CriterionId, Sequence[int]], spread: Decimal) -> list[CriterionId]:
    """The criteria on which the assessors' scores differ by more than `spread` (max − min > spread).
    A difference of exactly `spread` is not a disagreement."""
    return [criterion for criterion, values in scores.items() if values and Decimal(max(values) - min(values)) > Decimal(spread)]


# ── Validating one assessor's scores ────────────────────────────────────────


@dataclass(frozen=True)
class ScoreEntry:
    score: int | None
    justification: str


@dataclass(frozen=True)
class ScoreProblem:
    criterion_id: CriterionId
    field: str  # "score" or "justification"
    message: str


def check_scores(
    criteria: Sequence[CriterionId], entries: Mapping[CriterionId, ScoreEntry], score_min: int, score_max: int, *, final: bool
) -> list[ScoreProblem]:
    """A score must be on the call's scale. To submit (`final`), every criterion needs a score and a
    written justification; a draft may leave them empty."""
    problems: list[ScoreProblem] = []
    for criterion in criteria:
        entry = entries.get(criterion) or ScoreEntry(None, "")
        if entry.score is not None and not score_min <= entry.score <= score_max:
            problems.append(ScoreProblem(criterion, "score", _("Give a score from %(min)d to %(max)d.") % {"min": score_min, "max": score_max}))
        elif final and entry.score is None:
            problems.append(ScoreProblem(criterion, "score", _("Give a score for every criterion before submitting.")))
        if final and not entry.justification.strip():
            problems.append(ScoreProblem(criterion, "justification", _("Write a justification for the score.")))
    return problems


# ── Spreading assessors evenly ──────────────────────────────────────────────


@dataclass
class SpreadPlan:
    """New (application, assessor) pairs, and for each application that could not get enough
    assessors without a conflict, how many are missing."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    short: dict[int, int] = field(default_factory=dict)


def spread_evenly(
    applications: Sequence[tuple[int, set[int]]],
    assessors: Sequence[tuple[int, set[int], int]],
    per_application: int,
    existing: Iterable[tuple[int, int]] = (),
) -> SpreadPlan:
    """Give every application `per_application` assessors, none tied to an organisation that takes part.

    `applications`: (application id, ids of its organisations); `assessors`: (assessor id, ids of the
    organisations they are tied to, the number of applications they already have). Existing pairs are
    kept and count towards `per_application`. Each seat goes to the least-loaded assessor who is free
    of conflicts, ties broken by the smaller id; the applications with the fewest possible assessors
    are served first, then by id, so the result is the same every time.
    """
    existing_pairs = set(existing)
    load = {assessor_id: current for assessor_id, _ties, current in assessors}
    ties = {assessor_id: set(tied) for assessor_id, tied, _load in assessors}
    has: dict[int, set[int]] = {app_id: set() for app_id, _orgs in applications}
    for app_id, assessor_id in existing_pairs:
        if app_id in has:
            has[app_id].add(assessor_id)

    def candidates(app_id: int, org_ids: set[int]) -> list[int]:
        return [a for a in ties if a not in has[app_id] and not conflicts(ties[a], org_ids)]

    order = sorted(applications, key=lambda item: (len(candidates(item[0], item[1])), item[0]))
    plan = SpreadPlan()
    for app_id, org_ids in order:
        need = per_application - len(has[app_id])
        if need <= 0:
            continue
        chosen = sorted(candidates(app_id, org_ids), key=lambda a: (load[a], a))[:need]
        for assessor_id in chosen:
            plan.pairs.append((app_id, assessor_id))
            has[app_id].add(assessor_id)
            load[assessor_id] += 1
        if len(chosen) < need:
            plan.short[app_id] = need - len(chosen)
    plan.pairs.sort()
    return plan


# ── Removing a declared tie ─────────────────────────────────────────────────


@dataclass(frozen=True)
class TieRemovalFacts:
    """What decides whether a declared tie may still be removed by its declarer.

    `closed_calls`: the titles of the closed calls in which the declarer holds a role and the organisation
    took part in a submitted application; `assigned_references`: the references of the applications of the
    organisation assigned to the declarer to assess."""

    organisation_name: str
    closed_calls: tuple[str, ...] = ()
    assigned_references: tuple[str, ...] = ()


def tie_removal_check(facts: TieRemovalFacts) -> ConflictAnswer:
    """A tie stays once it has mattered: after a call in which the organisation applied has closed (the
    tie has guided assignments and decisions there), or once an application of the organisation has been
    assigned to the declarer. Otherwise the declarer may remove it (and the call's preparers are told)."""
    if facts.assigned_references:
        return ConflictAnswer(
            False,
            _("Your tie to %(organisation)s cannot be removed: its application %(references)s has been assigned to you. Ask the call's preparer.")
            % {"organisation": facts.organisation_name, "references": ", ".join(sorted(facts.assigned_references))},
        )
    if facts.closed_calls:
        return ConflictAnswer(
            False,
            _("Your tie to %(organisation)s cannot be removed: it applied in %(calls)s, which has closed. Ask the call's preparer.")
            % {"organisation": facts.organisation_name, "calls": ", ".join(sorted(facts.closed_calls))},
        )
    return ConflictAnswer(True)
