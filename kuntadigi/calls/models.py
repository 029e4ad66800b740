"""A call for applications is data: every rule the application rules read lives here.

Texts marked translatable are stored per language (fi, sv, en) by django-modeltranslation:
`call.title` reads the current language, `call.title_sv` a given one.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock


class Call(models.Model):
    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("upcoming")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    slug = models.SlugField(_("identifier"), unique=True, help_text=_("Used in addresses, e.g. digi-2020."))
    # Translatable texts (see translation.py)
    title = models.CharField(_("title"), max_length=300)
    funder = models.CharField(_("funder"), max_length=200)
    programme = models.CharField(_("programme"), max_length=300, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    summary = models.TextField(_("summary"), help_text=_("One or two sentences for the list of calls."))
    purpose = models.TextField(_("purpose"))
    cooperation_rule = models.TextField(_("cooperation rule"), blank=True)
    assessment_intro = models.TextField(_("how applications are assessed"), blank=True)
    # Rules
    appropriation = models.DecimalField(_("appropriation (EUR)"), max_digits=14, decimal_places=2)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    project_end_latest = models.DateField(_("projects must end by"))
    min_municipalities = models.PositiveSmallIntegerField(_("minimum number of cooperating municipalities"), default=2, validators=[MinValueValidator(1)])
    max_grant_share = models.DecimalField(
        _("maximum grant share of eligible costs"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.85"),
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("1"))],
        help_text=_("As a fraction: 0.85 is 85 %."),
    )
    vat_eligible = models.BooleanField(_("VAT is an eligible cost"), default=False)
    # Åland's municipalities (region 21) take part only when the call says so: the programme is a state
    # grant to mainland municipalities, and each call states its own rule (docs/decisions.md).
    aland_may_apply = models.BooleanField(
        _("Åland's municipalities may apply"),
        default=False,
        help_text=_("Whether municipalities of Åland (region 21) may be the lead applicant or a partner."),
    )
    # The cost types of VNA 893/2019 5 § as the call states them (translatable, one item per line).
    eligible_cost_types = models.TextField(_("eligible cost types"), blank=True, help_text=_("One cost type per line."))
    ineligible_cost_types = models.TextField(_("ineligible cost types"), blank=True, help_text=_("One cost type per line."))
    summary_max_chars = models.PositiveIntegerField(_("maximum length of the summary"), default=2000)
    score_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    score_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    disagreement_spread = models.DecimalField(
        _("assessors disagree when their scores differ by more than"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("On any criterion. Such applications are flagged for discussion."),
    )
    # Decision texts of the call (translatable; a decision is written in Finnish or Swedish).
    decision_conditions = models.TextField(_("conditions of a grant decision"), blank=True)
    reporting_duties = models.TextField(_("reporting duties of a grant decision"), blank=True)
    # The ministry's diary number of the call's matter (Dnro), the default of each decision's.
    diary_number = models.CharField(_("diary number"), max_length=40, blank=True, help_text=_("E.g. VN/1234/2020."))
    payment_terms = models.TextField(_("how a grant is paid"), blank=True, help_text=_("Printed in every grant decision of the call."))
    applied_provisions = models.TextField(
        _("provisions applied in the decisions"),
        blank=True,
        help_text=_("One provision per line, with its sections, e.g. 'Valtionavustuslaki (688/2001) 5–7, 9–12 ja 14–16 §'."),
    )
    # How long the lead has to accept a grant (or refuse it), counted from the date of the decision. The
    # programme's documents set no period; 30 days is the default (docs/decisions.md, "Funded projects").
    acceptance_days = models.PositiveSmallIntegerField(
        _("days to accept a grant"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("The lead's administrator accepts or refuses the grant within this many days of the date of the decision."),
    )
    # After the decision: payments, reports and the State's accounting (docs/payments.md).
    held_back_share = models.DecimalField(
        _("share of the grant held back until the final report"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("E.g. 0.10: at most 90 per cent of a grant is paid before the final report is approved."),
    )
    cost_tolerance = models.DecimalField(
        _("tolerance of a cost category over its budget"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("E.g. 0.10: a category's costs may exceed its budget by 10 per cent before an official is asked to look."),
    )
    final_report_months = models.PositiveSmallIntegerField(
        _("months to deliver the final report"),
        default=4,
        help_text=_("The final report is due this many months after the eligible-cost period ends."),
    )
    interim_report_dates = models.JSONField(
        _("due dates of interim reports"),
        default=list,
        blank=True,
        help_text=_("Dates (YYYY-MM-DD) on which every running project of the call delivers an interim report; empty when the call asks for none."),
    )
    budget_item = models.CharField(
        _("budget item"), max_length=40, blank=True, help_text=_("E.g. 28.90.32, written on every payment for the State's accounting.")
    )
    accounting_codes = models.JSONField(
        _("accounting codes"),
        default=dict,
        blank=True,
        help_text=_('Codes written on every payment for the State\'s accounting, e.g. {"account": "...", "cost_centre": "..."}.'),
    )
    payer_name = models.CharField(_("name of the paying agency"), max_length=140, blank=True)
    payer_iban = models.CharField(_("IBAN of the paying account"), max_length=34, blank=True)
    payer_bic = models.CharField(_("BIC of the paying account"), max_length=11, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    # Set by the demo generators: the call's applications, assessments and decisions are fictional,
    # and every page and export that shows them says so.
    generated_content = models.BooleanField(
        _("applications and decisions are generated demo data"),
        default=False,
        help_text=_("Fictional content made by the demo generator. Pages and exports of the call say so."),
    )

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("calls:detail", args=[self.slug])

    def phase(self, at=None) -> str:
        from kuntadigi.calls.rules import call_phase

        return call_phase(self.opens_at, self.closes_at, at or clock.now())

    @property
    def is_open(self) -> bool:
        return self.phase() == self.Phase.OPEN

    @property
    def max_grant_percent(self) -> Decimal:
        return (self.max_grant_share * 100).normalize()

    def cost_types_in(self, language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(eligible, ineligible): the call's cost types in `language` (fi, sv or en), one item per line,
        whatever the reader's language. The decision document reads them in the decision's language."""
        if language not in {"fi", "sv", "en"}:
            raise ValueError(f"No cost types in language {language!r}.")
        return lines_of(getattr(self, f"eligible_cost_types_{language}")), lines_of(getattr(self, f"ineligible_cost_types_{language}"))

    @property
    def eligible_cost_type_list(self) -> tuple[str, ...]:
        """The eligible cost types in the reader's language."""
        return lines_of(self.eligible_cost_types)

    @property
    def ineligible_cost_type_list(self) -> tuple[str, ...]:
        return lines_of(self.ineligible_cost_types)


def lines_of(text: str | None) -> tuple[str, ...]:
    """The non-empty lines of a text stored one item per line, trimmed."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class TargetArea(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="target_areas")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=400)

    class Meta:
        ordering = ["call", "number"]
        unique_together = [("call", "number")]
        verbose_name = _("target area")
        verbose_name_plural = _("target areas")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Exclusion(models.Model):
    """A field the call does not fund, with words that suggest it (used by screening)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="exclusions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=300)
    keywords = models.TextField(_("words that suggest it"), blank=True, help_text=_("One word or word stem per line, in any language."))

    class Meta:
        ordering = ["call", "order"]
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")

    def __str__(self) -> str:
        return self.name


class CostCategory(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="cost_categories")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what the category covers"), blank=True)

    class Meta:
        ordering = ["call", "order"]
        unique_together = [("call", "code")]
        verbose_name = _("eligible cost category")
        verbose_name_plural = _("eligible cost categories")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["call", "order"]
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")

    def __str__(self) -> str:
        return self.name


class FaqEntry(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="faq")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    question = models.CharField(_("question"), max_length=400)
    answer = models.TextField(_("answer"))

    class Meta:
        ordering = ["call", "order"]
        verbose_name = _("question and answer")
        verbose_name_plural = _("questions and answers")

    def __str__(self) -> str:
        return self.question


class Contact(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="contacts")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("title"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["call", "order"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class NoGrantReason(models.Model):
    """A reason the call gives for not granting (the decision adds free text to it)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="no_grant_reasons")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"))
    text = models.TextField(_("reason"))

    class Meta:
        ordering = ["call", "order"]
        unique_together = [("call", "code")]
        verbose_name = _("reason for not granting")
        verbose_name_plural = _("reasons for not granting")

    def __str__(self) -> str:
        return self.text


class CallRole(models.Model):
    """Who does what in one call. Rights in screening, assessment and decisions follow these roles,
    not a global flag. A system administrator names them."""

    class Role(models.TextChoices):
        PREPARER = "preparer", _("preparer")
        PRESENTER = "presenter", _("presenting official")
        DECISION_MAKER = "decision_maker", _("decision-maker")
        ASSESSOR = "assessor", _("assessor")
        PAYMENT_APPROVER = "payment_approver", _("payment approver")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="call_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    named_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    named_at = models.DateTimeField(_("named"), default=clock.now)

    class Meta:
        ordering = ["call", "role", "user_id"]
        verbose_name = _("role in a call")
        verbose_name_plural = _("roles in calls")
        constraints = [models.UniqueConstraint(fields=["call", "user", "role"], name="call_role_once")]

    def __str__(self) -> str:
        return f"{self.call.slug}: {self.get_role_display()} {self.user}"
