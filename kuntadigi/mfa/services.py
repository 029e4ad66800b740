"""The second factor's use cases: who needs one, enrolment, verification, recovery codes, removal,
step-up freshness and "sign out everywhere". Each change is audited (ids only) in its transaction."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kuntadigi import clock
from kuntadigi.applications.errors import Refused
from kuntadigi.audit.services import record

from . import rules

# Session keys (the session is server-side: a client cannot set them).
VERIFIED_AT = "kd_mfa_verified_at"  # when the second factor was last given (clock.now(), ISO 8601)
SIGNED_IN_AT = "kd_signed_in_at"  # when the first factor was given
SEEN_AT = "kd_seen_at"  # the last request (refreshed at most once a minute)
OFFICIAL = "kd_official"  # the person holds an official role (shorter session limits)
NEXT = "kd_mfa_next"  # where to go once the second factor is given
STEP_UP = "kd_mfa_step_up"  # the code page was asked for as a step-up (for the passkey's audit event)
NEW_CODES = "kd_mfa_new_codes"  # recovery codes to show once
NOT_REQUIRED_UNTIL = "kd_mfa_free_until"  # real-time cache: this person needs no second factor (re-checked each minute)

RECOVERY_CODE_COUNT = 10
SEEN_REFRESH = timedelta(seconds=60)


# ── Who needs a second factor ───────────────────────────────────────────────


def is_official_person(user) -> bool:
    """Anyone with an official role: a role in any call, the official or assessor flag, a system administrator."""
    if not (user and user.is_authenticated):
        return False
    if user.is_official or user.is_assessor or user.is_staff or user.is_superuser:
        return True
    from kuntadigi.calls.models import CallRole

    return CallRole.objects.filter(user=user).exists()


def totp_devices(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("created_at", "pk")


def passkeys(user):
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.devices_for_user(user, confirmed=True).order_by("created_at", "pk")


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_device(user) -> bool:
    """A TOTP app or a passkey (recovery codes alone are not a second factor to keep)."""
    return totp_devices(user).exists() or passkeys(user).exists()


def needs_second_factor(user) -> bool:
    return rules.needs_second_factor(official=is_official_person(user), has_device=has_device(user))


# ── The session ─────────────────────────────────────────────────────────────


def _read_time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def verified_at(request) -> datetime | None:
    return _read_time(request.session.get(VERIFIED_AT))


def is_verified(request) -> bool:
    return verified_at(request) is not None


def is_fresh(request) -> bool:
    """Step-up: the second factor was given within KUNTADIGI_STEP_UP_MINUTES."""
    return rules.is_fresh(clock.now(), verified_at(request), timedelta(minutes=settings.KUNTADIGI_STEP_UP_MINUTES))


def session_limits(official: bool) -> rules.SessionLimits:
    return rules.limits_for(
        official=official,
        official_idle=timedelta(minutes=settings.KUNTADIGI_OFFICIAL_IDLE_MINUTES),
        official_absolute=timedelta(hours=settings.KUNTADIGI_OFFICIAL_SESSION_HOURS),
        applicant_idle=timedelta(minutes=settings.KUNTADIGI_APPLICANT_IDLE_MINUTES),
    )


def session_ended(request) -> str | None:
    session = request.session
    official = session.get(OFFICIAL)
    if official is None:
        official = session[OFFICIAL] = is_official_person(request.user)
    return rules.session_ended(
        clock.now(), signed_in_at=_read_time(session.get(SIGNED_IN_AT)), last_seen_at=_read_time(session.get(SEEN_AT)), limits=session_limits(official)
    )


def note_request(request) -> None:
    """Remember the time of this request (at most once a minute, so most requests write no session)."""
    session, now = request.session, clock.now()
    if SIGNED_IN_AT not in session:
        session[SIGNED_IN_AT] = now.isoformat()
    seen = _read_time(session.get(SEEN_AT))
    if seen is None or now - seen >= SEEN_REFRESH:
        session[SEEN_AT] = now.isoformat()
        if seen is not None:
            session[OFFICIAL] = is_official_person(request.user)  # a role named mid-session shortens it from now on


def start_session(request, user) -> None:
    """A first factor was just given (password, sign-in link, or a test's force_login): a new second
    factor is needed, and the session's limits count from now."""
    now = clock.now().isoformat()
    for key in (VERIFIED_AT, django_otp.DEVICE_ID_SESSION_KEY, NEXT, STEP_UP, NEW_CODES, NOT_REQUIRED_UNTIL):
        request.session.pop(key, None)
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    request.session[OFFICIAL] = is_official_person(user)


def known_not_required(request) -> bool:
    return request.session.get(NOT_REQUIRED_UNTIL, 0) > time.time()


def remember_not_required(request) -> None:
    request.session[NOT_REQUIRED_UNTIL] = time.time() + SEEN_REFRESH.total_seconds()


def mark_verified(request, device, method: str, *, step_up: bool = False) -> None:
    """The person gave the second factor now: the session is verified and fresh (clock.now())."""
    request.session.cycle_key()  # a new session key for the session that now has both factors
    django_otp.login(request, device)
    request.session[VERIFIED_AT] = clock.now().isoformat()
    request.session[OFFICIAL] = is_official_person(request.user)
    with transaction.atomic():
        record(request.user, "mfa.verified", device, after={"method": method, "step_up": step_up})


# ── Codes ───────────────────────────────────────────────────────────────────


def verify_code(user, typed: str) -> tuple[object, str] | None:
    """The device that accepts the typed code and how ("totp" or "recovery_code"), or None.
    A TOTP code works once (django-otp remembers its time step); a recovery code is deleted as it is used."""
    code = rules.normalise_code(typed)
    if not code:
        return None
    with transaction.atomic():
        if rules.looks_like_totp(code):
            for device in totp_devices(user).select_for_update():
                if device.verify_token(code):
                    return device, "totp"
            return None
        for device in StaticDevice.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                record(user, "mfa.recovery_code_used", device, after={"left": device.token_set.count()})
                return device, "recovery_code"
    return None


# ── Enrolment and devices ───────────────────────────────────────────────────


def pending_totp(user) -> TOTPDevice:
    """The TOTP device being enrolled (unconfirmed; its secret is shown until a code confirms it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=str(_("Authenticator app")), confirmed=False)
    return device


def confirm_totp(request, device: TOTPDevice, typed: str) -> list[str] | None:
    """Confirm the enrolment with a code from the app. Returns the new recovery codes (when the person
    had none), [] when they already had some, or None when the code was wrong."""
    user = request.user
    code = rules.normalise_code(typed)
    if not rules.looks_like_totp(code, device.digits):
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(user, "mfa.device_added", device, after={"kind": "totp"})
        codes = [] if recovery_codes_left(user) else _new_recovery_codes(user)
    mark_verified(request, device, "totp")
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=str(_("Recovery codes")), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    record(user, "mfa.recovery_codes_created", device, after={"count": len(codes)})
    return codes


def regenerate_recovery_codes(user) -> list[str]:
    """New recovery codes; the old ones stop working. Only for a person with a TOTP app or a passkey."""
    if not has_device(user):
        raise Refused(_("Add an authenticator app or a passkey first: recovery codes stand in for them."))
    with transaction.atomic():
        return _new_recovery_codes(user)


def added_passkey(user, device) -> None:
    """A passkey was registered (django-otp-webauthn); recovery codes come with the first factor."""
    with transaction.atomic():
        record(user, "mfa.device_added", device, after={"kind": "passkey"})


def remove_device(user, kind: str, pk: int) -> None:
    """Remove one of the person's own TOTP apps or passkeys. An official keeps at least one; with the
    last one go the recovery codes."""
    model = {"totp": TOTPDevice, "passkey": _passkey_model()}.get(kind)
    if model is None:
        raise Refused(_("No such device."))
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, pk=pk).first()
        if device is None:
            raise Refused(_("No such device."))
        others = totp_devices(user).exclude(pk=device.pk).count() if kind == "totp" else totp_devices(user).count()
        others += passkeys(user).exclude(pk=device.pk).count() if kind == "passkey" else passkeys(user).count()
        if not others and is_official_person(user):
            raise Refused(_("You need a second factor for your role: add another authenticator app or passkey before you remove this one."))
        record(user, "mfa.device_removed", device, after={"kind": kind})
        device.delete()
        if not others:
            for static in StaticDevice.objects.filter(user=user):
                record(user, "mfa.device_removed", static, after={"kind": "recovery_codes"})
                static.delete()


def _passkey_model():
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential


# ── Sign out everywhere ─────────────────────────────────────────────────────


def sign_out_everywhere(request) -> None:
    """Every other session of the person ends at its next request (their session hash changes); this one stays."""
    user = request.user
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
        user.refresh_from_db(fields=["session_generation"])
        record(user, "accounts.signed_out_everywhere", user, after={"generation": user.session_generation})
    update_session_auth_hash(request, user)
