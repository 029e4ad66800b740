"""The second-factor pages: the code page (sign-in and step-up), enrolment of an authenticator app,
recovery codes shown once, removing a device, "sign out everywhere", and the admin's login address."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from kuntadigi import permissions
from kuntadigi.applications.errors import Refused

from . import services
from .forms import CodeForm, EnrolForm
from .stepup import needs_step_up, step_up_redirect

CODE_PER_IP = ("mfa.code.ip", "30/10m")
WRONG_CODE = gettext_lazy("The code is not valid. Check it and try again; an app's code changes every 30 seconds.")


def _count_code_attempt(request) -> None:
    """Code attempts are limited per person and per address, as sign-in attempts are."""
    user_key = str(request.user.pk)
    if is_ratelimited(request, group="mfa.code.user", key=lambda _g, _r: user_key, rate=settings.KUNTADIGI_MFA_CODE_RATE, method=ALL, increment=True):
        raise Ratelimited
    group, rate = CODE_PER_IP
    if is_ratelimited(request, group=group, key="ip", rate=rate, method=ALL, increment=True):
        raise Ratelimited


def _safe(request, value: str | None) -> str:
    if value and len(value) <= 500 and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


def _next(request) -> str:
    asked = _safe(request, request.POST.get("next") or request.GET.get("next"))
    return asked or request.session.get(services.NEXT, "") or resolve_url(settings.LOGIN_REDIRECT_URL)


def _go_on(request, next_url: str):
    request.session.pop(services.NEXT, None)
    return redirect(next_url)


def after_first_factor(request, user, target: str):
    """Called by the sign-in views once the password or the link has been accepted: on to the code page,
    to enrolment (an official with no device), or straight to `target`."""
    if not services.needs_second_factor(user):
        return redirect(target)
    request.session[services.NEXT] = target
    return redirect("mfa:verify" if services.has_device(user) else "mfa:enrol")


# ── Giving the second factor ────────────────────────────────────────────────


@never_cache
@login_required
def verify(request):
    user = request.user
    next_url = _next(request)
    step_up = request.GET.get("step_up") == "1" or request.POST.get("step_up") == "1"
    if not services.has_device(user):
        if services.is_official_person(user):
            return redirect(f"{reverse('mfa:enrol')}?{urlencode({'next': next_url})}")
        return _go_on(request, next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        _count_code_attempt(request)
        if form.is_valid():
            result = services.verify_code(user, form.cleaned_data["code"])
            if result is not None:
                device, method = result
                services.mark_verified(request, device, method, step_up=step_up)
                if method == "recovery_code":
                    left = services.recovery_codes_left(user)
                    messages.warning(
                        request,
                        _("You used a recovery code; it no longer works. Recovery codes left: %(left)d. Make new ones on your account page.") % {"left": left},
                    )
                return _go_on(request, next_url)
            form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "next": next_url,
        "step_up": step_up,
        "has_passkey": services.passkeys(user).exists(),
        "has_totp": services.totp_devices(user).exists(),
    }
    if context["has_passkey"]:  # a passkey's answer (the script's JSON call) goes to the same place
        request.session[services.NEXT] = next_url
        request.session[services.STEP_UP] = step_up
    return render(request, "mfa/verify.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def enrol(request):
    """Add an authenticator app: the QR code (drawn on the server) and the same secret as text."""
    user = request.user
    next_url = _next(request)
    if services.has_device(user):
        if not services.is_verified(request):
            return redirect(f"{reverse('mfa:verify')}?{urlencode({'next': request.get_full_path()})}")
        if not services.is_fresh(request):
            return step_up_redirect(request, return_to=request.get_full_path())
    device = services.pending_totp(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST":
        _count_code_attempt(request)
        if form.is_valid():
            codes = services.confirm_totp(request, device, form.cleaned_data["code"])
            if codes is not None:
                messages.success(request, _("The authenticator app was added. From now on you sign in with its code."))
                if codes:
                    request.session[services.NEW_CODES] = codes
                    return redirect(f"{reverse('mfa:recovery_codes')}?{urlencode({'next': next_url})}")
                return _go_on(request, next_url)
            form.add_error("code", WRONG_CODE)
    url = device.config_url
    qr = segno.make(url, error="m")
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    context = {
        "form": form,
        "next": next_url,
        "qr_data_uri": "data:image/png;base64," + base64.b64encode(_png(qr)).decode("ascii"),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": services.is_official_person(user),
        "first": not services.has_device(user),
    }
    return render(request, "mfa/enrol.html", context, status=400 if form.errors else 200)


def _png(qr) -> bytes:
    import io

    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=5, border=4)
    return buffer.getvalue()


@never_cache
@login_required
def recovery_codes(request):
    """The recovery codes, shown once (they are stored only as the device's tokens)."""
    codes = request.session.pop(services.NEW_CODES, None)
    if not codes:
        return redirect("accounts:account")
    return render(request, "mfa/recovery_codes.html", {"codes": codes, "next": _next(request)})


# ── On the account page ─────────────────────────────────────────────────────


@login_required
@require_POST
def regenerate_codes(request):
    if needs_step_up(request):
        return step_up_redirect(request, return_to=reverse("accounts:account"))
    try:
        codes = services.regenerate_recovery_codes(request.user)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect("accounts:account")
    request.session[services.NEW_CODES] = codes
    messages.success(request, _("New recovery codes were made. The old ones no longer work."))
    return redirect(f"{reverse('mfa:recovery_codes')}?{urlencode({'next': reverse('accounts:account')})}")


@login_required
@require_POST
def remove_device(request, kind: str, pk: int):
    if needs_step_up(request):
        return step_up_redirect(request, return_to=reverse("accounts:account"))
    try:
        services.remove_device(request.user, kind, pk)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The device was removed."))
    return redirect("accounts:account")


@login_required
@require_POST
def sign_out_everywhere(request):
    services.sign_out_everywhere(request)
    messages.success(request, _("You were signed out everywhere else. This browser stays signed in."))
    return redirect("accounts:account")


# ── The Django admin ────────────────────────────────────────────────────────


def admin_login(request):
    """/admin/login/: the admin has no password form of its own. Signed-out people go to the service's
    sign-in (its rate limits and second factor); signed-in people who are not system administrators get 404."""
    next_url = _safe(request, request.GET.get("next")) or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:sign_in')}?{urlencode({'next': next_url})}")
    if not permissions.is_system_admin(request.user):
        raise Http404
    return redirect(next_url)


def admin_has_permission(request) -> bool:
    """Replaces AdminSite.has_permission: an active system administrator whose session has the second factor."""
    return permissions.is_system_admin(request.user) and services.is_verified(request)
