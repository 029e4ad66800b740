"""Confirming, submitting and following an application (owner: submission). Names are the contract."""

from django.urls import path

from . import views_submission as views

urlpatterns = [
    path("applications/<int:pk>/", views.detail, name="detail"),
    path("applications/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("applications/<int:pk>/decline/", views.decline, name="decline"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/print/", views.draft_print, name="print"),
    path("applications/<int:pk>/print/pdf/", views.draft_pdf, name="draft_pdf"),
    path("applications/<int:pk>/versions/<int:number>/", views.receipt, name="receipt"),
    path("applications/<int:pk>/versions/<int:number>/pdf/", views.submission_pdf, name="pdf"),
    path("officials/calls/", views.official_calls, name="official_calls"),
    path("officials/calls/<slug:call_slug>/applications/", views.official_list, name="official_list"),
    path("officials/calls/<slug:call_slug>/applications/export.<str:fmt>", views.official_list_export, name="official_list_export"),
]
