from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "kuntadigi.calls"
    label = "calls"
