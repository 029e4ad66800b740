"""The open data API, mounted at /api/ (no language prefix): the OpenAPI document at /api/schema, the
operations under /api/v1/."""

from django.urls import path
from django.views.generic import RedirectView

from . import views
from .api import api

app_name = "api"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api:v1:index"), name="root"),
    path("schema", views.schema, name="schema"),
    path("v1/", api.urls),
]
