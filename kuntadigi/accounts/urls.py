from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/link/", views.request_link, name="request_link"),
    path("sign-in/sent/", views.link_sent, name="link_sent"),
    path("sign-in/link/<str:token>/", views.use_link, name="use_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("account/", views.account, name="account"),
    path("account/password/", views.change_password, name="change_password"),
    path("account/email/", views.email_preferences, name="email_preferences"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/join/", views.join_organisation, name="join_organisation"),
    path("organisations/requests/", views.membership_requests, name="membership_requests"),
    path("organisations/requests/<int:pk>/decide/", views.decide_membership, name="decide_membership"),
]
