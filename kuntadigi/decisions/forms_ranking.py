"""The preparer's form for one proposed amount. It checks the format; services_ranking checks the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications.forms import EurosField


class ProposalForm(forms.Form):
    amount = EurosField(
        label=_("Proposed amount (EUR)"),
        help_text=_("At most the grant applied for. 0 means no grant is proposed."),
        error_messages={"required": _("Enter the proposed amount.")},
    )
    reason = forms.CharField(
        label=_("Reason for a reduction"),
        help_text=_("Required when you propose less than the grant applied for. It may be quoted in the decision."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
