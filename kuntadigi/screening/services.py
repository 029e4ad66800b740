"""Screening use cases: naming the roles of a call, marking applications eligible or ineligible,
requests for supplement and their answers, and the data the officials' pages read.

Each use case checks permissions.py, validates, changes state through lifecycle.py on a locked row,
bumps the application's version and records an audit event, all inside one transaction. E-mail is
sent by a task after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kuntadigi import clock, permissions
from kuntadigi.applications import lifecycle, snapshot
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application, Submission
from kuntadigi.applications.rules import ALAND_REGION_CODE
from kuntadigi.applications.submission import SubmitResult, load_for_content, store_version, validate_for_submission
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.core.templatetags.kd import helsinki as format_helsinki
from kuntadigi.registry.models import Organisation

from . import conditions, diff, rules
from .models import CheckResult, Screening, SupplementRequest

logger = logging.getLogger(__name__)


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise Refused(decision.reason)


def _lock(pk: int) -> Application:
    return Application.objects.select_for_update().select_related("call", "lead").get(pk=pk)


def _transition(application: Application, action: str, now: datetime) -> tuple[str, str]:
    """Move the locked application along the lifecycle; (state before, state after)."""
    before = application.state
    application.state = lifecycle.next_state(application.state, action)
    application.version += 1
    application.updated_at = now
    return before, application.state


# ── Roles in a call ─────────────────────────────────────────────────────────


def name_call_role(admin, call: Call, email: str, role: str, *, create_user: bool = False) -> CallRole:
    """Name a person by e-mail to a role in the call. A new user is made only when asked."""
    _require(permissions.can_name_call_roles(admin))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Refused(_("Enter a valid e-mail address."), field="email") from None
    if role not in CallRole.Role.values:
        raise Refused(_("Choose the role."), field="role")
    User = get_user_model()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        user = User.objects.filter(email__iexact=email).first()
        created = False
        if user is None:
            if not create_user:
                raise Refused(_("No user has this e-mail address. Tick the box to create a user for it."), field="email")
            user = User.objects.create_user(email=email)
            created = True
            audit.record(admin, "user.created", user, after={"user": user.pk, "by": "call_roles"})
        if CallRole.objects.filter(call=call, user=user, role=role).exists():
            raise Refused(_("This person already has this role in the call."), field="email")
        try:
            with transaction.atomic():
                named = CallRole.objects.create(call=call, user=user, role=role, named_by=admin, named_at=clock.now())
        except IntegrityError:
            raise Refused(_("This person already has this role in the call."), field="email") from None
        audit.record(admin, "call_role.named", named, after={"call": call.slug, "user": user.pk, "role": role, "user_created": created})
        if role == CallRole.Role.ASSESSOR and not user.is_assessor:
            # The flag gives the person the menu link to their assessments (and the page to declare ties).
            user.is_assessor = True
            user.save(update_fields=["is_assessor"])
    permissions.forget_cached_call_roles(user)
    logger.info("call role %s named in call %s", named.pk, call.pk)
    return named


def remove_call_role(admin, call: Call, role_pk: int) -> CallRole:
    _require(permissions.can_name_call_roles(admin))
    with transaction.atomic():
        named = CallRole.objects.select_for_update().select_related("user").filter(pk=role_pk, call=call).first()
        if named is None:
            raise Refused(_("The role was not found. It may have been removed already."))
        audit.record(admin, "call_role.removed", named, before={"call": call.slug, "user": named.user_id, "role": named.role})
        named.delete()
    logger.info("call role %s removed from call %s", role_pk, call.pk)
    return named


def roles_of_call(call: Call) -> list[CallRole]:
    return list(CallRole.objects.filter(call=call).select_related("user", "named_by").order_by("role", "user__email"))


# ── The data of the checks ──────────────────────────────────────────────────


def call_rules(call: Call) -> rules.CallRules:
    """The call's rules as plain data for the pure checks (two queries: target areas, exclusions; a
    third for the municipality codes of Åland when the call does not allow them)."""
    aland_codes: frozenset[str] = frozenset()
    if not call.aland_may_apply:
        aland_codes = frozenset(
            Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, region__code=ALAND_REGION_CODE).values_list("municipality_code", flat=True)
        )
    return rules.CallRules(
        closes_at=call.closes_at,
        project_end_latest=call.project_end_latest,
        min_municipalities=call.min_municipalities,
        max_grant_share=call.max_grant_share,
        vat_eligible=call.vat_eligible,
        target_areas=frozenset(call.target_areas.values_list("number", flat=True)),
        exclusions=tuple(
            rules.ExclusionRule(name=exclusion.name, keywords=rules.keywords_from_text(exclusion.keywords)) for exclusion in call.exclusions.all()
        ),
        aland_may_apply=call.aland_may_apply,
        aland_municipality_codes=aland_codes,
    )


def supplement_windows(requests) -> list[rules.SupplementWindow]:
    return [rules.SupplementWindow(requested_at=r.requested_at, due_at=r.due_at, answered_at=r.answered_at) for r in requests]


def checks_for(submission: Submission, call_data: rules.CallRules, requests) -> list[rules.Check]:
    return rules.automatic_checks(submission.content, submission.submitted_at, call_data, supplement_windows(requests))


def received_applications(call: Call, state: str | None = None):
    """The call's received applications with what the screening list reads, by reference (the order
    they were started in; a resubmission does not move them)."""
    queryset = (
        Application.objects.filter(call=call, state__in=lifecycle.RECEIVED_STATES)
        .select_related("lead", "screening", "screening__marked_by")
        .prefetch_related(
            Prefetch("submissions", queryset=Submission.objects.order_by("number"), to_attr="versions"),
            Prefetch("supplement_requests", queryset=SupplementRequest.objects.order_by("requested_at", "pk"), to_attr="requests"),
        )
        .order_by("reference", "pk")
    )
    if state:
        queryset = queryset.filter(state=state)
    return queryset


@dataclass
class ScreeningRow:
    application: Application
    latest: Submission | None
    checks: list[rules.Check] = field(default_factory=list)
    screening: Screening | None = None
    open_request: SupplementRequest | None = None

    @property
    def flags(self) -> list[rules.Check]:
        return rules.flagged(self.checks)

    @property
    def content(self) -> dict:
        return self.latest.content if self.latest else {}


def screening_rows(applications, call_data: rules.CallRules) -> list[ScreeningRow]:
    """Rows of applications loaded by `received_applications`: no further queries."""
    rows = []
    for application in applications:
        versions = getattr(application, "versions", None)
        if versions is None:
            versions = list(application.submissions.order_by("number"))
        requests = getattr(application, "requests", None)
        if requests is None:
            requests = list(application.supplement_requests.order_by("requested_at", "pk"))
        latest = versions[-1] if versions else None
        try:
            screening = application.screening
        except Screening.DoesNotExist:
            screening = None
        rows.append(
            ScreeningRow(
                application=application,
                latest=latest,
                checks=checks_for(latest, call_data, requests) if latest else [],
                screening=screening,
                open_request=next((r for r in reversed(requests) if r.is_open), None),
            )
        )
    return rows


def filter_rows(rows: list[ScreeningRow], flag: str) -> list[ScreeningRow]:
    """'any': some check flags the application; 'none': every check passes; a check's code: that check flags."""
    if flag == "any":
        return [row for row in rows if row.flags]
    if flag == "none":
        return [row for row in rows if row.latest and not row.flags]
    if flag in rules.CHECK_CODES:
        return [row for row in rows if any(check.code == flag for check in row.flags)]
    return rows


# ── Stored results of the checks, for filtering the list in the database ────

CHECK_BATCH = 500


def rules_digest(call_data: rules.CallRules) -> str:
    """A fingerprint of what the checks read of the call: stored results of other rules are stale."""
    return snapshot.fingerprint(
        {
            "closes_at": call_data.closes_at.isoformat(),
            "project_end_latest": call_data.project_end_latest.isoformat(),
            "min_municipalities": call_data.min_municipalities,
            "max_grant_share": str(call_data.max_grant_share),
            "vat_eligible": call_data.vat_eligible,
            "target_areas": sorted(call_data.target_areas),
            "exclusions": [list(exclusion.keywords) for exclusion in call_data.exclusions],
            "aland_may_apply": call_data.aland_may_apply,
            "aland_municipality_codes": sorted(call_data.aland_municipality_codes),
            # What the checks themselves are: a new check (or other words) makes every stored result stale.
            "checks": list(rules.CHECK_CODES),
            "equipment_words": list(rules.EQUIPMENT_WORDS),
        }
    )


def refresh_check_results(call: Call, call_data: rules.CallRules) -> int:
    """Store the flagged checks of every received application of the call whose stored result is
    missing or stale (the application has another version now, or the call other rules). Usually
    nothing is stale and this is one query; after new submissions it computes only those. Returns how
    many were computed."""
    digest = rules_digest(call_data)
    stale = list(
        Application.objects.filter(call=call, state__in=lifecycle.RECEIVED_STATES)
        .exclude(check_result__version=F("version"), check_result__rules_digest=digest)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(stale), CHECK_BATCH):
        ids = stale[start : start + CHECK_BATCH]
        applications = (
            Application.objects.filter(pk__in=ids)
            .only("pk", "version")
            .prefetch_related(
                Prefetch("submissions", queryset=Submission.objects.order_by("number"), to_attr="versions"),
                Prefetch("supplement_requests", queryset=SupplementRequest.objects.order_by("requested_at", "pk"), to_attr="requests"),
            )
        )
        results = []
        now = clock.now()
        for application in applications:
            if not application.versions:
                continue
            checks = checks_for(application.versions[-1], call_data, application.requests)
            flagged = "," + "".join(f"{check.code}," for check in rules.flagged(checks))
            results.append(CheckResult(application=application, version=application.version, rules_digest=digest, flagged=flagged, computed_at=now))
        CheckResult.objects.bulk_create(
            results, update_conflicts=True, unique_fields=["application"], update_fields=["version", "rules_digest", "flagged", "computed_at"]
        )
    return len(stale)


def filter_by_checks(queryset, flag: str):
    """'any': some check flags the application; 'none': every check passes; a check's code: that check
    flags. Reads the stored results: call `refresh_check_results` first."""
    if flag == "any":
        return queryset.filter(check_result__isnull=False).exclude(check_result__flagged=",")
    if flag == "none":
        return queryset.filter(check_result__flagged=",")
    if flag in rules.CHECK_CODES:
        return queryset.filter(check_result__flagged__contains=f",{flag},")
    return queryset


# ── Marking eligible or ineligible ──────────────────────────────────────────


def condition_facts(call: Call) -> conditions.ConditionFacts:
    """The call's conditions an application can fail, the excluded fields named in the active language."""
    return conditions.ConditionFacts(
        min_municipalities=call.min_municipalities,
        max_grant_share=call.max_grant_share,
        project_end_latest=call.project_end_latest,
        exclusions={conditions.exclusion_code(exclusion.pk): exclusion.name for exclusion in call.exclusions.all()},
    )


def failed_condition_texts(screening: Screening | None) -> list[str]:
    """The conditions an ineligible application was marked as failing, as sentences in the active language."""
    if screening is None or not screening.failed_conditions:
        return []
    return condition_texts(screening.application.call, screening.failed_conditions)


def condition_texts(call: Call, codes) -> list[str]:
    """The conditions named by `codes` as sentences in the active language (one that no longer exists drops out)."""
    facts = condition_facts(call)
    return [text for text in (conditions.condition_text(code, facts) for code in codes) if text]


def mark_application(user, application_pk: int, outcome: str, reason: str, failed_conditions=()) -> Screening:
    """The preparer's mark with a written reason; an ineligible mark names the conditions of the call the
    application fails (its no-grant decision states them). The same mark again changes only these."""
    reason = (reason or "").strip()
    if outcome not in Screening.Outcome.values:
        raise Refused(_("Choose eligible or ineligible."), field="outcome")
    with transaction.atomic():
        locked = _lock(application_pk)
        _require(permissions.can_screen_application(user, locked))
        if not reason:
            raise Refused(_("Write the reason for the mark."), field="reason")
        failed = conditions.clean_conditions(failed_conditions, condition_facts(locked.call)) if outcome == Screening.Outcome.INELIGIBLE else []
        if outcome == Screening.Outcome.INELIGIBLE and not failed:
            raise Refused(_("Choose the conditions of the call that the application does not meet."), field="failed_conditions")
        existing = Screening.objects.select_for_update().filter(application=locked).first()
        before = {
            "state": locked.state,
            "outcome": existing.outcome if existing else None,
            "reason": existing.reason if existing else None,
            "failed_conditions": existing.failed_conditions if existing else None,
        }
        now = clock.now()
        if locked.state != outcome:
            try:
                _transition(locked, f"mark_{outcome}", now)
            except lifecycle.TransitionNotAllowed:
                raise Refused(_("This application cannot be marked in its present state.")) from None
            locked.save(update_fields=["state", "version", "updated_at"])
        elif existing and existing.reason == reason and existing.failed_conditions == failed:
            return existing
        screening, _created = Screening.objects.update_or_create(
            application=locked, defaults={"outcome": outcome, "reason": reason, "failed_conditions": failed, "marked_by": user, "marked_at": now}
        )
        audit.record(
            user,
            "screening.marked",
            screening,
            application_id=locked.pk,
            before=before,
            after={"state": locked.state, "outcome": outcome, "reason": reason, "failed_conditions": failed, "version": locked.version},
        )
        if before["state"] != locked.state:
            _enqueue_screened_email(screening.pk)  # a new status; a corrected reason alone tells nobody again
    return screening


@dataclass
class BatchFailure:
    reference: str
    reason: str


class BatchRefused(Refused):
    """Some applications of a batch could not be marked: none was (`failures` says which and why)."""

    def __init__(self, message: str, failures: list[BatchFailure], field: str | None = None):
        super().__init__(message, field=field)
        self.failures = failures


def mark_applications(user, call: Call, application_pks, outcome: str, reason: str, failed_conditions=()) -> list[Screening]:
    """The same mark with one shared reason for several applications of the call: all of them or none.

    Each application goes through `mark_application` (its checks, its audit event), all in one
    transaction. When any of them cannot be marked, nothing is: the official gets the list of those
    that failed and why, with the others still chosen, and can leave those out and try again. A
    shared reason is written for the whole set, so a half-applied batch would leave the official
    to find out which ones carry it."""
    _require(permissions.can_screen_in_call(user, call))
    pks = sorted({int(pk) for pk in application_pks})  # one order of locking for every batch
    if not pks:
        raise Refused(_("Choose at least one application."), field="applications")
    references = dict(Application.objects.filter(call=call, state__in=lifecycle.RECEIVED_STATES, pk__in=pks).values_list("pk", "reference"))
    if len(references) != len(pks):
        raise Refused(_("Some of the chosen applications are not among the call's received applications. Reload the list and choose again."))
    screenings: list[Screening] = []
    failures: list[BatchFailure] = []
    with transaction.atomic():
        for pk in pks:
            try:
                with transaction.atomic():
                    screenings.append(mark_application(user, pk, outcome, reason, failed_conditions))
            except Refused as refusal:
                if refusal.field in ("outcome", "reason", "failed_conditions"):
                    raise  # the same for every application: a mistake in the shared form
                failures.append(BatchFailure(reference=references[pk], reason=refusal.message))
        if failures:
            transaction.set_rollback(True)
    if failures:
        raise BatchRefused(
            ngettext(
                "No application was marked: %(count)d chosen application cannot be marked.",
                "No application was marked: %(count)d chosen applications cannot be marked.",
                len(failures),
            )
            % {"count": len(failures)},
            failures,
        )
    logger.info("%d applications of call %s marked together", len(screenings), call.pk)
    return screenings


# ── Requests for supplement ─────────────────────────────────────────────────


def request_supplement(user, application_pk: int, parts, message: str, due_at: datetime, reason: str = "") -> SupplementRequest:
    """Open the named parts to the lead until `due_at`, and tell the lead by e-mail after the commit.

    A request asks for missing information: reopening the target areas, the partners or the budget
    (rules.REASON_PARTS) needs a written `reason`, stored on the request and in the audit trail."""
    chosen = rules.clean_parts(parts or [])
    message = (message or "").strip()
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(application_pk)
        _require(permissions.can_request_supplement(user, locked))
        if not chosen:
            raise Refused(_("Choose at least one part to supplement."), field="parts")
        if not message:
            raise Refused(_("Write what is asked."), field="message")
        if rules.reason_parts(chosen) and not reason:
            raise Refused(str(rules.REASON_REQUIRED), field="reopening_reason")
        now = clock.now()
        if due_at is None or due_at <= now:
            raise Refused(_("The due time must be in the future."), field="due_at")
        try:
            before, after = _transition(locked, "request_supplement", now)
        except lifecycle.TransitionNotAllowed:
            raise Refused(_("A supplement can be requested only before the application is marked eligible or ineligible.")) from None
        locked.save(update_fields=["state", "version", "updated_at"])
        request = SupplementRequest.objects.create(
            application=locked, parts=chosen, message=message, reason=reason, due_at=due_at, requested_by=user, requested_at=now
        )
        audit.record(
            user,
            "screening.supplement_requested",
            request,
            application_id=locked.pk,
            before={"state": before},
            after={"state": after, "parts": chosen, "message": message, "reason": reason, "due_at": due_at.isoformat(), "version": locked.version},
        )
        request_pk = request.pk
        _enqueue_request_email(request_pk)
    return request


def submit_supplement(user, application_pk: int) -> SubmitResult:
    """The lead's answer to the open request: a new version, checked as a submission is, kept
    alongside the earlier ones. A double-clicked submit finds the answer already given."""
    with transaction.atomic():
        locked = _lock(application_pk)
        if locked.state == State.SUBMITTED and permissions.is_lead_member(user, locked):
            latest = locked.submissions.order_by("-number").first()
            answered = latest is not None and SupplementRequest.objects.filter(answer=latest).exists()
            if answered:
                return SubmitResult(
                    submission=latest,
                    already_submitted=True,
                    message=_("The application was already submitted at %(time)s.") % {"time": format_helsinki(latest.submitted_at)},
                )
        _require(permissions.can_submit_supplement(user, locked))
        request = SupplementRequest.objects.select_for_update().filter(application=locked, answered_at__isnull=True).order_by("-requested_at", "-pk").first()
        now = clock.now()
        try:
            before, after = locked.state, lifecycle.next_state(locked.state, "submit_supplement")
        except lifecycle.TransitionNotAllowed:
            raise Refused(_("There is no open request for supplement.")) from None

        application = load_for_content(application_pk)
        problems = validate_for_submission(application)
        if problems:
            return SubmitResult(problems=problems)

        submission = store_version(user, locked, application, new_state=after, now=now)
        request.answer = submission
        request.answered_at = now
        request.save(update_fields=["answer", "answered_at"])
        audit.record(
            user,
            "application.submit_supplement",
            locked,
            application_id=locked.pk,
            before={"state": before},
            after={"state": after, "version": locked.version, "submission": submission.number, "fingerprint": submission.fingerprint, "request": request.pk},
        )
    permissions.forget_cached_supplement(locked)
    return SubmitResult(submission=submission)


# ── What a request for supplement changed, for the decision-maker ───────────


@dataclass
class SupplementChanges:
    """An answered request that reopened the target areas, the partners or the budget, with the
    changes to those parts from the version before the request to the version that answered it."""

    request: SupplementRequest
    parts: list[str]  # the labels of the parts reopened with the reason
    before: Submission | None
    after: Submission
    changes: list[tuple[str, list[diff.Change]]] = field(default_factory=list)  # diff.sections


def supplement_changes(application: Application) -> list[SupplementChanges]:
    """For the official's application page and the decision's pages (three queries, or one when no
    answered request reopened those parts). The version before a request is the last one submitted
    before its answer: nothing else can be submitted while a request is open."""
    requests = [
        request
        for request in application.supplement_requests.select_related("answer").order_by("requested_at", "pk")
        if request.answer_id and rules.reason_parts(request.parts)
    ]
    if not requests:
        return []
    versions = list(application.submissions.order_by("number"))
    call = application.call
    area_names = {area.number: area.name for area in call.target_areas.all()}
    category_names = {category.code: category.name for category in call.cost_categories.all()}
    result = []
    for request in requests:
        parts = rules.reason_parts(request.parts)
        before = next((version for version in reversed(versions) if version.number < request.answer.number), None)
        changes = diff.in_parts(
            diff.diff(before.content if before else {}, request.answer.content, area_names=area_names, category_names=category_names), parts
        )
        result.append(
            SupplementChanges(
                request=request, parts=[str(rules.PART_LABELS[part]) for part in parts], before=before, after=request.answer, changes=diff.sections(changes)
            )
        )
    return result


def _enqueue_request_email(request_pk: int) -> None:
    from .tasks import send_supplement_request_email

    enqueue_with_transaction(send_supplement_request_email, request_pk)


def _enqueue_screened_email(screening_pk: int) -> None:
    from .tasks import send_screened_email

    enqueue_with_transaction(send_screened_email, screening_pk)
