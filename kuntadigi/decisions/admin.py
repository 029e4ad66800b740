"""Decisions, proposals and allocations in the admin: for reading only.

Every change to them goes through the services (permission, rules, audit trail), and a signed decision
is frozen, so the admin offers no way to add, change or delete them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kuntadigi.audit.admin_mixins import AuditedAdmin

from .models import Allocation, Decision, Proposal


class ReadOnlyAdmin(AuditedAdmin, admin.ModelAdmin):
    """Nothing can be changed here; the audit mixin stays as a guard should a permission ever open."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("application", "outcome", "amount", "state", "language", "decision_date", "notified_at")
    list_filter = ("application__call", "state", "outcome", "language")
    search_fields = ("application__reference", "application__project_name")
    list_select_related = ("application",)
    fieldsets = (
        (None, {"fields": ("application", "submission", "outcome", "state", "language")}),
        (_("A grant"), {"fields": ("amount", "max_share", "costs_from", "costs_until", "conditions", "reporting")}),
        (_("No grant"), {"fields": ("no_grant_reason", "grounds")}),
        (
            _("Who and when"),
            {"fields": ("presenter", "presenter_title", "decision_maker", "decision_maker_title", "prepared_by", "prepared_at", "decision_date", "signed_at")},
        ),
        (_("Document"), {"fields": ("document", "document_sha256", "notified_at", "version")}),
    )


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("application", "amount", "proposed_at")
    list_filter = ("application__call",)
    search_fields = ("application__reference",)
    list_select_related = ("application",)


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("call", "total", "finalised_at")
