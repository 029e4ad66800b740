"""Forms of the officials' screening pages. They check the format; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock
from kuntadigi.calls.models import CallRole

from . import conditions
from .models import Screening
from .rules import PART_LABELS, PARTS, REASON_REQUIRED, reason_parts


class CallRoleForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={"required": _("Enter the person's e-mail address."), "invalid": _("Enter a valid e-mail address.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=CallRole.Role.choices, widget=forms.RadioSelect, error_messages={"required": _("Choose the role.")})
    create_user = forms.BooleanField(
        label=_("Create a user for this address if there is none"),
        required=False,
        help_text=_("The person signs in with a link sent to this address."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["create_user"].widget.attrs["aria-describedby"] = "id_create_user_helptext"


class MarkForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Mark"),
        choices=Screening.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose eligible or ineligible.")},
    )
    failed_conditions = forms.MultipleChoiceField(
        label=_("Conditions of the call not met"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For an ineligible mark: the no-grant decision names these conditions."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required. The reason is kept with the mark and shown in the audit trail."),
        error_messages={"required": _("Write the reason for the mark.")},
    )

    def __init__(self, *args, condition_facts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if condition_facts is not None:
            self.fields["failed_conditions"].choices = [
                (code, conditions.condition_text(code, condition_facts)) for code in conditions.condition_codes(condition_facts)
            ]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Screening.Outcome.INELIGIBLE and not data.get("failed_conditions"):
            self.add_error("failed_conditions", _("Choose the conditions of the call that the application does not meet."))
        return data


class HelsinkiDateTimeField(forms.DateTimeField):
    """A wall time read in Helsinki, whatever the server's time zone."""

    def to_python(self, value):
        with timezone.override(clock.HELSINKI):
            return super().to_python(value)


class SupplementRequestForm(forms.Form):
    parts = forms.MultipleChoiceField(
        label=_("Parts the lead may change"),
        choices=[(part, PART_LABELS[part]) for part in PARTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one part to supplement.")},
    )
    message = forms.CharField(
        label=_("What is asked"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A request for supplement asks for missing information."),
        error_messages={"required": _("Write what is asked.")},
    )
    reopening_reason = forms.CharField(
        label=_("Why the target areas, the partners or the budget are reopened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when you open the target areas, the partners or the budget: changing them changes the application itself. "
            "The reason is shown to the lead applicant in the request and its e-mail, kept in the audit trail, and shown to the "
            "decision-maker with what changed."
        ),
    )
    due_at = HelsinkiDateTimeField(
        label=_("Due (Helsinki time)"),
        input_formats=[
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%d.%m.%Y %H.%M",
            "%d.%m.%Y %H:%M",
            "%d.%m.%Y klo %H.%M",
            "%d.%m.%Y kl. %H.%M",
            "%d.%m.%Y at %H.%M",
            "%d.%m.%Y at %H:%M",
        ],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("For example 16.11.2020 at 16.15."),
        error_messages={"required": _("Enter the due time."), "invalid": _("Enter the due time as a date and a time, for example 16.11.2020 at 16.15.")},
    )

    def clean_due_at(self):
        due = self.cleaned_data["due_at"]
        if due <= clock.now():
            raise forms.ValidationError(_("The due time must be in the future."), code="past")
        return due

    def clean(self):
        cleaned = super().clean()
        if reason_parts(cleaned.get("parts") or []) and not (cleaned.get("reopening_reason") or "").strip():
            self.add_error("reopening_reason", REASON_REQUIRED)
        return cleaned


class ApplicationChoiceField(forms.Field):
    """The applications ticked on the screening list, as ids (the service checks that they are the call's)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Choose at least one application."), "invalid": _("Choose the applications from the list.")}

    def to_python(self, value):
        if not value:
            return []
        try:
            return sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class BulkMarkForm(MarkForm):
    """The same mark, with one shared reason, for the applications ticked on the screening list."""

    applications = ApplicationChoiceField()

    field_order = ["applications", "outcome", "failed_conditions", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("Required. The same reason is kept with the mark of each chosen application and shown in its audit trail.")
