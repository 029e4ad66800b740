"""PLACEHOLDER routes, replaced by the calls pages."""

from django.http import Http404
from django.urls import path


def _placeholder(request, *args, **kwargs):
    raise Http404


app_name = "calls"
urlpatterns = [path("calls/", _placeholder, name="list"), path("calls/<slug:slug>/", _placeholder, name="detail")]
