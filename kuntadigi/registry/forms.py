"""Forms for the officials' registry page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Region
from .services import normalise_business_id


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


class JointAuthorityForm(forms.Form):
    name_fi = forms.CharField(label=_("Name in Finnish"), max_length=200)
    name_sv = forms.CharField(label=_("Name in Swedish"), max_length=200, required=False, help_text=_("Leave empty if the authority has no Swedish name."))
    business_id = BusinessIdField()
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("No region"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "ja")
        super().__init__(*args, **kwargs)

    def clean_business_id(self):
        value = self.cleaned_data["business_id"]
        if Organisation.objects.filter(business_id=value).exists():
            raise ValidationError(_("Another organisation already has this business ID."), code="business_id_taken")
        return value


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.both_names} ({obj.municipality_code})"


class MunicipalityBusinessIdForm(forms.Form):
    municipality = MunicipalityChoiceField(
        label=_("Municipality"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("name_fi"),
        empty_label=_("Choose a municipality"),
    )
    business_id = BusinessIdField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "mu")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        municipality, business_id = cleaned.get("municipality"), cleaned.get("business_id")
        if municipality and business_id and Organisation.objects.filter(business_id=business_id).exclude(pk=municipality.pk).exists():
            self.add_error("business_id", ValidationError(_("Another organisation already has this business ID."), code="business_id_taken"))
        return cleaned
