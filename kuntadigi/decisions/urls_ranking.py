"""The ranked list of a call, proposed amounts and the allocation (owner: ranking and allocation)."""

from django.urls import path

from . import views_ranking as views

urlpatterns = [
    path("officials/calls/<slug:call_slug>/ranking/", views.ranking, name="ranking"),
    path("officials/calls/<slug:call_slug>/ranking/applications/<int:pk>/", views.proposal, name="ranking_proposal"),
    path("officials/calls/<slug:call_slug>/ranking/propose-requested/", views.propose_requested, name="ranking_propose_requested"),
    path("officials/calls/<slug:call_slug>/ranking/fill/", views.fill, name="ranking_fill"),
    path("officials/calls/<slug:call_slug>/ranking/finalise/", views.finalise, name="ranking_finalise"),
    path("officials/calls/<slug:call_slug>/ranking/unfinalise/", views.unfinalise, name="ranking_unfinalise"),
    path("officials/calls/<slug:call_slug>/ranking/export.xlsx", views.export_xlsx, name="ranking_xlsx"),
    path("officials/calls/<slug:call_slug>/ranking/export.csv", views.export_csv, name="ranking_csv"),
]
