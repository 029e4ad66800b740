"""The administration site for the registry. Organisation.clean() validates the business ID."""

from django.contrib import admin

from kuntadigi.audit.admin_mixins import AuditedAdmin

from .models import Organisation, Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name_fi", "name_sv", "name_en"]
    search_fields = ["code", "name_fi", "name_sv", "name_en"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name_fi", "name_sv", "kind", "municipality_code", "business_id", "legal_name_fi", "region", "valid_until", "is_active"]
    list_filter = ["kind", "is_active", "language_status", "region"]
    search_fields = ["name_fi", "name_sv", "legal_name_fi", "legal_name_sv", "municipality_code", "business_id"]
    list_select_related = ["region"]
    raw_id_fields = ["successor"]
