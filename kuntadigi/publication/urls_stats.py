"""The map and the statistics of the published results (drawn on the server, no JavaScript)."""

from django.urls import path

from . import views_stats as views

urlpatterns = [
    path("map/", views.map_view, name="map"),
    path("statistics/", views.statistics, name="statistics"),
]
