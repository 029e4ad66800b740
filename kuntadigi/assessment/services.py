"""Assessment use cases: declaring ties, assigning assessors, scoring, and the summaries of scores.

Each use case checks its permission (permissions.py), validates with the pure rules (rules.py),
changes the data and records an audit event, all inside one transaction. Only SUBMITTED assessments
count in any summary: a draft is the assessor's own until they submit it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import DECIDED_STATES, RECEIVED_STATES, State
from kuntadigi.applications.models import Application, Participant
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import Call, CallRole, Criterion
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.registry.models import Organisation

from . import rules
from .models import Assignment, Score, Tie
from .queries import call_assessors, display_name, tie_fact

logger = logging.getLogger(__name__)

# The states in which an application can be given assessors.
ASSIGNABLE_STATES = {State.SUBMITTED, State.ELIGIBLE}
MAX_PER_APPLICATION = 10  # the refusal below names the number


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise Refused(decision.reason)


# ── Summaries of scores ─────────────────────────────────────────────────────


@dataclass(frozen=True)
class ScoreSummary:
    """What the submitted assessments of one application add up to.

    `weighted` and `means` are in full precision (for ranking); `weighted_display` and
    `means_display` are rounded to two decimals half up for the pages."""

    weighted: Decimal | None
    submitted: int
    assigned: int
    flagged: bool
    means: dict[int, Decimal] = field(default_factory=dict)
    flagged_criteria: tuple[int, ...] = ()

    @property
    def weighted_display(self) -> Decimal | None:
        return rules.for_display(self.weighted)

    @property
    def means_display(self) -> dict[int, Decimal | None]:
        return {criterion: rules.for_display(value) for criterion, value in self.means.items()}


EMPTY_SUMMARY = ScoreSummary(weighted=None, submitted=0, assigned=0, flagged=False)


def summarise(weights: Mapping[int, Decimal], scores: Mapping[int, Sequence[int]], *, assigned: int, submitted: int, spread: Decimal) -> ScoreSummary:
    """The summary of one application from the submitted scores per criterion (no database)."""
    means = {criterion: rules.mean(values) for criterion, values in scores.items() if values}
    flagged = tuple(rules.disagreement({c: scores.get(c, []) for c in weights}, spread))
    return ScoreSummary(
        weighted=rules.weighted_score(weights, scores),
        submitted=submitted,
        assigned=assigned,
        flagged=bool(flagged),
        means={criterion: means[criterion] for criterion in weights if criterion in means},
        flagged_criteria=flagged,
    )


def criterion_weights(call: Call) -> dict[int, Decimal]:
    return dict(Criterion.objects.filter(call=call).order_by("order", "pk").values_list("pk", "weight"))


def scores_for_call(call: Call) -> dict[int, ScoreSummary]:
    """Every received application of the call → its ScoreSummary, in three queries whatever the number
    of applications. Only submitted assessments count; applications without any are included too."""
    weights = criterion_weights(call)
    applications = (
        Application.objects.filter(call=call, state__in=RECEIVED_STATES)
        .annotate(n_assigned=Count("assignments"), n_submitted=Count("assignments", filter=Q(assignments__submitted_at__isnull=False)))
        .values_list("pk", "n_assigned", "n_submitted")
    )
    scores: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = Score.objects.filter(assignment__application__call=call, assignment__submitted_at__isnull=False, score__isnull=False).values_list(
        "assignment__application_id", "criterion_id", "score"
    )
    for application_id, criterion_id, score in rows.order_by("assignment__application_id", "criterion_id", "pk"):
        scores[application_id][criterion_id].append(score)
    return {
        pk: summarise(weights, scores.get(pk, {}), assigned=assigned, submitted=submitted, spread=call.disagreement_spread)
        for pk, assigned, submitted in applications
    }


@dataclass
class AssignmentView:
    assignment: Assignment
    assessor_name: str
    label: str  # "Assessor 1" – how the assessment is shown where names are not
    state: str  # "not_started", "draft" or "submitted"
    scores: dict[int, Score] = field(default_factory=dict)


@dataclass
class ApplicationAssessment:
    criteria: list[Criterion]
    assignments: list[AssignmentView]
    summary: ScoreSummary


def assignment_state(assignment: Assignment, score_count: int) -> str:
    if assignment.submitted_at:
        return "submitted"
    return "draft" if score_count else "not_started"


def application_assessment(application: Application) -> ApplicationAssessment:
    """The assignments of one application with their assessors and scores, and the summary of the
    submitted ones (three queries). For those who may see the assessments; it shows the names."""
    criteria = list(Criterion.objects.filter(call_id=application.call_id).order_by("order", "pk"))
    assignments = list(
        Assignment.objects.filter(application=application)
        .select_related("assessor")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("criterion__order", "pk")))
        .order_by("assigned_at", "pk")
    )
    views = []
    submitted_scores: dict[int, list[int]] = defaultdict(list)
    number = 0
    for assignment in assignments:
        scores = {score.criterion_id: score for score in assignment.scores.all()}
        if assignment.submitted_at:
            number += 1
            for criterion_id, score in scores.items():
                if score.score is not None:
                    submitted_scores[criterion_id].append(score.score)
        views.append(
            AssignmentView(
                assignment=assignment,
                assessor_name=display_name(assignment.assessor),
                label=_("Assessor %(number)d") % {"number": number} if assignment.submitted_at else "",
                state=assignment_state(assignment, len(scores)),
                scores=scores if assignment.submitted_at else {},
            )
        )
    summary = summarise(
        {c.pk: c.weight for c in criteria},
        submitted_scores,
        assigned=len(assignments),
        submitted=sum(1 for a in assignments if a.submitted_at),
        spread=application.call.disagreement_spread,
    )
    return ApplicationAssessment(criteria=criteria, assignments=views, summary=summary)


def others_submitted(assignment: Assignment) -> list[AssignmentView]:
    """The other assessors' submitted assessments of the same application, without their names
    ('Assessor 1', 'Assessor 2'), for an assessor who has submitted their own. Empty before that."""
    if not assignment.submitted_at:
        return []
    others = (
        Assignment.objects.filter(application_id=assignment.application_id, submitted_at__isnull=False)
        .exclude(pk=assignment.pk)
        .prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("criterion__order", "pk")))
        .order_by("submitted_at", "pk")
    )
    return [
        AssignmentView(
            assignment=other,
            assessor_name="",
            label=_("Assessor %(number)d") % {"number": number},
            state="submitted",
            scores={score.criterion_id: score for score in other.scores.all()},
        )
        for number, other in enumerate(others, 1)
    ]


# ── Ties ────────────────────────────────────────────────────────────────────


def _fold(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def organisation_label(org: Organisation) -> str:
    """How an organisation is offered in the picker: '638 Porvoo – Borgå'."""
    return f"{org.municipality_code} {org.both_names}" if org.municipality_code else org.both_names


@dataclass(frozen=True)
class OrganisationSearch:
    exact: Organisation | None
    matches: list[Organisation]


def find_organisation(query: str) -> OrganisationSearch:
    """What was typed in the picker: an exact name (Finnish, Swedish, both, or as the suggestions show
    it), a municipality code or a business ID; otherwise the organisations whose names contain the text."""
    wanted = _fold(query)
    if not wanted:
        return OrganisationSearch(None, [])
    organisations = list(Organisation.objects.filter(is_active=True).order_by("name_fi"))
    code = wanted.zfill(3) if wanted.isdigit() and len(wanted) <= 3 else None

    def is_exact(org: Organisation) -> bool:
        names = {_fold(org.name_fi), _fold(org.name_sv), _fold(org.both_names), _fold(organisation_label(org))}
        return wanted in names or (code is not None and org.municipality_code == code) or (org.business_id or "").casefold() == wanted

    exact = [org for org in organisations if is_exact(org)]
    if len(exact) == 1:
        return OrganisationSearch(exact[0], [])
    if exact:
        return OrganisationSearch(None, exact)
    matches = [org for org in organisations if wanted in _fold(org.name_fi) or wanted in _fold(org.name_sv)]
    return OrganisationSearch(None, matches[:25])


def declare_tie(user, organisation: Organisation, kind: str, note: str = "") -> Tie:
    """The assessor declares a tie to an organisation; from now on they cannot assess its applications."""
    if kind not in Tie.Kind.values:
        raise Refused(_("Choose the kind of tie."), field="kind")
    note = (note or "").strip()
    if len(note) > 300:
        raise Refused(_("Keep the note to 300 characters."), field="note")
    with transaction.atomic():
        _require(permissions.can_declare_ties(user))
        if Tie.objects.filter(assessor=user, organisation=organisation, kind=kind).exists():
            raise Refused(_("You have already declared this tie."), field="organisation")
        try:
            with transaction.atomic():
                tie = Tie.objects.create(assessor=user, organisation=organisation, kind=kind, note=note, declared_at=clock.now())
        except IntegrityError:
            raise Refused(_("You have already declared this tie.")) from None
        audit.record(user, "tie.declared", tie, after={"organisation": organisation.pk, "kind": kind, "note": note})
    return tie


def tie_removal_facts(user, tie: Tie) -> rules.TieRemovalFacts:
    """The facts of rules.tie_removal_check for the user's tie (two queries)."""
    now = clock.now()
    role_calls = Call.objects.filter(
        roles__user=user, applications__state__in=RECEIVED_STATES, applications__participants__organisation_id=tie.organisation_id
    ).distinct()
    closed = tuple(str(call.title) for call in role_calls if call.phase(now) == Call.Phase.CLOSED)
    assigned = tuple(
        Assignment.objects.filter(assessor=user, application__participants__organisation_id=tie.organisation_id)
        .values_list("application__reference", flat=True)
        .distinct()
    )
    return rules.TieRemovalFacts(organisation_name=tie.organisation.name, closed_calls=closed, assigned_references=assigned)


def remove_tie(user, tie_pk: int) -> Tie:
    """The declarer removes a tie while it has not yet mattered (rules.tie_removal_check); the preparers
    of the calls in which the declarer holds a role and that have not closed are told by e-mail after the
    commit. Raises Tie.DoesNotExist for another user's tie, Refused when the tie must stay."""
    from .tasks import send_tie_removed_email

    with transaction.atomic():
        _require(permissions.can_declare_ties(user))
        tie = Tie.objects.select_for_update().select_related("organisation").get(pk=tie_pk, assessor=user)
        answer = rules.tie_removal_check(tie_removal_facts(user, tie))
        if not answer:
            raise Refused(answer.reason)
        now = clock.now()
        call_ids = [call.pk for call in Call.objects.filter(roles__user=user).distinct() if call.phase(now) != Call.Phase.CLOSED]
        audit.record(user, "tie.removed", tie, before={"organisation": tie.organisation_id, "kind": tie.kind, "note": tie.note}, after={"calls": call_ids})
        organisation_id, kind = tie.organisation_id, tie.kind
        tie.delete()
        if call_ids:
            enqueue_with_transaction(send_tie_removed_email, user.pk, organisation_id, kind, call_ids)
    return tie


# ── Assignments ─────────────────────────────────────────────────────────────


def _check_assignable(call: Call, application: Application) -> None:
    if call.phase(clock.now()) != Call.Phase.CLOSED:
        raise Refused(_("Assessors are assigned after the call has closed."))
    if application.state not in ASSIGNABLE_STATES:
        raise Refused(_("Only eligible applications, and submitted ones not yet screened, are given assessors."))


def _is_call_assessor(call: Call, user_id: int) -> bool:
    return CallRole.objects.filter(call=call, user_id=user_id, role=CallRole.Role.ASSESSOR, user__is_active=True).exists()


def assign(user, application_pk: int, assessor_pk: int) -> Assignment:
    """A preparer assigns one of the call's assessors to an application. Refused, with the reason,
    when the assessor is tied to an organisation that takes part."""
    from kuntadigi.accounts.models import User

    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("call").get(pk=application_pk)
        call = application.call
        _require(permissions.can_assign_assessors(user, call))
        _check_assignable(call, application)
        assessor = User.objects.filter(pk=assessor_pk).first()
        if assessor is None or not _is_call_assessor(call, assessor.pk):
            raise Refused(_("Choose one of the call's assessors."), field="assessor")
        if Assignment.objects.filter(application=application, assessor=assessor).exists():
            raise Refused(_("%(name)s already assesses this application.") % {"name": display_name(assessor)}, field="assessor")
        org_ids = set(Participant.objects.filter(application=application).values_list("organisation_id", flat=True))
        ties = [tie_fact(tie) for tie in Tie.objects.filter(assessor=assessor, organisation_id__in=org_ids).select_related("organisation")]
        answer = rules.conflict_check(ties, org_ids, assessor_name=display_name(assessor))
        if not answer:
            raise Refused(answer.reason, field="assessor")
        assignment = Assignment.objects.create(application=application, assessor=assessor, assigned_by=user, assigned_at=clock.now())
        audit.record(user, "assessment.assigned", assignment, application_id=application.pk, after={"assessor": assessor.pk, "how": "by_hand"})
    logger.info("assessor assigned to application %s", application.pk)
    return assignment


def unassign(user, assignment_pk: int) -> Assignment:
    """A preparer takes an assignment back, until the assessor has submitted. A draft is deleted with it."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("application__call").get(pk=assignment_pk)
        _require(permissions.can_assign_assessors(user, assignment.application.call))
        if assignment.submitted_at:
            raise Refused(_("The assessor has submitted the assessment: the assignment can no longer be taken back."))
        draft_scores = assignment.scores.count()
        audit.record(
            user,
            "assessment.unassigned",
            assignment,
            application_id=assignment.application_id,
            before={"assessor": assignment.assessor_id, "draft_scores": draft_scores},
        )
        assignment.delete()
    return assignment


@dataclass
class SpreadOutcome:
    created: list[Assignment]
    short: list[tuple[Application, int]]  # applications that did not get enough assessors, and how many are missing
    considered: int


def spread(user, call: Call, per_application: int = 2, *, include_unscreened: bool = False) -> SpreadOutcome:
    """Give every eligible application of the call (and the submitted ones not yet screened, when asked)
    `per_application` assessors, balancing the load and never assigning a tied assessor."""
    if not 1 <= per_application <= MAX_PER_APPLICATION:
        raise Refused(_("Choose from 1 to 10 assessors per application."), field="per_application")
    states = [State.ELIGIBLE, State.SUBMITTED] if include_unscreened else [State.ELIGIBLE]
    with transaction.atomic():
        _require(permissions.can_assign_assessors(user, call))
        if call.phase(clock.now()) != Call.Phase.CLOSED:
            raise Refused(_("Assessors are assigned after the call has closed."))
        # Lock the applications (in id order) so that assignments by hand wait for this to finish.
        applications = list(Application.objects.select_for_update().filter(call=call, state__in=states).order_by("pk"))
        assessors = call_assessors(call)
        if not assessors:
            raise Refused(_("The call has no assessors yet. A system administrator names them."))
        app_ids = [a.pk for a in applications]
        orgs: dict[int, set[int]] = defaultdict(set)
        for application_id, organisation_id in Participant.objects.filter(application_id__in=app_ids).values_list("application_id", "organisation_id"):
            orgs[application_id].add(organisation_id)
        ties: dict[int, set[int]] = defaultdict(set)
        for assessor_id, organisation_id in Tie.objects.filter(assessor__in=assessors).values_list("assessor_id", "organisation_id"):
            ties[assessor_id].add(organisation_id)
        load = dict(Assignment.objects.filter(application__call=call).values("assessor_id").annotate(n=Count("pk")).values_list("assessor_id", "n"))
        existing = list(Assignment.objects.filter(application_id__in=app_ids).values_list("application_id", "assessor_id"))
        plan = rules.spread_evenly(
            [(pk, orgs[pk]) for pk in app_ids],
            [(a.pk, ties[a.pk], load.get(a.pk, 0)) for a in assessors],
            per_application,
            existing,
        )
        now = clock.now()
        created = []
        for application_id, assessor_id in plan.pairs:
            assignment = Assignment.objects.create(application_id=application_id, assessor_id=assessor_id, assigned_by=user, assigned_at=now)
            audit.record(
                user,
                "assessment.assigned",
                assignment,
                application_id=application_id,
                after={"assessor": assessor_id, "how": "spread_evenly", "per_application": per_application},
            )
            created.append(assignment)
        by_pk = {a.pk: a for a in applications}
        short = [(by_pk[pk], missing) for pk, missing in sorted(plan.short.items())]
    logger.info("spread %d assignments over call %s", len(created), call.pk)
    return SpreadOutcome(created=created, short=short, considered=len(applications))


# ── Scoring ─────────────────────────────────────────────────────────────────


class InvalidScores(Exception):
    """Scores that break the rules: nothing was saved. `problems` point at the fields (rules.ScoreProblem)."""

    def __init__(self, problems: list[rules.ScoreProblem]):
        super().__init__(problems[0].message if problems else "")
        self.problems = problems


def _scores_record(scores: Mapping[int, Score]) -> dict:
    return {str(cid): {"score": s.score, "justification": s.justification} for cid, s in sorted(scores.items())}


def save_scores(user, assignment_pk: int, entries: Mapping[int, rules.ScoreEntry], *, final: bool) -> Assignment:
    """Save the assessor's scores as a draft, or submit them (`final`): submitted is final.

    Raises Refused when the user may not (any longer) assess the application or has already
    submitted, InvalidScores when a score is outside the call's scale or, to submit, a score or a
    justification is missing."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update().select_related("application__call").filter(pk=assignment_pk, assessor_id=getattr(user, "pk", None)).first()
        )
        if assignment is None:
            raise Refused(_("This application has not been assigned to you."))
        application = assignment.application
        _require(permissions.can_assess_application(user, application))
        if assignment.submitted_at:
            raise Refused(_("You have submitted your assessment: it can no longer be changed."))
        if application.state in DECIDED_STATES:
            raise Refused(_("The application has been decided: assessments are closed."))
        call = application.call
        criteria = list(Criterion.objects.filter(call=call).order_by("order", "pk").values_list("pk", flat=True))
        problems = rules.check_scores(criteria, entries, call.score_min, call.score_max, final=final)
        if problems:
            raise InvalidScores(problems)
        existing = {s.criterion_id: s for s in Score.objects.filter(assignment=assignment)}
        before = _scores_record(existing)
        after: dict[int, Score] = {}
        for criterion_id in criteria:
            entry = entries.get(criterion_id) or rules.ScoreEntry(None, "")
            justification = entry.justification.strip()
            score = existing.get(criterion_id)
            if entry.score is None and not justification:
                if score is not None:
                    score.delete()
                continue
            if score is None:
                score = Score.objects.create(assignment=assignment, criterion_id=criterion_id, score=entry.score, justification=justification)
            elif (score.score, score.justification) != (entry.score, justification):
                score.score, score.justification = entry.score, justification
                score.save(update_fields=["score", "justification"])
            after[criterion_id] = score
        if final:
            assignment.submitted_at = clock.now()
            assignment.save(update_fields=["submitted_at"])
        audit.record(
            user,
            "assessment.submitted" if final else "assessment.draft_saved",
            assignment,
            application_id=application.pk,
            before={"scores": before},
            after={"scores": _scores_record(after), **({"submitted_at": assignment.submitted_at.isoformat()} if final else {})},
        )
    return assignment
