"""Proposed amounts, the call's allocation, and decisions with their signed documents."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.applications.models import Application, Submission
from kuntadigi.calls.models import Call, NoGrantReason


class Proposal(models.Model):
    """The preparer's proposed amount for an eligible application (default: the amount applied for;
    a reduction needs a reason)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="proposal")
    amount = models.DecimalField(_("proposed amount (EUR)"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason for the reduction"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="proposal_not_negative")]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.amount}"


class Allocation(models.Model):
    """The call's allocation, finalised by the preparer once the proposals fit the appropriation."""

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="allocation")
    total = models.DecimalField(_("total proposed (EUR)"), max_digits=14, decimal_places=2)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.call.slug}: {self.total}"


class Decision(models.Model):
    """A state-grant decision on one application: a grant or no grant, in the application's language.
    A draft can be previewed; once the decision-maker signs it, it and its document are frozen."""

    class Outcome(models.TextChoices):
        GRANT = "grant", _("grant")
        NO_GRANT = "no_grant", _("no grant")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="decision")
    # The submitted version the decision is made on (its content is what the document cites).
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    language = models.CharField(_("language"), max_length=2, choices=[("fi", _("Finnish")), ("sv", _("Swedish"))])
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # A grant
    amount = models.DecimalField(_("grant at most (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_share = models.DecimalField(_("maximum share of the eligible costs"), max_digits=5, decimal_places=4, null=True, blank=True)
    costs_from = models.DateField(_("eligible costs from"), null=True, blank=True)
    costs_until = models.DateField(_("eligible costs until"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    # Why the grant is smaller than the amount applied for (required then, printed in the decision).
    reduction_reason = models.TextField(_("reason for granting less than applied for"), blank=True)
    # Why the eligible-cost period starts before the decision date (required then, printed).
    period_grounds = models.TextField(_("grounds for eligible costs before the decision date"), blank=True)
    reporting = models.TextField(_("reporting duties"), blank=True)
    # No grant
    no_grant_reason = models.ForeignKey(NoGrantReason, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("reason"))
    grounds = models.TextField(_("grounds"), blank=True)
    # The ministry's diary number of the matter (Dnro, e.g. VN/1234/2020), entered by the preparer.
    diary_number = models.CharField(_("diary number"), max_length=40, blank=True)
    # The decisive facts the grounds name, frozen when the draft is prepared and again when it is signed:
    # an ineligible application's failed conditions, an unfunded one's score, rank and the cut-off score.
    grounds_facts = models.JSONField(default=dict, blank=True)
    # The parties as legal persons, frozen from the registry when the draft is prepared and when it is
    # signed: {"lead": {...}, "partners": [...]}, each with legal names in fi and sv and a business ID.
    parties = models.JSONField(default=dict, blank=True)
    # Who and when
    presenter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("presenting official"))
    decision_maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decision-maker"))
    # Titles as the document prints them, in the decision's language.
    presenter_title = models.CharField(_("title of the presenting official"), max_length=200, blank=True)
    decision_maker_title = models.CharField(_("title of the decision-maker"), max_length=200, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=clock.now)
    decision_date = models.DateField(_("date of decision"), null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    # The signed document, frozen: its content hash is checked whenever it is served.
    document = models.FileField(upload_to="decisions/", max_length=300, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    # The draft's preview PDF (watermarked) and the fingerprint of the content it shows: a preview of
    # older content is not served.
    preview = models.FileField(upload_to="decisions/previews/", max_length=300, blank=True)
    preview_of = models.CharField(max_length=64, blank=True)
    # Optimistic locking of the draft: a save names the version it was made from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="grant") | models.Q(amount__isnull=False, amount__gt=0),
                name="grant_has_amount",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.outcome}"


class ProjectDecision(models.Model):
    """An administrative decision on a funded project after the grant decision: a payment reduction, a
    settlement (and, later, a change, a suspension, a recovery or a rectification). Every kind goes the
    same path as a grant decision — prepare → present → sign → render → notify → audit — with its own
    template and grounds (decisions/project_kinds.py). A draft can be previewed; once signed, the
    decision and its document are frozen."""

    class Kind(models.TextChoices):
        PAYMENT_REDUCTION = "payment_reduction", _("payment reduction decision")
        SETTLEMENT = "settlement", _("settlement decision")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed")

    project = models.ForeignKey("projects.FundedProject", on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # The project's language (the grant decision's): fi or sv.
    language = models.CharField(_("language"), max_length=2, choices=[("fi", _("Finnish")), ("sv", _("Swedish"))])
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # The decisive facts of the kind, frozen when the draft is prepared and again when it is signed
    # (figures as strings of euros, lines with their reasons): what the document prints.
    facts = models.JSONField(default=dict, blank=True)
    grounds = models.TextField(_("grounds"), blank=True)
    diary_number = models.CharField(_("diary number"), max_length=40, blank=True)
    presenter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("presenting official"))
    decision_maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decision-maker"))
    presenter_title = models.CharField(_("title of the presenting official"), max_length=200, blank=True)
    decision_maker_title = models.CharField(_("title of the decision-maker"), max_length=200, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=clock.now)
    decision_date = models.DateField(_("date of decision"), null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    document = models.FileField(upload_to="decisions/projects/", max_length=300, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    preview = models.FileField(upload_to="decisions/projects/previews/", max_length=300, blank=True)
    preview_of = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project", "prepared_at", "id"]
        verbose_name = _("decision on a funded project")
        verbose_name_plural = _("decisions on funded projects")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.kind} ({self.state})"
