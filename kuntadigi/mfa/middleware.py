"""Session limits and the second factor, on every request of a signed-in person.

1. A session past its idle time or (officials) its working day ends: the person is signed out and
   sent to the sign-in page.
2. A person who needs a second factor (every official; an applicant who turned one on) and has not
   given it in this session reaches only the second-factor pages and sign-out; everything else
   redirects to the code page (or to enrolment, for an official with no device yet).
3. A change in the Django admin (a POST) asks for the second factor again when it is not fresh (step-up).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from . import services

# Reached without a second factor: its own pages, signing out, the passkey ceremony, language switch.
OPEN_NAMESPACES = {"otp_webauthn"}
OPEN_VIEWS = {"mfa:verify", "mfa:enrol", "mfa:recovery_codes", "mfa:jsi18n", "accounts:sign_out", "set_language"}
OPEN_PREFIXES = ("/static/", "/healthz")


def _route(request):
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def _is_open(request, match) -> bool:
    if request.path_info.startswith(OPEN_PREFIXES):
        return True
    if match is None:
        return False
    return bool(set(match.namespaces) & OPEN_NAMESPACES) or match.view_name in OPEN_VIEWS


def _with_next(url: str, request) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        ended = services.session_ended(request)
        if ended is not None:
            logout(request)
            if ended == "absolute":
                messages.info(request, _("Your session ended after the longest time allowed. Sign in again."))
            else:
                messages.info(request, _("Your session ended because it was not used for a while. Sign in again."))
            return redirect(_with_next(reverse("accounts:sign_in"), request))
        services.note_request(request)
        match = _route(request)
        if _is_open(request, match):
            return self.get_response(request)
        if not services.is_verified(request):
            if not services.known_not_required(request):
                if services.needs_second_factor(user):
                    target = "mfa:verify" if services.has_device(user) else "mfa:enrol"
                    return redirect(_with_next(reverse(target), request))
                services.remember_not_required(request)
        elif match is not None and match.app_name == "admin" and request.method == "POST" and not services.is_fresh(request):
            # A change in the admin (users, roles, calls): the second factor again if it is not fresh; back to the form.
            return redirect(f"{reverse('mfa:verify')}?{urlencode({'next': request.get_full_path(), 'step_up': '1'})}")
        return self.get_response(request)
