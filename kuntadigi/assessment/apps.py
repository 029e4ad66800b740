from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "kuntadigi.assessment"
    label = "assessment"
