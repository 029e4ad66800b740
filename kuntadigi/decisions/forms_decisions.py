"""Forms of decisions. They check the FORMAT of what was typed; services_decisions checks the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kuntadigi.applications.forms import DATE_INPUT_FORMATS, DateInput, EurosField

from .services_decisions import DecisionData, Signatories


class PercentField(forms.CharField):
    """A share typed as a percentage ('85' or '85,5'), kept as a fraction (0.85)."""

    default_error_messages = {"invalid": _("Enter the share as a percentage, for example 85.")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": "8"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            percent = Decimal(value.replace("%", "").replace(",", ".").strip())
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not percent.is_finite() or percent != percent.quantize(Decimal("0.01")):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return (percent / 100).quantize(Decimal("0.0001"))

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return f"{(Decimal(value) * 100).normalize():f}".replace(".", ",")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class SignatoriesForm(forms.Form):
    """The presenting official and the decision-maker with their titles, as the document prints them."""

    presenter = PersonChoiceField(
        label=_("Presenting official"), queryset=None, empty_label=_("Choose"), error_messages={"required": _("Choose the presenting official.")}
    )
    presenter_title = forms.CharField(
        label=_("Title of the presenting official"),
        max_length=200,
        help_text=_("In the language of the decision, e.g. neuvotteleva virkamies."),
        error_messages={"required": _("Enter the title of the presenting official.")},
    )
    decision_maker = PersonChoiceField(
        label=_("Decision-maker"), queryset=None, empty_label=_("Choose"), error_messages={"required": _("Choose the decision-maker.")}
    )
    decision_maker_title = forms.CharField(
        label=_("Title of the decision-maker"),
        max_length=200,
        help_text=_("In the language of the decision."),
        error_messages={"required": _("Enter the title of the decision-maker.")},
    )

    def __init__(self, *args, presenters, decision_makers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = presenters
        self.fields["decision_maker"].queryset = decision_makers

    def signatories(self) -> Signatories:
        data = self.cleaned_data
        return Signatories(
            data["presenter"].pk, data["presenter_title"], data["decision_maker"].pk, data["decision_maker_title"], (data.get("diary_number") or "").strip()
        )


class BatchPrepareForm(SignatoriesForm):
    """The signatories and the diary number of the call's decisions, prepared at once."""

    diary_number = forms.CharField(
        label=_("Diary number (Dnro)"),
        required=False,
        max_length=40,
        help_text=_("The ministry's diary number of the matter, e.g. VN/1234/2020, given to every decision prepared now."),
    )
    field_order = ["diary_number", "presenter", "presenter_title", "decision_maker", "decision_maker_title"]


class DecisionForm(SignatoriesForm):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("grant", _("Grant")), ("no_grant", _("No grant"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose grant or no grant.")},
    )
    amount = EurosField(label=_("Grant at most (EUR)"), required=False, help_text=_("At most the grant applied for and what is left of the call's allocation."))
    max_share = PercentField(label=_("Maximum share of the eligible costs (%)"), required=False)
    costs_from = forms.DateField(label=_("Eligible costs from"), required=False, input_formats=DATE_INPUT_FORMATS, widget=DateInput())
    costs_until = forms.DateField(label=_("Eligible costs until"), required=False, input_formats=DATE_INPUT_FORMATS, widget=DateInput())
    conditions = forms.CharField(
        label=_("Conditions of the grant"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Separate paragraphs with a blank line."),
    )
    reporting = forms.CharField(
        label=_("Reporting duties"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Separate paragraphs with a blank line."),
    )
    reduction_reason = forms.CharField(
        label=_("Reason for granting less than applied for"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the grant is less than the amount applied for; printed in the decision."),
    )
    period_grounds = forms.CharField(
        label=_("Grounds for eligible costs before the decision date"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The eligible-cost period starts on the date of the decision. An earlier start needs grounds; they are printed in the decision."),
    )
    no_grant_reason = forms.ModelChoiceField(label=_("Reason for not granting"), queryset=None, required=False, widget=forms.RadioSelect, empty_label=None)
    grounds = forms.CharField(
        label=_("Further grounds"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Optional for a grant; for no grant, say why in this case. Written in the language of the decision."),
    )
    diary_number = forms.CharField(
        label=_("Diary number (Dnro)"),
        required=False,
        max_length=40,
        help_text=_("The ministry's diary number of the matter, e.g. VN/1234/2020. Needed before the decision is signed."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = [
        "diary_number",
        "outcome",
        "amount",
        "max_share",
        "costs_from",
        "costs_until",
        "period_grounds",
        "reduction_reason",
        "conditions",
        "reporting",
        "no_grant_reason",
        "grounds",
        "presenter",
        "presenter_title",
        "decision_maker",
        "decision_maker_title",
        "version",
    ]

    def __init__(self, *args, reasons, reason_label, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["no_grant_reason"]
        field.queryset = reasons
        field.label_from_instance = reason_label

    @staticmethod
    def initial_from(data: DecisionData) -> dict:
        return {
            "outcome": data.outcome,
            "amount": data.amount,
            "max_share": data.max_share,
            "costs_from": data.costs_from,
            "costs_until": data.costs_until,
            "conditions": data.conditions,
            "reporting": data.reporting,
            "no_grant_reason": data.no_grant_reason_id,
            "grounds": data.grounds,
            "diary_number": data.diary_number,
            "reduction_reason": data.reduction_reason,
            "period_grounds": data.period_grounds,
            "presenter": data.presenter_id,
            "presenter_title": data.presenter_title,
            "decision_maker": data.decision_maker_id,
            "decision_maker_title": data.decision_maker_title,
            "version": data.version,
        }

    def decision_data(self) -> DecisionData:
        data = self.cleaned_data
        reason = data.get("no_grant_reason")
        return DecisionData(
            outcome=data["outcome"],
            presenter_id=data["presenter"].pk,
            decision_maker_id=data["decision_maker"].pk,
            presenter_title=data["presenter_title"],
            decision_maker_title=data["decision_maker_title"],
            amount=data.get("amount"),
            max_share=data.get("max_share"),
            costs_from=data.get("costs_from"),
            costs_until=data.get("costs_until"),
            conditions=(data.get("conditions") or "").replace("\r\n", "\n"),
            reporting=(data.get("reporting") or "").replace("\r\n", "\n"),
            no_grant_reason_id=reason.pk if reason else None,
            grounds=(data.get("grounds") or "").replace("\r\n", "\n"),
            diary_number=(data.get("diary_number") or "").strip(),
            reduction_reason=(data.get("reduction_reason") or "").replace("\r\n", "\n"),
            period_grounds=(data.get("period_grounds") or "").replace("\r\n", "\n"),
            version=data.get("version"),
        )
