"""Downloads of the open data (not under a language prefix: a file's address is the same for everyone)."""

from django.urls import path

from . import views_data

app_name = "data"

urlpatterns = [
    path("grants.csv", views_data.grants_csv, name="all_csv"),
    path("grants.xlsx", views_data.grants_xlsx, name="all_xlsx"),
    path("grants-360giving.json", views_data.grants_360giving, name="all_360giving"),
    path("<slug:slug>/grants.csv", views_data.grants_csv, name="call_csv"),
    path("<slug:slug>/grants.xlsx", views_data.grants_xlsx, name="call_xlsx"),
    path("<slug:slug>/grants-360giving.json", views_data.grants_360giving, name="call_360giving"),
]
