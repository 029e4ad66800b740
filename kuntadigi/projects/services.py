"""Funded projects after the decision: made from a signed grant, accepted or refused by the lead's
administrator, the account given, the agreement with the partners uploaded and confirmed.

Use cases (each: permission, rules, change of state through lifecycle.next_state, audit, in one
transaction; the project's row is locked):
    create_for_decision   a signed grant decision becomes a funded project (called by the signing)
    create_missing        the same for signed grants that have no project yet (manage.py create_funded_projects)
    accept                the lead's administrator accepts the terms, within the call's acceptance period
    refuse                ... or refuses the grant with a reason, which frees its amount (refused_amount)
    give_account          the lead's administrator gives (or changes) the IBAN and BIC the grant is paid to;
                          a change stops the payments not yet exported or paid (payments.services_review)
    upload_agreement      the lead uploads the written agreement with its partners (a new one replaces it)
    confirm_agreement     a partner confirms the agreement in force
An accepted project with an account starts running once its eligible-cost period has begun: at the
lead's action (`_start_if_ready`), or by the daily `start_due` (manage.py start_funded_projects).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.applications import drafting, drafting_rules
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import Participant
from kuntadigi.audit import services as audit
from kuntadigi.core import formats
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.decisions.models import Decision
from kuntadigi.payments.services_review import stop_unpaid_payments

from . import lifecycle, rules, tasks
from .lifecycle import State
from .models import AgreementConfirmation, FundedProject, PartnerAgreement

REFUSAL_REASON_MAX = 2000


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise Refused(decision.reason)


def _today():
    return clock.helsinki(clock.now()).date()


def _lock(project_pk: int) -> FundedProject:
    project = FundedProject.objects.select_for_update(of=("self",)).select_related("application__call").filter(pk=project_pk).first()
    if project is None:
        raise Http404
    return project


def _move(project: FundedProject, action: str) -> str:
    try:
        return lifecycle.next_state(project.state, action)
    except lifecycle.TransitionNotAllowed:
        raise Refused(_("This cannot be done while the project is %(state)s.") % {"state": State(project.state).label}) from None


# ── Reading ─────────────────────────────────────────────────────────────────


def project_for_viewer(user, pk: int) -> FundedProject:
    """The project if the user may see it; otherwise 404 (its existence is not revealed)."""
    project = FundedProject.objects.select_related("application__call", "application__lead", "decision").filter(pk=pk).first()
    if project is None or not permissions.can_view_project(user, project):
        raise Http404
    return project


def project_of(application) -> FundedProject | None:
    return FundedProject.objects.filter(application_id=application.pk).first()


def refused_amount(call) -> Decimal:
    """The maximum grants of the call's refused projects: amounts freed for the appropriation."""
    total = FundedProject.objects.filter(application__call=call, state=State.REFUSED).aggregate(total=Sum("maximum_grant"))["total"]
    return total or Decimal("0.00")


def agreement_in_force(project: FundedProject) -> PartnerAgreement | None:
    return project.agreements.first()  # ordered newest first


@dataclass(frozen=True)
class PartnerConfirmation:
    participant: Participant
    confirmation: AgreementConfirmation | None


def partner_confirmations(project: FundedProject, agreement: PartnerAgreement | None) -> list[PartnerConfirmation]:
    partners = list(project.application.participants.filter(role=Participant.Role.PARTNER).select_related("organisation"))
    confirmed = {}
    if agreement is not None:
        confirmed = {c.organisation_id: c for c in agreement.confirmations.select_related("confirmed_by")}
    return [PartnerConfirmation(p, confirmed.get(p.organisation_id)) for p in partners]


def to_do(user, project: FundedProject, agreement: PartnerAgreement | None, confirmations: list[PartnerConfirmation]) -> list[str]:
    """What waits for the viewer on this project, in the viewer's words (empty for officials)."""
    my_orgs = permissions.organisation_ids(user)
    items: list[str] = []
    open_states = (State.GRANTED, State.ACCEPTED, State.RUNNING)
    if project.state not in open_states:
        return items
    due = formats.day(project.acceptance_due, get_language())
    if project.application.lead_id in my_orgs:
        if project.state == State.GRANTED:
            if permissions.can_answer_grant(user, project):
                items.append(_("Accept the grant or refuse it by %(day)s.") % {"day": due})
            elif _today() <= project.acceptance_due:
                items.append(_("An administrator of your organisation accepts the grant or refuses it by %(day)s.") % {"day": due})
        if not project.iban:
            items.append(_("Give the account the grant is paid to."))
        if confirmations and agreement is None:
            items.append(_("Upload the written agreement with the partners."))
        elif confirmations and any(row.confirmation is None for row in confirmations):
            items.append(_("The partners confirm the agreement: the costs of a partner are not paid before it has confirmed."))
    for row in confirmations:
        if row.participant.organisation_id in my_orgs and row.confirmation is None:
            if agreement is None:
                items.append(
                    _("The lead uploads the agreement with the partners; then confirm it for %(organisation)s.")
                    % {"organisation": row.participant.organisation.name}
                )
            else:
                items.append(_("Confirm the agreement for %(organisation)s.") % {"organisation": row.participant.organisation.name})
    return items


# ── Creation ────────────────────────────────────────────────────────────────


def _terms_from(decision: Decision) -> dict:
    application = decision.application
    return {
        "application": application,
        "decision": decision,
        "state": State.GRANTED,
        "maximum_grant": decision.amount,
        "share": decision.max_share if decision.max_share is not None else application.call.max_grant_share,
        "costs_from": decision.costs_from or application.start_date or decision.decision_date,
        "costs_until": decision.costs_until or application.end_date or application.call.project_end_latest,
        "acceptance_due": decision.decision_date + timedelta(days=application.call.acceptance_days),
    }


def create_for_decision(actor, decision: Decision) -> FundedProject | None:
    """A funded project from a signed grant decision, once. Called inside the signing's transaction
    (and by `create_missing`); a no-grant decision or one that already has its project makes nothing."""
    if decision.outcome != Decision.Outcome.GRANT or decision.state != Decision.State.SIGNED:
        return None
    with transaction.atomic():
        if FundedProject.objects.filter(decision=decision).exists():
            return None
        project = FundedProject.objects.create(**_terms_from(decision), created_at=clock.now())
        audit.record(
            actor,
            "project.created",
            project,
            application_id=decision.application_id,
            after={
                "state": project.state,
                "maximum_grant": str(project.maximum_grant),
                "share": str(project.share),
                "costs_from": project.costs_from.isoformat(),
                "costs_until": project.costs_until.isoformat(),
                "acceptance_due": project.acceptance_due.isoformat(),
            },
        )
        _make_reports(project)
    return project


def create_missing() -> int:
    """A project for every signed grant decision without one (the service is the actor); how many were made."""
    made = 0
    signed = Decision.objects.filter(outcome=Decision.Outcome.GRANT, state=Decision.State.SIGNED, funded_project__isnull=True)
    for decision in signed.select_related("application__call").order_by("pk").iterator():
        if create_for_decision(None, decision) is not None:
            made += 1
    return made


# ── Acceptance ──────────────────────────────────────────────────────────────


def _start_if_ready(actor, project: FundedProject) -> None:
    """An accepted project with an account starts running once its eligible-cost period has begun."""
    if project.state != State.ACCEPTED or not project.iban or _today() < project.costs_from:
        return
    project.state = lifecycle.next_state(project.state, "start")
    project.save(update_fields=["state"])
    audit.record(actor, "project.started", project, application_id=project.application_id, before={"state": State.ACCEPTED}, after={"state": project.state})
    _make_reports(project)


def _make_reports(project: FundedProject) -> None:
    """The project's due reports, made once (kuntadigi/reports/services_reports.py)."""
    from kuntadigi.reports import services_reports

    services_reports.ensure_reports(project)


def start_due() -> int:
    """Every accepted project with an account whose eligible-cost period has begun starts running (the
    service is the actor); how many started. Daily: `manage.py start_funded_projects` (idempotent)."""
    started = 0
    due = FundedProject.objects.filter(state=State.ACCEPTED, costs_from__lte=_today()).exclude(iban="").values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            project = _lock(pk)
            before = project.state
            _start_if_ready(None, project)
            started += project.state != before
    return started


def accept(user, project_pk: int) -> FundedProject:
    with transaction.atomic():
        project = _lock(project_pk)
        _require(permissions.can_answer_grant(user, project))
        before = project.state
        project.state = _move(project, "accept")
        project.accepted_at = clock.now()
        project.accepted_by = user
        project.save(update_fields=["state", "accepted_at", "accepted_by"])
        audit.record(user, "project.accepted", project, application_id=project.application_id, before={"state": before}, after={"state": project.state})
        _start_if_ready(user, project)
    return project


def refuse(user, project_pk: int, reason: str) -> FundedProject:
    with transaction.atomic():
        project = _lock(project_pk)
        _require(permissions.can_answer_grant(user, project))
        reason = (reason or "").strip()
        if not reason:
            raise Refused(_("Enter the reason for refusing the grant."), field="reason")
        if len(reason) > REFUSAL_REASON_MAX:
            raise Refused(_("The reason may be at most %(max)d characters long.") % {"max": REFUSAL_REASON_MAX}, field="reason")
        before = project.state
        project.state = _move(project, "refuse")
        project.refused_at = clock.now()
        project.refused_by = user
        project.refusal_reason = reason
        project.save(update_fields=["state", "refused_at", "refused_by", "refusal_reason"])
        audit.record(
            user,
            "project.refused",
            project,
            application_id=project.application_id,
            before={"state": before},
            after={"state": project.state, "reason": reason, "freed": str(project.maximum_grant)},
        )
        enqueue_with_transaction(tasks.send_project_notice, project.pk, "grant_refused")
    return project


# ── The account ─────────────────────────────────────────────────────────────


def give_account(user, project_pk: int, iban: str, bic: str) -> FundedProject:
    """The IBAN and BIC the grant is paid to (checked with python-stdnum). Nothing is saved when either is wrong."""
    with transaction.atomic():
        project = _lock(project_pk)
        _require(permissions.can_give_account(user, project))
        try:
            account = rules.validate_account(iban, bic)
        except rules.AccountError as error:
            raise Refused(error.message, field=error.field) from None
        before = {"iban": project.iban, "bic": project.bic}
        if (account.iban, account.bic) == (project.iban, project.bic):
            return project
        project.iban, project.bic = account.iban, account.bic
        project.account_given_at = clock.now()
        project.account_given_by = user
        project.save(update_fields=["iban", "bic", "account_given_at", "account_given_by"])
        audit.record(
            user, "project.account_given", project, application_id=project.application_id, before=before, after={"iban": project.iban, "bic": project.bic}
        )
        enqueue_with_transaction(tasks.send_project_notice, project.pk, "account_changed")
        stop_unpaid_payments(user, project)  # approved payments to the old account wait to be approved again
        _start_if_ready(user, project)
    return project


# ── The agreement with the partners ─────────────────────────────────────────


def upload_agreement(user, project_pk: int, uploaded) -> PartnerAgreement:
    """The same checks as an application's attachments (size, type from the content, virus scan),
    made before the row is locked. A new agreement replaces the one in force; partners confirm it again."""
    size = uploaded.size or 0
    detected = drafting.detect_type(uploaded) if 0 < size <= settings.ATTACHMENT_MAX_BYTES else None
    problems = drafting_rules.check_attachment(size, detected, settings.ATTACHMENT_MAX_BYTES)
    if problems:
        raise Refused(problems[0].message, field="file", problems=problems)
    project = FundedProject.objects.select_related("application").filter(pk=project_pk).first()
    if project is None:
        raise Http404
    _require(permissions.can_upload_agreement(user, project))  # before the scan too: an outsider's file is not read
    drafting.scan_for_viruses(uploaded, project.application_id)
    with transaction.atomic():
        project = _lock(project_pk)
        _require(permissions.can_upload_agreement(user, project))
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        sha256 = digest.hexdigest()
        uploaded.seek(0)
        current = agreement_in_force(project)
        if current is not None and current.sha256 == sha256:
            raise Refused(_("This agreement has already been uploaded."), field="file")
        name = (uploaded.name or "agreement").replace("/", "_").replace("\\", "_")[-255:]
        agreement = PartnerAgreement(
            project=project, original_name=name, content_type=detected, size=size, sha256=sha256, uploaded_by=user, uploaded_at=clock.now()
        )
        agreement.file.save(sha256, uploaded, save=False)
        stored_name = agreement.file.name
        try:  # the stored file goes if the rows cannot be written
            agreement.save()
            audit.record(
                user,
                "project.agreement_uploaded",
                project,
                application_id=project.application_id,
                before={"agreement": current.pk} if current else {},
                after={"agreement": agreement.pk, "name": name, "content_type": detected, "size": size, "sha256": sha256},
            )
        except Exception:
            agreement.file.storage.delete(stored_name)
            raise
    return agreement


def confirm_agreement(user, project_pk: int, organisation_id: int) -> AgreementConfirmation:
    with transaction.atomic():
        project = _lock(project_pk)
        _require(permissions.can_confirm_agreement(user, project, organisation_id))
        agreement = agreement_in_force(project)
        if agreement is None:
            raise Refused(_("The lead has not uploaded the agreement yet."))
        if agreement.confirmations.filter(organisation_id=organisation_id).exists():
            raise Refused(_("Your organisation has already confirmed this agreement."))
        confirmation = AgreementConfirmation.objects.create(agreement=agreement, organisation_id=organisation_id, confirmed_by=user, confirmed_at=clock.now())
        audit.record(
            user,
            "project.agreement_confirmed",
            project,
            application_id=project.application_id,
            after={"agreement": agreement.pk, "organisation": organisation_id},
        )
    return confirmation
