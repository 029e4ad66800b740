"""Delivering decisions (owner: delivery). Names are the contract other pages link to."""

from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("applications/<int:pk>/notification-consent/", views.application_consent, name="application_consent"),
    path("applications/<int:pk>/decision/copies/<int:delivery_pk>/pdf/", views.copy_document, name="copy_document"),
    path("organisations/<int:pk>/notification-consent/", views.organisation_consent, name="organisation_consent"),
    path("organisations/<int:pk>/postal-address/", views.postal_address, name="postal_address"),
    path("officials/calls/<slug:call_slug>/letters/", views.letters, name="letters"),
    path("officials/letters/<int:pk>/", views.letter, name="letter"),
    path("officials/letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("officials/letters/<int:pk>/posted/", views.letter_posted, name="letter_posted"),
]
