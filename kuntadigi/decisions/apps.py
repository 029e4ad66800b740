from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "kuntadigi.decisions"
    label = "decisions"
