"""Roles in calls, screenings and requests for supplement in the administration site.

Roles can be named here too (audited as on the officials' roles page). Screenings and requests are
READ-ONLY: they change only through the services, with their lifecycle and audit trail."""

from django.contrib import admin

from kuntadigi.applications.admin import ReadOnlyMixin
from kuntadigi.audit import services as audit
from kuntadigi.calls.models import CallRole

from .models import Screening, SupplementRequest


def _values(role: CallRole) -> dict:
    return {"call": role.call.slug, "user": role.user_id, "role": role.role}


@admin.register(CallRole)
class CallRoleAdmin(admin.ModelAdmin):
    list_display = ("call", "role", "user", "named_by", "named_at")
    list_filter = ("role", "call")
    search_fields = ("user__email", "user__full_name", "call__slug")
    raw_id_fields = ("user",)
    fields = ("call", "user", "role", "named_by", "named_at")
    readonly_fields = ("named_by", "named_at")

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk:
            before = _values(CallRole.objects.select_related("call").get(pk=obj.pk))
        else:
            obj.named_by = request.user
        super().save_model(request, obj, form, change)
        audit.record(request.user, "call_role.changed" if change else "call_role.named", obj, before=before, after=_values(obj))

    def delete_model(self, request, obj):
        audit.record(request.user, "call_role.removed", obj, before=_values(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("call"):
            self.delete_model(request, obj)


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("application", "outcome", "marked_by", "marked_at")
    list_filter = ("outcome",)
    search_fields = ("application__reference",)


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("application", "requested_at", "due_at", "answered_at")
    search_fields = ("application__reference",)
