"""Passkeys (WebAuthn) through django-otp-webauthn: the relying party is this service's public host
(settings.SITE_URL), and the library's views are wrapped so that a passkey marks the session verified
in our terms and every registration is audited. The cryptography is py_webauthn's."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn import exceptions as webauthn_exceptions
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.helpers import WebAuthnHelper

from . import services


def relying_party_id(request=None) -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


class Helper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        origins = list(super().get_allowed_origins())
        if settings.SITE_URL not in origins:
            origins.append(settings.SITE_URL)
        return origins


class _FreshSecondFactor:
    def check_can_register(self):
        """A person who already has a second factor adds a passkey only with a fresh one (step-up)."""
        if services.has_device(self.request.user) and not services.is_fresh(self.request):
            raise webauthn_exceptions.NotVerified(detail=str(_("Confirm it is you with your second factor first, then add the passkey.")))


class RegistrationBegin(_FreshSecondFactor, webauthn_views.BeginCredentialRegistrationView):
    pass


class RegistrationComplete(_FreshSecondFactor, webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        was_verified = services.is_verified(self.request)
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            device = services._passkey_model().objects.filter(user=self.request.user).order_by("-pk").first()
            if device is not None:
                services.added_passkey(self.request.user, device)
                if not was_verified:  # a first passkey is the enrolment of an official who had none
                    services.mark_verified(self.request, device, "passkey")
        return response


class AuthenticationComplete(webauthn_views.CompleteCredentialAuthenticationView):
    """Second factor only: the person has given a first factor (passwordless sign-in is off)."""

    def complete_auth(self, device):
        services.mark_verified(self.request, device, "passkey", step_up=bool(self.request.session.pop(services.STEP_UP, False)))

    def get_success_url(self):
        return self.request.session.pop(services.NEXT, "") or resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_success_data(self, device):
        return {"id": device.pk, "redirect_url": self.get_success_url()}
