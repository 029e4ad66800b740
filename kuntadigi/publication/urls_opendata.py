from django.urls import path

from . import views_opendata

urlpatterns = [
    path("open-data/", views_opendata.open_data, name="open_data"),
]
