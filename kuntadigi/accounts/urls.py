"""PLACEHOLDER routes, replaced by the accounts pages."""

from django.http import Http404
from django.urls import path


def _placeholder(request, *args, **kwargs):
    raise Http404


app_name = "accounts"
urlpatterns = [
    path("sign-in/", _placeholder, name="sign_in"),
    path("sign-out/", _placeholder, name="sign_out"),
    path("organisations/", _placeholder, name="organisations"),
]
