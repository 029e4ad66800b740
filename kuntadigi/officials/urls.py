"""The officials' work page (owner: officials). Names are the contract other pages link to."""

from django.urls import path

from . import views

app_name = "officials"
urlpatterns = [
    path("officials/", views.work, name="work"),
]
