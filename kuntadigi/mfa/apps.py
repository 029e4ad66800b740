from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "kuntadigi.mfa"
    label = "mfa"
    verbose_name = "second factor"

    def ready(self):
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in

        from . import services, views

        def first_factor_given(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                services.start_session(request, user)

        user_logged_in.connect(first_factor_given, dispatch_uid="kuntadigi.mfa.first_factor_given")
        # The admin's own rule: system administrators with a verified second factor (views.admin_has_permission).
        admin.site.has_permission = views.admin_has_permission
