"""Decisions (owner: decisions). Names are the contract other pages link to."""

from django.urls import path

from . import views_decisions as views

urlpatterns = [
    path("officials/calls/<slug:call_slug>/decisions/", views.decision_list, name="decision_list"),
    path("officials/calls/<slug:call_slug>/decisions/prepare-all/", views.decision_batch_prepare, name="decision_batch_prepare"),
    path("officials/calls/<slug:call_slug>/decisions/sign-all/", views.decision_batch_sign, name="decision_batch_sign"),
    path("officials/applications/<int:pk>/decision/", views.decision_prepare, name="decision_prepare"),
    path("officials/applications/<int:pk>/decision/preview/", views.decision_preview, name="decision_preview"),
    path("officials/applications/<int:pk>/decision/preview/pdf/", views.decision_preview_pdf, name="decision_preview_pdf"),
    path("officials/applications/<int:pk>/decision/sign/", views.decision_sign, name="decision_sign"),
    path("applications/<int:pk>/decision/pdf/", views.decision_document, name="decision_document"),
]
