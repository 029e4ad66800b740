"""The administration site for people and memberships (system administrators only)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from kuntadigi.audit import services as audit
from kuntadigi.audit.admin_mixins import AuditedAdmin

from .models import Membership, User

USER_FIELDS = ["email", "full_name", "phone", "language", "is_official", "is_assessor", "is_staff", "is_superuser", "is_active"]


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if User.objects.filter(email=email).exists():
            raise ValidationError(_("A user with this e-mail address already exists."))
        return email


class UserEditForm(forms.ModelForm):
    """Only what an administrator should change: the name, contact details, language and the flags.
    No password hash (a password is set on its own form), no sign-in dates, no Django groups or
    per-user permissions (the service does not use them: rights come from the flags, memberships and
    roles in calls)."""

    class Meta:
        model = User
        fields = USER_FIELDS
        help_texts = {
            "is_official": _(
                "Keeps the registry of organisations and decides requests to join them. Opens no application: officials read "
                "the submitted applications of the calls in which they have a role."
            ),
            "is_assessor": _("May declare ties to organisations. Applications to assess come from the assessor role in a call."),
        }

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = ["requested_at", "decided_at", "decided_by"]


# Rights come from the flags, memberships and roles in calls: Django's groups are not used, so they are not offered.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_official", "is_assessor", "is_staff", "is_active"]
    list_filter = ["is_official", "is_assessor", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email"]}),
        (_("Personal details"), {"fields": ["full_name", "phone", "language"]}),
        (_("Roles"), {"fields": ["is_official", "is_assessor", "is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})]

    def audit_values(self, obj) -> dict:
        """The roles and flags as they are; the personal details (address, name, phone) only as keyed
        fingerprints, so that the trail, which nobody can delete from, shows that they changed without
        keeping them."""
        values = {field: getattr(obj, field) for field in ("language", "is_official", "is_assessor", "is_staff", "is_superuser", "is_active")}
        for field in ("email", "full_name", "phone"):
            value = getattr(obj, field) or ""
            values[field] = salted_hmac("kuntadigi.admin.audit", value, algorithm="sha256").hexdigest()[:16] if value else ""
        return values

    def user_change_password(self, request, id, form_url=""):
        """The password form of the admin: recorded as admin.password_set (never the hash)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            person = User.objects.filter(pk=id).first()
            if person is not None:
                audit.record(request.user, "admin.password_set", person, after={"usable_password": person.has_usable_password()})
        return response


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "status", "requested_at", "decided_at"]
    list_filter = ["status", "role"]
    search_fields = ["user__email", "user__full_name", "organisation__name_fi", "organisation__name_sv"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    readonly_fields = ["requested_at", "decided_at", "decided_by"]
