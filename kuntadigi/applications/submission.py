"""Confirming, submitting and withdrawing a joint application: the use cases and the submission check.

Each service checks permissions.py, validates, changes state through lifecycle.py, records an audit
event and sends its e-mail after the commit, all inside one transaction. A submission freezes the
canonical content (snapshot.py) with its fingerprint; a withdrawal keeps every stored version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.audit import services as audit
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.core.templatetags.kd import helsinki as format_helsinki
from kuntadigi.registry import rules as registry_rules

from . import drafting_rules, lifecycle, rules, snapshot
from .errors import Refused
from .lifecycle import State
from .models import Application, BudgetLine, Participant, Submission
from .rules import Problem

# The project texts the call asks for, in the order of the form.
TEXT_FIELDS = ("summary", "current_state", "objectives", "change_in_ways_of_working", "rollout_and_spread", "prior_work")


# ── Loading ─────────────────────────────────────────────────────────────────


def with_content(queryset):
    """Everything application_content and validate_for_submission read, in a fixed number of queries."""
    return queryset.select_related("call", "lead", "created_by").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("organisation__successor", "organisation__region").order_by("role", "id")),
        Prefetch("participants__budget_lines", queryset=BudgetLine.objects.select_related("category").order_by("category__order", "id")),
        "target_areas",
        "attachments",
        "call__cost_categories",
    )


def load_for_content(pk: int) -> Application:
    return with_content(Application.objects.all()).get(pk=pk)


def _lock(pk: int) -> Application:
    """Take the row lock that serialises submit, withdraw and confirm on one application."""
    return Application.objects.select_for_update().get(pk=pk)


def organisation_display_name(org) -> str:
    return org.name


def parties(participants) -> list[rules.Party]:
    """The participants as the Åland rule sees them (load organisation__region with them)."""
    return [
        rules.Party(
            name=organisation_display_name(p.organisation),
            kind=p.organisation.kind,
            region_code=p.organisation.region.code if p.organisation.region_id else None,
            is_lead=p.role == Participant.Role.LEAD,
        )
        for p in participants
    ]


# ── The submission check ────────────────────────────────────────────────────


def _label(field_name: str) -> str:
    return str(Application._meta.get_field(field_name).verbose_name)


def _lines_for_rules(application) -> list[rules.BudgetLine]:
    return [
        rules.BudgetLine(organisation_id=p.organisation_id, category=line.category.code, amount=line.amount, description=line.description)
        for p in application.participants.all()
        for line in p.budget_lines.all()
    ]


def validate_for_submission(application: Application) -> list[Problem]:
    """Every reason the application cannot be submitted yet, each naming the field to fix. Empty = ready.

    Pass an application loaded with `with_content` to keep this to a handful of queries.
    """
    call = application.call
    problems: list[Problem] = []

    problems += rules.check_required("project_name", application.project_name, _("Enter the name of the project."))
    problems += rules.check_required("target_areas", list(application.target_areas.all()), _("Choose at least one target area of the call."))
    for name in TEXT_FIELDS:
        text = getattr(application, name)
        problems += rules.check_required(name, text, _("Fill in “%(label)s”.") % {"label": _label(name)})
        if name == "summary":
            problems += rules.check_text_length(name, text, call.summary_max_chars)
    problems += rules.check_schedule(application.start_date, application.end_date, call.project_end_latest)
    problems += rules.check_required("contact_name", application.contact_name, _("Enter the name of the contact person."))
    problems += rules.check_required("contact_email", application.contact_email, _("Enter the e-mail address of the contact person."))
    problems += rules.check_required("signatory_name", application.signatory_name, _("Enter the person authorised to commit the lead applicant."))
    problems += rules.check_required(
        "signatory_title", application.signatory_title, _("Enter the title of the person authorised to commit the lead applicant.")
    )
    problems += rules.check_required(
        "declaration_not_excluded", application.declaration_not_excluded, _("Confirm the declaration before you submit the application.")
    )

    participants = list(application.participants.all())
    lead = next((p for p in participants if p.role == Participant.Role.LEAD), None)
    partners = [p for p in participants if p.role == Participant.Role.PARTNER]
    problems += rules.check_participants(lead.organisation.kind if lead else None, [p.organisation.kind for p in partners], call.min_municipalities)
    problems += rules.check_parties_exist(
        [
            rules.PartyOnTheMap(
                role=p.role,
                name=organisation_display_name(p.organisation),
                valid_from=p.organisation.valid_from,
                valid_until=p.organisation.valid_until,
                successor_name=p.organisation.successor.name if p.organisation.successor_id else None,
            )
            for p in participants
        ],
        registry_rules.helsinki_day(call.opens_at),
    )
    problems += rules.check_aland(parties(participants), call.aland_may_apply)

    lines = _lines_for_rules(application)
    categories = {c.code for c in call.cost_categories.all()}
    problems += rules.check_budget(lines, application.requested_grant, call.max_grant_share, categories, {p.organisation_id for p in participants})
    problems += rules.check_vat(lines, call.vat_eligible)

    problems += rules.check_confirmations(
        [
            rules.PartnerConfirmation(
                name=organisation_display_name(p.organisation),
                confirmed=bool(p.confirmed_at),
                current=snapshot.confirmation_is_current(p),
                declined=bool(p.declined_at),
            )
            for p in partners
        ]
    )
    return problems


EDIT_FIELDS = {
    "project_name",
    "target_areas",
    "start_date",
    "end_date",
    "contact_name",
    "contact_email",
    "contact_phone",
    "signatory_name",
    "signatory_title",
    "declaration_not_excluded",
    *TEXT_FIELDS,
}


def problem_link(application, problem: Problem) -> str:
    """Where the user fixes the problem: the drafting page and the field's anchor."""
    name = problem.field
    pk = application.pk
    if name in EDIT_FIELDS:
        return reverse("applications:edit", args=[pk]) + f"#id_{name}"
    if name in {"partners", "lead", "confirmations"}:
        return reverse("applications:partners", args=[pk]) + "#partners"
    if name == "requested_grant":
        return reverse("applications:budget", args=[pk]) + "#id_requested_grant"
    if name.startswith("budget"):
        return reverse("applications:budget", args=[pk]) + "#budget"
    if name.startswith("attachment"):
        return reverse("applications:attachments", args=[pk])
    return reverse("applications:edit", args=[pk])


SECTIONS = ("project", "partners", "budget", "attachments")


def section_of_problem(problem: Problem) -> str:
    """The tab of the application form where the problem is fixed (the same places problem_link sends to)."""
    name = problem.field
    if name in {"partners", "lead", "confirmations"}:
        return "partners"
    if name == "requested_grant" or name.startswith("budget"):
        return "budget"
    if name.startswith("attachment"):
        return "attachments"
    return "project"


def missing_by_section(problems: list[Problem]) -> dict[str, int]:
    """How many things each section of the form still misses: {section: count}, every section named."""
    counts = dict.fromkeys(SECTIONS, 0)
    for problem in problems:
        counts[section_of_problem(problem)] += 1
    return counts


@dataclass
class LinkedProblem:
    field: str
    message: str
    url: str


def linked_problems(application, problems: list[Problem]) -> list[LinkedProblem]:
    return [LinkedProblem(p.field, str(p.message), problem_link(application, p)) for p in problems]


# ── Budget figures for pages ────────────────────────────────────────────────


@dataclass
class OrganisationBudget:
    participant: Participant
    total: Decimal


@dataclass
class BudgetSummary:
    eligible_costs: Decimal
    requested: Decimal | None
    own_financing: Decimal | None
    max_grant: Decimal
    by_organisation: list[OrganisationBudget] = field(default_factory=list)


def budget_summary(application) -> BudgetSummary:
    lines = _lines_for_rules(application)
    requested = application.requested_grant
    totals = rules.budget_totals(lines, requested or Decimal("0.00"), application.call.max_grant_share)
    return BudgetSummary(
        eligible_costs=totals.eligible_costs,
        requested=requested,
        own_financing=totals.own_financing if requested is not None else None,
        max_grant=totals.max_grant,
        by_organisation=[
            OrganisationBudget(p, totals.by_organisation.get(p.organisation_id, Decimal("0.00")).quantize(rules.CENT)) for p in application.participants.all()
        ],
    )


# ── Use cases ───────────────────────────────────────────────────────────────


def _closed_message(call) -> str:
    return _("The call closed at %(time)s. Applications can no longer be submitted.") % {"time": format_helsinki(call.closes_at)}


def confirm_participation(user, application: Application, organisation, authorised_name: str = "", authorised_title: str = "") -> Participant:
    """A partner confirms that it takes part and accepts its own budget lines as they are now, naming the
    person authorised to commit it."""
    authorised_name, authorised_title = (authorised_name or "").strip(), (authorised_title or "").strip()
    with transaction.atomic():
        locked = _lock(application.pk)
        participant = (
            Participant.objects.select_related("organisation")
            .prefetch_related(Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("category")))
            .filter(application=locked, organisation=organisation)
            .first()
        )
        if participant is None:
            raise Refused(_("This organisation does not take part in the application."))
        decision = permissions.can_confirm_participation(user, locked, participant)
        if not decision:
            raise Refused(decision.reason)
        if not authorised_name:
            raise Refused(_("Enter the person authorised to commit your organisation."), field="authorised_name")
        if not authorised_title:
            raise Refused(_("Enter the title of the person authorised to commit your organisation."), field="authorised_title")
        before = {
            "confirmed_at": participant.confirmed_at.isoformat() if participant.confirmed_at else None,
            "hash": participant.confirmed_budget_hash,
            "authorised": [participant.authorised_name, participant.authorised_title],
        }
        if participant.declined_at:  # confirming after declining takes the decline back
            before["declined_at"] = participant.declined_at.isoformat()
        participant.confirmed_at = clock.now()
        participant.confirmed_by = user
        participant.confirmed_budget_hash = snapshot.partner_budget_hash(participant)
        participant.authorised_name, participant.authorised_title = authorised_name, authorised_title
        participant.declined_at, participant.declined_by, participant.decline_reason = None, None, ""
        participant.save(
            update_fields=[
                "confirmed_at",
                "confirmed_by",
                "confirmed_budget_hash",
                "authorised_name",
                "authorised_title",
                "declined_at",
                "declined_by",
                "decline_reason",
            ]
        )
        audit.record(
            user,
            "application.confirm_participation",
            participant,
            application_id=locked.pk,
            before=before,
            after={
                "organisation": participant.organisation_id,
                "confirmed_at": participant.confirmed_at.isoformat(),
                "hash": participant.confirmed_budget_hash,
                "authorised": [authorised_name, authorised_title],
            },
        )
        participant_pk = participant.pk
        _enqueue_confirmation_email(participant_pk)
    return participant


def decline_participation(user, application: Application, organisation, reason: str) -> Participant:
    """A partner says it does not take part, with a short reason for the lead applicant. Any earlier
    confirmation ends; the lead is told by e-mail and may remove the partner or ask it again."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(application.pk)
        participant = Participant.objects.select_related("organisation").filter(application=locked, organisation=organisation).first()
        if participant is None:
            raise Refused(_("This organisation does not take part in the application."))
        decision = permissions.can_decline_participation(user, locked, participant)
        if not decision:
            raise Refused(decision.reason)
        problems = drafting_rules.check_decline_reason(reason)
        if problems:
            raise Refused(problems[0].message, field="decline_reason", problems=problems)
        before = {"confirmed_at": participant.confirmed_at.isoformat() if participant.confirmed_at else None, "hash": participant.confirmed_budget_hash}
        participant.declined_at = clock.now()
        participant.declined_by = user
        participant.decline_reason = reason
        participant.confirmed_at, participant.confirmed_by, participant.confirmed_budget_hash = None, None, ""
        participant.save(update_fields=["declined_at", "declined_by", "decline_reason", "confirmed_at", "confirmed_by", "confirmed_budget_hash"])
        audit.record(
            user,
            "application.decline_participation",
            participant,
            application_id=locked.pk,
            before=before,
            after={"organisation": participant.organisation_id, "declined_at": participant.declined_at.isoformat(), "reason": reason},
        )
        from .tasks import send_decline_email

        enqueue_with_transaction(send_decline_email, participant.pk)
    return participant


@dataclass
class SubmitResult:
    submission: Submission | None = None
    problems: list[Problem] = field(default_factory=list)
    already_submitted: bool = False
    message: str = ""


def submit_application(user, application_pk: int) -> SubmitResult:
    """Freeze the application as a new numbered version, or say why not.

    The row lock makes a double-clicked submit safe: the second request waits, then finds the
    application submitted and is sent to the existing receipt.
    """
    with transaction.atomic():
        locked = _lock(application_pk)
        decision = permissions.can_submit_application(user, locked)
        if not decision:
            raise Refused(decision.reason)
        if locked.state == State.SUBMITTED:
            latest = locked.submissions.order_by("-number").first()
            return SubmitResult(
                submission=latest,
                already_submitted=True,
                message=_("The application was already submitted at %(time)s.") % {"time": format_helsinki(latest.submitted_at) if latest else ""},
            )
        now = clock.now()
        phase = locked.call.phase(now)
        if phase == "closed":
            raise Refused(_closed_message(locked.call))
        if phase != "open":
            raise Refused(_("The call is not open yet. Applications can be submitted from %(time)s.") % {"time": format_helsinki(locked.call.opens_at)})
        new_state = lifecycle.next_state(locked.state, "submit")

        application = load_for_content(application_pk)
        problems = validate_for_submission(application)
        if problems:
            return SubmitResult(problems=problems)

        before = {"state": locked.state, "version": locked.version}
        submission = store_version(user, locked, application, new_state=new_state, now=now)
        audit.record(
            user,
            "application.submit",
            locked,
            application_id=locked.pk,
            before=before,
            after={"state": locked.state, "version": locked.version, "submission": submission.number, "fingerprint": submission.fingerprint},
        )
    return SubmitResult(submission=submission)


def store_version(user, locked: Application, application: Application, *, new_state: str, now) -> Submission:
    """Freeze the application's content as its next numbered version and move it to `new_state`.

    For the submitting use cases, inside their transaction: `locked` is the row they locked and
    `application` the same application loaded with its content (load_for_content). The receipt e-mail
    goes once the transaction commits."""
    content = snapshot.application_content(application)
    fingerprint = snapshot.fingerprint(content)
    number = (locked.submissions.aggregate(n=Max("number"))["n"] or 0) + 1
    submission = Submission.objects.create(application=locked, number=number, submitted_at=now, submitted_by=user, content=content, fingerprint=fingerprint)
    locked.state = new_state
    locked.submitted_at = now
    locked.version += 1
    locked.updated_at = now
    locked.save(update_fields=["state", "submitted_at", "version", "updated_at"])
    submission_pk = submission.pk
    _enqueue_receipt_email(submission_pk)
    return submission


def withdraw_application(user, application_pk: int) -> Submission:
    """Take a submitted application back to draft while the call is open; the stored version stays."""
    with transaction.atomic():
        locked = _lock(application_pk)
        decision = permissions.can_withdraw_application(user, locked)
        if not decision:
            raise Refused(decision.reason)
        try:
            new_state = lifecycle.next_state(locked.state, "withdraw")
        except lifecycle.TransitionNotAllowed:
            raise Refused(_("Only a submitted application can be withdrawn.")) from None
        now = clock.now()
        latest = locked.submissions.order_by("-number").first()
        if latest is None:  # a submitted application always has a version; refuse rather than guess
            raise Refused(_("Only a submitted application can be withdrawn."))
        latest.withdrawn_at = now
        latest.save(update_fields=["withdrawn_at"])
        before = {"state": locked.state, "version": locked.version, "submitted_at": locked.submitted_at.isoformat() if locked.submitted_at else None}
        locked.state = new_state
        locked.submitted_at = None
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=["state", "submitted_at", "version", "updated_at"])
        audit.record(
            user,
            "application.withdraw",
            locked,
            application_id=locked.pk,
            before=before,
            after={"state": locked.state, "version": locked.version, "withdrawn_submission": latest.number},
        )
    return latest


# ── Presenting stored content (review page, receipt, PDF, e-mail) ───────────


def _org_name(data: dict) -> str:
    if get_language() == "sv" and data.get("name_sv"):
        return data["name_sv"]
    return data.get("name_fi") or data.get("business_id") or data.get("municipality_code") or ""


def _org_key(data: dict) -> str:
    return data.get("municipality_code") or data.get("business_id") or ""


def _parse_instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _money(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def content_view(content: dict, call) -> dict:
    """Canonical content (live or as submitted) shaped for templates, in the reader's language.

    Names of target areas and cost categories come from the call; everything the applicant wrote
    comes from `content` alone, so a PDF of version 1 shows version 1 whatever the draft is now.
    """
    lead = content["lead"]
    partners = content.get("partners", [])
    names = {_org_key(org): _org_name(org) for org in [lead, *partners]}
    categories = {c.code: c.name for c in call.cost_categories.all()}
    areas = {a.number: str(a) for a in call.target_areas.all()}
    budget_rows = []
    by_org: dict[str, Decimal] = {}
    for line in content.get("budget", []):
        amount = Decimal(line["amount"])
        org = line["organisation"]
        budget_rows.append(
            {
                "organisation": names.get(org, org),
                "category": categories.get(line["category"], line["category"]),
                "description": line["description"],
                "amount": amount,
            }
        )
        by_org[org] = by_org.get(org, Decimal("0.00")) + amount
    eligible = sum((row["amount"] for row in budget_rows), Decimal("0.00")).quantize(rules.CENT)
    requested = _money(content.get("requested_grant"))
    return {
        "reference": content["reference"],
        "language": content.get("language", "fi"),
        "project_name": content["project_name"],
        "lead": {"name": _org_name(lead), "code": _org_key(lead)},
        "partners": [
            {"name": _org_name(p), "code": _org_key(p), "confirmed_at": _parse_instant(p.get("confirmed_at")), "authorised": p.get("authorised") or {}}
            for p in partners
        ],
        "target_areas": [areas.get(number, str(number)) for number in content.get("target_areas", [])],
        "sections": [{"name": name, "label": _label(name), "text": content.get(name, "")} for name in TEXT_FIELDS],
        "start_date": _parse_date(content.get("start_date")),
        "end_date": _parse_date(content.get("end_date")),
        "contact": content.get("contact", {}),
        "declaration_not_excluded": content.get("declaration_not_excluded", False),
        "budget_rows": budget_rows,
        "budget_by_organisation": [{"name": names.get(key, key), "total": total.quantize(rules.CENT)} for key, total in by_org.items()],
        "eligible_costs": eligible,
        "requested_grant": requested,
        "own_financing": rules.own_financing(eligible, requested) if requested is not None else None,
        "attachments": content.get("attachments", []),
    }


def receipt_facts(submission: Submission) -> dict:
    """What a receipt states, from the stored version: who applied for what, when, and its fingerprint."""
    content = submission.content
    return {
        "reference": content["reference"],
        "project_name": content["project_name"],
        "lead": _org_name(content["lead"]),
        "partners": [_org_name(p) for p in content.get("partners", [])],
        "costs": sum((Decimal(line["amount"]) for line in content.get("budget", [])), Decimal("0.00")).quantize(rules.CENT),
        "requested_grant": _money(content.get("requested_grant")),
        "number": submission.number,
        "submitted_at": submission.submitted_at,
        "fingerprint": submission.fingerprint,
        "withdrawn_at": submission.withdrawn_at,
    }


# ── E-mail (sent by tasks after the commit; queued with the transaction) ────


def _enqueue_receipt_email(submission_pk: int) -> None:
    from .tasks import send_receipt_email

    enqueue_with_transaction(send_receipt_email, submission_pk)


def _enqueue_confirmation_email(participant_pk: int) -> None:
    from .tasks import send_confirmation_email

    enqueue_with_transaction(send_confirmation_email, participant_pk)
