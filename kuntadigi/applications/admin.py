"""Applications in the administration site: READ-ONLY, for system administrators who need to look
into a case (support, audits). Every change goes through the services and their audit trail, never
through the admin.

The admin shows the live record, so it lists only applications the municipality is not editing: a draft
(never submitted, or withdrawn to be edited) and an application being supplemented are the
municipality's working papers, which nobody at the ministry reads (docs/access.md). Opening one is a
recorded read, as on the officials' pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kuntadigi.audit.admin_mixins import AuditedAdmin, ReadOnlyMixin
from kuntadigi.audit.services import record_read

from .lifecycle import EDITABLE_STATES, SUPPLEMENT_STATES
from .models import Application, Attachment, BudgetLine, Participant, Submission


class ParticipantInline(ReadOnlyMixin, admin.TabularInline):
    model = Participant
    extra = 0
    fields = ("organisation", "role", "confirmed_at", "confirmed_by", "confirmed_budget_hash")
    readonly_fields = fields
    show_change_link = False


class BudgetLineInline(ReadOnlyMixin, admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = ("participant", "category", "description", "amount")
    readonly_fields = fields


class AttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "sha256", "description", "uploaded_by", "uploaded_at")
    readonly_fields = fields


class SubmissionInline(ReadOnlyMixin, admin.TabularInline):
    model = Submission
    extra = 0
    fields = ("number", "submitted_at", "submitted_by", "fingerprint", "withdrawn_at")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("reference", "project_name", "call", "lead", "state", "version", "updated_at", "submitted_at")
    list_filter = ("call", "state", "language")
    search_fields = ("reference", "project_name", "lead__name_fi", "lead__name_sv", "lead__municipality_code")
    list_select_related = ("call", "lead")
    date_hierarchy = "created_at"
    ordering = ("-updated_at",)
    inlines = [ParticipantInline, BudgetLineInline, AttachmentInline, SubmissionInline]
    fieldsets = (
        (None, {"fields": ("reference", "call", "lead", "state", "language", "version")}),
        (
            _("Project"),
            {
                "fields": (
                    "project_name",
                    "target_areas",
                    "summary",
                    "current_state",
                    "objectives",
                    "change_in_ways_of_working",
                    "rollout_and_spread",
                    "prior_work",
                    "start_date",
                    "end_date",
                    "declaration_not_excluded",
                    "requested_grant",
                )
            },
        ),
        (_("Contact"), {"fields": ("contact_name", "contact_email", "contact_phone")}),
        (_("History"), {"fields": ("created_by", "created_at", "updated_at", "submitted_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(state__in=EDITABLE_STATES | SUPPLEMENT_STATES)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        application = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        if application is not None and response.status_code == 200:
            record_read(request.user, application, "admin_page", as_official=True)
        return response
