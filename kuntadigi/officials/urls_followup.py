"""The officials' follow-up of a call's funded projects: the overdue list and its download."""

from django.urls import path

from . import views_followup

app_name = "followup"
urlpatterns = [
    path("officials/calls/<slug:call_slug>/overdue/", views_followup.overdue, name="overdue"),
    path("officials/calls/<slug:call_slug>/overdue.<str:fmt>", views_followup.overdue_export, name="overdue_export"),
]
