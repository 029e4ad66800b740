"""Forms of reports. They check the FORMAT of what was typed; services_reports.py checks the rules.
The report's own content is read by content.from_post (its fields are defined once, in content.py)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications import drafting_rules

from .services_reports import NOTES_MAX, SUPPLEMENT_MESSAGE_MAX


class ConfirmationForm(forms.Form):
    file = forms.FileField(
        label=_("Confirmation of the auditor or the finance office"),
        error_messages={"required": _("Choose the file of the confirmation."), "empty": _("The file is empty.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.odt,.docx," + ",".join(drafting_rules.ATTACHMENT_TYPES)
        self.fields["file"].help_text = _("%(types)s, at most %(max)s. The auditor or the finance office confirms the final accounts of the project.") % {
            "types": drafting_rules.attachment_type_names(),
            "max": drafting_rules.format_size(settings.ATTACHMENT_MAX_BYTES),
        }

    def refuse_file(self, message: str) -> None:
        self.is_valid()
        self.errors.pop("file", None)
        self.add_error("file", message)


class ReviewForm(forms.Form):
    OUTCOMES = [("passed", _("Passed")), ("supplement", _("Ask for a supplement"))]

    outcome = forms.ChoiceField(
        label=_("Outcome of the review"), choices=OUTCOMES, widget=forms.RadioSelect, error_messages={"required": _("Choose the outcome of the review.")}
    )
    notes = forms.CharField(
        label=_("Notes of the review"),
        required=False,
        max_length=NOTES_MAX,
        help_text=_("For the ministry's file; not sent to the lead."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    message = forms.CharField(
        label=_("What is to be supplemented"),
        required=False,
        max_length=SUPPLEMENT_MESSAGE_MAX,
        help_text=_("Only when asking for a supplement: sent to the lead by e-mail."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_date = forms.DateField(
        label=_("To be supplemented by"),
        required=False,
        help_text=_("Only when asking for a supplement, e.g. 15.3.2023."),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        error_messages={"invalid": _("Enter the date as day.month.year, e.g. 15.3.2023.")},
    )

    def __init__(self, *args, part: str = "", **kwargs):
        prefix = kwargs.pop("prefix", None) or part
        super().__init__(*args, prefix=prefix, **kwargs)
