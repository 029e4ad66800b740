"""Blind, weighted assessment: assessors' ties (conflicts of interest), assignments and scores."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.applications.models import Application
from kuntadigi.calls.models import Criterion
from kuntadigi.registry.models import Organisation


class Tie(models.Model):
    """An organisation an assessor is tied to. An assessor may not assess an application in which such
    an organisation takes part (disqualification, Administrative Procedure Act 28 §)."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("employer")
        BOARD = "board", _("board or council membership")
        RELATION = "relation", _("close relation")
        OTHER = "other", _("other tie")

    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of tie"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["assessor", "organisation__name_fi"]
        verbose_name = _("declared tie")
        verbose_name_plural = _("declared ties")
        constraints = [models.UniqueConstraint(fields=["assessor", "organisation", "kind"], name="tie_once")]

    def __str__(self) -> str:
        return f"{self.assessor} – {self.organisation} ({self.kind})"


class Assignment(models.Model):
    """An assessor assigned to assess one application. Scores are blind until `submitted_at` is set."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assignments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=clock.now)
    submitted_at = models.DateTimeField(_("assessment submitted"), null=True, blank=True)

    class Meta:
        ordering = ["application", "assigned_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["application", "assessor"], name="assess_once")]

    def __str__(self) -> str:
        return f"{self.application.reference} – {self.assessor}"


class Score(models.Model):
    """One assessor's score and written justification on one criterion. While the assignment is a
    draft either may be empty; submitting requires both for every criterion of the call."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True)

    class Meta:
        ordering = ["assignment", "criterion__order"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="score_once_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
