"""Second-factor devices in the admin: a system administrator may list them and remove a lost one
(the person then enrols again at the next sign-in), and nothing more. django-otp's own admins would let
an administrator read an authenticator's key (its QR code) and the recovery codes, and add devices for
someone else; they are replaced here. Every removal is in the audit trail, without the device's secret."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kuntadigi.audit.admin_mixins import AuditedAdmin


class DeviceAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__email", "user__full_name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def audit_values(self, obj) -> dict:
        """Who the device belongs to and what it is called; never its key."""
        return {"user_id": obj.user_id, "device": obj._meta.label_lower, "name": obj.name, "confirmed": obj.confirmed}

    def has_add_permission(self, request):
        return False  # a person adds their own device, after giving their first factor

    def has_change_permission(self, request, obj=None):
        return False


for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, DeviceAdmin)
