"""Screening after the deadline: an official's eligibility mark, and requests for supplements."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.applications.models import Application, Submission


class Screening(models.Model):
    """The official's eligibility mark for an application, with a written reason. The automatic checks
    only inform it: the system never rejects by itself. Changes are kept in the audit trail."""

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", _("eligible")
        INELIGIBLE = "ineligible", _("ineligible")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="screening")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.TextField(_("reason"))
    # An ineligible application: the conditions of the call it fails (conditions.py codes), which its
    # no-grant decision names.
    failed_conditions = models.JSONField(_("conditions not met"), default=list, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.outcome}"


class SupplementRequest(models.Model):
    """A request for supplement (täydennyspyyntö): named parts the lead may edit after the deadline,
    until the due instant, and then resubmit."""

    # The parts of an application a request can open, by the name the pages use.
    PARTS = ("project", "target_areas", "schedule", "contact", "partners", "budget", "attachments")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="supplement_requests")
    parts = models.JSONField(_("parts to supplement"))
    message = models.TextField(_("what is asked"))
    # Why the budget, the partners or the target areas are reopened (required when any of them is):
    # shown to the lead applicant and to the decision-maker, kept in the audit trail.
    reason = models.TextField(_("why these parts are reopened"), blank=True)
    due_at = models.DateTimeField(_("due"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    # The version submitted in answer; empty while the request is open.
    answer = models.OneToOneField(Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="answers_request")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "requested_at"]
        verbose_name = _("request for supplement")
        verbose_name_plural = _("requests for supplement")

    def __str__(self) -> str:
        return f"{self.application.reference}: {', '.join(self.parts)}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class CheckResult(models.Model):
    """Which automatic checks flag an application, as of its `version`, stored so that the screening
    list filters by them in the database. Derived data, never edited: the screening list recomputes a
    row whose application has changed since (another version number) or whose call's rules have
    (another `rules_digest`). The checks themselves live in rules.py."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="check_result")
    version = models.PositiveIntegerField()
    rules_digest = models.CharField(max_length=64)
    # The codes of the flagged checks between commas (",vat,exclusions,"); "," when every check passes.
    flagged = models.CharField(max_length=200)
    computed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("result of the automatic checks")
        verbose_name_plural = _("results of the automatic checks")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.flagged}"
