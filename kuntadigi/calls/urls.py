"""Public pages of the calls, under the language prefix (/fi/calls/, /sv/calls/, /en/calls/)."""

from django.urls import path

from . import views

app_name = "calls"
urlpatterns = [
    path("calls/", views.call_list, name="list"),
    path("calls/<slug:slug>/", views.call_detail, name="detail"),
]
