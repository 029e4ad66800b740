"""The money of a funded project after the decision: payment requests with their cost lines and ledger
extracts, the payments approved on them, and the batches they are paid in.

    PaymentRequest  the lead asks for payment for a period: realised costs per organisation and cost
                    category (CostLine), each organisation's ledger extract (LedgerExtract) attached.
                    The preparer checks every line (accept, or reduce with a reason); an approver with
                    the call's payment-approver role approves — never the same person (four eyes).
    Payment         what is to be paid to the project's account: the amount computed at approval
                    (kuntadigi/projects/rules.py `payable`), or a settlement's positive balance. The
                    account is frozen when the payment is approved; a change of account stops the
                    payment until it is approved again.
    PaymentBatch    approved payments of one call paid on one due date, exported as an ISO 20022
                    pain.001.001.09 file and a CSV for the State's accounting; immutable once exported,
                    then marked paid with the value date.

`PaymentRequest.state` changes only as lifecycle.py's table says.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.calls.models import Call, CostCategory
from kuntadigi.projects.models import FundedProject
from kuntadigi.registry.models import Organisation

from .lifecycle import State


class PaymentRequest(models.Model):
    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="payment_requests")
    number = models.PositiveSmallIntegerField(_("number"))
    # The final payment request is the financial part of the final report: every cost of the project.
    is_final = models.BooleanField(_("final payment request"), default=False)
    period_start = models.DateField(_("costs from"))
    period_end = models.DateField(_("costs until"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The flags a person must look at, computed when the request is submitted: [{"code": ..., "line": index or null}].
    flags = models.JSONField(default=list, blank=True)
    # Totals, frozen at each step (EUR): claimed at submission, accepted when checked, payable when approved.
    claimed = models.DecimalField(_("costs claimed (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    accepted = models.DecimalField(_("costs accepted (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    payable = models.DecimalField(_("payable (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    # A request with reduced lines: the payment-reduction decision told to the lead (decisions.ProjectDecision).
    reduction_decision = models.OneToOneField("decisions.ProjectDecision", on_delete=models.PROTECT, null=True, blank=True, related_name="payment_request")

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="payment_request_number_once"),
            models.UniqueConstraint(fields=["project"], condition=models.Q(is_final=True), name="one_final_payment_request"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="payment_request_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.number}: {self.state}"


class CostLine(models.Model):
    """A realised cost of one organisation in one cost category, as claimed, and as the preparer accepted it."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="lines")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("cost category"))
    description = models.TextField(_("description"))
    incurred_from = models.DateField(_("incurred from"), null=True, blank=True)
    incurred_to = models.DateField(_("incurred until"), null=True, blank=True)
    amount = models.DecimalField(_("amount without VAT (EUR)"), max_digits=14, decimal_places=2)
    # The preparer's check: accepted in full (accepted == amount) or reduced with a written reason.
    accepted = models.DecimalField(_("accepted (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    reduction_reason = models.TextField(_("reason for the reduction"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "id"]
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="cost_line_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(accepted__isnull=True) | models.Q(accepted__gte=Decimal("0"), accepted__lte=models.F("amount")),
                name="cost_line_accepted_within_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.amount}"


def ledger_path(instance: "LedgerExtract", filename: str) -> str:
    return f"payments/{instance.request.project_id}/{instance.request_id}/{filename}"


class LedgerExtract(models.Model):
    """An organisation's ledger extract (pääkirjaote) for the request's period, type-checked and scanned."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="ledger_extracts")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    file = models.FileField(upload_to=ledger_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["request", "organisation", "uploaded_at"]
        verbose_name = _("ledger extract")
        verbose_name_plural = _("ledger extracts")

    def __str__(self) -> str:
        return self.original_name


class PaymentBatch(models.Model):
    """Approved payments of one call paid on one due date."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        EXPORTED = "exported", _("exported")
        PAID = "paid", _("paid")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="payment_batches")
    number = models.PositiveIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    # The export, frozen: the files and their content hashes (checked whenever they are served).
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    exported_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(_("message identifier"), max_length=35, blank=True)
    total = models.DecimalField(_("total (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    credit_transfer_file = models.FileField(upload_to="payments/batches/", max_length=300, blank=True)
    credit_transfer_sha256 = models.CharField(max_length=64, blank=True)
    accounting_file = models.FileField(upload_to="payments/batches/", max_length=300, blank=True)
    accounting_sha256 = models.CharField(max_length=64, blank=True)
    # Marked paid by an official with the bank's value date.
    value_date = models.DateField(_("value date"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    paid_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["call", "-number"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="payment_batch_number_once")]

    def __str__(self) -> str:
        return f"{self.call_id}/{self.number}: {self.state}"


class Payment(models.Model):
    """One payment to a project's account: an instalment approved on a payment request, or the
    positive balance of a settlement."""

    class Kind(models.TextChoices):
        INSTALMENT = "instalment", _("instalment on a payment request")
        BALANCE = "balance", _("balance of the settlement")

    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    request = models.OneToOneField(PaymentRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="payment")
    amount = models.DecimalField(_("amount (EUR)"), max_digits=14, decimal_places=2)
    # The account as it was when the payment was approved.
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=clock.now)
    # Stopped when the project's account changed after approval; approving it again clears this.
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(_("why the payment is stopped"), max_length=200, blank=True)
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="payments")
    # The end-to-end identification in the credit-transfer file (unique, at most 35 characters).
    end_to_end_id = models.CharField(max_length=35, unique=True)

    class Meta:
        ordering = ["project", "approved_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.amount}"

    @property
    def is_paid(self) -> bool:
        return self.batch_id is not None and self.batch.state == PaymentBatch.State.PAID
