"""Preparing an application (owner: drafting). Names are the contract other pages link to."""

from django.urls import path

from . import views_drafting as views

urlpatterns = [
    path("applications/", views.my_applications, name="mine"),
    path("calls/<slug:call_slug>/apply/", views.start, name="start"),
    path("applications/<int:pk>/edit/", views.edit, name="edit"),
    path("applications/<int:pk>/delete/", views.delete, name="delete"),
    path("applications/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("applications/<int:pk>/partners/", views.partners, name="partners"),
    path("applications/<int:pk>/budget/", views.budget, name="budget"),
    path("applications/<int:pk>/attachments/", views.attachments, name="attachments"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/preview/", views.attachment_preview, name="attachment_preview"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
