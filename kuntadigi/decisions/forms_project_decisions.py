"""Forms of decisions on funded projects and of the settlement. They check the FORMAT of what was typed;
services_project_decisions and projects.services_settlement check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications.forms import DATE_INPUT_FORMATS, DateInput, EurosField

from .forms_decisions import SignatoriesForm
from .services_project_decisions import ProjectDecisionData


class ProjectDecisionForm(SignatoriesForm):
    """The people, the diary number and the grounds of a decision on a project (its facts come from the kind)."""

    diary_number = forms.CharField(
        label=_("Diary number (Dnro)"),
        required=False,
        max_length=40,
        help_text=_("The ministry's diary number of the matter, e.g. VN/1234/2020. Needed before the decision is signed."),
    )
    grounds = forms.CharField(
        label=_("Grounds"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Written in the language of the decision; printed in the decision."),
        error_messages={"required": _("Enter the grounds of the decision.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["diary_number", "presenter", "presenter_title", "decision_maker", "decision_maker_title", "grounds"]

    @staticmethod
    def initial_from(data: ProjectDecisionData) -> dict:
        return {
            "presenter": data.presenter_id,
            "decision_maker": data.decision_maker_id,
            "presenter_title": data.presenter_title,
            "decision_maker_title": data.decision_maker_title,
            "grounds": data.grounds,
            "diary_number": data.diary_number,
            "version": data.version,
        }

    def decision_data(self) -> ProjectDecisionData:
        data = self.cleaned_data
        return ProjectDecisionData(
            presenter_id=data["presenter"].pk,
            decision_maker_id=data["decision_maker"].pk,
            presenter_title=data["presenter_title"],
            decision_maker_title=data["decision_maker_title"],
            grounds=data["grounds"],
            diary_number=data.get("diary_number") or "",
            version=data.get("version"),
        )


class ReturnForm(forms.Form):
    """A return of the excess grant as the ministry's account shows it."""

    returned_on = forms.DateField(
        label=_("Day the return was received"), widget=DateInput, input_formats=DATE_INPUT_FORMATS, error_messages={"required": _("Enter the day.")}
    )
    amount = EurosField(label=_("Amount returned (EUR)"), error_messages={"required": _("Enter the amount returned.")})
