"""Decisions on funded projects (owner: decisions). Names are the contract other pages link to."""

from django.urls import path

from . import views_project_decisions as views

urlpatterns = [
    path("officials/projects/<int:pk>/decisions/<int:decision_pk>/", views.project_decision, name="project_decision"),
    path("officials/projects/<int:pk>/decisions/<int:decision_pk>/preview/pdf/", views.project_decision_preview_pdf, name="project_decision_preview_pdf"),
    path("officials/projects/<int:pk>/decisions/<int:decision_pk>/sign/", views.project_decision_sign, name="project_decision_sign"),
    path("projects/<int:pk>/decisions/<int:decision_pk>/pdf/", views.project_decision_document, name="project_decision_document"),
    path("officials/payment-requests/<int:request_pk>/reduction-decision/", views.payment_reduction_prepare, name="payment_reduction_prepare"),
]
