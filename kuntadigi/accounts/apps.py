from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kuntadigi.accounts"
    label = "accounts"
