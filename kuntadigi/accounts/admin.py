"""The administration site for people and memberships (system administrators only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Membership, User


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if User.objects.filter(email=email).exists():
            raise ValidationError(_("A user with this e-mail address already exists."))
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = ["requested_at", "decided_at", "decided_by"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_official", "is_assessor", "is_staff", "is_active"]
    list_filter = ["is_official", "is_assessor", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal details"), {"fields": ["full_name", "phone", "language"]}),
        (_("Roles"), {"fields": ["is_official", "is_assessor", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "status", "requested_at", "decided_at"]
    list_filter = ["status", "role"]
    search_fields = ["user__email", "user__full_name", "organisation__name_fi", "organisation__name_sv"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    readonly_fields = ["requested_at", "decided_at", "decided_by"]
