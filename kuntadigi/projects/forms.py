"""Forms of a funded project. They check the FORMAT of what was typed; services.py checks the rules."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications import drafting_rules

from .services import REFUSAL_REASON_MAX


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing the grant"),
        max_length=REFUSAL_REASON_MAX,
        help_text=_("The reason is shown to the ministry and on the public page of the project."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter the reason for refusing the grant.")},
    )


class AccountForm(forms.Form):
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        help_text=_("The account of the lead organisation, e.g. FI21 1234 5600 0007 85."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        error_messages={"required": _("Enter the IBAN.")},
    )
    bic = forms.CharField(
        label=_("BIC"),
        max_length=14,
        help_text=_("The bank's identifier code, e.g. NDEAFIHH."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        error_messages={"required": _("Enter the BIC.")},
    )


class AgreementForm(forms.Form):
    file = forms.FileField(
        label=_("The signed agreement with the partners"),
        error_messages={"required": _("Choose the file of the agreement."), "empty": _("The file is empty.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.odt,.docx," + ",".join(drafting_rules.ATTACHMENT_TYPES)
        self.fields["file"].help_text = _("%(types)s, at most %(max)s. A new file replaces the agreement in force, and the partners confirm it again.") % {
            "types": drafting_rules.attachment_type_names(),
            "max": drafting_rules.format_size(settings.ATTACHMENT_MAX_BYTES),
        }

    def refuse_file(self, message: str) -> None:
        self.is_valid()
        self.errors.pop("file", None)
        self.add_error("file", message)
