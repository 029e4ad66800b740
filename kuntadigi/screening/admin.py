"""Roles in calls, screenings and requests for supplement in the administration site.

Roles can be named here too (audited as on the officials' roles page). Screenings and requests are
READ-ONLY: they change only through the services, with their lifecycle and audit trail."""

from django.contrib import admin

from kuntadigi.audit.admin_mixins import AuditedAdmin, ReadOnlyMixin
from kuntadigi.calls.models import CallRole

from .models import Screening, SupplementRequest


def _values(role: CallRole) -> dict:
    return {"call": role.call.slug, "user": role.user_id, "role": role.role}


@admin.register(CallRole)
class CallRoleAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("call", "role", "user", "named_by", "named_at")
    list_filter = ("role", "call")
    search_fields = ("user__email", "user__full_name", "call__slug")
    raw_id_fields = ("user",)
    fields = ("call", "user", "role", "named_by", "named_at")
    readonly_fields = ("named_by", "named_at")
    audit_actions = {"added": "call_role.named", "changed": "call_role.changed", "deleted": "call_role.removed"}

    def audit_values(self, obj) -> dict:
        return _values(obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.named_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Screening)
class ScreeningAdmin(AuditedAdmin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("application", "outcome", "marked_by", "marked_at")
    list_filter = ("outcome",)
    search_fields = ("application__reference",)


@admin.register(SupplementRequest)
class SupplementRequestAdmin(AuditedAdmin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("application", "requested_at", "due_at", "answered_at")
    search_fields = ("application__reference",)
