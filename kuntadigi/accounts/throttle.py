"""Sign-in limits at work: the counters in the cache, the device cookie, and the request's client.

The rules (what is counted where, when an attempt is refused) are the pure functions of
throttle_rules.py. Here they meet the request: the client's address, the signed device cookie that a
browser gets when it signs in to an account, and the counters, which the cache keeps per fixed
window under keys that are HMACs, so neither e-mail addresses nor client addresses are stored.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.core.cache import cache
from django.dispatch import receiver
from django.utils.crypto import salted_hmac
from django_ratelimit.exceptions import Ratelimited

from kuntadigi import clock

from . import throttle_rules as rules
from .throttle_rules import Action, Client, Decision

log = logging.getLogger(__name__)

DEVICE_COOKIE = "kuntadigi_device"
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 60 * 60  # seconds: half a year
DEVICE_SALT = "kuntadigi.accounts.device"
MAX_ACCOUNTS_PER_DEVICE = 5  # the accounts one browser is trusted for (a shared office computer)
_COUNTER_SALT = "kuntadigi.accounts.throttle"


class Refused(Ratelimited):
    """An attempt over a limit: settings.RATELIMIT_VIEW answers 429 with Retry-After."""

    def __init__(self, retry_after: int, action: Action | None = None):
        super().__init__()
        self.retry_after = retry_after
        self.action = action


# ── The device cookie ────────────────────────────────────────────────────────


def account_tag(email: str) -> str:
    """The account in a device cookie: an HMAC of the e-mail address, not the address itself."""
    return salted_hmac(DEVICE_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[:32]


def _device_entries(request) -> list[tuple[str, str]]:
    """(account tag, device id) pairs of the request's device cookie; none when it is missing, forged or old."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        entries = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    return [(str(tag), str(device)) for tag, device in (entry for entry in entries if isinstance(entry, list) and len(entry) == 2)]


def trusted_device(request, email: str | None) -> str | None:
    """The device id of the request's device cookie for this e-mail address (any account when None)."""
    entries = _device_entries(request)
    if email is None:
        return entries[0][1] if entries else None
    tag = account_tag(email)
    return next((device for entry_tag, device in entries if entry_tag == tag), None)


def remember_device(request, response, email: str) -> None:
    """Trust this browser for the account from now on: add (or keep) its entry in the device cookie."""
    tag = account_tag(email)
    entries = _device_entries(request)
    device = next((d for t, d in entries if t == tag), None) or secrets.token_urlsafe(16)
    kept = [[tag, device]] + [[t, d] for t, d in entries if t != tag]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(kept[:MAX_ACCOUNTS_PER_DEVICE], salt=DEVICE_SALT),
        max_age=DEVICE_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


@receiver(user_logged_in)
def _trust_after_sign_in(sender, request, user, **kwargs):
    """Mark the request so that DeviceCookieMiddleware gives its response the device cookie."""
    if request is not None and getattr(user, "email", ""):
        request.kuntadigi_trust_email = user.email


class DeviceCookieMiddleware:
    """Sets the device cookie on the response of a request in which someone signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        email = getattr(request, "kuntadigi_trust_email", "")
        if email:
            remember_device(request, response, email)
        return response


# ── The counters ─────────────────────────────────────────────────────────────


def client(request, email: str | None) -> Client:
    meta_key = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    return Client(address=rules.client_address(request.META.get(meta_key)), device=trusted_device(request, email))


def _cache_key(counter: rules.Counter, now: float) -> str:
    start = rules.window_start(counter.limit, now)
    digest = salted_hmac(_COUNTER_SALT, "\x1f".join((counter.limit.name, str(start), *counter.key)), algorithm="sha256").hexdigest()
    return f"kd-throttle:{counter.limit.name}:{digest[:40]}"


def check(request, action: Action, email: str | None = None) -> Decision:
    """Whether this client may try now (nothing is counted)."""
    now = clock.now().timestamp()
    counters = rules.counters(action, client(request, email), email)
    keys = {counter: _cache_key(counter, now) for counter in counters}
    stored = cache.get_many(list(keys.values()))
    decision = rules.decide(counters, {counter: int(stored.get(key, 0)) for counter, key in keys.items()}, now)
    if not decision.allowed:
        log.warning("Sign-in attempt refused by %s", ", ".join(decision.refused_by))  # no address, no e-mail
    return decision


def count(request, action: Action, email: str | None = None) -> None:
    """Add this attempt to each of its counters."""
    now = clock.now().timestamp()
    for counter in rules.counters(action, client(request, email), email):
        key = _cache_key(counter, now)
        cache.add(key, 0, timeout=counter.limit.window + 60)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=counter.limit.window + 60)


def refuse_if_limited(request, action: Action, email: str | None = None) -> None:
    """Raise Refused (the 429 page) when the client is over a limit for this action."""
    decision = check(request, action, email)
    if not decision.allowed:
        raise Refused(decision.retry_after, action)
