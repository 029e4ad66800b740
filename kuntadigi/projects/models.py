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
