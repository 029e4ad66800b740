"""Reports of funded projects (owner: reports). Names are the contract other pages link to."""

from django.urls import path

from . import views_reports as views

app_name = "reports"
urlpatterns = [
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/confirmation/", views.confirmation, name="confirmation"),
    path("reports/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path("reports/<int:pk>/review/", views.review, name="review"),
    path("reports/<int:pk>/versions/", views.versions, name="versions"),
]
