"""A funded project's reports: interim reports when the call asks for them, and the final report.

    Report               one report due on a date: its draft content, its state (lifecycle.py) and, for the
                         final report, its financial part — the final payment request (payments) and the
                         auditor's or finance office's confirmation (ReportAttachment).
    ReportVersion        each submitted version, frozen, so that a supplement can be shown as a diff.
    ReportReview         an official's substantive or financial review: passed, or a supplement asked.
    SupplementRequest    what the official asked for, by when, and the version that answered it.

The content follows the call's own criteria (reports/content.py lists the fields): the improvement for
residents or staff, how the ways of working changed, each indicator planned and achieved, how the
results were spread to other municipalities, what continues after the project, and a public summary
in Finnish, Swedish and English for the results pages.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.payments.models import PaymentRequest
from kuntadigi.projects.models import FundedProject

from .lifecycle import State


class Part(models.TextChoices):
    SUBSTANTIVE = "substantive", _("substantive review")
    FINANCIAL = "financial", _("financial review")


class Report(models.Model):
    class Kind(models.TextChoices):
        INTERIM = "interim", _("interim report")
        FINAL = "final", _("final report")

    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=30, choices=State.choices, default=State.DRAFT, db_index=True)
    # The draft as the lead edits it (the fields of reports/content.py); each submission freezes a ReportVersion.
    content = models.JSONField(default=dict, blank=True)
    # The final report's financial part: the final payment request (every cost of the project).
    payment_request = models.OneToOneField(PaymentRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="report")
    created_at = models.DateTimeField(default=clock.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    # Reminders sent (by the daily job) are recorded in notifications.Message with their keys.

    class Meta:
        ordering = ["project", "due_date", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=models.Q(kind="final"), name="one_final_report"),
            models.UniqueConstraint(fields=["project", "kind", "due_date"], name="report_due_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.kind} {self.due_date}"


class ReportVersion(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_once")]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number}"


def report_attachment_path(instance: "ReportAttachment", filename: str) -> str:
    return f"reports/{instance.report.project_id}/{instance.report_id}/{filename}"


class ReportAttachment(models.Model):
    """A file of a report: the auditor's or finance office's confirmation of the final accounts, or other."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("confirmation by the auditor or finance office")
        OTHER = "other", _("other attachment")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=report_attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["report", "uploaded_at", "id"]
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")

    def __str__(self) -> str:
        return self.original_name


class ReportReview(models.Model):
    class Outcome(models.TextChoices):
        PASSED = "passed", _("passed")
        SUPPLEMENT = "supplement", _("supplement asked")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="reviews")
    part = models.CharField(_("review"), max_length=20, choices=Part.choices)
    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["report", "reviewed_at", "id"]
        verbose_name = _("report review")
        verbose_name_plural = _("report reviews")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.part} {self.outcome}"


class SupplementRequest(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="supplement_requests")
    part = models.CharField(_("review"), max_length=20, choices=Part.choices)
    message = models.TextField(_("what is to be supplemented"))
    due_date = models.DateField(_("to be supplemented by"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    answered_by_version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "requested_at", "id"]
        verbose_name = _("request for supplement to a report")
        verbose_name_plural = _("requests for supplement to reports")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.part}"
