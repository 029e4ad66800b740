"""Forms for preparing an application. They check the FORMAT of what was typed; the services in
drafting.py check permissions and rules, and submission checks completeness."""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuntadigi.registry.models import Organisation

from . import drafting_rules, rules
from .models import Application

LANGUAGE_CHOICES = [("fi", _("Finnish")), ("sv", _("Swedish"))]
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
TEXT_SECTIONS = ("summary", "current_state", "objectives", "change_in_ways_of_working", "rollout_and_spread", "prior_work")


def _normalise_newlines(value: str) -> str:
    # Browsers send CRLF; the character count in the page counts a line break once.
    return value.replace("\r\n", "\n").replace("\r", "\n")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EurosField(forms.CharField):
    """An amount in euros and cents, typed as people of the interface language type it ('1 234,50' in
    Finnish and Swedish, '1,234.50' in English; drafting_rules.parse_euros). Text that could be read
    two ways, and amounts over the column's size (max_digits, two of them cents), are field errors."""

    default_error_messages = {
        "invalid": _("Enter an amount in euros and cents, for example %(example)s."),
        "ambiguous": _("“%(text)s” can be read in more than one way. Enter the amount in euros and cents, for example %(example)s."),
        "too_large": _("The amount is too large: at most %(digits)s digits before the cents."),
    }

    MAX_CHARS = 30

    def __init__(self, *, max_digits: int = 14, **kwargs):
        self.max_digits = max_digits
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": str(self.MAX_CHARS)})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        language = get_language() or "fi"
        params = {"example": drafting_rules.AMOUNT_EXAMPLES.get(language[:2], drafting_rules.AMOUNT_EXAMPLES["fi"]), "text": value[: self.MAX_CHARS]}
        if len(value) > self.MAX_CHARS:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params=params)
        try:
            return drafting_rules.parse_euros(value, language, max_digits=self.max_digits)
        except drafting_rules.AmountError as error:
            params["digits"] = self.max_digits - 2
            raise ValidationError(self.error_messages[error.code], code=error.code, params=params) from None

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return drafting_rules.euros_input(value, get_language() or "fi")


# ── Starting ─────────────────────────────────────────────────────────────────


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.both_names


class StartForm(forms.Form):
    lead = OrganisationChoiceField(
        label=_("Lead applicant"),
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("The lead applicant administers the project, receives the grant and makes an agreement with the partners."),
        error_messages={"required": _("Choose the lead applicant."), "invalid_choice": _("Choose one of your organisations.")},
    )
    language = forms.ChoiceField(
        label=_("Language of the application"),
        choices=LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("The ministry processes the application in this language. You can change it later."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = organisations
        if len(organisations) == 1 and not self.is_bound:
            self.initial.setdefault("lead", organisations[0].pk)


# ── The project ──────────────────────────────────────────────────────────────


def text_section(label, help_text, rows: int = 8) -> forms.CharField:
    """A free-text section of the project page: optional while drafting, checked at submission."""
    return forms.CharField(label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}), required=False)


class ApplicationForm(forms.Form):
    """All sections of the application on one page. Every field may be left empty in a draft."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    project_name = forms.CharField(label=_("Project name"), max_length=200, required=False, help_text=_("A short name that tells what the project does."))
    language = forms.ChoiceField(
        label=_("Language of the application"),
        choices=LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("The ministry processes the application in this language."),
    )
    target_areas = forms.ModelMultipleChoiceField(
        label=_("Target areas"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose the target areas of the call that the project develops: at least one."),
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    current_state = text_section(_("Current state and the problem"), _("How things are done now in the municipalities, and what problem the project solves."))
    objectives = text_section(_("Objectives and the concrete improvement"), _("What the project aims at, and what concretely improves and for whom."))
    change_in_ways_of_working = text_section(
        _("How the project changes the ways of working and processes"),
        _("The change in the municipalities' ways of working and processes is what the grant funds, not technology alone."),
    )
    rollout_and_spread = text_section(
        _("Rollout and spreading the results"),
        _("How the change is rolled out in the participating municipalities, and how the results are spread to other municipalities."),
    )
    prior_work = text_section(
        _("Earlier work the project builds on"), _("Similar work done elsewhere, in Finland or abroad, that the project uses or builds on."), rows=6
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput, input_formats=DATE_INPUT_FORMATS)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput, input_formats=DATE_INPUT_FORMATS)
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=200, required=False, help_text=_("The person the ministry contacts about the application.")
    )
    contact_email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    signatory_name = forms.CharField(
        label=_("Person authorised to commit the lead applicant"),
        max_length=200,
        required=False,
        help_text=_("Who may bind the lead applicant to the project and the grant's terms, e.g. the municipal manager."),
    )
    signatory_title = forms.CharField(label=_("Title of the authorised person"), max_length=200, required=False)
    declaration_not_excluded = forms.BooleanField(label=_("The project does not develop any of the fields listed above."), required=False)

    def __init__(self, *args, application: Application, read_only: bool = False, only: Collection[str] | None = None, **kwargs):
        """`only`: the names of the fields posted (an autosave sends the fields that changed); the
        others are left out of the form, so they are neither validated nor saved."""
        super().__init__(*args, **kwargs)
        call = application.call
        self.call = call
        self.fields["target_areas"].queryset = call.target_areas.all()
        self.fields["summary"].help_text = _("A short description of the project. At most %(max)d characters.") % {"max": call.summary_max_chars}
        self.fields["summary"].widget.attrs["data-max-chars"] = str(call.summary_max_chars)
        date_hint = _("For example 31.1.2021.")
        self.fields["start_date"].help_text = date_hint
        self.fields["end_date"].help_text = _("The project must end by %(date)s.") % {"date": rules.format_date(call.project_end_latest)} + " " + date_hint
        self.fields["end_date"].widget.attrs["max"] = call.project_end_latest.isoformat()
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.fields["contact_phone"].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        # The texts are written in the language of the application: tell assistive technology so.
        for name in ("project_name", *TEXT_SECTIONS):
            self.fields[name].widget.attrs["lang"] = application.language
        if only is not None:
            for name in [name for name in self.fields if name != "version" and name not in only]:
                del self.fields[name]
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    @staticmethod
    def initial_from(application: Application) -> dict:
        data = {name: getattr(application, name) for name in ("version", "project_name", "language", *TEXT_SECTIONS)}
        data.update(
            target_areas=[area.pk for area in application.target_areas.all()],
            start_date=application.start_date,
            end_date=application.end_date,
            contact_name=application.contact_name,
            contact_email=application.contact_email,
            contact_phone=application.contact_phone,
            signatory_name=application.signatory_name,
            signatory_title=application.signatory_title,
            declaration_not_excluded=application.declaration_not_excluded,
        )
        return data

    def clean(self):
        cleaned = super().clean()
        for name in TEXT_SECTIONS:
            if isinstance(cleaned.get(name), str):
                cleaned[name] = _normalise_newlines(cleaned[name])
        summary = cleaned.get("summary")
        if summary:
            for problem in rules.check_text_length("summary", summary, self.call.summary_max_chars):
                self.add_error("summary", problem.message)
        return cleaned


# ── Partners ─────────────────────────────────────────────────────────────────


class PartnerSearchForm(forms.Form):
    organisation = forms.CharField(
        label=_("Municipality or joint authority"),
        max_length=200,
        help_text=_("Type the name in Finnish or Swedish, or the municipality code, and choose from the suggestions."),
        error_messages={"required": _("Type the name of the municipality or joint authority to add.")},
    )
    notify_email = forms.EmailField(
        label=_("E-mail address for the request to confirm (if needed)"),
        required=False,
        max_length=254,
        help_text=_(
            "The partner's staff who use kuntadigi are told by e-mail. If nobody from the organisation uses kuntadigi yet, "
            "this address is required: the request to confirm is sent to it."
        ),
        error_messages={"invalid": _("Enter the e-mail address in the form name@example.fi.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget.attrs.update({"list": "organisation-options", "autocomplete": "off"})
        self.fields["notify_email"].widget.attrs.update({"autocomplete": "email"})

    @classmethod
    def refused_choice(cls, message: str, typed: str = "", notify_email: str = "") -> PartnerSearchForm:
        """The picker after a chosen suggestion could not be used (an unknown id): the message is the
        picker's own error, with what was typed still in it."""
        form = cls({"organisation": typed[:200], "notify_email": notify_email[:254]})
        form.is_valid()
        form.errors.clear()
        form.add_error("organisation", message)
        return form


# ── Budget ───────────────────────────────────────────────────────────────────


class BudgetLineForm(forms.Form):
    line_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    participant = forms.TypedChoiceField(label=_("Organisation"), coerce=int, error_messages={"required": _("Choose the organisation.")})
    category = forms.TypedChoiceField(label=_("Cost category"), coerce=int, error_messages={"required": _("Choose the cost category.")})
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    amount = EurosField(label=_("Amount without VAT (EUR)"), error_messages={"required": _("Enter the amount.")})

    def __init__(self, *args, participants, categories, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("– choose –"))]
        self.fields["participant"].choices = blank + [(p.pk, p.organisation.name) for p in participants]
        self.fields["category"].choices = blank + [(c.pk, c.name) for c in categories]

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise ValidationError(_("A cost must be more than zero euros."), code="amount_not_positive")
        return amount


class BaseBudgetLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[tuple[int, dict]]:
        """(row index, line) for every filled row not marked for deletion, in page order."""
        result = []
        for index, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if not data:  # a blank extra row
                continue
            result.append(
                (
                    index,
                    {
                        "id": data.get("line_id"),
                        "participant_id": data["participant"],
                        "category_id": data["category"],
                        "description": data.get("description", ""),
                        "amount": data["amount"],
                    },
                )
            )
        return result


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, formset=BaseBudgetLineFormSet, extra=3, can_delete=True, max_num=500, validate_max=True)
# For those who may look but not edit: no blank rows.
ReadOnlyBudgetLineFormSet = forms.formset_factory(BudgetLineForm, formset=BaseBudgetLineFormSet, extra=0, can_delete=False)


class BudgetForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    requested_grant = EurosField(label=_("Grant applied for (EUR)"), required=False)

    def clean_requested_grant(self):
        requested = self.cleaned_data.get("requested_grant")
        if requested is not None and requested <= 0:
            raise ValidationError(_("The grant applied for must be more than zero euros."), code="requested_not_positive")
        return requested


# ── Attachments ──────────────────────────────────────────────────────────────


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from one file input; each file is cleaned as a single FileField would."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            if not data:
                return super().clean(None, initial)
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class AttachmentForm(forms.Form):
    file = MultipleFileField(label=_("Files"), error_messages={"required": _("Choose one or more files to upload."), "empty": _("The file is empty.")})
    description = forms.CharField(label=_("Description (optional)"), max_length=300, required=False, help_text=_("For example: Cooperation agreement draft."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.odt,.docx,.xlsx,.ods," + ",".join(drafting_rules.ATTACHMENT_TYPES)
        self.fields["file"].help_text = _("You can choose several files at once. %(types)s, each at most %(max)s.") % {
            "types": drafting_rules.attachment_type_names(),
            "max": drafting_rules.format_size(_max_bytes()),
        }

    def refuse_file(self, message: str) -> None:
        """The file is refused before the form could see it (the upload was stopped): only that error shows."""
        self.is_valid()
        self.errors.pop("file", None)
        self.add_error("file", message)


def _max_bytes() -> int:
    from django.conf import settings

    return settings.ATTACHMENT_MAX_BYTES
