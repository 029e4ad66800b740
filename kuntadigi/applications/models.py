"""A joint application: the lead applicant, its partners, the project, the budget and attachments.

The lifecycle of `Application.state` is the table in lifecycle.py. Each submission stores the content
as it was submitted (`Submission.content`, never changed) with its SHA-256 fingerprint.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.calls.models import Call, CostCategory, TargetArea
from kuntadigi.registry.models import Organisation

from .lifecycle import State


class Application(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    lead = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_applications", verbose_name=_("lead applicant"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    language = models.CharField(_("language of the application"), max_length=2, choices=[("fi", _("Finnish")), ("sv", _("Swedish"))], default="fi")
    # Optimistic locking: every save must name the version it was made from.
    version = models.PositiveIntegerField(default=1)

    project_name = models.CharField(_("project name"), max_length=200, blank=True)
    target_areas = models.ManyToManyField(TargetArea, blank=True, verbose_name=_("target areas"))
    summary = models.TextField(_("summary"), blank=True)
    current_state = models.TextField(_("current state and the problem"), blank=True)
    objectives = models.TextField(_("objectives and the concrete improvement"), blank=True)
    change_in_ways_of_working = models.TextField(_("how the project changes the ways of working and processes"), blank=True)
    rollout_and_spread = models.TextField(_("how the change is rolled out and the results spread to other municipalities"), blank=True)
    prior_work = models.TextField(_("earlier work elsewhere that the project builds on"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # The person authorised to commit the lead applicant (e.g. the municipal manager), not only a contact.
    signatory_name = models.CharField(_("person authorised to commit the lead applicant"), max_length=200, blank=True)
    signatory_title = models.CharField(_("title of the person authorised to commit the lead applicant"), max_length=200, blank=True)
    declaration_not_excluded = models.BooleanField(_("declaration"), default=False)
    requested_grant = models.DecimalField(_("grant applied for (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.reference} {self.project_name}".strip()


class Participant(models.Model):
    """An organisation taking part: the lead or a partner. A partner's confirmation holds for the
    budget lines it saw: `confirmed_budget_hash` no longer matching means it must confirm again."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead applicant")
        PARTNER = "partner", _("partner")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=10, choices=Role.choices)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_budget_hash = models.CharField(max_length=64, blank=True)
    # A partner's person authorised to commit it, named when it confirms its participation.
    authorised_name = models.CharField(_("person authorised to commit the organisation"), max_length=200, blank=True)
    authorised_title = models.CharField(_("title of the person authorised to commit the organisation"), max_length=200, blank=True)
    # A partner may decline to take part, with a short reason; the lead then removes it or asks again.
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "organisation"], name="organisation_once_per_application"),
            models.UniqueConstraint(fields=["application"], condition=models.Q(role="lead"), name="one_lead_per_application"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("organisation"))
    category = models.ForeignKey(CostCategory, on_delete=models.PROTECT, verbose_name=_("cost category"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount without VAT (EUR)"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["participant_id", "category__order", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="budget_amount_positive")]

    def __str__(self) -> str:
        return f"{self.category} {self.amount}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name is the content hash: the user's file name is kept only as data.
    return f"attachments/{instance.application_id}/{instance.sha256}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Submission(models.Model):
    """One submitted version, stored unchanged, with the fingerprint given on the receipt."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="submission_number_unique")]

    def __str__(self) -> str:
        return f"{self.application.reference} v{self.number}"
