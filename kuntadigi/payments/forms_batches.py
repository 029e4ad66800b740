"""Forms of payment batches. They check the FORMAT of what was typed; services_batches.py checks the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kuntadigi.applications.forms import DATE_INPUT_FORMATS, DateInput


class BatchForm(forms.Form):
    due_date = forms.DateField(
        label=pgettext_lazy("payment batch", "Due date"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        help_text=_("The day the bank pays the batch's payments (the requested execution date in the credit-transfer file)."),
        error_messages={"required": _("Enter the due date."), "invalid": _("Enter a date in the form 14.12.2020.")},
    )


class PaidForm(forms.Form):
    value_date = forms.DateField(
        label=_("Value date"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        help_text=_("The day the bank paid the batch, as its statement says."),
        error_messages={"required": _("Enter the value date."), "invalid": _("Enter a date in the form 14.12.2020.")},
    )
