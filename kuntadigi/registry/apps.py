from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "kuntadigi.registry"
    label = "registry"
