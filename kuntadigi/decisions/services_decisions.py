"""Decisions: preparing, previewing, signing and notifying a state-grant decision, one or a call at a time.

Use cases (each: permission, rules, change, audit, in one transaction; the call row is locked so that
the grant decisions of a call and its allocation change one at a time):
    prepare_decision      a draft grant or no-grant decision for a screened application (or a new draft of it)
    sign_decision         the named decision-maker signs: the decision is frozen and the application decided
                          (a grant becomes a funded project, kuntadigi.projects.services.create_for_decision)
    prepare_all           a draft for every screened application of the call that has none yet
    sign_all              the decision-maker signs every draft named for them, each on its own
Run by tasks (tasks.py), after the commit:
    store_preview         the watermarked PDF of a draft
    store_final_document  the signed decision's PDF and its SHA-256, stored once and never replaced
    mark_notified         the notification is done (kuntadigi.delivery delivers the decision to each organisation)

The document's content comes from the decided version of the application (its latest submission), so
what the decision cites is what was submitted.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.applications import lifecycle
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import RECEIVED_STATES, State
from kuntadigi.applications.models import Application, Submission
from kuntadigi.applications.rules import Problem
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import Call, CallRole, NoGrantReason
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.projects import services as projects

from . import documents, rules_decisions
from .models import Allocation, Decision, Proposal

logger = logging.getLogger(__name__)

GRANT = Decision.Outcome.GRANT
NO_GRANT = Decision.Outcome.NO_GRANT


# ── Reading ─────────────────────────────────────────────────────────────────


def latest_submission(application) -> Submission | None:
    """The version being decided: the latest one submitted and not withdrawn."""
    return application.submissions.filter(withdrawn_at__isnull=True).order_by("-number").first()


def role_holders(call, role: str) -> list:
    """The users who hold the role in the call, by name."""
    users = get_user_model().objects.filter(call_roles__call=call, call_roles__role=role, is_active=True).distinct()
    return sorted(users, key=lambda u: (u.full_name or u.email).lower())


def proposal_of(application) -> Proposal | None:
    try:
        return application.proposal
    except Proposal.DoesNotExist:
        return None


def decision_of(application) -> Decision | None:
    try:
        return application.decision
    except Decision.DoesNotExist:
        return None


def _text_in(obj, name: str, language: str) -> str:
    return getattr(obj, f"{name}_{language}", "") or getattr(obj, name, "") or ""


def remaining_for(call, application_id: int | None) -> Decimal | None:
    """What the finalised allocation leaves once the call's other grant decisions are counted; None before it is finalised."""
    allocation = Allocation.objects.filter(call=call).first()
    others = Decision.objects.filter(application__call=call, outcome=GRANT)
    if application_id is not None:
        others = others.exclude(application_id=application_id)
    taken = others.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return rules_decisions.remaining_allocation(allocation.total if allocation else None, [taken])


def _title_for(call, user, language: str) -> str:
    """A signatory's title in the document's language: as on their last decision in that language, or as a contact of the call."""
    if user is None:
        return ""
    last = (
        Decision.objects.filter(language=language)
        .filter(presenter=user)
        .exclude(presenter_title="")
        .order_by("-prepared_at")
        .values_list("presenter_title", flat=True)
        .first()
    )
    last_as_maker = (
        Decision.objects.filter(language=language, decision_maker=user)
        .exclude(decision_maker_title="")
        .order_by("-prepared_at")
        .values_list("decision_maker_title", flat=True)
        .first()
    )
    if last_as_maker or last:
        return last_as_maker or last
    if user.full_name:
        contact = call.contacts.filter(name__iexact=user.full_name).first()
        if contact:
            return _text_in(contact, "role", language)
    return ""


@dataclass
class DecisionData:
    """What an official enters for one decision."""

    outcome: str
    presenter_id: int | None
    decision_maker_id: int | None
    presenter_title: str = ""
    decision_maker_title: str = ""
    amount: Decimal | None = None
    max_share: Decimal | None = None
    costs_from: date | None = None
    costs_until: date | None = None
    conditions: str = ""
    reporting: str = ""
    no_grant_reason_id: int | None = None
    grounds: str = ""
    diary_number: str = ""
    reduction_reason: str = ""
    period_grounds: str = ""
    version: int | None = None  # the draft's version the form was made from; None for a new decision


def _default_person(holders: list, user):
    if user is not None and any(h.pk == user.pk for h in holders):
        return user
    return holders[0] if len(holders) == 1 else None


def defaults_for(application, user=None) -> DecisionData:
    """The form's starting point: the current draft if there is one, otherwise the call's defaults."""
    existing = decision_of(application)
    if existing is not None:
        return DecisionData(
            outcome=existing.outcome,
            presenter_id=existing.presenter_id,
            decision_maker_id=existing.decision_maker_id,
            presenter_title=existing.presenter_title,
            decision_maker_title=existing.decision_maker_title,
            amount=existing.amount,
            max_share=existing.max_share,
            costs_from=existing.costs_from,
            costs_until=existing.costs_until,
            conditions=existing.conditions,
            reporting=existing.reporting,
            no_grant_reason_id=existing.no_grant_reason_id,
            grounds=existing.grounds,
            diary_number=existing.diary_number,
            reduction_reason=existing.reduction_reason,
            period_grounds=existing.period_grounds,
            version=existing.version,
        )
    call = application.call
    language = documents.document_language(application.language)
    proposal = proposal_of(application)
    eligible = application.state == State.ELIGIBLE
    outcome = GRANT if eligible and proposal is not None and proposal.amount > 0 else NO_GRANT
    today = clock.helsinki(clock.now()).date()
    costs_from, costs_until = rules_decisions.default_period(today, application.start_date, application.end_date, call.project_end_latest)
    reason_code = rules_decisions.REASON_APPROPRIATION if eligible else rules_decisions.REASON_CONDITIONS
    reason = NoGrantReason.objects.filter(call=call, code=reason_code).first()
    presenter = _default_person(role_holders(call, CallRole.Role.PRESENTER), user)
    maker = _default_person(role_holders(call, CallRole.Role.DECISION_MAKER), None)
    return DecisionData(
        outcome=outcome,
        presenter_id=presenter.pk if presenter else None,
        decision_maker_id=maker.pk if maker else None,
        presenter_title=_title_for(call, presenter, language),
        decision_maker_title=_title_for(call, maker, language),
        amount=proposal.amount if proposal is not None and proposal.amount > 0 else None,
        max_share=call.max_grant_share,
        costs_from=costs_from,
        costs_until=costs_until,
        conditions=_text_in(call, "decision_conditions", language),
        reporting=_text_in(call, "reporting_duties", language),
        no_grant_reason_id=reason.pk if reason else None,
        reduction_reason=proposal.reason if proposal is not None and proposal.amount > 0 else "",
        diary_number=call.diary_number,
        version=None,
    )


# ── The document ────────────────────────────────────────────────────────────


def grounds_facts(application, outcome: str) -> dict:
    """The decisive facts the grounds of a decision name (Administrative Procedure Act 45 §), frozen on
    the decision: for an ineligible application the conditions it fails and the screening's reason; for
    an eligible one left without a grant its weighted score, its rank among the assessed applications and
    the lowest weighted score of an application funded within the appropriation."""
    if application.state in (State.INELIGIBLE,) or (application.state == State.NOT_GRANTED and _screened_ineligible(application)):
        screening = getattr(application, "screening", None)
        return {"ineligible": True, "conditions": list(screening.failed_conditions) if screening else [], "reason": screening.reason if screening else ""}
    if outcome != NO_GRANT:
        return {}
    from .services_ranking import ranking_for

    rows = ranking_for(application.call).rows
    own = next((row for row in rows if row.application.pk == application.pk), None)
    # Funded: inside the allocation line with a positive amount (the line may skip an application that does
    # not fit and fund a cheaper one below it, so the lowest funded score is taken over all of them).
    funded = [row.weighted for row in rows if row.weighted is not None and row.application.pk != application.pk and row.funded and row.amount > 0]
    return {
        "ineligible": False,
        "weighted": None if own is None or own.weighted is None else f"{own.weighted:.2f}",
        "rank": own.rank if own else None,
        "ranked": sum(1 for row in rows if row.weighted is not None),  # assessed: ineligible ones never are
        "cutoff": f"{min(funded):.2f}" if funded else None,
    }


def _screened_ineligible(application) -> bool:
    screening = getattr(application, "screening", None)
    return screening is not None and screening.outcome == "ineligible"


def _call_text_in(call, name: str, text: str, original: str, language: str) -> str:
    """A decision's text in a translation: the call's own text in `language` when the decision kept the
    call's text unchanged in its original language; otherwise the decision's text as written."""
    if language != original and text.strip() == _text_in(call, name, original).strip():
        return _text_in(call, name, language) or text
    return text


def parties_of(application) -> dict:
    """The lead and the partners as the legal persons the decision names, from the registry as it stands:
    legal names in Finnish and Swedish, the plain names, the business ID."""

    def party(organisation) -> dict:
        return {
            "id": organisation.pk,
            "name_fi": organisation.name_fi,
            "name_sv": organisation.name_sv,
            "legal_name_fi": organisation.legal_name_fi,
            "legal_name_sv": organisation.legal_name_sv,
            "business_id": organisation.business_id or "",
        }

    participants = list(application.participants.select_related("organisation").order_by("pk"))
    lead = next(p.organisation for p in participants if p.role == "lead")
    return {"lead": party(lead), "partners": [party(p.organisation) for p in participants if p.role != "lead"]}


def _check_recipient(decision_outcome: str, parties: dict) -> list[Problem]:
    """A grant is made to a legal person with a business ID (it is paid to it)."""
    lead = parties.get("lead") or {}
    if decision_outcome == GRANT and not lead.get("business_id"):
        name = lead.get("legal_name_fi") or lead.get("name_fi") or ""
        message = _("The business ID of %(name)s, the recipient, is missing: add it on the registry page before the grant is signed.") % {"name": name}
        return [Problem("outcome", "business_id_missing", message)]
    return []


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def decision_input(decision: Decision, *, received: int | None = None, language: str | None = None, electronic: bool = False) -> documents.DecisionInput:
    """The facts of the document, from the decided version, the call and the decision.

    `language` renders a translation of the decision for a recipient who reads another language than
    the one the decision was made in; `electronic` says that this copy is notified electronically (with
    the recipient's consent) rather than by post."""
    application = decision.application
    call = application.call
    original = documents.document_language(decision.language)
    language = documents.document_language(language or original)
    submission = decision.submission or latest_submission(application)
    if submission is None:
        raise Refused(_("The application has no submitted version to decide."))
    if received is None:
        received = Application.objects.filter(call=call, state__in=RECEIVED_STATES).count()
    reason = _text_in(decision.no_grant_reason, "text", language) if decision.no_grant_reason_id else ""
    facts = decision.grounds_facts or {}
    cost_types = call.cost_types_in(language)
    from kuntadigi.screening.services import condition_texts  # screening reads decisions' state: imported here

    with translation.override(language):
        failed = tuple(condition_texts(call, facts.get("conditions", ()))) if facts.get("ineligible") else ()
    return documents.DecisionInput(
        language=language,
        content=submission.content,
        outcome=decision.outcome,
        presenter=documents.Signatory(decision.presenter.full_name or decision.presenter.email, decision.presenter_title),
        decision_maker=documents.Signatory(decision.decision_maker.full_name or decision.decision_maker.email, decision.decision_maker_title),
        authority=_text_in(call, "funder", language),
        call_title=_text_in(call, "title", language),
        programme=_text_in(call, "programme", language),
        call_opens=clock.helsinki(call.opens_at).date(),
        call_closes=clock.helsinki(call.closes_at).date(),
        appropriation=call.appropriation,
        applications_received=received,
        criteria=[_text_in(c, "name", language) for c in call.criteria.all()],
        submission_number=submission.number,
        submitted_at=clock.helsinki(submission.submitted_at),
        fingerprint=submission.fingerprint,
        amount=decision.amount,
        max_share=decision.max_share,
        costs_from=decision.costs_from,
        costs_until=decision.costs_until,
        conditions=_call_text_in(call, "decision_conditions", decision.conditions, original, language),
        reporting=_call_text_in(call, "reporting_duties", decision.reporting, original, language),
        reason=reason,
        grounds=decision.grounds,
        decision_date=decision.decision_date,
        draft=decision.state != Decision.State.SIGNED,
        electronic=electronic,
        original_language=original if language != original else "",
        diary_number=decision.diary_number,
        reduction_reason=decision.reduction_reason,
        period_grounds=decision.period_grounds,
        provisions=_lines(_text_in(call, "applied_provisions", language)),
        payment_terms=_text_in(call, "payment_terms", language),
        ineligible=bool(facts.get("ineligible")),
        failed_conditions=failed,
        screening_reason=facts.get("reason", "") if facts.get("ineligible") else "",
        weighted_score=facts.get("weighted") or "",
        rank=facts.get("rank"),
        ranked=facts.get("ranked"),
        cutoff_score=facts.get("cutoff") or "",
        parties=decision.parties or {},
        eligible_cost_types=cost_types[0],
        ineligible_cost_types=cost_types[1],
    )


def document_for(decision: Decision, *, language: str | None = None, electronic: bool = False) -> documents.DecisionDocument:
    return documents.assemble(decision_input(decision, language=language, electronic=electronic))


def document_fingerprint(document: documents.DecisionDocument) -> str:
    """What a preview shows: a new draft gives a new fingerprint, so an older preview is not served."""
    return hashlib.sha256(repr(sorted(asdict(document).items())).encode("utf-8")).hexdigest()


def load_decision(application_pk: int) -> Decision:
    return Decision.objects.select_related("application__call", "application__lead", "submission", "presenter", "decision_maker", "no_grant_reason").get(
        application_id=application_pk
    )


# ── Preparing ───────────────────────────────────────────────────────────────


def _snapshot(decision: Decision | None) -> dict:
    """The decision's values for the audit trail."""
    if decision is None:
        return {}
    return {
        "outcome": decision.outcome,
        "state": decision.state,
        "language": decision.language,
        "amount": None if decision.amount is None else str(decision.amount),
        "max_share": None if decision.max_share is None else str(decision.max_share),
        "costs_from": decision.costs_from.isoformat() if decision.costs_from else None,
        "costs_until": decision.costs_until.isoformat() if decision.costs_until else None,
        "conditions": decision.conditions,
        "reporting": decision.reporting,
        "no_grant_reason": decision.no_grant_reason.code if decision.no_grant_reason_id else None,
        "grounds": decision.grounds,
        "diary_number": decision.diary_number,
        "reduction_reason": decision.reduction_reason,
        "period_grounds": decision.period_grounds,
        "grounds_facts": decision.grounds_facts,
        "parties": decision.parties,
        "presenter": decision.presenter_id,
        "presenter_title": decision.presenter_title,
        "decision_maker": decision.decision_maker_id,
        "decision_maker_title": decision.decision_maker_title,
        "submission": decision.submission.number if decision.submission_id else None,
        "version": decision.version,
    }


def _lock(application_pk: int) -> Application:
    """Lock the call, then the application (the order the ranking's use cases keep too): the grant
    decisions of a call and its allocation change one at a time."""
    call_id = Application.objects.filter(pk=application_pk).values_list("call_id", flat=True).get()
    Call.objects.select_for_update().filter(pk=call_id).first()
    return Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application_pk)


def _refuse_with(problems: list[Problem]) -> None:
    if problems:
        raise Refused(problems[0].message, field=problems[0].field, problems=problems)


def _check_people(call, data: DecisionData) -> list[Problem]:
    problems = []
    presenters = {u.pk for u in role_holders(call, CallRole.Role.PRESENTER)}
    makers = {u.pk for u in role_holders(call, CallRole.Role.DECISION_MAKER)}
    if data.presenter_id not in presenters:
        problems.append(Problem("presenter", "role", _("Choose the presenting official from the call's presenting officials.")))
    if data.decision_maker_id not in makers:
        problems.append(Problem("decision_maker", "role", _("Choose the decision-maker from the call's decision-makers.")))
    problems += rules_decisions.check_two_people(data.presenter_id, data.decision_maker_id)
    if not data.presenter_title.strip():
        problems.append(Problem("presenter_title", "required", _("Enter the title of the presenting official.")))
    if not data.decision_maker_title.strip():
        problems.append(Problem("decision_maker_title", "required", _("Enter the title of the decision-maker.")))
    return problems


def _disqualified(application, people: dict[str, int | None]) -> list[Problem]:
    """A presenting official or decision-maker who has declared a tie to the lead or a partner may not
    present or sign the decision (Administrative Procedure Act 27–28 §)."""
    from kuntadigi.assessment.queries import tie_facts
    from kuntadigi.assessment.rules import conflicts, describe_ties

    User = get_user_model()
    org_ids = permissions.application_org_ids(application)
    problems = []
    messages = {
        "presenter": _("%(name)s is disqualified from presenting this decision: tied to %(ties)s."),
        "decision_maker": _("%(name)s is disqualified from making this decision: tied to %(ties)s."),
    }
    for field_name, user_id in people.items():
        if user_id is None:
            continue
        ties = tie_facts(user_id, org_ids)
        clashing = conflicts({t.organisation_id for t in ties}, org_ids)
        if clashing:
            person = User.objects.get(pk=user_id)
            named = describe_ties(t for t in ties if t.organisation_id in clashing)
            problems.append(Problem(field_name, "disqualified", messages[field_name] % {"name": person.full_name or person.email, "ties": named}))
    return problems


def _grant_limits(application, submission: Submission) -> rules_decisions.GrantLimits:
    content = submission.content
    requested = content.get("requested_grant")
    return rules_decisions.GrantLimits(
        requested=Decimal(requested) if requested not in (None, "") else application.requested_grant,
        remaining=remaining_for(application.call, application.pk),
        eligible_costs=documents.eligible_costs(content),
        call_max_share=application.call.max_grant_share,
        latest_end=application.call.project_end_latest,
    )


def _check_terms(application, submission, data: DecisionData) -> list[Problem]:
    if data.outcome == GRANT:
        terms = rules_decisions.GrantTerms(data.amount, data.max_share, data.costs_from, data.costs_until)
        problems = rules_decisions.check_grant(terms, _grant_limits(application, submission))
        if not data.conditions.strip():
            problems.append(Problem("conditions", "required", _("Enter the conditions of the grant.")))
        if not data.reporting.strip():
            problems.append(Problem("reporting", "required", _("Enter the reporting duties of the grant.")))
        problems += rules_decisions.check_reduction(data.amount, _grant_limits(application, submission).requested, data.reduction_reason)
        problems += rules_decisions.check_period_start(data.costs_from, clock.helsinki(clock.now()).date(), data.period_grounds)
        return problems
    if data.outcome == NO_GRANT:
        if not NoGrantReason.objects.filter(pk=data.no_grant_reason_id, call_id=application.call_id).exists():
            return [Problem("no_grant_reason", "required", _("Choose the reason for not granting."))]
        return []
    return [Problem("outcome", "required", _("Choose grant or no grant."))]


def _check_provisions(call) -> list[Problem]:
    if not (call.applied_provisions_fi or call.applied_provisions_sv):
        return [Problem("outcome", "no_provisions", _("The call names no provisions applied in its decisions: add them to the call first."))]
    return []


def prepare_decision(user, application_pk: int, data: DecisionData) -> Decision:
    """Create or replace the draft decision of a screened application."""
    with transaction.atomic():
        application = _lock(application_pk)
        call = application.call
        allowed = permissions.can_prepare_decisions(user, call)
        if not allowed:
            raise Refused(allowed.reason)
        existing = Decision.objects.select_for_update(of=("self",)).select_related("no_grant_reason", "submission").filter(application=application).first()
        if existing is not None and existing.state == Decision.State.SIGNED:
            raise Refused(_("The decision has been signed: it can no longer be changed."))
        why_not = rules_decisions.why_not_decidable(application.state)
        if why_not:
            raise Refused(why_not)
        why_not = rules_decisions.outcome_allowed(application.state, data.outcome)
        if why_not:
            raise Refused(why_not, field="outcome")
        if existing is not None and data.version is not None and data.version != existing.version:
            raise Refused(_("Someone else saved this decision after you opened it. Open it again to see the latest draft."))
        if existing is not None and data.version is None:
            raise Refused(_("A draft of this decision already exists. Open it to change it."))
        submission = latest_submission(application)
        if submission is None:
            raise Refused(_("The application has no submitted version to decide."))
        _refuse_with(
            _check_people(call, data)
            + _disqualified(application, {"presenter": data.presenter_id, "decision_maker": data.decision_maker_id})
            + rules_decisions.check_diary_number(data.diary_number, required=False)
            + _check_terms(application, submission, data)
            + _check_provisions(call)
        )

        before = _snapshot(existing)
        decision = existing or Decision(application=application, prepared_by=user)
        is_grant = data.outcome == GRANT
        decision.submission = submission
        decision.outcome = data.outcome
        decision.language = documents.document_language(application.language)
        decision.amount = data.amount if is_grant else None
        decision.max_share = data.max_share if is_grant else None
        decision.costs_from = data.costs_from if is_grant else None
        decision.costs_until = data.costs_until if is_grant else None
        decision.conditions = data.conditions.strip() if is_grant else ""
        decision.reporting = data.reporting.strip() if is_grant else ""
        decision.no_grant_reason_id = None if is_grant else data.no_grant_reason_id
        decision.grounds = data.grounds.strip()
        decision.diary_number = data.diary_number.strip()
        decision.reduction_reason = data.reduction_reason.strip() if is_grant else ""
        starts_early = data.costs_from is not None and data.costs_from < clock.helsinki(clock.now()).date()
        decision.period_grounds = data.period_grounds.strip() if is_grant and starts_early else ""
        decision.grounds_facts = grounds_facts(application, data.outcome)
        decision.parties = parties_of(application)
        decision.presenter_id = data.presenter_id
        decision.decision_maker_id = data.decision_maker_id
        decision.presenter_title = data.presenter_title.strip()
        decision.decision_maker_title = data.decision_maker_title.strip()
        decision.prepared_by = user
        decision.prepared_at = clock.now()
        decision.version = (existing.version + 1) if existing else 1
        decision.save()
        decision = Decision.objects.select_related("no_grant_reason", "submission").get(pk=decision.pk)
        audit.record(user, "decision.prepare", decision, application_id=application.pk, before=before, after=_snapshot(decision))
        decision_pk = decision.pk
        _enqueue_render(decision_pk)
    return decision


# ── Signing ─────────────────────────────────────────────────────────────────


def sign_decision(user, application_pk: int) -> Decision:
    """The named decision-maker signs the draft: it is frozen, dated, and the application is decided.
    The final PDF is rendered and stored by a task after the commit; the recipients are notified then."""
    with transaction.atomic():
        application = _lock(application_pk)
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("no_grant_reason", "submission", "application__call")
            .filter(application=application)
            .first()
        )
        if decision is None:
            raise Refused(_("There is no decision to sign: prepare it first."))
        allowed = permissions.can_sign_decision(user, decision)
        if not allowed:
            raise Refused(allowed.reason)
        if decision.state == Decision.State.SIGNED:
            raise Refused(_("The decision has already been signed."))
        why_not = rules_decisions.why_not_decidable(application.state) or rules_decisions.outcome_allowed(application.state, decision.outcome)
        if why_not:  # e.g. screened ineligible after a grant was drafted
            raise Refused(why_not)
        action = "sign_grant" if decision.outcome == GRANT else "sign_no_grant"
        try:
            new_state = lifecycle.next_state(application.state, action)
        except lifecycle.TransitionNotAllowed:
            raise Refused(rules_decisions.why_not_decidable(application.state) or _("The application cannot be decided in its present state.")) from None
        now = clock.now()
        today = clock.helsinki(now).date()
        before = _snapshot(decision)  # as the decision-maker saw it; signing may update the parties and the period
        decision.parties = parties_of(application)  # as the registry names them when signed
        problems = rules_decisions.check_diary_number(decision.diary_number, required=True)
        problems += _check_recipient(decision.outcome, decision.parties)
        problems += rules_decisions.check_two_people(decision.presenter_id, decision.decision_maker_id)
        problems += _disqualified(application, {"presenter": decision.presenter_id, "decision_maker": decision.decision_maker_id})
        if decision.outcome == GRANT:  # the allocation may have changed since the draft
            limits = _grant_limits(application, decision.submission)
            problems += rules_decisions.check_reduction(decision.amount, limits.requested, decision.reduction_reason)
            if decision.costs_from and decision.costs_from < today and not decision.period_grounds:
                decision.costs_from = today  # the period starts on the decision date unless grounds say otherwise
            problems += rules_decisions.check_grant(
                rules_decisions.GrantTerms(decision.amount, decision.max_share, decision.costs_from, decision.costs_until), limits
            )
        _refuse_with(problems)

        decision.grounds_facts = grounds_facts(application, decision.outcome)  # as they stand when signed
        decision.state = Decision.State.SIGNED
        decision.signed_at = now
        decision.decision_date = today
        decision.version += 1
        decision.save(update_fields=["grounds_facts", "parties", "costs_from", "state", "signed_at", "decision_date", "version"])
        application_before = {"state": application.state, "version": application.version}
        application.state = new_state
        application.version += 1
        application.updated_at = now
        application.save(update_fields=["state", "version", "updated_at"])
        audit.record(
            user,
            "decision.sign",
            decision,
            application_id=application.pk,
            before=before,
            after={**_snapshot(decision), "signed_at": now.isoformat(), "decision_date": decision.decision_date.isoformat()},
        )
        audit.record(
            user,
            f"application.{action}",
            application,
            application_id=application.pk,
            before=application_before,
            after={"state": new_state, "version": application.version},
        )
        if decision.outcome == GRANT:  # the grant lives on as a funded project (kuntadigi.projects)
            projects.create_for_decision(user, decision)
        decision_pk = decision.pk
        _enqueue_render(decision_pk)
    return decision


# ── The whole call at once ──────────────────────────────────────────────────


@dataclass
class BatchResult:
    done: list[tuple[str, str]] = field(default_factory=list)  # (reference, what was done)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, reason)
    granted_total: Decimal = Decimal("0.00")
    grants: int = 0
    no_grants: int = 0


@dataclass
class Signatories:
    presenter_id: int | None
    presenter_title: str
    decision_maker_id: int | None
    decision_maker_title: str
    diary_number: str = ""


def prepare_all(user, call: Call, people: Signatories) -> BatchResult:
    """A draft for every screened application of the call that has no decision yet: a grant of the
    proposed amount for an eligible application with a positive proposal, otherwise no grant with the
    call's reason. Each decision in its own transaction; a refusal of one does not stop the others.

    The titles typed on the batch form are in the preparer's language. A decision written in the
    other language takes the person's title in that language (from their earlier decisions or the
    call's contacts) where one is known, and the typed title otherwise."""
    form_language = (translation.get_language() or "fi")[:2]
    User = get_user_model()
    signatories = {person.pk: person for person in User.objects.filter(pk__in=[people.presenter_id, people.decision_maker_id])}

    def title(person_id, typed: str, language: str) -> str:
        if language == form_language:
            return typed
        return _title_for(call, signatories.get(person_id), language) or typed

    allowed = permissions.can_prepare_decisions(user, call)
    if not allowed:
        raise Refused(allowed.reason)
    _refuse_with(
        _check_people(call, DecisionData(NO_GRANT, people.presenter_id, people.decision_maker_id, people.presenter_title, people.decision_maker_title))
        + rules_decisions.check_diary_number(people.diary_number, required=False)
    )
    reasons = {r.code: r for r in NoGrantReason.objects.filter(call=call)}
    for code in (rules_decisions.REASON_CONDITIONS, rules_decisions.REASON_APPROPRIATION):
        if code not in reasons:
            raise Refused(_("The call has no reason for not granting with the code %(code)s. Add it to the call first.") % {"code": code})
    result = BatchResult()
    applications = (
        Application.objects.filter(call=call, state__in=rules_decisions.DECIDABLE_STATES).select_related("call", "proposal", "decision").order_by("reference")
    )
    for application in applications:
        if decision_of(application) is not None:
            result.skipped.append((application.reference, _("A decision has already been prepared.")))
            continue
        proposal = proposal_of(application)
        plan = rules_decisions.batch_plan(rules_decisions.BatchItem(application.pk, application.state, proposal.amount if proposal else None))
        data = defaults_for(application, user)
        data.outcome = plan.outcome
        data.amount = plan.amount
        data.no_grant_reason_id = reasons[plan.reason_code].pk if plan.reason_code else None
        data.presenter_id, data.presenter_title = people.presenter_id, title(people.presenter_id, people.presenter_title, application.language)
        data.decision_maker_id = people.decision_maker_id
        data.decision_maker_title = title(people.decision_maker_id, people.decision_maker_title, application.language)
        data.diary_number = people.diary_number or data.diary_number
        try:
            prepare_decision(user, application.pk, data)
        except Refused as refused:
            result.refused.append((application.reference, refused.message))
            continue
        if plan.outcome == GRANT:
            result.grants += 1
            result.granted_total += plan.amount
            result.done.append((application.reference, _("grant")))
        else:
            result.no_grants += 1
            result.done.append((application.reference, _("no grant")))
    return result


def sign_all(user, call: Call) -> BatchResult:
    """The decision-maker signs every draft of the call that names them, each in its own transaction."""
    allowed = permissions.has_call_role(user, call, CallRole.Role.DECISION_MAKER)
    if not allowed:
        raise Refused(_("Only the call's decision-makers sign decisions."))
    result = BatchResult()
    drafts = Decision.objects.filter(application__call=call, state=Decision.State.DRAFT).select_related("application").order_by("application__reference")
    for decision in drafts:
        reference = decision.application.reference
        if decision.decision_maker_id != user.pk:
            result.skipped.append((reference, _("Another decision-maker is named on this decision.")))
            continue
        try:
            signed = sign_decision(user, decision.application_id)
        except Refused as refused:
            result.refused.append((reference, refused.message))
            continue
        if signed.outcome == GRANT:
            result.grants += 1
            result.granted_total += signed.amount
            result.done.append((reference, _("grant")))
        else:
            result.no_grants += 1
            result.done.append((reference, _("no grant")))
    return result


# ── Documents (run by tasks) ────────────────────────────────────────────────


def _enqueue_render(decision_pk: int) -> None:
    from .tasks import render_decision_pdf

    enqueue_with_transaction(render_decision_pdf, decision_pk)


def _enqueue_notify(decision_pk: int) -> None:
    from .tasks import notify_decision

    enqueue_with_transaction(notify_decision, decision_pk)


def store_preview(decision_pk: int) -> bool:
    """Render the draft's watermarked PDF unless the stored one already shows the same content."""
    from .pdf import render_pdf

    with transaction.atomic():
        decision = Decision.objects.select_for_update().filter(pk=decision_pk).first()
        if decision is None or decision.state != Decision.State.DRAFT:
            return False
        decision = load_decision(decision.application_id)
        from kuntadigi.delivery.services import main_document_electronic  # the lead's channel as it stands now

        document = document_for(decision, electronic=main_document_electronic(decision))
        fingerprint = document_fingerprint(document)
        if decision.preview and decision.preview_of == fingerprint:
            return False
        pdf = render_pdf(document)
        old = decision.preview.name if decision.preview else ""
        decision.preview.save(f"{decision.application.reference}-{fingerprint[:16]}.pdf", ContentFile(pdf), save=False)
        decision.preview_of = fingerprint
        decision.save(update_fields=["preview", "preview_of"])
        if old and old != decision.preview.name:
            transaction.on_commit(lambda: decision.preview.storage.delete(old))
    return True


def store_final_document(decision_pk: int) -> bool:
    """Render and store the signed decision's PDF once. A stored document is never replaced."""
    from .pdf import render_pdf

    with transaction.atomic():
        decision = Decision.objects.select_for_update().filter(pk=decision_pk).first()
        if decision is None or decision.state != Decision.State.SIGNED:
            return False
        if decision.document or decision.document_sha256:
            logger.info("Decision %s: the signed document is already stored; it is not rendered again", decision_pk)
            return False
        decision = load_decision(decision.application_id)
        from kuntadigi.delivery.services import main_document_electronic  # the lead's channel at signing

        pdf = render_pdf(document_for(decision, electronic=main_document_electronic(decision)))
        digest = hashlib.sha256(pdf).hexdigest()
        filename = f"{decision.application.reference}-{digest[:16]}.pdf"
        name = decision.document.field.generate_filename(decision, filename)
        if stored_file_matches(decision.document.storage, name, digest):
            decision.document.name = name  # written by an attempt whose worker died before its commit: reuse it
        else:
            decision.document.save(filename, ContentFile(pdf), save=False)
        decision.document_sha256 = digest
        decision.save(update_fields=["document", "document_sha256"])
        audit.record(None, "decision.document_stored", decision, application_id=decision.application_id, after={"document_sha256": digest, "bytes": len(pdf)})
        if decision.notified_at is None:
            _enqueue_notify(decision_pk)
    return True


def stored_file_matches(storage, name: str, digest: str) -> bool:
    """True when storage already holds `name` with exactly the bytes of SHA-256 `digest`."""
    if not storage.exists(name):
        return False
    with storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == digest


class DocumentTampered(Exception):
    """The stored file no longer matches the SHA-256 taken when it was stored."""


def signed_document_bytes(decision: Decision) -> bytes:
    """The signed PDF, after checking its SHA-256. Raises DocumentTampered (logged) when it does not match."""
    try:
        with decision.document.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError) as error:
        logger.error("Decision %s: the signed document is missing from storage (%s)", decision.pk, type(error).__name__)
        raise DocumentTampered from error
    if hashlib.sha256(data).hexdigest() != decision.document_sha256:
        logger.error("Decision %s: the stored document does not match its SHA-256; it is not served", decision.pk)
        raise DocumentTampered
    return data


def mark_notified(decision_pk: int, messages: int, deliveries: list[dict] | None = None) -> bool:
    """The notification is done (`deliveries`: how each organisation gets the decision, for the audit trail)."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision_pk)
        if decision.notified_at is not None:
            return False
        decision.notified_at = clock.now()
        decision.save(update_fields=["notified_at"])
        audit.record(
            None,
            "decision.notify",
            decision,
            application_id=decision.application_id,
            after={"notified_at": decision.notified_at.isoformat(), "messages": messages, **({"deliveries": deliveries} if deliveries is not None else {})},
        )
    return True
