"""Screening and the roles of a call (owner: screening). Names are the contract other pages link to."""

from django.urls import path

from . import views, views_roles

app_name = "screening"
urlpatterns = [
    path("officials/calls/<slug:call_slug>/roles/", views_roles.call_roles, name="call_roles"),
    path("officials/calls/<slug:call_slug>/roles/<int:role_pk>/remove/", views_roles.remove_call_role, name="call_role_remove"),
    path("officials/calls/<slug:call_slug>/screening/", views.screening_list, name="list"),
    path("officials/calls/<slug:call_slug>/screening/export.<str:fmt>", views.screening_list_export, name="list_export"),
    path("officials/calls/<slug:call_slug>/screening/mark/", views.bulk_mark, name="bulk_mark"),
    path("officials/applications/<int:pk>/", views.application_page, name="application"),
    path("officials/applications/<int:pk>/audit.<str:fmt>", views.audit_download, name="audit_download"),
    path("officials/applications/<int:pk>/mark/", views.mark, name="mark"),
    path("officials/applications/<int:pk>/supplement/", views.request_supplement, name="request_supplement"),
]
