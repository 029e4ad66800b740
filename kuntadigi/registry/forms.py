"""Forms for the officials' registry page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Region
from .services import BUSINESS_ID_TAKEN, normalise_business_id


class BusinessIdField(forms.CharField):
    """A Finnish business ID (Y-tunnus), cleaned to the form 1234567-8."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Business ID (Y-tunnus)"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("For example 0201256-6."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return normalise_business_id(value)


LEGAL_NAME_HELP = _("The name of the legal person in the nominative, as in the Business Information System (YTJ), e.g. “Mäntyharjun kunta”.")
LEGAL_NAME_SV_HELP = _("For example “Mäntyharju kommun”.")


class JointAuthorityForm(forms.Form):
    name_fi = forms.CharField(label=_("Name in Finnish"), max_length=200)
    name_sv = forms.CharField(label=_("Name in Swedish"), max_length=200, required=False, help_text=_("Leave empty if the authority has no Swedish name."))
    legal_name_fi = forms.CharField(
        label=_("Legal name in Finnish"),
        max_length=200,
        required=False,
        help_text=_("As in the Business Information System (YTJ). Leave empty if it is the name above."),
    )
    legal_name_sv = forms.CharField(
        label=_("Legal name in Swedish"),
        max_length=200,
        required=False,
        help_text=_("As in the Business Information System (YTJ). Leave empty if it is the Swedish name above."),
    )
    business_id = BusinessIdField()
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("No region"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ja")
        super().__init__(*args, **kwargs)

    def clean_business_id(self):
        value = self.cleaned_data["business_id"]
        if Organisation.objects.filter(business_id=value).exists():
            raise ValidationError(BUSINESS_ID_TAKEN, code="business_id_taken")
        return value


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.both_names} ({obj.municipality_code or obj.business_id or obj.get_kind_display()})"


class OrganisationChoiceForm(forms.Form):
    """Which organisation's legal identity to open (a GET form)."""

    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name_fi", "pk"),
        empty_label=_("Choose an organisation"),
    )


class LegalIdentityForm(forms.Form):
    """An organisation's legal names and business ID, as the official types them."""

    legal_name_fi = forms.CharField(label=_("Legal name in Finnish"), max_length=200, required=False, help_text=LEGAL_NAME_HELP)
    legal_name_sv = forms.CharField(label=_("Legal name in Swedish"), max_length=200, required=False, help_text=LEGAL_NAME_SV_HELP)
    business_id = BusinessIdField(required=False, help_text=_("For example 0201256-6. Leave empty if it is not known."))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        kwargs.setdefault("prefix", "li")
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    @classmethod
    def initial_from(cls, organisation: Organisation) -> dict:
        return {"legal_name_fi": organisation.legal_name_fi, "legal_name_sv": organisation.legal_name_sv, "business_id": organisation.business_id or ""}

    def clean_business_id(self):
        value = self.cleaned_data["business_id"]
        if value and Organisation.objects.filter(business_id=value).exclude(pk=self.organisation.pk).exists():
            raise ValidationError(BUSINESS_ID_TAKEN, code="business_id_taken")
        return value


class EmailDomainsForm(forms.Form):
    """The organisation's own e-mail domains (services.set_email_domains checks each)."""

    email_domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The domains of the organisation's own e-mail addresses, one a line, e.g. loviisa.fi. Leave empty if they are not known."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ed")
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, organisation: Organisation) -> dict:
        return {"email_domains": "\n".join(organisation.email_domains or [])}
