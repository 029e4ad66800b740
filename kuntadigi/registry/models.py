"""Who can take part: regions, municipalities and joint municipal authorities.

An organisation is a legal person: its legal names (the nominative forms a decision names, e.g.
"Mäntyharjun kunta" / "Mäntyharju kommun") and business ID. A municipality also carries its
linguistic status (kielilaki 423/2003, 5 §) and its place on the municipal map: the days it is valid
and, once merged, its successor. The rules on those facts are pure functions in rules.py.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import rules


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


class OrganisationQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        """The organisations that exist on `day` (their validity covers it; no dates = always)."""
        starts = models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day)
        ends = models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day)
        return self.filter(starts, ends)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        JOINT_AUTHORITY = "joint_authority", _("joint municipal authority")

    class LanguageStatus(models.IntegerChoices):
        """Statistics Finland's classification kielisuhde (the Government's decision under kielilaki 5 §)."""

        FINNISH = rules.FINNISH, _("unilingual Finnish")
        BILINGUAL_FINNISH_MAJORITY = rules.BILINGUAL_FINNISH_MAJORITY, _("bilingual, Finnish majority")
        SWEDISH = rules.SWEDISH, _("unilingual Swedish")
        BILINGUAL_SWEDISH_MAJORITY = rules.BILINGUAL_SWEDISH_MAJORITY, _("bilingual, Swedish majority")

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
    # The organisation's own e-mail domains ("loviisa.fi"), entered by a ministry official: a request to
    # join from a (link-confirmed) address in one of them goes to the top of the officials' queue.
    email_domains = models.JSONField(_("e-mail domains"), default=list, blank=True)

    # The legal person's names in the nominative, as a decision names the recipient.
    legal_name_fi = models.CharField(_("legal name in Finnish"), max_length=200, blank=True)
    legal_name_sv = models.CharField(_("legal name in Swedish"), max_length=200, blank=True)

    # Languages (kielilaki 423/2003): empty for a joint authority.
    language_status = models.PositiveSmallIntegerField(_("linguistic status"), choices=LanguageStatus.choices, null=True, blank=True)
    majority_language = models.CharField(_("majority language"), max_length=2, choices=[("fi", _("Finnish")), ("sv", _("Swedish"))], blank=True)
    sami_language_area = models.BooleanField(_("in the Sámi homeland"), default=False)

    # The municipal map: the days the organisation exists, and who carries on after a merger.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    successor = models.ForeignKey("self", verbose_name=_("successor"), on_delete=models.PROTECT, null=True, blank=True, related_name="predecessors")

    objects = OrganisationQuerySet.as_manager()

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
    def legal_name(self) -> str:
        """The legal name in the reader's language (Swedish where the reader reads Swedish)."""
        return self.legal_name_in("sv" if get_language() == "sv" else "fi")

    def legal_name_in(self, language: str) -> str:
        """The legal name in "fi" or "sv"; the other language's legal name when that one is missing,
        then the plain name."""
        return rules.legal_name(language, self.legal_name_fi, self.legal_name_sv, self.name_sv if language == "sv" else self.name_fi)

    @property
    def languages(self) -> tuple[str, ...]:
        """The official languages, the majority's first: ("fi",), ("sv",), ("fi", "sv") or ("sv", "fi")."""
        return rules.official_languages(self.language_status, self.majority_language)

    def is_valid_on(self, day: date) -> bool:
        """Whether the organisation exists on `day` (a municipality merged into another ends the day before)."""
        return rules.is_valid_on(self.valid_from, self.valid_until, day)

    @property
    def merger_date(self) -> date | None:
        """The day a successor took over (the day after this organisation's last day), when it has one."""
        if self.successor_id is None or self.valid_until is None:
            return None
        return rules.day_after(self.valid_until)

    def succession_on(self, day: date) -> list[tuple["Organisation", "Organisation", date]]:
        """The mergers this organisation went through by `day`: (old, new, merger date), in order.
        Reads `successor` (select_related it to spare the queries)."""
        return rules.succession(self, day, _merger_step)

    def successor_on(self, day: date) -> "Organisation":
        """Who stands for this organisation on `day`: its last successor by then, or itself."""
        return rules.successor_as_of(self, day, _merger_step)

    def not_valid_reason(self, day: date) -> str | None:
        """Why the organisation cannot take part in a call that opens on `day` (None: it can)."""
        successor = self.successor.name if self.successor_id else None
        return rules.not_valid_reason(self.name, self.valid_from, self.valid_until, successor, day)

    @property
    def both_names(self) -> str:
        if self.name_sv and self.name_sv != self.name_fi:
            return f"{self.name_fi} – {self.name_sv}"
        return self.name_fi


def _merger_step(org: Organisation) -> tuple[date | None, Organisation | None]:
    return org.valid_until, (org.successor if org.successor_id else None)
