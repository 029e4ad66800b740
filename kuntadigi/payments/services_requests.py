"""Payment requests, the lead's side: the lead's staff make a request for a period, add its cost lines
(per organisation and cost category, against the accepted budget) and each organisation's ledger
extract, and submit it; the call's preparers are told that it waits.

Use cases (each: permission, validation, change, audit event, in one transaction; the request's row,
or the project's when a request is made, is locked):
    create_request    a new draft request for a period, numbered per project; `is_final=True` makes the
                      final payment request (the financial part of the final report)
    add_line          a cost line added to the draft
    edit_line         a line of the draft changed
    remove_line       a line of the draft removed
    upload_ledger     an organisation's ledger extract (pääkirjaote) attached (type-checked, virus-scanned)
    remove_ledger     an extract removed from the draft
    submit_request    draft → submitted: `claimed` and the flags computed and frozen, the preparers told

A partner's costs can be claimed only once the partner agreement is in force and that partner has
confirmed it (projects.services.agreement_in_force / partner_confirmations).

The final payment request covers the whole eligible-cost period and is made once that period has ended.
It lists every cost of the project, those of earlier requests included (the final accounts the auditor or
finance office confirms): the settlement counts its accepted costs alone (projects/services_settlement.py,
docs/payments.md), so nothing is counted twice and nothing claimed before counts against it. Reading helpers
(`request_for_viewer`, `claim_table`, `estimate_for`, `project_section`) serve the pages.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.applications import drafting, drafting_rules
from kuntadigi.applications.errors import Refused
from kuntadigi.applications.models import BudgetLine, Participant
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import CostCategory
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.projects import rules
from kuntadigi.projects import services as projects
from kuntadigi.projects.lifecycle import PAYABLE_STATES
from kuntadigi.projects.models import FundedProject

from . import lifecycle, rules_requests
from .lifecycle import State
from .models import CostLine, LedgerExtract, Payment, PaymentRequest

DESCRIPTION_MAX = 2000
AMOUNT_MAX = Decimal("999999999.99")


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise Refused(decision.reason)


def _today() -> date:
    return clock.helsinki(clock.now()).date()


def _project(project_pk: int) -> FundedProject:
    project = FundedProject.objects.select_related("application__call", "application__lead").filter(pk=project_pk).first()
    if project is None:
        raise Http404
    return project


def _lock_request(project_pk: int, number: int) -> PaymentRequest:
    """The request's row locked (and its project read with it); 404 when there is no such request."""
    found = (
        PaymentRequest.objects.select_for_update(of=("self",))
        .select_related("project__application__call", "project__application__lead")
        .filter(project_id=project_pk, number=number)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _visible(user, found: PaymentRequest) -> None:
    """Those who may not see the request get 404: its existence is not revealed."""
    if not permissions.can_view_payment_request(user, found):
        raise Http404


# ── Who may claim ───────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Claimant:
    """An organisation whose costs the request may claim, or why not yet."""

    participant: Participant
    may_claim: bool
    reason: str = ""

    @property
    def organisation(self):
        return self.participant.organisation


def claimants(project: FundedProject) -> list[Claimant]:
    """The lead and the partners (the application's confirmed participants), lead first. A partner's costs
    wait for the partner agreement in force and that partner's confirmation of it."""
    agreement = projects.agreement_in_force(project)
    confirmed = {row.participant.organisation_id for row in projects.partner_confirmations(project, agreement) if row.confirmation is not None}
    rows = []
    participants = project.application.participants.select_related("organisation").order_by("role", "id")
    for participant in participants:
        if participant.role == Participant.Role.LEAD:
            rows.append(Claimant(participant, True))
        elif participant.confirmed_at is None:
            continue  # never confirmed its participation: not a partner of the project
        elif agreement is None:
            rows.append(Claimant(participant, False, _("The lead has not uploaded the agreement with the partners yet.")))
        elif participant.organisation_id not in confirmed:
            rows.append(
                Claimant(
                    participant,
                    False,
                    _("%(organisation)s has not confirmed the agreement with the partners yet.") % {"organisation": participant.organisation.name},
                )
            )
        else:
            rows.append(Claimant(participant, True))
    return rows


def _check_claimant(project: FundedProject, organisation_id: int) -> Claimant:
    for row in claimants(project):
        if row.participant.organisation_id == organisation_id:
            if not row.may_claim:
                raise Refused(
                    _("The costs of %(organisation)s cannot be claimed until it has confirmed the agreement with the partners in force.")
                    % {"organisation": row.organisation.name},
                    field="organisation",
                )
            return row
    raise Refused(_("Choose an organisation of the project."), field="organisation")


# ── Reading ─────────────────────────────────────────────────────────────────


def request_for_viewer(user, project_pk: int, number: int) -> PaymentRequest:
    """The request if the user may see it (the project's organisations' staff); otherwise 404."""
    found = (
        PaymentRequest.objects.select_related("project__application__call", "project__application__lead", "created_by", "submitted_by")
        .filter(project_id=project_pk, number=number)
        .first()
    )
    if found is None:
        raise Http404
    _visible(user, found)
    return found


def _earlier(payment_request: PaymentRequest):
    """The project's other requests that are not drafts and came before this one. None for the final
    request: it lists every cost of the project itself."""
    if payment_request.is_final:
        return PaymentRequest.objects.none()
    return PaymentRequest.objects.filter(project_id=payment_request.project_id, number__lt=payment_request.number).exclude(state=State.DRAFT)


def _budget_cents(project: FundedProject) -> dict[tuple[int, int], int]:
    lines = (
        BudgetLine.objects.filter(application_id=project.application_id)
        .order_by()
        .values("participant__organisation_id", "category_id")
        .annotate(total=Sum("amount"))
    )
    return {(row["participant__organisation_id"], row["category_id"]): rules.cents(row["total"]) for row in lines}


def _claimed_cents(lines) -> dict[tuple[int, int], int]:
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for line in lines:
        totals[(line.organisation_id, line.category_id)] += rules.cents(line.amount)
    return dict(totals)


@dataclass(frozen=True)
class TableRow:
    organisation: object
    category: object
    row: rules_requests.ClaimRow
    lines: list

    @property
    def budget(self) -> Decimal:
        return rules.euros(self.row.budget)

    @property
    def claimed_before(self) -> Decimal:
        return rules.euros(self.row.claimed_before)

    @property
    def claimed_now(self) -> Decimal:
        return rules.euros(self.row.claimed_now)


def claim_table(payment_request: PaymentRequest) -> list[TableRow]:
    """The request's lines grouped by organisation and category, against the budget: budget, claimed in
    earlier (non-draft) requests, claimed now. Rows in budget order, then any claimed without a budget."""
    project = payment_request.project
    lines = list(payment_request.lines.select_related("organisation", "category").order_by("id"))
    earlier = CostLine.objects.filter(request__in=_earlier(payment_request))
    budget = _budget_cents(project)
    order = list(
        BudgetLine.objects.filter(application_id=project.application_id)
        .order_by("participant__role", "participant_id", "category__order")
        .values_list("participant__organisation_id", "category_id")
    )
    order = list(dict.fromkeys(order))
    rows = rules_requests.claim_rows(budget, _claimed_cents(earlier), _claimed_cents(lines), order)
    organisations = {p.organisation_id: p.organisation for p in project.application.participants.select_related("organisation")}
    categories = {c.pk: c for c in CostCategory.objects.filter(call_id=project.application.call_id)}
    by_key = defaultdict(list)
    for line in lines:
        by_key[(line.organisation_id, line.category_id)].append(line)
    return [TableRow(organisations.get(row.key[0]), categories.get(row.key[1]), row, by_key.get(row.key, [])) for row in rows]


def _accepted_before_cents(payment_request: PaymentRequest) -> int:
    """Costs of earlier requests: accepted where an official has checked them, claimed where not yet."""
    total = 0
    for amount, accepted in CostLine.objects.filter(request__in=_earlier(payment_request)).values_list("amount", "accepted"):
        total += rules.cents(accepted if accepted is not None else amount)
    return total


def _paid_before_cents(project: FundedProject) -> int:
    total = Payment.objects.filter(project=project, kind=Payment.Kind.INSTALMENT).aggregate(total=Sum("amount"))["total"]
    return rules.cents(total or 0)


def estimate_for(payment_request: PaymentRequest) -> rules.Payable:
    """What the request pays at most if every line of it is accepted (and the earlier requests' costs as
    checked, or as claimed where not yet checked)."""
    project = payment_request.project
    claimed_now = sum(rules.cents(line.amount) for line in payment_request.lines.all())
    return rules_requests.estimate(
        share=project.share,
        accepted_before=_accepted_before_cents(payment_request),
        claimed_now=claimed_now,
        maximum_grant=rules.cents(project.maximum_grant),
        held_back=project.application.call.held_back_share,
        paid_before=_paid_before_cents(project),
        is_final=payment_request.is_final,
    )


def flag_messages(payment_request: PaymentRequest) -> list[str]:
    """The stored flags in the reader's language, phrased as what an official will check."""
    lines = list(payment_request.lines.order_by("id").select_related("organisation"))
    categories = {str(c.pk): c.name for c in CostCategory.objects.filter(call_id=payment_request.project.application.call_id)}
    messages = []
    for flag in payment_request.flags:
        code, line = flag.get("code", ""), flag.get("line")
        subject = ""
        if line is not None and 0 <= line < len(lines):
            subject = _("Line “%(description)s” of %(organisation)s") % {
                "description": lines[line].description[:80],
                "organisation": lines[line].organisation.name,
            }
        if code == "outside_period":
            text = _("whether the cost falls within the eligible-cost period.")
        elif code == "vat":
            text = _("that the cost does not include value added tax (VAT is not an eligible cost).")
        elif code.startswith("over_budget:"):
            text = _("the costs of %(category)s, which exceed the budget by more than the call allows.") % {
                "category": categories.get(code.split(":", 1)[1], "")
            }
        elif code == "overlap":
            text = _("the period, which overlaps that of an earlier payment request.")
        else:
            continue
        messages.append(f"{subject}: {text}" if subject else text[:1].upper() + text[1:])
    return messages


# ── Creation ────────────────────────────────────────────────────────────────


def _cost_period_ended(project: FundedProject) -> bool:
    return _today() > project.costs_until


def create_request(user, project_pk: int, *, is_final: bool = False, period_start: date | None = None, period_end: date | None = None) -> PaymentRequest:
    """A new draft payment request of the project, numbered next, for the lead's staff.

    An interim request (`is_final=False`) needs `period_start` and `period_end`: within the eligible-cost
    period, the end not in the future. The final payment request (`is_final=True`) covers the whole
    eligible-cost period (the dates given are ignored) and can be made once that period has ended; a
    project has one. Only one draft at a time: finish or submit it first. Raises Refused (with `field`
    for a date) and Http404 for a project the user may not see."""
    with transaction.atomic():
        project = projects._lock(project_pk)
        if not permissions.can_view_project(user, project):
            raise Http404
        _require(permissions.can_make_payment_request(user, project))
        existing = PaymentRequest.objects.filter(project=project)
        draft = existing.filter(state=State.DRAFT).first()
        if draft is not None:
            raise Refused(_("Payment request %(number)d is still a draft: submit it before starting another.") % {"number": draft.number})
        if existing.filter(is_final=True).exists():
            raise Refused(_("The final payment request has been made: no further payment request can be made."))
        if is_final:
            if not _cost_period_ended(project):
                raise Refused(
                    _("The final payment request can be made once the eligible-cost period has ended on %(day)s.")
                    % {"day": permissions._day(project.costs_until)}
                )
            period_start, period_end = project.costs_from, project.costs_until
        else:
            _check_period(project, period_start, period_end)
        number = (existing.aggregate(last=Max("number"))["last"] or 0) + 1
        made = PaymentRequest.objects.create(
            project=project, number=number, is_final=is_final, period_start=period_start, period_end=period_end, created_by=user, created_at=clock.now()
        )
        audit.record(
            user,
            "payment_request.created",
            made,
            application_id=project.application_id,
            after={"number": number, "is_final": is_final, "period_start": period_start.isoformat(), "period_end": period_end.isoformat()},
        )
    return made


def _check_period(project: FundedProject, start: date | None, end: date | None) -> None:
    if start is None:
        raise Refused(_("Enter the first day of the period."), field="period_start")
    if end is None:
        raise Refused(_("Enter the last day of the period."), field="period_end")
    if end < start:
        raise Refused(_("The period cannot end before it begins."), field="period_end")
    if start < project.costs_from:
        raise Refused(
            _("The period begins before the eligible-cost period (from %(day)s).") % {"day": permissions._day(project.costs_from)}, field="period_start"
        )
    if end > project.costs_until:
        raise Refused(_("The period ends after the eligible-cost period (until %(day)s).") % {"day": permissions._day(project.costs_until)}, field="period_end")
    if end > _today():
        raise Refused(_("The period cannot end in the future: claim costs that have been incurred."), field="period_end")


# ── Lines ───────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class LineInput:
    """What the lead typed for a cost line (the form has checked the format)."""

    organisation_id: int
    category_id: int
    description: str
    amount: Decimal
    incurred_from: date | None = None
    incurred_to: date | None = None


def _editable(user, project_pk: int, number: int) -> PaymentRequest:
    found = _lock_request(project_pk, number)
    _visible(user, found)
    _require(permissions.can_edit_payment_request(user, found))
    return found


def _clean_line(payment_request: PaymentRequest, data: LineInput) -> LineInput:
    project = payment_request.project
    _check_claimant(project, data.organisation_id)
    if not CostCategory.objects.filter(pk=data.category_id, call_id=project.application.call_id).exists():
        raise Refused(_("Choose a cost category of the call."), field="category")
    description = (data.description or "").strip()
    if not description:
        raise Refused(_("Describe the cost."), field="description")
    if len(description) > DESCRIPTION_MAX:
        raise Refused(_("The description may be at most %(max)d characters long.") % {"max": DESCRIPTION_MAX}, field="description")
    amount = data.amount
    if amount is None or amount <= 0:
        raise Refused(_("Enter an amount greater than zero."), field="amount")
    if amount > AMOUNT_MAX or amount != amount.quantize(Decimal("0.01")):
        raise Refused(_("Enter the amount in euros and cents, e.g. 1250.50."), field="amount")
    if data.incurred_from and data.incurred_to and data.incurred_to < data.incurred_from:
        raise Refused(_("The cost cannot end before it begins."), field="incurred_to")
    return LineInput(data.organisation_id, data.category_id, description, amount, data.incurred_from, data.incurred_to)


def _line_after(line: CostLine) -> dict:
    return {
        "line": line.pk,
        "organisation": line.organisation_id,
        "category": line.category_id,
        "description": line.description,
        "amount": str(line.amount),
        "incurred_from": line.incurred_from.isoformat() if line.incurred_from else None,
        "incurred_to": line.incurred_to.isoformat() if line.incurred_to else None,
    }


def add_line(user, project_pk: int, number: int, data: LineInput) -> CostLine:
    """A cost line added to the draft. Nothing is saved when the input breaks a rule (Refused with `field`)."""
    with transaction.atomic():
        found = _editable(user, project_pk, number)
        clean = _clean_line(found, data)
        line = CostLine.objects.create(
            request=found,
            organisation_id=clean.organisation_id,
            category_id=clean.category_id,
            description=clean.description,
            amount=clean.amount,
            incurred_from=clean.incurred_from,
            incurred_to=clean.incurred_to,
        )
        audit.record(
            user, "payment_request.line_added", found, application_id=found.project.application_id, after={"number": found.number, **_line_after(line)}
        )
    return line


def _line_of(found: PaymentRequest, line_pk: int) -> CostLine:
    line = CostLine.objects.filter(request=found, pk=line_pk).first()
    if line is None:
        raise Http404
    return line


def line_for_viewer(user, project_pk: int, number: int, line_pk: int) -> tuple[PaymentRequest, CostLine]:
    found = request_for_viewer(user, project_pk, number)
    return found, _line_of(found, line_pk)


def edit_line(user, project_pk: int, number: int, line_pk: int, data: LineInput) -> CostLine:
    """A line of the draft changed; the audit event keeps it as it was and as it is."""
    with transaction.atomic():
        found = _editable(user, project_pk, number)
        line = _line_of(found, line_pk)
        clean = _clean_line(found, data)
        before = _line_after(line)
        line.organisation_id, line.category_id = clean.organisation_id, clean.category_id
        line.description, line.amount = clean.description, clean.amount
        line.incurred_from, line.incurred_to = clean.incurred_from, clean.incurred_to
        line.save()
        after = _line_after(line)
        if after != before:
            audit.record(
                user, "payment_request.line_edited", found, application_id=found.project.application_id, before=before, after={"number": found.number, **after}
            )
    return line


def remove_line(user, project_pk: int, number: int, line_pk: int) -> None:
    with transaction.atomic():
        found = _editable(user, project_pk, number)
        line = _line_of(found, line_pk)
        before = _line_after(line)
        line.delete()
        audit.record(user, "payment_request.line_removed", found, application_id=found.project.application_id, before=before, after={"number": found.number})


# ── Ledger extracts ─────────────────────────────────────────────────────────


def upload_ledger(user, project_pk: int, number: int, organisation_id: int, uploaded) -> LedgerExtract:
    """An organisation's ledger extract for the request: the checks of an application's attachments (size,
    type from the content, virus scan), made before the row is locked; an outsider's file is not read."""
    size = uploaded.size or 0
    detected = drafting.detect_type(uploaded) if 0 < size <= settings.ATTACHMENT_MAX_BYTES else None
    problems = drafting_rules.check_attachment(size, detected, settings.ATTACHMENT_MAX_BYTES)
    if problems:
        raise Refused(problems[0].message, field="file", problems=problems)
    found = request_for_viewer(user, project_pk, number)
    _require(permissions.can_edit_payment_request(user, found))
    drafting.scan_for_viruses(uploaded, found.project.application_id)
    with transaction.atomic():
        found = _editable(user, project_pk, number)
        if organisation_id not in {row.participant.organisation_id for row in claimants(found.project)}:
            raise Refused(_("Choose an organisation of the project."), field="organisation")
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        sha256 = digest.hexdigest()
        uploaded.seek(0)
        if found.ledger_extracts.filter(organisation_id=organisation_id, sha256=sha256).exists():
            raise Refused(_("This ledger extract has already been uploaded."), field="file")
        name = (uploaded.name or "ledger").replace("/", "_").replace("\\", "_")[-255:]
        extract = LedgerExtract(
            request=found,
            organisation_id=organisation_id,
            original_name=name,
            content_type=detected,
            size=size,
            sha256=sha256,
            uploaded_by=user,
            uploaded_at=clock.now(),
        )
        extract.file.save(sha256, uploaded, save=False)
        stored_name = extract.file.name
        try:  # the stored file goes if the rows cannot be written
            extract.save()
            audit.record(
                user,
                "payment_request.ledger_uploaded",
                found,
                application_id=found.project.application_id,
                after={
                    "number": found.number,
                    "extract": extract.pk,
                    "organisation": organisation_id,
                    "name": name,
                    "content_type": detected,
                    "size": size,
                    "sha256": sha256,
                },
            )
        except Exception:
            extract.file.storage.delete(stored_name)
            raise
    return extract


def extract_for_viewer(user, project_pk: int, number: int, extract_pk: int) -> LedgerExtract:
    found = request_for_viewer(user, project_pk, number)
    extract = LedgerExtract.objects.filter(request=found, pk=extract_pk).select_related("request__project__application").first()
    if extract is None:
        raise Http404
    return extract


def remove_ledger(user, project_pk: int, number: int, extract_pk: int) -> None:
    with transaction.atomic():
        found = _editable(user, project_pk, number)
        extract = LedgerExtract.objects.filter(request=found, pk=extract_pk).first()
        if extract is None:
            raise Http404
        before = {"extract": extract.pk, "organisation": extract.organisation_id, "name": extract.original_name, "sha256": extract.sha256}
        stored_name = extract.file.name
        extract.delete()
        audit.record(user, "payment_request.ledger_removed", found, application_id=found.project.application_id, before=before, after={"number": found.number})
        storage = extract.file.storage
        transaction.on_commit(lambda: storage.delete(stored_name))


# ── Submitting ──────────────────────────────────────────────────────────────


def problems_before_submit(payment_request: PaymentRequest) -> list[str]:
    """What stops the draft from being submitted, in the reader's language (empty: it can be submitted)."""
    problems = []
    lines = list(payment_request.lines.select_related("organisation"))
    if not lines:
        problems.append(_("Add at least one cost line."))
    with_extract = set(payment_request.ledger_extracts.values_list("organisation_id", flat=True))
    named = {}
    for line in lines:
        named.setdefault(line.organisation_id, line.organisation.name)
    for organisation_id, name in named.items():
        if organisation_id not in with_extract:
            problems.append(_("Attach the ledger extract of %(organisation)s.") % {"organisation": name})
    may_claim = {row.participant.organisation_id for row in claimants(payment_request.project) if row.may_claim}
    for organisation_id, name in named.items():
        if organisation_id not in may_claim:
            problems.append(
                _(
                    "The costs of %(organisation)s cannot be claimed until it has confirmed the agreement with the partners in force: "
                    "remove them or wait for the confirmation."
                )
                % {"organisation": name}
            )
    if payment_request.is_final and not _cost_period_ended(payment_request.project):
        problems.append(_("The final payment request can be submitted once the eligible-cost period has ended."))
    return problems


def _flags(payment_request: PaymentRequest, lines: list[CostLine]) -> list[dict]:
    project = payment_request.project
    earlier = _earlier(payment_request)
    by_category: dict[str, int] = defaultdict(int)
    for (_organisation, category), amount in _budget_cents(project).items():
        by_category[str(category)] += amount
    before: dict[str, int] = defaultdict(int)
    for category, amount in CostLine.objects.filter(request__in=earlier).values_list("category_id", "amount"):
        before[str(category)] += rules.cents(amount)
    found = rules.flags(
        [
            rules.CostLine(str(line.organisation_id), str(line.category_id), rules.cents(line.amount), line.description, line.incurred_from, line.incurred_to)
            for line in lines
        ],
        eligible=rules.Period(project.costs_from, project.costs_until),
        request_period=rules.Period(payment_request.period_start, payment_request.period_end),
        # The final request covers the whole cost period by definition: its overlap with earlier ones is no news.
        earlier_periods=[] if payment_request.is_final else [rules.Period(start, end) for start, end in earlier.values_list("period_start", "period_end")],
        budget_by_category=dict(by_category),
        accepted_before_by_category=dict(before),
        tolerance=project.application.call.cost_tolerance,
    )
    return [{"code": flag.code, "line": flag.line} for flag in found]


def submit_request(user, project_pk: int, number: int) -> PaymentRequest:
    """draft → submitted: every line's organisation may claim and has its ledger extract; the claimed total
    and the flags for an official are frozen; the call's preparers are told by e-mail after the commit."""
    with transaction.atomic():
        found = _editable(user, project_pk, number)
        if found.project.state not in PAYABLE_STATES:
            raise Refused(_("No payment request can be made while the project is in this state."))
        problems = problems_before_submit(found)
        if problems:
            raise Refused(problems[0], problems=[])
        try:
            new_state = lifecycle.next_state(found.state, "submit")
        except lifecycle.TransitionNotAllowed:
            raise Refused(_("The payment request has been submitted: it no longer changes.")) from None
        lines = list(found.lines.order_by("id"))
        found.flags = _flags(found, lines)
        found.claimed = rules.euros(sum(rules.cents(line.amount) for line in lines))
        found.state = new_state
        found.submitted_by = user
        found.submitted_at = clock.now()
        found.save(update_fields=["flags", "claimed", "state", "submitted_by", "submitted_at"])
        audit.record(
            user,
            "payment_request.submitted",
            found,
            application_id=found.project.application_id,
            before={"state": State.DRAFT},
            after={
                "state": found.state,
                "number": found.number,
                "is_final": found.is_final,
                "claimed": str(found.claimed),
                "flags": [f["code"] for f in found.flags],
            },
        )
        from . import tasks_requests

        enqueue_with_transaction(tasks_requests.send_request_submitted, found.pk)
    return found


# ── The project page ────────────────────────────────────────────────────────


def _next_due(project: FundedProject, made: list[PaymentRequest]) -> str:
    """What is due next about payment requests, in the reader's language."""
    draft = next((r for r in made if r.state == State.DRAFT), None)
    if draft is not None:
        return _("Payment request %(number)d is a draft: add its costs and ledger extracts, then submit it.") % {"number": draft.number}
    if any(r.is_final for r in made):
        return _("The final payment request has been submitted. An official checks it with the final report.")
    if project.state not in PAYABLE_STATES:
        return ""
    due = rules_requests.final_request_due(project.costs_until, project.application.call.final_report_months)
    if _cost_period_ended(project):
        return _("The eligible-cost period has ended: make the final payment request, with the final report, by %(day)s.") % {"day": permissions._day(due)}
    return _("Ask for payment of the costs incurred so far whenever you wish. The final payment request is due with the final report by %(day)s.") % {
        "day": permissions._day(due)
    }


def project_section(user, project: FundedProject) -> dict:
    """The context of templates/projects/_requests.html on the project page (one query for the list)."""
    member = permissions.is_project_member(user, project)
    made = list(PaymentRequest.objects.filter(project=project).select_related("payment__batch").order_by("number"))
    rows = []
    for item in made:
        payment = getattr(item, "payment", None)
        rows.append({"request": item, "paid": payment.amount if payment is not None and payment.is_paid else None})
    may_make = permissions.can_make_payment_request(user, project)
    return {
        "payment_requests": rows,
        "payment_requests_linked": member,
        "may_make_payment_request": bool(may_make),
        "payment_request_refusal": "" if may_make or project.application.lead_id not in permissions.organisation_ids(user) else may_make.reason,
        "payment_request_due": _next_due(project, made) if member else "",
    }
