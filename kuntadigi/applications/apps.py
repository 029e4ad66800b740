from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "kuntadigi.applications"
    label = "applications"
