from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "kuntadigi.screening"
    label = "screening"
