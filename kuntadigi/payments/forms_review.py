"""The preparer's check of a payment request's lines: for each line the amount accepted (the claimed
amount, or less) and, when less, the reason told to the lead."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications.forms import EurosField

from . import review_rules


class LinesCheckForm(forms.Form):
    def __init__(self, lines, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for number, line in enumerate(self.lines, start=1):
            self.fields[f"accepted_{line.pk}"] = EurosField(
                label=_("Accepted (EUR), line %(number)d") % {"number": number},
                initial=line.accepted if line.accepted is not None else line.amount,
                error_messages={"required": _("Enter the amount accepted, or the amount claimed to accept the line in full.")},
            )
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                label=_("Reason for the reduction, line %(number)d") % {"number": number},
                required=False,
                max_length=review_rules.REASON_MAX,
                initial=line.reduction_reason,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Required when less than claimed is accepted. Told to the lead."),
            )

    def rows(self):
        """(line, accepted field, reason field) in the order of the lines."""
        return [(line, self[f"accepted_{line.pk}"], self[f"reason_{line.pk}"]) for line in self.lines]

    def checks(self) -> dict:
        from .services_review import LineInput

        return {line.pk: LineInput(self.cleaned_data[f"accepted_{line.pk}"], self.cleaned_data[f"reason_{line.pk}"] or "") for line in self.lines}
