"""Consents and deliveries in the admin: for reading only (every change goes through the services and the audit trail)."""

from django.contrib import admin

from kuntadigi.decisions.admin import ReadOnlyAdmin

from .models import Delivery, NotificationConsent


@admin.register(NotificationConsent)
class NotificationConsentAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "given_at", "given_in", "withdrawn_at")
    list_filter = ("given_in",)
    search_fields = ("organisation__name_fi", "organisation__name_sv")
    list_select_related = ("organisation",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("decision", "organisation", "channel", "language", "sent_on", "read_at")
    list_filter = ("channel", "language", "decision__application__call")
    search_fields = ("decision__application__reference", "organisation__name_fi", "organisation__name_sv")
    list_select_related = ("decision__application", "organisation")
