"""The settlement and closing of funded projects (owner: projects, settlement). Names are the contract other pages link to."""

from django.urls import path

from . import views_settlement as views

app_name = "settlement"
urlpatterns = [
    path("officials/projects/<int:pk>/settlement/", views.prepare, name="prepare"),
    path("officials/projects/<int:pk>/settlement/return/", views.record_return, name="record_return"),
    path("officials/projects/<int:pk>/settlement/close/", views.close, name="close"),
]
