"""Preparing a joint application: one service function per use case.

Each function checks permissions (permissions.py), validates, changes the data and records an audit
event, all inside one transaction. Changes to a draft use optimistic locking: the caller names the
version its page showed, the row is locked and compared, and a save from a stale page is refused
without overwriting anything. Every successful change bumps `version` and `updated_at`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kuntadigi import clock, permissions
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import Call, CostCategory
from kuntadigi.core import virus_scan
from kuntadigi.registry import rules as registry_rules
from kuntadigi.registry.models import Organisation
from kuntadigi.screening.rules import PROJECT_PAGE_PARTS, part_of_field

from . import drafting_rules, rules
from .errors import Refused, StaleVersion
from .lifecycle import State
from .models import Application, Attachment, BudgetLine, Participant
from .snapshot import confirmation_is_current

logger = logging.getLogger(__name__)

# The scalar fields of the project page, in page order.
DRAFT_FIELDS = (
    "project_name",
    "language",
    "summary",
    "current_state",
    "objectives",
    "change_in_ways_of_working",
    "rollout_and_spread",
    "prior_work",
    "start_date",
    "end_date",
    "contact_name",
    "contact_email",
    "contact_phone",
    "signatory_name",
    "signatory_title",
    "declaration_not_excluded",
)


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise Refused(decision.reason)


def _lock(application: Application) -> Application:
    """The application row, locked until the transaction ends, as it is now in the database.

    Only the application's own row is locked (`of=("self",)`): a plain FOR UPDATE over the join would
    also lock the call's row and the lead's, so that every save in the call waited for every other."""
    return Application.objects.select_for_update(of=("self",)).select_related("call", "lead").get(pk=application.pk)


# What saving the project page reads of the call: its phase (opening and closing time) and the limits
# the form checks. The rest of the call's row (names, texts and settings in three languages) is left
# out of the autosave's locking read: building and reading those columns was a fifth of its time.
_CALL_FIELDS_SAVED = {"id", "opens_at", "closes_at", "summary_max_chars", "project_end_latest"}
_CALL_FIELDS_NOT_SAVED = tuple(f"call__{field.name}" for field in Call._meta.concrete_fields if field.name not in _CALL_FIELDS_SAVED)


def lock_lead_draft(user, pk: int) -> Application | None:
    """The application `pk` read and locked as `_lock` does, in one query, when one of the user's
    organisations leads it; otherwise None, and nothing is locked. Call inside a transaction and pass
    the result to save_draft(locked=True). For the autosave, the most frequent request at a deadline."""
    rows = Application.objects.select_for_update(of=("self",)).select_related("call").defer(*_CALL_FIELDS_NOT_SAVED)
    return next(iter(rows.filter(pk=pk, lead_id__in=permissions.organisation_ids(user))), None)


def _require_project_page(user, current: Application) -> None:
    """The project page may be saved when any of its parts is open (every part of an editable draft)."""
    decisions = [permissions.can_edit_application(user, current, part=part) for part in PROJECT_PAGE_PARTS]
    if not any(decisions):
        raise Refused(decisions[0].reason)


def _require_may_take_part(call: Call, organisation: Organisation) -> None:
    """The call's rule on Åland's municipalities, when a lead or a partner is chosen."""
    region_code = organisation.region.code if organisation.region_id else None
    if not rules.may_take_part(organisation.kind, region_code, call.aland_may_apply):
        raise Refused(rules.aland_refusal(organisation.name), field="organisation")


def _check_version(current: Application, expected_version) -> None:
    if expected_version is None or int(expected_version) != current.version:
        raise StaleVersion(current.updated_at)


def _bump(current: Application, fields: Sequence[str] = ()) -> None:
    current.version += 1
    current.updated_at = clock.now()
    current.save(update_fields=[*fields, "version", "updated_at"])


def saved_at(application: Application) -> str:
    """'12.05': the Helsinki wall time of the last change."""
    local = clock.helsinki(application.updated_at)
    return f"{local.hour:02d}.{local.minute:02d}"


def opening_day(call: Call):
    """The call's opening day in Helsinki: the municipal map of that day says who may take part."""
    return registry_rules.helsinki_day(call.opens_at)


def _require_valid_for_call(call: Call, organisation: Organisation, field: str) -> None:
    """Refuse an organisation that does not exist on the call's opening day, naming the merger."""
    reason = organisation.not_valid_reason(opening_day(call))
    if reason:
        raise Refused(reason, field=field)


# ── Starting an application ──────────────────────────────────────────────────


def start_application(user, call: Call, lead: Organisation, language: str) -> Application:
    """A new draft for `lead` in `call`, with the next reference of the call, the lead as participant
    and the contact prefilled from the user."""
    if language not in {"fi", "sv"}:
        raise Refused(_("Choose Finnish or Swedish as the language of the application."), field="language")
    with transaction.atomic():
        # Locking the call serialises reference numbering within the call.
        call = Call.objects.select_for_update().get(pk=call.pk)
        _require(permissions.can_start_application(user, call, lead))
        _require_valid_for_call(call, Organisation.objects.select_related("successor").get(pk=lead.pk), "lead")
        _require_may_take_part(call, lead)
        prefix = drafting_rules.reference_prefix(call.slug)
        existing = Application.objects.filter(reference__startswith=f"{prefix}-").values_list("reference", flat=True)
        reference = drafting_rules.next_reference(prefix, existing)
        now = clock.now()
        application = Application.objects.create(
            call=call,
            reference=reference,
            lead=lead,
            language=language,
            contact_name=user.full_name,
            contact_email=user.email,
            contact_phone=user.phone,
            created_by=user,
            created_at=now,
            updated_at=now,
        )
        Participant.objects.create(application=application, organisation=lead, role=Participant.Role.LEAD)
        audit.record(
            user,
            "application.started",
            application,
            application_id=application.pk,
            after={"reference": reference, "call": call.slug, "lead": lead.pk, "language": language},
        )
    logger.info("application %s started", application.pk)
    return application


# ── The project page ─────────────────────────────────────────────────────────


def save_draft(user, application: Application, data: dict, expected_version, *, locked: bool = False) -> tuple[Application, list[str]]:
    """Save the fields of the project page present in `data` (a draft may be incomplete).

    Returns the application as saved and the names of the fields that changed. Raises StaleVersion
    when `expected_version` is not the current version (nothing is written) and Refused when the user
    may not edit or a value breaks a format rule.

    `locked`: the caller read `application` with its row locked (select_for_update, as `_lock` does) in
    the transaction it is still in, so the row is not read again; the save then belongs to the caller's
    transaction, which an exception from here rolls back whole."""
    if locked and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("save_draft(locked=True) needs the caller's transaction that holds the row lock.")
    with transaction.atomic(savepoint=not locked):
        current = application if locked else _lock(application)
        _require_project_page(user, current)
        _check_version(current, expected_version)
        summary = data.get("summary")
        if summary:
            problems = rules.check_text_length("summary", summary, current.call.summary_max_chars)
            if problems:
                raise Refused(problems[0].message, field="summary", problems=problems)
        if "language" in data and data["language"] not in {"fi", "sv"}:
            raise Refused(_("Choose Finnish or Swedish as the language of the application."), field="language")

        changed = [name for name in DRAFT_FIELDS if name in data and getattr(current, name) != data[name]]
        for name in changed:  # after a request for supplement, only the fields of the parts it opens
            _require(permissions.can_edit_application(user, current, part=part_of_field(name)))
        for name in changed:
            setattr(current, name, data[name])

        new_area_ids = None
        if "target_areas" in data:
            areas = data["target_areas"] or []
            wanted = {getattr(area, "pk", area) for area in areas}
            # Target areas the form loaded from this call's own (a ModelMultipleChoiceField over
            # call.target_areas) are known to be the call's; bare ids are looked up.
            if not all(getattr(area, "call_id", None) == current.call_id for area in areas):
                allowed = set(current.call.target_areas.values_list("pk", flat=True))
                if not wanted <= allowed:
                    raise Refused(_("Choose target areas of this call."), field="target_areas")
            if wanted != set(current.target_areas.values_list("pk", flat=True)):
                _require(permissions.can_edit_application(user, current, part=part_of_field("target_areas")))
                new_area_ids = wanted
                changed.append("target_areas")

        if changed:
            _bump(current, [name for name in changed if name != "target_areas"])
            if new_area_ids is not None:
                current.target_areas.set(new_area_ids)
            audit.record(user, "application.saved", current, application_id=current.pk, after={"fields": changed, "version": current.version})
    return current, changed


def draft_warnings(application: Application) -> list[rules.Problem]:
    """Things a saved draft may contain but a submission may not, shown early (not blocking a save)."""
    problems = [
        problem
        for problem in rules.check_schedule(application.start_date, application.end_date, application.call.project_end_latest)
        if problem.code in {"end_before_start", "end_too_late"}
    ]
    return problems


# ── Partners ─────────────────────────────────────────────────────────────────


def participants_with_budget(application: Application) -> list[Participant]:
    """The participants (lead first) with their organisations and budget lines, for confirmation states."""
    return list(
        application.participants.select_related("organisation", "organisation__region", "confirmed_by").prefetch_related(
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("category"))
        )
    )


@dataclass(frozen=True)
class PartnerRow:
    participant: Participant
    state: str  # drafting_rules.CONFIRMED / WAITING / ASKED_AGAIN
    line_count: int
    total: Decimal


def partner_rows(participants: list[Participant]) -> list[PartnerRow]:
    rows = []
    for participant in participants:
        lines = list(participant.budget_lines.all())
        current = confirmation_is_current(participant) if participant.role == Participant.Role.PARTNER else True
        rows.append(
            PartnerRow(
                participant=participant,
                state=drafting_rules.confirmation_state(bool(participant.confirmed_at), current, bool(participant.declined_at)),
                line_count=len(lines),
                total=sum((line.amount for line in lines), Decimal("0.00")),
            )
        )
    return rows


def _eligible_organisations():
    return Organisation.objects.filter(is_active=True, kind__in=[Organisation.Kind.MUNICIPALITY, Organisation.Kind.JOINT_AUTHORITY])


def partner_candidates(application: Application) -> list[Organisation]:
    """Active municipalities and joint authorities that exist on the call's opening day and do not yet take part."""
    taken = set(application.participants.values_list("organisation_id", flat=True))
    return [org for org in _eligible_organisations().valid_on(opening_day(application.call)).order_by("name_fi") if org.pk not in taken]


def _fold(text: str) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass(frozen=True)
class PartnerSearch:
    exact: Organisation | None
    matches: list[Organisation]
    already_in: Organisation | None = None
    refused: str = ""  # why the organisation typed cannot take part in this call (it had merged)


def find_partner(application: Application, query: str) -> PartnerSearch:
    """Resolve what was typed in the picker: an exact Finnish or Swedish name, both names as the
    suggestions show them, a municipality code or a business ID. Otherwise the organisations whose
    names contain the text. Matching is done in Python so that ä, ö and å fold the same everywhere.
    Only organisations that exist on the call's opening day are offered; naming one that does not
    gives the reason (`refused`: "Honkajoki merged into Kankaanpää on 1.1.2021 ...")."""
    wanted = _fold(query)
    if not wanted:
        return PartnerSearch(None, [])
    taken = set(application.participants.values_list("organisation_id", flat=True))
    day = opening_day(application.call)
    everyone = list(_eligible_organisations().select_related("successor").order_by("name_fi"))
    organisations = [org for org in everyone if org.is_valid_on(day)]
    code = wanted.zfill(3) if wanted.isdigit() and len(wanted) <= 3 else None

    def is_exact(org: Organisation) -> bool:
        names = {_fold(org.name_fi), _fold(org.name_sv), _fold(org.both_names), _fold(option_label(org))}
        return wanted in names or (code is not None and org.municipality_code == code) or (org.business_id or "").casefold() == wanted

    exact = [org for org in organisations if is_exact(org)]
    free = [org for org in exact if org.pk not in taken]
    if len(free) == 1:
        return PartnerSearch(free[0], [])
    if exact and not free:
        return PartnerSearch(None, [], already_in=exact[0])
    if len(free) > 1:
        return PartnerSearch(None, free)
    gone = [org for org in everyone if not org.is_valid_on(day) and is_exact(org)]
    if gone:
        return PartnerSearch(None, [], refused=gone[0].not_valid_reason(day) or "")
    matches = [
        org
        for org in organisations
        if org.pk not in taken
        and (wanted in _fold(org.name_fi) or wanted in _fold(org.name_sv) or (wanted.isdigit() and (org.municipality_code or "").startswith(wanted)))
    ]
    return PartnerSearch(None, matches[:25])


def option_label(org: Organisation) -> str:
    """How an organisation is offered in the picker: '091 Helsinki – Helsingfors'."""
    return f"{org.municipality_code} {org.both_names}" if org.municipality_code else org.both_names


def approved_member_count(organisation: Organisation | int) -> int:
    """How many people act for the organisation in kuntadigi (approved memberships of active users)."""
    from kuntadigi.accounts.models import Membership

    organisation_id = getattr(organisation, "pk", organisation)
    return Membership.objects.filter(organisation_id=organisation_id, status=Membership.Status.APPROVED, user__is_active=True).count()


def _clean_notify_email(address: str) -> str:
    address = (address or "").strip()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise Refused(_("Enter the e-mail address in the form name@example.fi."), field="notify_email") from None
    return address


def add_partner(user, application: Application, organisation: Organisation, notify_email: str | None = None) -> Participant:
    """Add a partner and, after the commit, tell it by e-mail: its members, and the address the lead
    typed. The page always gives `notify_email` (what was typed, maybe ""): then an address is required
    when nobody acts for the organisation in kuntadigi yet. None (scripts such as the data generator)
    asks for no address."""
    address_asked = notify_email is not None
    notify_email = _clean_notify_email(notify_email or "")
    with transaction.atomic():
        current = _lock(application)
        _require(permissions.can_edit_application(user, current, part="partners"))
        organisation = Organisation.objects.select_related("successor", "region").get(pk=organisation.pk)
        if not organisation.is_active:
            raise Refused(_("%(name)s is not active in the register and cannot take part.") % {"name": organisation.name}, field="organisation")
        if organisation.kind not in {Organisation.Kind.MUNICIPALITY, Organisation.Kind.JOINT_AUTHORITY}:
            raise Refused(_("Only municipalities and joint municipal authorities can take part."), field="organisation")
        _require_valid_for_call(current.call, organisation, "organisation")
        if current.participants.filter(organisation=organisation).exists():
            raise Refused(_("%(name)s already takes part in the application.") % {"name": organisation.name}, field="organisation")
        _require_may_take_part(current.call, organisation)
        members = approved_member_count(organisation)
        if address_asked and not members and not notify_email:
            raise Refused(
                _("Nobody from %(name)s uses kuntadigi yet. Enter the e-mail address of a person there to whom the request to confirm is sent.")
                % {"name": organisation.name},
                field="notify_email",
            )
        participant = Participant.objects.create(application=current, organisation=organisation, role=Participant.Role.PARTNER)
        _bump(current)
        # Who was told, without the addresses (personal data): the number of members, and whether an address was typed.
        audit.record(
            user,
            "application.partner_added",
            current,
            application_id=current.pk,
            after={"organisation": organisation.pk, "version": current.version, "notified_members": members, "typed_address": bool(notify_email)},
        )
        _enqueue_partner_notice(participant.pk, user.pk, notify_email, again=False)
    return participant


def _enqueue_partner_notice(participant_pk: int, sender_pk: int, typed_address: str, *, again: bool) -> None:
    from kuntadigi.core.tasks import enqueue_with_transaction

    from .tasks import send_partner_added_email

    enqueue_with_transaction(send_partner_added_email, participant_pk, sender_pk, typed_address, again)


def ask_partner_again(user, application: Application, participant_pk: int) -> Participant:
    """The lead asks a partner that declined to reconsider: the decline is cleared (kept in the audit
    trail) and the partner's members are e-mailed again."""
    with transaction.atomic():
        current = _lock(application)
        participant = current.participants.select_related("organisation").filter(pk=participant_pk).first()
        if participant is None:
            raise Refused(_("This organisation does not take part in the application."))
        _require(permissions.can_ask_partner_again(user, current, participant))
        before = {"declined_at": participant.declined_at.isoformat(), "declined_by": participant.declined_by_id, "reason": participant.decline_reason}
        participant.declined_at, participant.declined_by, participant.decline_reason = None, None, ""
        participant.save(update_fields=["declined_at", "declined_by", "decline_reason"])
        _bump(current)
        members = approved_member_count(participant.organisation_id)
        audit.record(
            user,
            "application.partner_asked_again",
            participant,
            application_id=current.pk,
            before=before,
            after={"organisation": participant.organisation_id, "version": current.version, "notified_members": members},
        )
        _enqueue_partner_notice(participant.pk, user.pk, "", again=True)
    return participant


def remove_partner(user, application: Application, participant_pk: int) -> Organisation:
    """Remove a partner and its budget lines. The lead cannot be removed."""
    with transaction.atomic():
        current = _lock(application)
        _require(permissions.can_edit_application(user, current, part="partners"))
        participant = current.participants.select_related("organisation").filter(pk=participant_pk).first()
        if participant is None:
            raise Refused(_("This organisation does not take part in the application."))
        if participant.role != Participant.Role.PARTNER:
            raise Refused(_("The lead applicant cannot be removed."))
        lines = list(participant.budget_lines.values("category__code", "amount"))
        organisation = participant.organisation
        participant.delete()  # its budget lines go with it
        _bump(current)
        audit.record(
            user,
            "application.partner_removed",
            current,
            application_id=current.pk,
            before={
                "organisation": organisation.pk,
                "budget_lines": [{"category": line["category__code"], "amount": f"{line['amount']:.2f}"} for line in lines],
            },
            after={"version": current.version},
        )
    return organisation


# ── Deleting a draft ─────────────────────────────────────────────────────────


def delete_draft(user, application: Application) -> str:
    """Delete a draft that was never submitted, with its partners, budget and attachments. The
    partners' staff are told by e-mail; the audit trail keeps the event. Returns the reference."""
    from kuntadigi.accounts.models import Membership

    with transaction.atomic():
        current = _lock(application)
        _require(permissions.can_delete_draft(user, current))
        partners = list(current.participants.filter(role=Participant.Role.PARTNER).select_related("organisation"))
        recipients = sorted(
            {
                (m.user.email, m.user.language or current.language)
                for m in Membership.objects.filter(organisation__in=[p.organisation_id for p in partners], status=Membership.Status.APPROVED).select_related(
                    "user"
                )
                if m.user.email and m.user_id != user.pk
            }
        )
        files = [attachment.file.name for attachment in current.attachments.all()]
        storage = Attachment._meta.get_field("file").storage
        notice = {
            "reference": current.reference,
            "project_name": current.project_name,
            "lead_fi": current.lead.name_fi,
            "lead_sv": current.lead.name_sv or current.lead.name_fi,
            "call": current.call_id,
        }
        audit.record(
            user,
            "application.draft_deleted",
            current,
            application_id=current.pk,
            before={
                "reference": current.reference,
                "project_name": current.project_name,
                "partners": [p.organisation_id for p in partners],
                "attachments": len(files),
                "version": current.version,
            },
        )
        current.delete()
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
        if recipients:
            from kuntadigi.core.tasks import enqueue_with_transaction

            from .tasks import send_draft_deleted_email

            enqueue_with_transaction(send_draft_deleted_email, notice, [list(r) for r in recipients])
    logger.info("draft application deleted")
    return notice["reference"]


# ── Budget ───────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class BudgetOverview:
    """The totals the budget page shows, all computed here (rules.budget_totals)."""

    by_participant: list[tuple[Participant, Decimal]]
    by_category: list[tuple[CostCategory, Decimal]]
    eligible_costs: Decimal
    max_grant: Decimal
    requested: Decimal | None
    own_financing: Decimal | None
    requested_percent: Decimal | None
    share: Decimal

    @property
    def share_text(self) -> str:
        """The call's maximum share as people read it: '85'."""
        return rules.format_percent(self.share)

    @property
    def share_raw(self) -> str:
        """'0.8500': for scripts, never localised."""
        return str(self.share)

    @property
    def requested_percent_text(self) -> str:
        return "" if self.requested_percent is None else f"{self.requested_percent:.2f}".replace(".", ",") + "\u00a0%"


def budget_overview(
    call: Call, participants: list[Participant], categories: list[CostCategory], lines: list[dict], requested: Decimal | None
) -> BudgetOverview:
    """Totals for `lines` (dicts with participant_id, category_id and amount) in `call`."""
    org_of = {p.pk: p.organisation_id for p in participants}
    code_of = {c.pk: c.code for c in categories}
    rule_lines = [
        rules.BudgetLine(organisation_id=org_of.get(line["participant_id"], -1), category=code_of.get(line["category_id"], ""), amount=line["amount"])
        for line in lines
    ]
    totals = rules.budget_totals(rule_lines, requested if requested is not None else Decimal("0.00"), call.max_grant_share)
    zero = Decimal("0.00")
    return BudgetOverview(
        by_participant=[(p, totals.by_organisation.get(p.organisation_id, zero)) for p in participants],
        by_category=[(c, totals.by_category.get(c.code, zero)) for c in categories],
        eligible_costs=totals.eligible_costs,
        max_grant=totals.max_grant,
        requested=requested,
        own_financing=totals.own_financing if requested is not None else None,
        requested_percent=drafting_rules.share_percent(requested, totals.eligible_costs),
        share=call.max_grant_share,
    )


def stored_lines(application: Application) -> list[dict]:
    return [
        {
            "id": line.pk,
            "participant_id": line.participant_id,
            "category_id": line.category_id,
            "description": line.description,
            "amount": line.amount,
        }
        for line in application.budget_lines.order_by("participant__role", "participant_id", "category__order", "id")
    ]


def save_budget(user, application: Application, lines: list[dict], requested: Decimal | None, expected_version) -> tuple[Application, bool]:
    """Replace the budget with `lines` (dicts: id or None, participant_id, category_id, description,
    amount) and the requested grant. Lines keep their identity when their id is given, so that a
    partner's confirmation stays valid when its own lines do not change.

    Refused carries Problems whose field is 'budget-<index in lines>' or 'requested_grant'."""
    with transaction.atomic():
        current = _lock(application)
        _require(permissions.can_edit_application(user, current, part="budget"))
        _check_version(current, expected_version)
        call = current.call
        participants = {p.pk: p for p in current.participants.all()}
        categories = {c.pk: c for c in call.cost_categories.all()}
        rule_lines = [
            rules.BudgetLine(
                organisation_id=participants[line["participant_id"]].organisation_id if line["participant_id"] in participants else -1,
                category=categories[line["category_id"]].code if line["category_id"] in categories else "",
                amount=line["amount"],
                description=line.get("description", ""),
            )
            for line in lines
        ]
        problems = drafting_rules.check_budget_draft(
            rule_lines,
            requested,
            call.max_grant_share,
            {c.code for c in categories.values()},
            {p.organisation_id for p in participants.values()},
        )
        if problems:
            raise Refused(problems[0].message, field=problems[0].field, problems=problems)

        existing = {line.pk: line for line in current.budget_lines.all()}
        before = _budget_snapshot(existing.values(), current.requested_grant)
        changed = False
        kept: set[int] = set()
        for line in lines:
            values = {
                "participant_id": line["participant_id"],
                "category_id": line["category_id"],
                "description": line.get("description", "") or "",
                "amount": line["amount"],
            }
            stored = existing.get(line.get("id")) if line.get("id") is not None else None
            if stored is not None and stored.pk not in kept:
                kept.add(stored.pk)
                if any(getattr(stored, key) != value for key, value in values.items()):
                    for key, value in values.items():
                        setattr(stored, key, value)
                    stored.save(update_fields=list(values))
                    changed = True
            else:
                created = BudgetLine.objects.create(application=current, **values)
                kept.add(created.pk)
                changed = True
        removed = [pk for pk in existing if pk not in kept]
        if removed:
            BudgetLine.objects.filter(pk__in=removed).delete()
            changed = True
        fields = []
        if current.requested_grant != requested:
            current.requested_grant = requested
            fields.append("requested_grant")
            changed = True
        if changed:
            _bump(current, fields)
            after = _budget_snapshot(current.budget_lines.all(), current.requested_grant)
            audit.record(user, "application.budget_saved", current, application_id=current.pk, before=before, after={**after, "version": current.version})
    return current, changed


def _budget_snapshot(lines, requested) -> dict:
    return {
        "lines": [
            {"participant": line.participant_id, "category": line.category_id, "description": line.description, "amount": f"{line.amount:.2f}"}
            for line in sorted(lines, key=lambda line: line.pk)
        ],
        "requested_grant": None if requested is None else f"{requested:.2f}",
    }


# ── Attachments ──────────────────────────────────────────────────────────────

_HEAD_BYTES = 8192


def detect_type(uploaded) -> str | None:
    """The file type from the content (the `filetype` library), never from the name or the browser."""
    uploaded.seek(0)
    head = uploaded.read(_HEAD_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def too_large_message() -> str:
    """What a person reads when the upload was stopped at the size limit (kuntadigi/core/uploads.py)."""
    limit = settings.ATTACHMENT_MAX_BYTES
    return drafting_rules.check_attachment(limit + 1, None, limit)[0].message


def scan_for_viruses(uploaded, application_id: int | None = None) -> None:
    """Refuse the file unless ClamAV says it is clean (kuntadigi/core/virus_scan.py): infected, over the
    scanner's limits (a zip bomb) or the scanner not answering, it is never accepted. The log lines name
    the application and the verdict, never the file's name or who uploaded it."""
    if not virus_scan.enabled():
        return
    verdict = virus_scan.scan_file(uploaded)
    if verdict.clean:
        return
    if verdict.outcome == "infected":
        logger.warning("Upload refused: the virus scan found %s (application %s).", verdict.detail, application_id)
        message = _("The file contains a virus or other malicious content, so it was not accepted. Ask your organisation's IT support to check the file.")
        raise Refused(message, field="file")
    if verdict.outcome == "limits":
        logger.warning("Upload refused: over the virus scanner's limits, %s (application %s).", verdict.detail, application_id)
        raise Refused(
            _(
                "The file could not be checked for viruses: unpacked, it is too large or too deeply nested (for example archives inside the document). "
                "Save it again as a plain PDF or office document, or split it, and upload it again."
            ),
            field="file",
        )
    logger.error("Upload refused: the virus scanner is not available (%s) (application %s).", verdict.detail, application_id)
    raise Refused(_("The file could not be checked for viruses just now, so it was not accepted. Please try again in a few minutes."), field="file")


def add_attachment(user, application: Application, uploaded, description: str = "") -> Attachment:
    # The file is checked (size, type from the content, virus scan) before the application is locked:
    # a scan may take a few seconds, and autosaves of the same application need not wait for it.
    size = uploaded.size or 0
    detected = detect_type(uploaded) if 0 < size <= settings.ATTACHMENT_MAX_BYTES else None
    problems = drafting_rules.check_attachment(size, detected, settings.ATTACHMENT_MAX_BYTES)
    if problems:
        raise Refused(problems[0].message, field="file", problems=problems)
    scan_for_viruses(uploaded, application.pk)
    with transaction.atomic():
        current = _lock(application)
        _require(permissions.can_edit_application(user, current, part="attachments"))
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        sha256 = digest.hexdigest()
        uploaded.seek(0)
        if current.attachments.filter(sha256=sha256).exists():
            raise Refused(_("This file is already attached to the application."), field="file")
        name = (uploaded.name or "attachment").replace("/", "_").replace("\\", "_")[-255:]
        attachment = Attachment(
            application=current,
            original_name=name,
            content_type=detected,
            size=size,
            sha256=sha256,
            description=description or "",
            uploaded_by=user,
            uploaded_at=clock.now(),
        )
        attachment.file.save(sha256, uploaded, save=False)
        stored_name = attachment.file.name
        try:  # the stored file goes if the rows cannot be written
            attachment.save()
            _bump(current)
            audit.record(
                user,
                "application.attachment_added",
                current,
                application_id=current.pk,
                after={"attachment": attachment.pk, "name": name, "content_type": detected, "size": size, "sha256": sha256, "version": current.version},
            )
        except Exception:
            attachment.file.storage.delete(stored_name)
            raise
    return attachment


def delete_attachment(user, application: Application, attachment_pk: int) -> Attachment:
    with transaction.atomic():
        current = _lock(application)
        _require(permissions.can_edit_application(user, current, part="attachments"))
        attachment = current.attachments.filter(pk=attachment_pk).first()
        if attachment is None:
            raise Refused(_("The attachment was not found. It may have been deleted already."))
        # A file named in a submitted version stays stored: the submission must remain whole.
        referenced = any(
            attachment.sha256 == item.get("sha256") for submission in current.submissions.all() for item in (submission.content or {}).get("attachments", [])
        )
        storage, stored_name = attachment.file.storage, attachment.file.name
        audit.record(
            user,
            "application.attachment_deleted",
            current,
            application_id=current.pk,
            before={"attachment": attachment.pk, "name": attachment.original_name, "sha256": attachment.sha256, "size": attachment.size},
        )
        attachment.delete()
        _bump(current)
        if not referenced:
            transaction.on_commit(lambda: storage.delete(stored_name))
    return attachment


# ── My applications ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class MyApplication:
    application: Application
    participant: Participant  # the user's organisation in it
    role: str
    confirmation_needed: bool


def my_applications(user) -> tuple[list[MyApplication], list[MyApplication]]:
    """(as lead, as partner): the applications of every organisation the user acts for, in a
    constant number of queries."""
    org_ids = permissions.organisation_ids(user)
    if not org_ids:
        return [], []
    participations = (
        Participant.objects.filter(organisation_id__in=org_ids)
        # A granted application's funded project (kuntadigi.projects) is linked from the list: one join.
        .select_related("organisation", "application__call", "application__lead", "application__funded_project")
        .prefetch_related(Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("category")))
        .order_by("-application__updated_at", "application_id")
    )
    led, partnered = [], []
    for participant in participations:
        application = participant.application
        if participant.role == Participant.Role.LEAD:
            led.append(MyApplication(application, participant, participant.role, False))
        else:
            needed = (
                application.state == State.DRAFT
                and application.call.phase() != "closed"
                and not participant.declined_at
                and not confirmation_is_current(participant)
            )
            partnered.append(MyApplication(application, participant, participant.role, needed))
    return led, partnered


# A draft of one's own is listed as waiting when its call closes within this many days.
CLOSING_SOON_DAYS = 7


@dataclass(frozen=True)
class Waiting:
    """One thing that waits for the person, first on their landing page."""

    kind: str  # "confirm", "supplement" or "draft"
    application: Application
    due: object  # the instant by which it must be done
    organisation: Organisation | None = None


def waiting_for(user, led: list[MyApplication], partnered: list[MyApplication]) -> list[Waiting]:
    """What waits for the user, soonest due first: their organisations' unconfirmed participations in
    open calls, open requests for supplement to the applications they lead, and their own drafts whose
    call closes within CLOSING_SOON_DAYS. One query more than my_applications."""
    from datetime import timedelta

    from kuntadigi.screening.models import SupplementRequest

    now = clock.now()
    items = [Waiting("confirm", p.application, p.application.call.closes_at, p.participant.organisation) for p in partnered if p.confirmation_needed]
    supplementing = [item.application for item in led if item.application.state == State.SUPPLEMENT_REQUESTED]
    if supplementing:
        by_application = {app.pk: app for app in supplementing}
        requests = SupplementRequest.objects.filter(application_id__in=by_application, answered_at__isnull=True, due_at__gt=now).order_by("due_at")
        items += [Waiting("supplement", by_application[request.application_id], request.due_at) for request in requests]
    soon = now + timedelta(days=CLOSING_SOON_DAYS)
    items += [
        Waiting("draft", item.application, item.application.call.closes_at)
        for item in led
        if item.application.state == State.DRAFT and item.application.call.phase(now) == "open" and item.application.call.closes_at <= soon
    ]
    return sorted(items, key=lambda waiting: waiting.due)
