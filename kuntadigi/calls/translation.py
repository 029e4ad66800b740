from modeltranslation.translator import TranslationOptions, register

from .models import Call, Contact, CostCategory, Criterion, Exclusion, FaqEntry, NoGrantReason, TargetArea


@register(Call)
class CallTranslation(TranslationOptions):
    fields = (
        "title",
        "funder",
        "programme",
        "legal_basis",
        "summary",
        "purpose",
        "cooperation_rule",
        "assessment_intro",
        "decision_conditions",
        "reporting_duties",
        "payment_terms",
        "applied_provisions",
        "eligible_cost_types",
        "ineligible_cost_types",
    )
    required_languages = ("fi", "sv", "en")


@register(TargetArea)
class TargetAreaTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fi", "sv", "en")


@register(Exclusion)
class ExclusionTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fi", "sv", "en")


@register(CostCategory)
class CostCategoryTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi", "sv", "en")


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("fi", "sv", "en")


@register(FaqEntry)
class FaqEntryTranslation(TranslationOptions):
    fields = ("question", "answer")
    required_languages = ("fi", "sv", "en")


@register(Contact)
class ContactTranslation(TranslationOptions):
    fields = ("role",)


@register(NoGrantReason)
class NoGrantReasonTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("fi", "sv")
