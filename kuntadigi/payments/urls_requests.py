"""The lead's payment requests (owner: payments). Names are the contract other pages link to."""

from django.urls import path

from . import views_requests as views

app_name = "payment_requests"
urlpatterns = [
    path("projects/<int:pk>/payment-requests/new/", views.new, name="new"),
    path("projects/<int:pk>/payment-requests/<int:number>/", views.detail, name="detail"),
    path("projects/<int:pk>/payment-requests/<int:number>/lines/", views.line_add, name="line_add"),
    path("projects/<int:pk>/payment-requests/<int:number>/lines/<int:line_pk>/", views.line_edit, name="line_edit"),
    path("projects/<int:pk>/payment-requests/<int:number>/lines/<int:line_pk>/remove/", views.line_remove, name="line_remove"),
    path("projects/<int:pk>/payment-requests/<int:number>/ledger/", views.ledger_upload, name="ledger_upload"),
    path("projects/<int:pk>/payment-requests/<int:number>/ledger/<int:extract_pk>/", views.ledger_download, name="ledger_download"),
    path("projects/<int:pk>/payment-requests/<int:number>/ledger/<int:extract_pk>/remove/", views.ledger_remove, name="ledger_remove"),
    path("projects/<int:pk>/payment-requests/<int:number>/submit/", views.submit, name="submit"),
]
