"""URLs of the load benchmark (only with KUNTADIGI_BENCH_VIEWS=1; see bench/deadline_rush.py)."""

from django.urls import path

from . import bench_views

app_name = "bench"
urlpatterns = [
    path("insert/", bench_views.insert, name="insert"),
    path("insert-signed-in/", bench_views.insert_signed_in, name="insert_signed_in"),
]
