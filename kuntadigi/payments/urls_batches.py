"""Payment batches (owner: payments, batches). Names are the contract other pages link to."""

from django.urls import path

from . import views_batches as views

app_name = "payments_batches"
urlpatterns = [
    path("officials/calls/<slug:call_slug>/payment-batches/", views.batches, name="list"),
    path("officials/payment-batches/<int:pk>/", views.batch, name="detail"),
    path("officials/payment-batches/<int:pk>/add/", views.add, name="add"),
    path("officials/payment-batches/<int:pk>/remove/", views.remove, name="remove"),
    path("officials/payment-batches/<int:pk>/export/", views.export, name="export"),
    path("officials/payment-batches/<int:pk>/paid/", views.paid, name="paid"),
    path("officials/payment-batches/<int:pk>/files/<str:kind>/", views.download, name="download"),
]
