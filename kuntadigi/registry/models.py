"""Who can take part: regions, municipalities and joint municipal authorities."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=100)
    name_sv = models.CharField(_("name in Swedish"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return {"sv": self.name_sv, "en": self.name_en}.get(get_language() or "fi", self.name_fi)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        JOINT_AUTHORITY = "joint_authority", _("joint municipal authority")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Statistics Finland municipality code (three digits); empty for joint authorities.
    municipality_code = models.CharField(_("municipality code"), max_length=3, unique=True, null=True, blank=True)
    business_id = models.CharField(_("business ID"), max_length=9, unique=True, null=True, blank=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Where a decision is posted when the organisation has not consented to electronic notification
    # (kuntadigi.delivery): the lines of the address as they go on the envelope, without the name.
    postal_address = models.TextField(_("postal address"), blank=True)

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="municipality") | models.Q(municipality_code__isnull=False),
                name="municipality_has_code",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A business ID (Y-tunnus) must be valid; it is stored in the form 1234567-8."""
        super().clean()
        if not self.business_id:
            self.business_id = None
            return
        from .services import normalise_business_id  # the one place that knows the format

        try:
            self.business_id = normalise_business_id(self.business_id)
        except ValidationError as error:
            raise ValidationError({"business_id": error.messages}) from error

    @property
    def name(self) -> str:
        """The name in the reader's language; Swedish where the reader reads Swedish."""
        if get_language() == "sv" and self.name_sv:
            return self.name_sv
        return self.name_fi

    @property
    def both_names(self) -> str:
        if self.name_sv and self.name_sv != self.name_fi:
            return f"{self.name_fi} – {self.name_sv}"
        return self.name_fi
