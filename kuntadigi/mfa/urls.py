from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import views

app_name = "mfa"
urlpatterns = [
    path("second-factor/", views.verify, name="verify"),
    path("second-factor/app/", views.enrol, name="enrol"),
    path("second-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("second-factor/recovery-codes/new/", views.regenerate_codes, name="regenerate_codes"),
    path("second-factor/<str:kind>/<int:pk>/remove/", views.remove_device, name="remove_device"),
    # The passkey script's texts in the page's language (its own catalogue and ours).
    path("second-factor/passkey-texts.js", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="jsi18n"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
]
