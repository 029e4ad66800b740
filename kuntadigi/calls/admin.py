"""Officials create and edit calls here: every text in Finnish, Swedish and English, every rule as data.

The plain TranslationAdmin shows each text once per language ("title [fi]", "title [sv]", ...). The
tabbed variant is not used because it loads jQuery UI from a third-party CDN, which the content
security policy (script-src 'self') blocks and which would leak officials' visits to that CDN.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from kuntadigi import clock
from kuntadigi.audit.admin_mixins import AuditedAdmin

from .models import Call, Contact, CostCategory, Criterion, Exclusion, FaqEntry, TargetArea


class TargetAreaInline(TranslationTabularInline):
    model = TargetArea
    extra = 0


class ExclusionInline(TranslationStackedInline):
    model = Exclusion
    extra = 0


class CostCategoryInline(TranslationStackedInline):
    model = CostCategory
    extra = 0


class CriterionInline(TranslationStackedInline):
    model = Criterion
    extra = 0


class FaqEntryInline(TranslationStackedInline):
    model = FaqEntry
    extra = 0


class ContactInline(TranslationTabularInline):
    model = Contact
    extra = 0


@admin.register(Call)
class CallAdmin(AuditedAdmin, TranslationAdmin):
    list_display = ("title", "slug", "opens_at", "closes_at", "phase_now", "is_published")
    list_filter = ("is_published",)
    search_fields = ("slug", "title_fi", "title_sv", "title_en")
    prepopulated_fields = {"slug": ("title_fi",)}
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("slug", "is_published", "title", "funder", "programme", "legal_basis", "summary")}),
        (_("Texts of the call"), {"fields": ("purpose", "cooperation_rule", "assessment_intro")}),
        (_("Eligible and ineligible costs"), {"fields": ("eligible_cost_types", "ineligible_cost_types")}),
        (_("Application period"), {"fields": ("opens_at", "closes_at", "project_end_latest")}),
        (
            _("Rules"),
            {
                "fields": (
                    "appropriation",
                    "min_municipalities",
                    "aland_may_apply",
                    "max_grant_share",
                    "vat_eligible",
                    "acceptance_days",
                    "summary_max_chars",
                    "score_min",
                    "score_max",
                )
            },
        ),
        (
            _("After the decision"),
            {
                "fields": (
                    "held_back_share",
                    "cost_tolerance",
                    "final_report_months",
                    "interim_report_dates",
                    "budget_item",
                    "accounting_codes",
                    "payer_name",
                    "payer_iban",
                    "payer_bic",
                )
            },
        ),
    )
    inlines = (TargetAreaInline, ExclusionInline, CostCategoryInline, CriterionInline, FaqEntryInline, ContactInline)

    @admin.display(description=_("phase"))
    def phase_now(self, obj: Call) -> str:
        return Call.Phase(obj.phase(clock.now())).label
