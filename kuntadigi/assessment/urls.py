"""Assessment pages (owner: assessment). Names are the contract other pages link to."""

from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("officials/assessments/", views.queue, name="queue"),
    path("officials/assessments/<int:assignment_pk>/", views.score, name="score"),
    path("officials/assessments/ties/", views.ties, name="ties"),
    path("officials/assessments/ties/<int:pk>/remove/", views.remove_tie, name="remove_tie"),
    path("officials/calls/<slug:call_slug>/assignments/", views.assignments, name="assignments"),
    path("officials/calls/<slug:call_slug>/assignments/assign/", views.assign, name="assign"),
    path("officials/calls/<slug:call_slug>/assignments/spread/", views.spread, name="spread"),
    path("officials/calls/<slug:call_slug>/assignments/<int:pk>/unassign/", views.unassign, name="unassign"),
    path("officials/calls/<slug:call_slug>/assessment/", views.results, name="results"),
]
