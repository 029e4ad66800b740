"""Forms for signing in, the account page and asking to join an organisation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User

WRONG_CREDENTIALS = _("E-mail address or password is wrong")


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("Use your work e-mail address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": _("Enter your e-mail address."), "invalid": _("Enter an e-mail address in the form name@example.fi.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "link")
        super().__init__(*args, **kwargs)


class PasswordSignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={"required": _("Enter your e-mail address."), "invalid": _("Enter an e-mail address in the form name@example.fi.")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "pw")
        super().__init__(*args, **kwargs)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]
        labels = {"full_name": _("Name"), "phone": _("Phone"), "language": _("Language of e-mail messages")}
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "profile")
        super().__init__(*args, **kwargs)


class EmailPreferencesForm(forms.ModelForm):
    """The e-mail a person may switch off (kuntadigi.notifications.kinds: REMINDER and UPDATE)."""

    class Meta:
        model = User
        fields = ["reminder_emails", "update_emails"]
        labels = {
            "reminder_emails": _("Reminders before deadlines (an application not yet submitted, a confirmation or supplement still missing)"),
            "update_emails": _("News of the steps of applications (a partner confirmed, an application was screened, a copy of a receipt)"),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "prefs")
        super().__init__(*args, **kwargs)


class JoinForm(forms.Form):
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("Type the name of the municipality or joint municipal authority in Finnish or Swedish, or its municipality code."),
        widget=forms.TextInput(attrs={"list": "organisation-options", "autocomplete": "off"}),
        error_messages={"required": _("Type the name of an organisation.")},
    )
