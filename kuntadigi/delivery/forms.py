"""Forms of delivery. They check the FORMAT of what was typed; services.py checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications.forms import DATE_INPUT_FORMATS, DateInput


class PostalAddressForm(forms.Form):
    postal_address = forms.CharField(
        label=_("Postal address for letters"),
        required=False,
        max_length=700,
        help_text=_("The lines under the organisation's name on the envelope, e.g. PL 23, 06101 Porvoo. Letters with decisions go here."),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )


class PostedForm(forms.Form):
    posted_on = forms.DateField(
        label=_("Posted on"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        help_text=_("The day the letter was handed to the post. The decision is presumed received on the 7th day after it."),
        error_messages={"required": _("Enter the day the letter was posted."), "invalid": _("Enter a date in the form 14.12.2020.")},
    )
