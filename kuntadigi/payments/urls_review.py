"""The ministry's review of payment requests (owner: payments, review). Names are the contract other pages link to."""

from django.urls import path

from . import views_review as views

app_name = "payment_review"
urlpatterns = [
    path("officials/calls/<slug:call_slug>/payment-requests/", views.follow_up_list, name="list"),
    path("officials/payment-requests/<int:pk>/review/", views.request_page, name="request"),
    path("officials/payment-requests/<int:pk>/review/check/", views.check, name="check"),
    path("officials/payment-requests/<int:pk>/review/reopen/", views.reopen, name="reopen"),
    path("officials/payment-requests/<int:pk>/review/approve/", views.approve, name="approve"),
    path("officials/payment-requests/<int:pk>/review/ledger/<int:extract_pk>/", views.ledger_extract, name="ledger_extract"),
    path("officials/payments/<int:pk>/approve-again/", views.approve_again, name="approve_again"),
]
