"""The public results pages' GET forms (they work without JavaScript: a plain submit button)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

SORT_CHOICES = [
    ("name", _("Project name")),
    ("amount", _("Grant, largest first")),
    ("lead", _("Lead applicant")),
    ("reference", _("Reference")),
]


class ResultsFilterForm(forms.Form):
    """Sort and narrow one call's funded projects. Choices come from the call's own target areas and
    the regions of its funded projects; an unknown value is an error shown on the page."""

    area = forms.ChoiceField(label=_("Target area"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, areas: list[tuple[str, str]], regions: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["area"].choices = [("", _("All target areas")), *areas]
        self.fields["region"].choices = [("", _("All regions")), *regions]

    def value(self, name: str) -> str:
        """The field's valid value, or "" when it is missing or not valid."""
        if self.is_valid():
            return self.cleaned_data.get(name) or ""
        return "" if name in self.errors else (self.cleaned_data.get(name) or "")


class MunicipalitySearchForm(forms.Form):
    q = forms.CharField(label=_("Municipality name"), required=False, max_length=100)
