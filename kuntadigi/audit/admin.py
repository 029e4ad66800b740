"""The audit trail in the administration site: READ-ONLY, for system administrators.

Filter by person (the readers and actors), by application (its id, or its reference in the search) and
by kind of event: "Officials' reads" lists who read which application, attachment or document, and when.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kuntadigi.accounts.models import User

from .admin_mixins import ReadOnlyMixin
from .models import AuditEvent
from .services import READ


class KindFilter(admin.SimpleListFilter):
    title = _("kind of event")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("reads", _("Officials' reads")), ("changes", _("Changes"))]

    def queryset(self, request, queryset):
        if self.value() == "reads":
            return queryset.filter(action=READ)
        if self.value() == "changes":
            return queryset.exclude(action=READ)
        return queryset


class ReaderFilter(admin.SimpleListFilter):
    """The people who have read applications at the ministry (a short list: officials, not applicants)."""

    title = _("reader")
    parameter_name = "reader"

    def lookups(self, request, model_admin):
        readers = User.objects.filter(pk__in=AuditEvent.objects.filter(action=READ).values("actor_id")).order_by("email")
        return [(str(user.pk), user.full_name or user.email) for user in readers]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(actor_id=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "actor", "action", "what", "object_type", "object_id", "application_link")
    list_filter = (KindFilter, ReaderFilter, "action")
    search_fields = ("actor__email", "actor__full_name", "action", "object_id")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    fields = ("at", "actor", "action", "object_type", "object_id", "application_id", "before", "after")
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in {"application_id", "actor", "actor__id__exact"} or super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        """An application's reference (e.g. KD-2020-0001) finds its events too."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            from kuntadigi.applications.models import Application

            ids = list(Application.objects.filter(reference__iexact=search_term.strip()).values_list("pk", flat=True))
            if ids:
                results = results | queryset.filter(application_id__in=ids)
        return results, may_have_duplicates

    @admin.display(description=_("what was read"))
    def what(self, event: AuditEvent) -> str:
        return event.after.get("read", "") if event.action == READ else ""

    @admin.display(description=_("application"))
    def application_link(self, event: AuditEvent):
        if event.application_id is None:
            return ""
        return format_html('<a href="?{}">{}</a>', urlencode({"application_id": event.application_id}), event.application_id)
