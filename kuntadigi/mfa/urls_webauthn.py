"""django-otp-webauthn's ceremony endpoints (JSON), with our registration and authentication views."""

from django.urls import path
from django_otp_webauthn import views as library

from . import passkeys

app_name = "otp_webauthn"
urlpatterns = [
    path("registration/begin/", passkeys.RegistrationBegin.as_view(), name="credential-registration-begin"),
    path("registration/complete/", passkeys.RegistrationComplete.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", library.BeginCredentialAuthenticationView.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", passkeys.AuthenticationComplete.as_view(), name="credential-authentication-complete"),
]
