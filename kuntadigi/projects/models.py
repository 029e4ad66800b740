"""A funded project: made from a signed grant decision, with the terms in force, the lead's acceptance
or refusal, the account the grant is paid to, and the written agreement between the lead and its
partners (valtionavustuslaki 688/2001 7 § 3 mom) with each partner's confirmation.

`FundedProject.state` changes only as lifecycle.py's table says (services.py does it).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.applications.models import Application
from kuntadigi.decisions.models import Decision
from kuntadigi.registry.models import Organisation

from .lifecycle import State


class FundedProject(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="funded_project")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="funded_project")
    state = models.CharField(_("state"), max_length=30, choices=State.choices, default=State.GRANTED, db_index=True)
    # The terms in force, as decided.
    maximum_grant = models.DecimalField(_("grant at most (EUR)"), max_digits=14, decimal_places=2)
    share = models.DecimalField(_("maximum share of the eligible costs"), max_digits=5, decimal_places=4)
    costs_from = models.DateField(_("eligible costs from"))
    costs_until = models.DateField(_("eligible costs until"))
    acceptance_due = models.DateField(_("to be accepted by"))
    created_at = models.DateTimeField(default=clock.now)
    # Acceptance or refusal by the lead's administrator.
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refused_at = models.DateTimeField(null=True, blank=True)
    refused_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refusal_reason = models.TextField(_("reason for refusing the grant"), blank=True)
    # The account the grant is paid to (validated with python-stdnum, stored in compact form).
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account_given_at = models.DateTimeField(null=True, blank=True)
    account_given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        constraints = [
            models.CheckConstraint(condition=models.Q(maximum_grant__gt=0), name="project_grant_positive"),
            models.CheckConstraint(condition=models.Q(share__gt=0, share__lte=1), name="project_share_fraction"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.state}"

    @property
    def has_account(self) -> bool:
        return bool(self.iban)


def agreement_path(instance: "PartnerAgreement", filename: str) -> str:
    return f"projects/{instance.project_id}/agreements/{filename}"


class PartnerAgreement(models.Model):
    """The written agreement between the lead and its partners as uploaded. The latest upload is the one
    in force; a new upload needs every partner's confirmation again."""

    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="agreements")
    file = models.FileField(upload_to=agreement_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("partner agreement")
        verbose_name_plural = _("partner agreements")

    def __str__(self) -> str:
        return self.original_name


class AgreementConfirmation(models.Model):
    """A partner organisation confirms the agreement in force: who, when."""

    agreement = models.ForeignKey(PartnerAgreement, on_delete=models.PROTECT, related_name="confirmations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["confirmed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "organisation"], name="agreement_confirmed_once_per_organisation")]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.organisation_id}"


class Settlement(models.Model):
    """The final settlement of a project (valtionavustuslaki 688/2001 20 §): the total accepted costs,
    the final grant = min(maximum grant, share × total accepted costs) rounded down to the cent, what was
    paid, and the balance — positive: paid through a payment batch; negative: to be returned by the due
    date, tracked until returned. Figures are frozen when the settlement decision is signed."""

    project = models.OneToOneField(FundedProject, on_delete=models.PROTECT, related_name="settlement")
    total_accepted = models.DecimalField(_("accepted costs in total (EUR)"), max_digits=14, decimal_places=2)
    final_grant = models.DecimalField(_("final grant (EUR)"), max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("paid before the settlement (EUR)"), max_digits=14, decimal_places=2)
    balance = models.DecimalField(_("balance (EUR)"), max_digits=14, decimal_places=2)
    decision = models.OneToOneField("decisions.ProjectDecision", on_delete=models.PROTECT, related_name="settlement")
    # A negative balance: the excess to return, by when, and when it was returned (recorded by an official).
    return_due = models.DateField(_("excess to be returned by"), null=True, blank=True)
    returned_on = models.DateField(_("excess returned on"), null=True, blank=True)
    returned_amount = models.DecimalField(_("amount returned (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    return_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.final_grant}"

    @property
    def to_pay(self):
        return max(self.balance, 0)

    @property
    def to_return(self):
        return max(-self.balance, 0)
