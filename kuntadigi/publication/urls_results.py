"""The results pages: funded projects by call, project and municipality, and publishing a call's results."""

from django.urls import path

from . import views_results as views

urlpatterns = [
    path("results/", views.index, name="index"),
    path("results/<slug:slug>/", views.call_results, name="call"),
    path("results/<slug:slug>/publish/", views.publish, name="publish"),
    path("projects/<str:reference>/", views.project, name="project"),
    path("municipalities/", views.municipalities, name="municipalities"),
    path("municipalities/<str:code>/", views.municipality, name="municipality"),
]
