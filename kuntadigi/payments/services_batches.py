"""Payment batches: approved payments of one call paid on one due date (docs/payments.md).

A batch's lifecycle, at a glance (nothing else changes `PaymentBatch.state`):

    state      action    →  state      who                      when
    ────────   ───────      ────────   ──────────────────────   ──────────────────────────────────────────────
    open       export    →  exported   preparer of the call     it has payments; the payer's account is valid;
                                                                 the pain.001 file validates against the XSD
    exported   pay       →  paid       preparer of the call     the bank's value date: not before the export,
                                                                 not in the future

Use cases (each: permission, rules, change, audit event, one transaction; the batch's row is locked):
    create_batch     a new open batch of the call with a due date
    add_payments     approved payments (not stopped, in no batch) go into an open batch
    remove_payment   ... and out of it, while it is open
    export           the ISO 20022 pain.001.001.09 file and the CSV for the State's accounting, stored with
                     their SHA-256; from then on the batch and its payments do not change
    mark_paid        the value date; the lead of each project is told by e-mail

The files are written by iterating over the payments (`iterator(chunk_size)`), never as a list of model
objects, so a batch of thousands of payments is exported in flat memory and in a constant number of queries.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError
from sepaxml.validation import try_valid_xml

from kuntadigi import clock, permissions
from kuntadigi.applications.errors import Refused
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import Call
from kuntadigi.core.lifecycle import Lifecycle, TransitionNotAllowed
from kuntadigi.core.tasks import enqueue_with_transaction
from kuntadigi.projects import rules
from kuntadigi.projects.lifecycle import State as ProjectState

from .models import Payment, PaymentBatch

logger = logging.getLogger(__name__)

SCHEMA = "pain.001.001.09"
CHUNK = 500  # rows fetched at a time when the files are written
BatchState = PaymentBatch.State

TRANSITIONS: dict[tuple[str, str], str] = {
    (BatchState.OPEN, "export"): BatchState.EXPORTED,
    (BatchState.EXPORTED, "pay"): BatchState.PAID,
}
_LIFECYCLE = Lifecycle(TRANSITIONS)

# Projects that are still paid: their page shows what is due next.
PAYABLE_PROJECT_STATES = (ProjectState.ACCEPTED, ProjectState.RUNNING)


class FileTampered(Exception):
    """A stored batch file no longer matches the SHA-256 taken when it was stored."""


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise Refused(decision.reason)


def _today() -> date:
    return clock.helsinki(clock.now()).date()


def _move(batch: PaymentBatch, action: str) -> str:
    try:
        return _LIFECYCLE.next_state(batch.state, action)
    except TransitionNotAllowed:
        if batch.state != BatchState.OPEN:
            raise Refused(_("The batch has been exported: it can no longer change.")) from None
        raise Refused(_("The batch has not been exported yet.")) from None


def _lock(batch_pk: int) -> PaymentBatch:
    batch = PaymentBatch.objects.select_for_update(of=("self",)).select_related("call").filter(pk=batch_pk).first()
    if batch is None:
        raise Http404
    return batch


def _open(batch: PaymentBatch) -> None:
    if batch.state != BatchState.OPEN:
        raise Refused(_("The batch has been exported: it can no longer change."))


# ── Reading ─────────────────────────────────────────────────────────────────


def call_for_viewer(user, slug: str) -> Call:
    """The call if the user may see its payment batches; otherwise 404."""
    call = get_object_or_404(Call, slug=slug)
    if not permissions.can_view_payment_batches(user, call):
        raise Http404
    return call


def batch_for_viewer(user, pk: int) -> PaymentBatch:
    batch = PaymentBatch.objects.select_related("call", "created_by", "exported_by", "paid_by").filter(pk=pk).first()
    if batch is None or not permissions.can_view_payment_batches(user, batch.call):
        raise Http404
    return batch


def batches_of(call: Call) -> QuerySet[PaymentBatch]:
    """The call's batches, newest first, each with its number of payments and their total."""
    return call.payment_batches.annotate(payment_count=Count("payments"), payment_sum=Sum("payments__amount")).order_by("-number")


def _of_call(call_id: int) -> QuerySet[Payment]:
    return Payment.objects.filter(project__application__call_id=call_id)


def waiting(call: Call) -> QuerySet[Payment]:
    """Approved payments of the call in no batch and not stopped: these may be batched."""
    return (
        _of_call(call.pk)
        .filter(batch__isnull=True, stopped_at__isnull=True)
        .select_related("project__application__lead", "request")
        .order_by("project__application__reference", "approved_at", "pk")
    )


def stopped(call: Call) -> QuerySet[Payment]:
    """Approved payments of the call that are stopped (the account changed after approval): not batched."""
    return (
        _of_call(call.pk)
        .filter(batch__isnull=True, stopped_at__isnull=False)
        .select_related("project__application__lead", "request")
        .order_by("project__application__reference", "pk")
    )


def payments_in(batch: PaymentBatch) -> QuerySet[Payment]:
    return batch.payments.select_related("project__application__lead", "request").order_by("project__application__reference", "pk")


def batch_total(batch: PaymentBatch) -> Decimal:
    if batch.total is not None:
        return batch.total
    return batch.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def remittance(payment: Payment, language: str) -> str:
    """The grant's reference on the recipient's bank statement: the application's reference and the payment
    request's number (or the settlement, for its balance), in the application's language."""
    reference = payment.project.application.reference
    with translation.override(language):
        if payment.request_id is not None:
            return _("Grant %(reference)s, payment request %(number)s") % {"reference": reference, "number": payment.request.number}
        return _("Grant %(reference)s, balance of the settlement") % {"reference": reference}


# ── The money paid (used by the project page, the settlement and the public data) ──


def _paid() -> Q:
    return Q(batch__state=BatchState.PAID)


def paid_total(project) -> Decimal:
    """Everything paid to the project so far (payments in batches marked paid)."""
    total = Payment.objects.filter(_paid(), project_id=getattr(project, "pk", project)).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def paid_by_project(call) -> dict[int, Decimal]:
    """{project id: paid so far} for every project of the call that has been paid something, in one query."""
    rows = (
        Payment.objects.filter(_paid(), project__application__call_id=getattr(call, "pk", call)).values("project_id").annotate(total=Sum("amount")).order_by()
    )
    return {row["project_id"]: row["total"] for row in rows}


@dataclass(frozen=True)
class PaidRow:
    amount: Decimal
    value_date: date
    what: str


@dataclass(frozen=True)
class NextDue:
    amount: Decimal
    due_date: date | None  # None: approved, not yet in a batch
    stopped: bool


def paid_context(user, project) -> dict:
    """The project page's section on payments (templates/projects/_paid.html): paid so far with the dates,
    and for a project still being paid, what is due next."""
    payments = list(project.payments.select_related("batch", "request").order_by("approved_at", "pk"))
    language = translation.get_language() or "fi"
    paid = [PaidRow(p.amount, p.batch.value_date, remittance_label(p, language)) for p in payments if p.batch_id and p.batch.state == BatchState.PAID]
    upcoming = []
    if project.state in PAYABLE_PROJECT_STATES:
        upcoming = [
            NextDue(p.amount, p.batch.due_date if p.batch_id else None, p.stopped_at is not None)
            for p in payments
            if not (p.batch_id and p.batch.state == BatchState.PAID)
        ]
    return {
        "paid_rows": paid,
        "paid_so_far": sum((row.amount for row in paid), Decimal("0.00")),
        "next_due": upcoming,
        "shows_next_due": project.state in PAYABLE_PROJECT_STATES,
    }


def remittance_label(payment: Payment, language: str) -> str:
    with translation.override(language):
        if payment.request_id is not None:
            return _("Payment request %(number)s") % {"number": payment.request.number}
        return _("Balance of the settlement")


# ── Making a batch and filling it ───────────────────────────────────────────


def create_batch(user, call_pk: int, due_date: date) -> PaymentBatch:
    with transaction.atomic():
        call = Call.objects.select_for_update().filter(pk=call_pk).first()  # numbers are given one at a time
        if call is None:
            raise Http404
        _require(permissions.can_manage_payment_batches(user, call))
        if due_date < _today():
            raise Refused(_("The due date cannot be in the past."), field="due_date")
        number = (call.payment_batches.aggregate(last=Max("number"))["last"] or 0) + 1
        batch = PaymentBatch.objects.create(call=call, number=number, due_date=due_date, created_by=user, created_at=clock.now())
        audit.record(user, "payment_batch.created", batch, after={"call": call.slug, "number": number, "due_date": due_date.isoformat()})
    return batch


def add_payments(user, batch_pk: int, payment_pks: list[int]) -> int:
    """Put the chosen payments into the open batch; all or none. How many were added."""
    if not payment_pks:
        raise Refused(_("Choose at least one payment to add."), field="payments")
    with transaction.atomic():
        batch = _lock(batch_pk)
        _require(permissions.can_manage_payment_batches(user, batch.call))
        _open(batch)
        chosen = list(_of_call(batch.call_id).select_for_update(of=("self",)).select_related("project__application").filter(pk__in=payment_pks).order_by("pk"))
        if len(chosen) != len(set(payment_pks)):
            raise Refused(_("A chosen payment is not an approved payment of this call."), field="payments")
        for payment in chosen:
            reference = payment.project.application.reference
            if payment.stopped_at is not None:
                raise Refused(
                    _("The payment of %(reference)s is stopped and cannot be batched: %(reason)s It is paid once it has been approved again.")
                    % {"reference": reference, "reason": payment.stop_reason or _("the project's account changed after the payment was approved.")},
                    field="payments",
                )
            if payment.batch_id is not None:
                raise Refused(_("The payment of %(reference)s is already in a batch.") % {"reference": reference}, field="payments")
        for payment in chosen:
            payment.batch = batch
            payment.save(update_fields=["batch"])
            audit.record(
                user,
                "payment_batch.payment_added",
                batch,
                application_id=payment.project.application_id,
                after={"payment": payment.pk, "number": batch.number, "amount": str(payment.amount)},
            )
    return len(chosen)


def remove_payment(user, batch_pk: int, payment_pk: int) -> Payment:
    with transaction.atomic():
        batch = _lock(batch_pk)
        _require(permissions.can_manage_payment_batches(user, batch.call))
        _open(batch)
        payment = batch.payments.select_for_update(of=("self",)).select_related("project__application").filter(pk=payment_pk).first()
        if payment is None:
            raise Refused(_("The payment is not in this batch."))
        payment.batch = None
        payment.save(update_fields=["batch"])
        audit.record(
            user,
            "payment_batch.payment_removed",
            batch,
            application_id=payment.project.application_id,
            before={"payment": payment.pk, "number": batch.number, "amount": str(payment.amount)},
        )
    return payment


# ── Export ──────────────────────────────────────────────────────────────────


def payer_account(call: Call) -> rules.Account:
    """The paying agency's account (the debtor of the credit transfer), or Refused saying what is missing."""
    if not (call.payer_name or "").strip():
        raise Refused(_("The call has no name of the paying agency: the batch cannot be exported until the call's payer is given."))
    if not call.payer_iban or not call.payer_bic:
        raise Refused(_("The call has no paying account (IBAN and BIC): the batch cannot be exported until the call's payer is given."))
    try:
        return rules.validate_account(call.payer_iban, call.payer_bic)
    except rules.AccountError as error:
        raise Refused(_("The call's paying account is not valid: %(error)s") % {"error": error.message}) from None


def _for_files(batch: PaymentBatch) -> Iterator[Payment]:
    return batch.payments.select_related("project__application__lead", "request").order_by("pk").iterator(chunk_size=CHUNK)


def recipient_name(application) -> str:
    """The lead as a legal person, in the application's language (as the decision names it), or its name."""
    lead = application.lead
    legal = lead.legal_name_sv if application.language == "sv" else lead.legal_name_fi
    return legal or lead.legal_name_fi or lead.name


class _Transfer(SepaTransfer):
    """sepaxml's writer with the identifiers of this service (its own are random and use the computer's
    clock): the message id, the payment information id and the creation time."""

    def __init__(self, config, *, message_id: str, created_at):
        super().__init__(config, schema=SCHEMA)
        self.msg_id = message_id
        header = self._xml.find("CstmrCdtTrfInitn/GrpHdr")
        header.find("MsgId").text = message_id
        header.find("CreDtTm").text = created_at.strftime("%Y-%m-%dT%H:%M:%S")

    def _finalize_batch(self):
        super()._finalize_batch()
        for index, node in enumerate(self._xml.iter("PmtInfId"), start=1):
            node.text = f"{self.msg_id}-{index}"[:35]


def write_credit_transfer(batch: PaymentBatch, payer: rules.Account, *, message_id: str, created_at) -> bytes:
    """The pain.001.001.09 file of the batch, validated against the XSD that sepaxml ships."""
    config = {"name": batch.call.payer_name.strip(), "IBAN": payer.iban, "BIC": payer.bic, "batch": True, "currency": "EUR"}
    transfer = _Transfer(config, message_id=message_id, created_at=created_at)
    for payment in _for_files(batch):
        application = payment.project.application
        try:
            account = rules.validate_account(payment.iban, payment.bic)
        except rules.AccountError as error:
            raise Refused(_("The account of %(reference)s is not valid: %(error)s") % {"reference": application.reference, "error": error.message}) from None
        item = {
            "name": recipient_name(application),
            "IBAN": account.iban,
            "amount": rules.cents(payment.amount),
            "execution_date": batch.due_date,
            "description": remittance(payment, application.language),
            "endtoend_id": payment.end_to_end_id,
        }
        if account.bic:
            item["BIC"] = account.bic
        transfer.add_payment(item)
    data = transfer.export(validate=False)
    validate_credit_transfer(data)
    return data


def validate_credit_transfer(data: bytes) -> None:
    """Raises Refused when the file does not validate against the official pain.001.001.09 XSD."""
    try:
        try_valid_xml(data, SCHEMA)
    except SepaValidationError as error:
        logger.error("A payment batch's credit-transfer file does not validate: %s", error.__cause__)
        raise Refused(
            _("The credit-transfer file does not validate against the ISO 20022 schema; it was not stored. Check the names and accounts of the payments.")
        ) from None


def _codes(call: Call) -> list[tuple[str, object]]:
    """The call's accounting codes in the order of their keys (PostgreSQL's jsonb keeps no order of its own)."""
    return sorted((str(key), value) for key, value in (call.accounting_codes or {}).items())


def accounting_columns(call: Call) -> list[str]:
    return ["budget_item", *[str(key) for key, _value in _codes(call)], "business_id", "recipient", "project_reference", "amount", "due_date", "end_to_end_id"]


def write_accounting(batch: PaymentBatch, handle) -> str:
    """The CSV for the State's accounting into `handle` (binary), a row per payment; returns its SHA-256."""
    call = batch.call
    digest = hashlib.sha256()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    codes = [str(value) for _key, value in _codes(call)]

    def flush():
        chunk = text.getvalue().encode("utf-8")
        digest.update(chunk)
        handle.write(chunk)
        text.seek(0)
        text.truncate()

    writer.writerow(accounting_columns(call))
    for count, payment in enumerate(_for_files(batch), start=1):
        application = payment.project.application
        writer.writerow(
            [
                call.budget_item,
                *codes,
                application.lead.business_id or "",
                recipient_name(application),
                application.reference,
                f"{payment.amount:.2f}",
                batch.due_date.isoformat(),
                payment.end_to_end_id,
            ]
        )
        if count % CHUNK == 0:
            flush()
    flush()
    return digest.hexdigest()


def export(user, batch_pk: int) -> PaymentBatch:
    with transaction.atomic():
        batch = _lock(batch_pk)
        call = batch.call
        _require(permissions.can_manage_payment_batches(user, call))
        new_state = _move(batch, "export")
        summary = batch.payments.aggregate(count=Count("pk"), total=Sum("amount"))
        if not summary["count"]:
            raise Refused(_("The batch has no payments: add payments before exporting it."))
        if batch.due_date < _today():
            raise Refused(_("The due date of the batch has passed: make a new batch with a due date that is not in the past."))
        payer = payer_account(call)
        now = clock.now()
        message_id = f"KD{call.pk}-{batch.number}-{clock.helsinki(now):%Y%m%d%H%M%S}"[:35]
        xml = write_credit_transfer(batch, payer, message_id=message_id, created_at=clock.helsinki(now))
        stem = f"{call.slug}-{batch.number}"
        stored: list[str] = []
        try:
            batch.credit_transfer_file.save(f"{stem}-pain001.xml", ContentFile(xml), save=False)
            stored.append(batch.credit_transfer_file.name)
            with tempfile.TemporaryFile() as handle:
                csv_sha = write_accounting(batch, handle)
                handle.seek(0)
                batch.accounting_file.save(f"{stem}-accounting.csv", File(handle), save=False)
            stored.append(batch.accounting_file.name)
            batch.credit_transfer_sha256 = hashlib.sha256(xml).hexdigest()
            batch.accounting_sha256 = csv_sha
            batch.message_id = message_id
            batch.total = summary["total"]
            batch.exported_by = user
            batch.exported_at = now
            batch.state = new_state
            batch.save()
            audit.record(
                user,
                "payment_batch.exported",
                batch,
                before={"state": BatchState.OPEN},
                after={
                    "state": new_state,
                    "number": batch.number,
                    "payments": summary["count"],
                    "total": str(batch.total),
                    "message_id": message_id,
                    "credit_transfer_sha256": batch.credit_transfer_sha256,
                    "accounting_sha256": csv_sha,
                },
            )
        except Exception:
            for name in stored:  # the stored files go if the rows cannot be written
                batch.credit_transfer_file.storage.delete(name)
            raise
    return batch


# ── Paid ────────────────────────────────────────────────────────────────────


def mark_paid(user, batch_pk: int, value_date: date) -> PaymentBatch:
    with transaction.atomic():
        batch = _lock(batch_pk)
        _require(permissions.can_manage_payment_batches(user, batch.call))
        new_state = _move(batch, "pay")
        exported_on = clock.helsinki(batch.exported_at).date()
        if value_date < exported_on:
            raise Refused(_("The value date cannot be before the batch was exported (%(day)s).") % {"day": _day(exported_on)}, field="value_date")
        if value_date > _today():
            raise Refused(_("The value date cannot be in the future."), field="value_date")
        batch.state = new_state
        batch.value_date = value_date
        batch.paid_by = user
        batch.paid_marked_at = clock.now()
        batch.save(update_fields=["state", "value_date", "paid_by", "paid_marked_at"])
        after = {"state": new_state, "number": batch.number, "value_date": value_date.isoformat()}
        audit.record(user, "payment_batch.paid", batch, before={"state": BatchState.EXPORTED}, after=after)
        paid = batch.payments.select_related("project").order_by("pk").only("pk", "amount", "project__application_id").iterator(chunk_size=CHUNK)
        for payment in paid:
            audit.record(
                user,
                "payment.paid",
                payment,
                application_id=payment.project.application_id,
                after={"amount": str(payment.amount), "value_date": value_date.isoformat(), "batch": batch.number},
            )
        from . import tasks_batches

        enqueue_with_transaction(tasks_batches.send_payments_made, batch.pk)
    return batch


def _day(value: date) -> str:
    from kuntadigi.core import formats

    return formats.day(value, translation.get_language())


# ── The stored files ────────────────────────────────────────────────────────

FILES = {
    "pain001": ("credit_transfer_file", "credit_transfer_sha256", "application/xml"),
    "csv": ("accounting_file", "accounting_sha256", "text/csv; charset=utf-8"),
}


def file_bytes(batch: PaymentBatch, kind: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of an exported file, after checking its SHA-256. Raises
    FileTampered (logged) when the stored file is missing or does not match."""
    field, sha_field, content_type = FILES[kind]
    stored = getattr(batch, field)
    if not stored:
        raise Http404
    try:
        with stored.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError) as error:
        logger.error("Payment batch %s: the %s file is missing from storage (%s)", batch.pk, kind, type(error).__name__)
        raise FileTampered from error
    if hashlib.sha256(data).hexdigest() != getattr(batch, sha_field):
        logger.error("Payment batch %s: the stored %s file does not match its SHA-256; it is not served", batch.pk, kind)
        raise FileTampered
    name = f"{batch.call.slug}-{batch.number}-{'pain001.xml' if kind == 'pain001' else 'accounting.csv'}"
    return data, name, content_type
