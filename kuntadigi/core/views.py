from datetime import UTC, timedelta

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from kuntadigi import clock
from kuntadigi.calls.models import Call


def home(request):
    calls = [call for call in Call.objects.filter(is_published=True) if call.phase(clock.now()) != "closed"]
    return render(request, "core/home.html", {"calls": calls})


# ── Error pages ──────────────────────────────────────────────────────────────


def page_not_found(request, exception=None):
    """handler404: the translated page with the site's navigation."""
    return render(request, "404.html", status=404)


def server_error(request):
    """handler500: rendered without the request's context (no user, no database: the error may be the
    database itself), in the language of the request, with plain links to go on."""
    return HttpResponseServerError(render_to_string("500.html", {"LANG": get_language() or settings.LANGUAGE_CODE}))


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: a form sent from an old page, or with cookies blocked."""
    return render(request, "403_csrf.html", status=403)


# ── /.well-known/security.txt ────────────────────────────────────────────────

SECURITY_TXT_VALIDITY = timedelta(days=180)


@require_safe
def security_txt(request):
    """RFC 9116: how to report a vulnerability. Expires is counted from the real time, not from the
    service's clock: it tells the outside world how long this file holds, and a demonstration's set
    clock (kuntadigi.clock) would date it in the past."""
    expires = (timezone.now() + SECURITY_TXT_VALIDITY).replace(microsecond=0).astimezone(UTC)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: fi, sv, en",
        f"Canonical: {settings.SITE_URL}{reverse('security_txt')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
