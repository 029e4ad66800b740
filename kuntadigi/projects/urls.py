"""Funded projects (owner: projects). Names are the contract other pages link to."""

from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("projects/<int:pk>/", views.detail, name="detail"),
    path("projects/<int:pk>/accept/", views.accept, name="accept"),
    path("projects/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("projects/<int:pk>/account/", views.account, name="account"),
    path("projects/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("projects/<int:pk>/agreement/<int:agreement_pk>/", views.agreement_download, name="agreement_download"),
    path("projects/<int:pk>/agreement/confirm/", views.confirm, name="confirm"),
]
