from django.apps import AppConfig


class OfficialsConfig(AppConfig):
    name = "kuntadigi.officials"
    label = "officials"
