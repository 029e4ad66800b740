from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kuntadigi.accounts"
    label = "accounts"

    def ready(self):
        from . import throttle  # noqa: F401  (connects the receiver that trusts a browser after sign-in)
