from django.urls import path

from . import pages, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("cookies/", pages.cookies, name="cookies"),
    path("help/", pages.help_page, name="help"),
]
