"""Ranking and allocation: the ranked list of a call and the preparer's use cases on proposed amounts.

Reading: `ranking_for(call)` builds the ranked list in a fixed number of queries (the applications of
the call filtered in the database, their scores from assessment.services.scores_for_call, the allocation).

Use cases (each: permission, rules, change, audit, in one transaction; the call row is locked so that
proposals, filling and finalising of one call happen one at a time):
    propose                  one application's proposed amount (a reduction needs a reason)
    propose_requested_for_all the amount applied for, for every eligible application without a proposal
    apply_fill               the allocation helper: requested inside the line, 0 outside it
    finalise                 the call's allocation, when every eligible application has a proposal
                             and the total fits the appropriation; proposals are locked after it
    unfinalise               opens the proposals again, until a decision has been signed
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock, permissions
from kuntadigi.applications import snapshot
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application
from kuntadigi.applications.rules import Problem
from kuntadigi.assessment.models import Assignment, Score
from kuntadigi.assessment.rules import _to_decimal as exact_decimal  # the one exact conversion of a score
from kuntadigi.assessment.services import ScoreSummary, criterion_weights, scores_for_call, summarise
from kuntadigi.audit.services import record
from kuntadigi.calls.models import Call

from . import allocation as rules
from .models import Allocation, Decision, Proposal

# The applications of the ranked list: eligible ones, and those already decided (shown as decided).
RANKED_STATES = (State.ELIGIBLE, State.GRANTED, State.NOT_GRANTED)
# The states whose proposals count towards the allocation's total.
COUNTED_STATES = (State.ELIGIBLE, State.GRANTED)
NOT_FUNDED_REASON = _("Not funded within the appropriation in rank order.")
ZERO = Decimal("0.00")


# ── The ranked list ─────────────────────────────────────────────────────────


@dataclass
class Row:
    rank: int
    application: Application
    score: ScoreSummary | None
    proposal: Proposal | None
    requested: Decimal
    amount: Decimal  # what counts now: the proposal, else the amount applied for; 0 when decided no grant
    decided: bool
    line: rules.PlanLine | None = None
    at_line: bool = False  # the allocation line falls just before this application

    @property
    def weighted(self) -> Decimal | None:
        return self.score.weighted if self.score else None

    @property
    def flagged(self) -> bool:
        return bool(self.score and self.score.flagged)

    @property
    def proposed(self) -> Decimal | None:
        return self.proposal.amount if self.proposal else None

    @property
    def funded(self) -> bool:
        return bool(self.line and self.line.funded)


@dataclass
class Ranking:
    call: Call
    rows: list[Row]
    plan: rules.AllocationPlan
    allocation: Allocation | None
    total_proposed: Decimal  # the proposals that count (eligible and granted applications)
    missing: int  # eligible applications without a proposal
    problems: list[Problem]  # the total against the appropriation
    weights: dict | None = None  # the criteria's weights, when read (ranking_overview)

    @property
    def finalised(self) -> bool:
        return self.allocation is not None

    @property
    def changed_since_finalised(self) -> bool:
        """Screening changed after finalising: an eligible application without a proposal, or a total
        that is no longer the finalised one."""
        return self.allocation is not None and (self.missing > 0 or self.total_proposed != self.allocation.total)

    @property
    def eligible_count(self) -> int:
        return sum(1 for row in self.rows if not row.decided)

    @property
    def has_decisions(self) -> bool:
        return any(row.decided for row in self.rows)


def _requested(application: Application) -> Decimal:
    return application.requested_grant if application.requested_grant is not None else ZERO


def _decision_or_none(application: Application):
    try:
        return application.decision
    except Decision.DoesNotExist:
        return None


def _proposal_or_none(application: Application) -> Proposal | None:
    try:
        return application.proposal
    except Proposal.DoesNotExist:
        return None


def _current_amount(application: Application, proposal: Proposal | None) -> Decimal:
    if application.state == State.NOT_GRANTED:
        return ZERO
    if application.state == State.GRANTED:
        decision = _decision_or_none(application)
        if decision is not None and decision.amount is not None:
            return decision.amount
    return proposal.amount if proposal else _requested(application)


def ranked_applications(call: Call) -> list[Row]:
    """The call's eligible and decided applications in rank order, without the allocation line."""
    applications = list(
        Application.objects.filter(call=call, state__in=RANKED_STATES).select_related("lead", "proposal", "proposal__proposed_by", "decision").order_by("pk")
    )
    scores = scores_for_call(call)
    by_id = {application.pk: application for application in applications}
    items = [rules.RankItem(a.pk, a.reference, getattr(scores.get(a.pk), "weighted", None), a.submitted_at) for a in applications]
    rows = []
    for number, item in enumerate(rules.rank(items), 1):
        application = by_id[item.application_id]
        proposal = _proposal_or_none(application)
        rows.append(
            Row(
                rank=number,
                application=application,
                score=scores.get(application.pk),
                proposal=proposal,
                requested=_requested(application),
                amount=_current_amount(application, proposal),
                decided=application.state in (State.GRANTED, State.NOT_GRANTED),
            )
        )
    return rows


def _draw_line(rows: list[Row], plan: rules.AllocationPlan) -> None:
    for index, (row, line) in enumerate(zip(rows, plan.lines, strict=True)):
        row.line = line
        row.at_line = index == plan.line_index


def ranking_for(call: Call) -> Ranking:
    """The ranked list with the allocation line of the amounts as they stand now (proposals, else the
    amounts applied for)."""
    rows = ranked_applications(call)
    plan = rules.fill([(row.application.pk, row.amount) for row in rows], call.appropriation)
    _draw_line(rows, plan)
    total = sum((row.proposal.amount for row in rows if row.proposal and row.application.state in COUNTED_STATES), ZERO)
    missing = sum(1 for row in rows if row.application.state == State.ELIGIBLE and row.proposal is None)
    allocation = Allocation.objects.filter(call=call).select_related("finalised_by").first()
    return Ranking(call, rows, plan, allocation, total, missing, rules.check_total(total, call.appropriation))


# ── The ranked list at any size: the whole call in narrow rows, full rows for one page ──────────


@dataclass(slots=True)
class Entry:
    """What ranking and the allocation line need of one application: no texts, no model instances.
    It has what allocation.rank reads of a RankItem (application_id, reference, weighted, submitted_at)."""

    application_id: int
    reference: str
    submitted_at: object
    state: str
    requested: Decimal
    proposed: Decimal | None
    decided_amount: Decimal | None
    weighted: Decimal | None

    @property
    def decided(self) -> bool:
        return self.state in (State.GRANTED, State.NOT_GRANTED)

    @property
    def amount(self) -> Decimal:
        """As `_current_amount`: 0 when decided no grant, the granted amount, else the proposal or the request."""
        if self.state == State.NOT_GRANTED:
            return ZERO
        if self.state == State.GRANTED and self.decided_amount is not None:
            return self.decided_amount
        return self.proposed if self.proposed is not None else self.requested


SCORES_CACHE_SECONDS = 24 * 3600


def weighted_scores(call: Call, weights: dict[int, Decimal]) -> dict[int, Decimal | None]:
    """`_weighted_scores`, kept in the shared cache until an assessment of the call is submitted.

    A submitted assessment is final (its scores never change and it cannot be taken back), so the
    number of submitted assignments of the call, the latest submission time and the highest
    assignment id, with the criteria's weights, tell whether the stored scores still hold: one small
    query instead of aggregating every score of the call on each view of the ranking."""
    marker = Assignment.objects.filter(application__call=call, submitted_at__isnull=False).aggregate(n=Count("pk"), last=Max("submitted_at"), top=Max("pk"))
    key = "ranking-scores:" + snapshot.fingerprint(
        {
            "call": call.pk,
            "weights": {str(pk): str(weight) for pk, weight in sorted(weights.items())},
            "submitted": marker["n"],
            "last": marker["last"].isoformat() if marker["last"] else None,
            "top": marker["top"],
        }
    )
    scores = cache.get(key)
    if scores is None:
        scores = _weighted_scores(call, weights)
        cache.set(key, scores, SCORES_CACHE_SECONDS)
    return scores


def _weighted_scores(call: Call, weights: dict[int, Decimal]) -> dict[int, Decimal | None]:
    """Every assessed application's weighted score, exactly as assessment.rules.weighted_score gives it,
    from per-criterion sums and counts aggregated in the database (two queries, whatever the number of
    scores). Σ w·(sum/n) / Σ w over the criteria scored is one fraction X / (L·W) with integers only
    (weights have two decimals; L is the least common multiple of the counts)."""
    scaled = {pk: int(weight * 100) for pk, weight in weights.items()}
    sums: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    rows = (
        Score.objects.filter(
            assignment__application__call=call,
            assignment__submitted_at__isnull=False,
            score__isnull=False,
        )
        .values_list("assignment__application_id", "criterion_id")
        .annotate(total=Sum("score"), n=Count("score"))
        .order_by()
    )
    for application_id, criterion_id, total, n in rows:
        if criterion_id in scaled and n:
            sums[application_id].append((scaled[criterion_id], total, n))
    result = {}
    for application_id, parts in sums.items():
        common = math.lcm(*(n for _w, _t, n in parts))
        weight = sum(w for w, _t, _n in parts)
        numerator = sum(w * total * (common // n) for w, total, n in parts)
        result[application_id] = exact_decimal(Fraction(numerator, common * weight)) if weight else None
    return result


def _scores_of(call: Call, weights: dict[int, Decimal], counts: list[tuple[int, int, int]]) -> dict[int, ScoreSummary]:
    """As assessment.services.scores_for_call, for the applications of `counts` only, (pk, assigned,
    submitted) each (one query)."""
    ids = [pk for pk, _assigned, _submitted in counts]
    scores: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = Score.objects.filter(assignment__application_id__in=ids, assignment__submitted_at__isnull=False, score__isnull=False).values_list(
        "assignment__application_id", "criterion_id", "score"
    )
    for application_id, criterion_id, score in rows.order_by("assignment__application_id", "criterion_id", "pk"):
        scores[application_id][criterion_id].append(score)
    spread = call.disagreement_spread
    return {pk: summarise(weights, scores.get(pk, {}), assigned=assigned, submitted=submitted, spread=spread) for pk, assigned, submitted in counts}


def ranked_entries(call: Call, weights: dict[int, Decimal]) -> list[Entry]:
    """The call's eligible and decided applications in rank order, as narrow rows (two queries, and a
    third after a new assessment)."""
    weighted = weighted_scores(call, weights)
    values = (
        Application.objects.filter(call=call, state__in=RANKED_STATES)
        .values_list("pk", "reference", "submitted_at", "state", "requested_grant", "proposal__amount", "decision__amount")
        .order_by()
    )
    entries = [
        Entry(pk, reference, submitted_at, state, requested if requested is not None else ZERO, proposed, decided, weighted.get(pk))
        for pk, reference, submitted_at, state, requested, proposed, decided in values
    ]
    return rules.rank(entries)


def ranking_overview(call: Call) -> tuple[Ranking, list[Entry]]:
    """The ranking of the whole call (plan, totals, allocation) from narrow rows: what `ranking_for`
    gives, in a fixed number of queries and without loading every application. `Ranking.rows` holds
    the entries; `rows_for` makes the full rows of the ones shown."""
    weights = criterion_weights(call)
    entries = ranked_entries(call, weights)
    plan = rules.fill([(entry.application_id, entry.amount) for entry in entries], call.appropriation)
    total = sum((e.proposed for e in entries if e.proposed is not None and e.state in COUNTED_STATES), ZERO)
    missing = sum(1 for e in entries if e.state == State.ELIGIBLE and e.proposed is None)
    allocation = Allocation.objects.filter(call=call).select_related("finalised_by").first()
    ranking = Ranking(call, entries, plan, allocation, total, missing, rules.check_total(total, call.appropriation), weights)
    return ranking, entries


def rows_for(call: Call, ranking: Ranking, start: int, entries: list[Entry]) -> list[Row]:
    """Full rows (application, lead, proposal, decision, score summary) for `entries`, the slice of
    the ranked list that begins at index `start` (two queries, whatever the size of the call)."""
    ids = [entry.application_id for entry in entries]
    applications = (
        Application.objects.filter(pk__in=ids)
        .select_related("lead", "proposal", "proposal__proposed_by", "decision")
        .annotate(n_assigned=Count("assignments"), n_submitted=Count("assignments", filter=Q(assignments__submitted_at__isnull=False)))
        .in_bulk()
    )
    counts = [(pk, application.n_assigned, application.n_submitted) for pk, application in applications.items()]
    weights = ranking.weights if ranking.weights is not None else criterion_weights(call)
    scores = _scores_of(call, weights, counts)
    rows = []
    for offset, entry in enumerate(entries):
        index = start + offset
        application = applications[entry.application_id]
        line = ranking.plan.lines[index]
        rows.append(
            Row(
                rank=index + 1,
                application=application,
                score=scores.get(entry.application_id),
                proposal=_proposal_or_none(application),
                requested=entry.requested,
                amount=entry.amount,
                decided=entry.decided,
                line=line,
                at_line=index == ranking.plan.line_index,
            )
        )
    return rows


@dataclass
class FillPreview:
    """What `apply_fill` would do: the plan over the amounts applied for, and each eligible
    application's proposal before and after."""

    rows: list[Row]
    plan: rules.AllocationPlan
    changes: list[tuple[Row, Decimal]]  # (row, new amount) for the rows whose proposal changes

    @property
    def funded_count(self) -> int:
        return sum(1 for row in self.rows if not row.decided and row.line.funded)

    @property
    def not_funded_count(self) -> int:
        return sum(1 for row in self.rows if not row.decided and not row.line.funded)


def fill_preview(call: Call) -> FillPreview:
    """Fill the appropriation in rank order with the amounts applied for (decided applications keep
    their amounts). Nothing is saved."""
    rows = ranked_applications(call)
    amounts = [(row.application.pk, row.amount if row.decided else row.requested) for row in rows]
    plan = rules.fill(amounts, call.appropriation)
    _draw_line(rows, plan)
    changes = []
    for row in rows:
        line = row.line
        if row.decided:
            continue
        new_amount = row.requested if line.funded else ZERO
        if row.proposal is None or row.proposal.amount != new_amount or (new_amount == row.requested and row.proposal.reason):
            changes.append((row, new_amount))
    return FillPreview(rows, plan, changes)


# ── Use cases ───────────────────────────────────────────────────────────────


def _lock_call(user, call: Call) -> Call:
    """Check that the user is the call's preparer, lock the call row and refuse when the allocation
    has been finalised."""
    decision = permissions.can_propose_amounts(user, call)
    if not decision:
        raise Refused(decision.reason)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if Allocation.objects.filter(call=locked).exists():
        raise Refused(_("The allocation has been finalised, so the proposed amounts are locked. Un-finalise it first to change them."))
    return locked


def _proposal_state(proposal: Proposal | None) -> dict:
    if proposal is None:
        return {}
    return {"amount": str(proposal.amount), "reason": proposal.reason}


def _save_proposal(user, application: Application, amount: Decimal, reason: str, action: str) -> Proposal:
    proposal = Proposal.objects.filter(application=application).first()
    before = _proposal_state(proposal)
    if proposal is None:
        proposal = Proposal(application=application)
    proposal.amount = amount
    proposal.reason = reason
    proposal.proposed_by = user
    proposal.proposed_at = clock.now()
    proposal.save()
    record(user, action, proposal, application_id=application.pk, before=before, after=_proposal_state(proposal))
    return proposal


def propose(user, call: Call, application_id: int, amount: Decimal | None, reason: str) -> Proposal:
    """The preparer proposes an amount for one eligible application of the call."""
    reason = (reason or "").strip()
    with transaction.atomic():
        call = _lock_call(user, call)
        application = Application.objects.select_for_update().filter(pk=application_id, call=call).first()
        if application is None or application.state != State.ELIGIBLE:
            raise Refused(_("Amounts can be proposed only for eligible applications that have not been decided."))
        problems = rules.check_proposal(amount, application.requested_grant, reason)
        if problems:
            raise Refused(problems[0].message, field=problems[0].field, problems=problems)
        if amount == _requested(application):
            reason = ""  # a reason explains a reduction; none is kept for the full amount
        return _save_proposal(user, application, amount, reason, "decisions.proposal_set")


def propose_requested_for_all(user, call: Call) -> int:
    """The amount applied for, for every eligible application that has no proposal yet. Returns how many."""
    with transaction.atomic():
        call = _lock_call(user, call)
        applications = list(Application.objects.select_for_update(of=("self",)).filter(call=call, state=State.ELIGIBLE, proposal__isnull=True).order_by("pk"))
        for application in applications:
            _save_proposal(user, application, _requested(application), "", "decisions.proposal_set_to_requested")
        return len(applications)


@dataclass(frozen=True)
class FillResult:
    changed: int
    funded: int
    not_funded: int


def apply_fill(user, call: Call) -> FillResult:
    """The allocation helper: for the eligible applications inside the allocation line the amount
    applied for, for those outside it 0 with the reason 'Not funded within the appropriation in rank
    order' (in the application's language, as it may be quoted in its decision)."""
    with transaction.atomic():
        call = _lock_call(user, call)
        list(Application.objects.select_for_update().filter(call=call, state=State.ELIGIBLE).values_list("pk", flat=True))
        preview = fill_preview(call)
        for row, amount in preview.changes:
            reason = ""
            if amount < row.requested:
                with translation.override(row.application.language):
                    reason = str(NOT_FUNDED_REASON)
            _save_proposal(user, row.application, amount, reason, "decisions.proposal_filled")
        record(
            user,
            "decisions.allocation_filled",
            call,
            after={"appropriation": str(call.appropriation), "total": str(preview.plan.total), "changed": len(preview.changes)},
        )
        return FillResult(len(preview.changes), preview.funded_count, preview.not_funded_count)


def finalise(user, call: Call) -> Allocation:
    """The call's allocation: every eligible application has a proposal and the total fits the appropriation."""
    with transaction.atomic():
        call = _lock_call(user, call)
        counted = Application.objects.filter(call=call, state__in=COUNTED_STATES)
        eligible = counted.filter(state=State.ELIGIBLE)
        if not eligible.exists():
            raise Refused(_("There are no eligible applications to allocate."))
        missing = eligible.filter(proposal__isnull=True).count()
        if missing:
            raise Refused(
                translation.ngettext(
                    "%(count)d eligible application has no proposed amount yet.",
                    "%(count)d eligible applications have no proposed amount yet.",
                    missing,
                )
                % {"count": missing}
            )
        total = Proposal.objects.filter(application__in=counted).aggregate(total=Sum("amount"))["total"] or ZERO
        problems = rules.check_total(total, call.appropriation)
        if problems:
            raise Refused(problems[0].message, field="total", problems=problems)
        allocation = Allocation.objects.create(call=call, total=total, finalised_by=user, finalised_at=clock.now())
        record(
            user,
            "decisions.allocation_finalised",
            allocation,
            after={"total": str(total), "appropriation": str(call.appropriation), "applications": counted.count()},
        )
        return allocation


def unfinalise(user, call: Call) -> None:
    """Opens the proposals again, as long as no decision of the call has been signed."""
    decision = permissions.can_propose_amounts(user, call)
    if not decision:
        raise Refused(decision.reason)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        allocation = Allocation.objects.filter(call=call).first()
        if allocation is None:
            raise Refused(_("The allocation has not been finalised."))
        signed = Decision.objects.filter(application__call=call, state=Decision.State.SIGNED).exists()
        decided = Application.objects.filter(call=call, state__in=(State.GRANTED, State.NOT_GRANTED)).exists()
        if signed or decided:
            raise Refused(_("Decisions of this call have been signed: the allocation can no longer be un-finalised."))
        record(
            user,
            "decisions.allocation_unfinalised",
            allocation,
            before={"total": str(allocation.total), "finalised_at": allocation.finalised_at.isoformat(), "finalised_by": allocation.finalised_by_id},
        )
        allocation.delete()
