"""Delivering decisions (tiedoksianto): the organisations' consent to electronic notification, and one
delivery of each signed decision to each organisation of the application."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.decisions.models import Decision
from kuntadigi.registry.models import Organisation

from . import rules


class NotificationConsent(models.Model):
    """An organisation's consent to being notified of decisions electronically (Act on Electronic
    Services and Communication in the Public Sector 13/2003, section 19): who gave it, when and where,
    and who withdrew it and when. A row is one period of consent; a new consent is a new row, so the
    consent in force at any moment can be read back. An organisation has at most one consent in force."""

    class Source(models.TextChoices):
        APPLICATION = "application", _("in the application")
        CONFIRMATION = "confirmation", _("when confirming participation")
        ORGANISATION = "organisation", _("on the organisation's page")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="notification_consents", verbose_name=_("organisation"))
    given_at = models.DateTimeField(_("given"), default=clock.now)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("given by"))
    given_in = models.CharField(_("where given"), max_length=20, choices=Source.choices)
    # The application in which it was given, if it was given in one.
    application = models.ForeignKey("applications.Application", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("withdrawn by")
    )
    withdrawn_in = models.CharField(_("where withdrawn"), max_length=20, choices=Source.choices, blank=True)

    class Meta:
        ordering = ["organisation_id", "-given_at", "-id"]
        verbose_name = _("consent to electronic notification")
        verbose_name_plural = _("consents to electronic notification")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], condition=models.Q(withdrawn_at__isnull=True), name="one_consent_in_force_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.given_at:%Y-%m-%d}"


class Delivery(models.Model):
    """One signed decision delivered to one organisation of its application: electronically (an
    e-mail with a link to the e-service) or by post, in the organisation's language. When the signed
    main document does not fit (another language or another channel), the organisation gets a copy of
    its own, stored once with its SHA-256."""

    class Channel(models.TextChoices):
        ELECTRONIC = rules.ELECTRONIC, _("electronically")
        POST = rules.POST, _("by post")

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="deliveries")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("organisation"))
    is_lead = models.BooleanField(_("lead applicant"), default=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=[("fi", _("Finnish")), ("sv", _("Swedish"))])
    # The consent an electronic delivery relies on.
    consent = models.ForeignKey(NotificationConsent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    # A copy of its own (a translation, or the appeal instructions of another channel), never replaced.
    own_copy = models.BooleanField(default=False)
    copy = models.FileField(upload_to="decisions/copies/", max_length=300, blank=True)
    copy_sha256 = models.CharField(max_length=64, blank=True)
    # Sending: the day that counts (the e-mail's day in Helsinki, or the day the letter was posted),
    # when it was recorded and, for a letter, by which official.
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    messages = models.PositiveSmallIntegerField(default=0)
    # The first time a member of the organisation opened the decision in the service.
    read_at = models.DateTimeField(_("opened"), null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["decision_id", "-is_lead", "id"]
        verbose_name = _("delivery of a decision")
        verbose_name_plural = _("deliveries of decisions")
        constraints = [models.UniqueConstraint(fields=["decision", "organisation"], name="one_delivery_per_organisation")]

    def __str__(self) -> str:
        return f"{self.decision_id} → {self.organisation}: {self.channel}"

    @property
    def electronic(self) -> bool:
        return self.channel == self.Channel.ELECTRONIC

    @property
    def to_post(self) -> bool:
        return self.channel == self.Channel.POST and self.sent_on is None

    @property
    def opened_on(self):
        return clock.helsinki(self.read_at).date() if self.read_at else None

    @property
    def notified_on(self):
        return rules.presumed_notification_day(self.channel, self.sent_on, self.opened_on)

    @property
    def claim_until(self):
        notified = self.notified_on
        return rules.claim_period_last_day(notified) if notified else None
