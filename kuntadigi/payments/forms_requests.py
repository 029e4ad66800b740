"""Forms of the lead's payment requests. They check the FORMAT of what was typed; services_requests.py
checks the rules (who may claim, the period, the categories of the call)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications import drafting_rules
from kuntadigi.applications.forms import DATE_INPUT_FORMATS, DateInput, EurosField

from .services_requests import DESCRIPTION_MAX


class RequestForm(forms.Form):
    period_start = forms.DateField(
        label=_("Costs from"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        error_messages={"required": _("Enter the first day of the period."), "invalid": _("Enter a date, e.g. 1.1.2021.")},
    )
    period_end = forms.DateField(
        label=_("Costs until"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        help_text=_("The costs incurred in this period are claimed. The period lies within the eligible-cost period."),
        error_messages={"required": _("Enter the last day of the period."), "invalid": _("Enter a date, e.g. 30.6.2021.")},
    )


class LineForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, error_messages={"required": _("Choose the organisation.")})
    category = forms.TypedChoiceField(label=_("Cost category"), coerce=int, error_messages={"required": _("Choose the cost category.")})
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        help_text=_("What the cost is, e.g. the project manager's salary 1–6/2021, or an invoice number and supplier."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the cost.")},
    )
    amount = EurosField(label=_("Amount without VAT (EUR)"), error_messages={"required": _("Enter the amount.")})
    incurred_from = forms.DateField(
        label=_("Incurred from (optional)"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date, e.g. 1.1.2021.")},
    )
    incurred_to = forms.DateField(
        label=_("Incurred until (optional)"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date, e.g. 30.6.2021.")},
    )

    def __init__(self, *args, organisations=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Choose…")), *organisations]
        self.fields["category"].choices = [("", _("Choose…")), *categories]


class LedgerForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, error_messages={"required": _("Choose the organisation.")})
    file = forms.FileField(
        label=_("Ledger extract"),
        error_messages={"required": _("Choose the file of the ledger extract."), "empty": _("The file is empty.")},
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Choose…")), *organisations]
        self.fields["file"].widget.attrs["accept"] = ".pdf,.odt,.docx,.xlsx,.ods," + ",".join(drafting_rules.ATTACHMENT_TYPES)
        self.fields["file"].help_text = _("The organisation's ledger extract (pääkirjaote) showing the costs of the period. %(types)s, at most %(max)s.") % {
            "types": drafting_rules.attachment_type_names(),
            "max": drafting_rules.format_size(settings.ATTACHMENT_MAX_BYTES),
        }

    def refuse_file(self, message: str) -> None:
        self.is_valid()
        self.errors.pop("file", None)
        self.add_error("file", message)
