from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "kuntadigi.delivery"
    label = "delivery"
