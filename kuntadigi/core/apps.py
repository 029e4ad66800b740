from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kuntadigi.core"
    label = "core"
