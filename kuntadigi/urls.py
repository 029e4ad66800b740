from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from kuntadigi.core import views as core_views
from kuntadigi.mfa import views as mfa_views

urlpatterns = [
    path(".well-known/security.txt", core_views.security_txt, name="security_txt"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", include("kuntadigi.core.health_urls")),
    path("api/", include("kuntadigi.api.urls")),
    path("data/", include("kuntadigi.publication.urls_data")),
    path("webauthn/", include("kuntadigi.mfa.urls_webauthn")),  # the passkey ceremony (JSON; second factor only)
]

urlpatterns += i18n_patterns(
    path("", include("kuntadigi.core.urls")),
    path("", include("kuntadigi.calls.urls")),
    path("", include("kuntadigi.accounts.urls")),
    path("", include("kuntadigi.registry.urls")),
    path("", include("kuntadigi.applications.urls")),
    path("", include("kuntadigi.screening.urls")),
    path("", include("kuntadigi.decisions.urls")),
    path("", include("kuntadigi.delivery.urls")),
    path("", include("kuntadigi.projects.urls")),
    path("", include("kuntadigi.reports.urls_reports")),
    path("", include("kuntadigi.payments.urls_batches")),
    path("", include("kuntadigi.payments.urls_requests")),
    path("", include("kuntadigi.projects.urls_settlement")),
    path("", include("kuntadigi.payments.urls_review")),
    path("", include("kuntadigi.assessment.urls")),
    path("", include("kuntadigi.publication.urls")),
    path("", include("kuntadigi.mfa.urls")),
    path("", include("kuntadigi.officials.urls")),
    path("", include("kuntadigi.officials.urls_followup")),
    path("admin/login/", mfa_views.admin_login, name="admin_login"),  # no second password form: the service's sign-in
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

handler404 = "kuntadigi.core.views.page_not_found"
handler500 = "kuntadigi.core.views.server_error"

if settings.KUNTADIGI_BENCH_VIEWS:  # the load benchmark's bare view; refused in production (settings.py)
    urlpatterns += [path("bench/", include("kuntadigi.core.bench_urls"))]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
