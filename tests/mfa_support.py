"""The second factor in tests: an authenticator app's code computed from the device's key, as the app would."""

from __future__ import annotations

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def app_for(user) -> TOTPDevice:
    """The person's authenticator app (a confirmed TOTP device), added if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def next_code(device: TOTPDevice) -> str:
    """The code the app shows now, or the next step's when this step's code was already used (a code works once)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.drift = device.drift + max(0, device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def code_for(email: str) -> str:
    return next_code(TOTPDevice.objects.get(user__email=email, confirmed=True))
