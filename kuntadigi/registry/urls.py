from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("registry/organisations/", views.organisations, name="organisations"),
    path("registry/organisations/<int:pk>/", views.organisation, name="organisation"),
    path("registry/organisations/<int:pk>/email-domains/", views.email_domains, name="email_domains"),
    path("registry/joint-authorities/add/", views.add_joint_authority, name="add_joint_authority"),
]
