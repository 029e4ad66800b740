from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kuntadigi.audit"
    label = "audit"
