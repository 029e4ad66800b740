"""Use cases for people: sign-in links, sign-in, memberships and their decisions.

No e-mail address ever goes to a log message; the audit trail holds ids only.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kuntadigi import clock, permissions
from kuntadigi.audit.models import AuditEvent
from kuntadigi.audit.services import record
from kuntadigi.notifications import services as notify
from kuntadigi.registry import rules as registry_rules
from kuntadigi.registry.models import Organisation

from . import rules
from .models import Membership, SignInToken, User

log = logging.getLogger(__name__)

TOKEN_BYTES = 32
TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_LIFETIME_MINUTES = 15
# Used and expired tokens are kept this long (for support questions), then removed.
TOKEN_RETENTION = timedelta(days=1)


class MembershipError(Exception):
    """A membership request or decision that cannot be made; the message is shown to the user."""


# ── Sign-in links ───────────────────────────────────────────────────────────


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def request_sign_in_link(email: str, *, next_url: str = "") -> str:
    """Create a single-use token for the address and send the link after the transaction commits.

    The same happens whether or not a user has the address: a new user becomes one by following
    the link. The e-mail is in the current language. Returns the secret (for tests); only its hash
    is stored."""
    email = normalise_email(email)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.now()
    language = translation.get_language() or settings.LANGUAGE_CODE
    link = settings.SITE_URL + reverse("accounts:use_link", args=[token])
    context = {"link": link, "minutes": TOKEN_LIFETIME_MINUTES, "site_url": settings.SITE_URL}
    with transaction.atomic():
        SignInToken.objects.filter(expires_at__lt=now - TOKEN_RETENTION).delete()
        stored = SignInToken.objects.create(email=email, token_hash=hash_token(token), created_at=now, expires_at=now + TOKEN_LIFETIME, next_url=next_url[:300])
        token_id = stored.pk
        transaction.on_commit(lambda: _send_sign_in_link(email, language, context, token_id))
    return token


def _send_sign_in_link(email: str, language: str, context: dict, token_id: int) -> None:
    """The link in the language of the page that asked for it. Recorded without its link: the record
    (shown on the account page) must not hold the secret."""
    recipient = notify.in_language([notify.recipient_for_address(email, language)], language)
    _send(
        lambda: notify.send("sign_in_link", recipient, template="email/sign_in", subject=lambda: gettext("Your sign-in link to kuntadigi"), context=context),
        "sign-in link",
        token_id,
    )


def _send(send, what: str, object_id) -> None:
    try:
        send()
    except Exception as error:  # A mail server failure must not turn into an error page.
        # Only the kind of error: an SMTP error's text can contain the recipient's address.
        log.error("Sending the %s failed (id %s): %s", what, object_id, type(error).__name__)


def valid_token(token: str) -> SignInToken | None:
    """The unused, unexpired token for the secret, without consuming it (GET must not use it up)."""
    if not token or len(token) > 200:
        return None
    return SignInToken.objects.filter(token_hash=hash_token(token), used_at__isnull=True, expires_at__gt=clock.now()).first()


def sign_in_with_token(token: str, *, language: str = "fi") -> tuple[User, str] | None:
    """Consume the token (once, race-free) and return the user it signs in, created on first use,
    with the address to continue to. None when the token is unknown, used or expired."""
    if not token or len(token) > 200:
        return None
    now = clock.now()
    with transaction.atomic():
        stored = SignInToken.objects.select_for_update().filter(token_hash=hash_token(token)).first()
        if stored is None:
            return None
        consumed = SignInToken.objects.filter(pk=stored.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if consumed != 1:
            return None
        email = normalise_email(stored.email)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, language=language if language in {"fi", "sv", "en"} else "fi")
            record(user, "accounts.user_registered", user, after={"method": "link"})
        if not user.is_active:
            return None
        record(user, "accounts.signed_in", user, after={"method": "link", "token_id": stored.pk})
    return user, stored.next_url


def record_sign_in(user: User, method: str) -> None:
    with transaction.atomic():
        record(user, "accounts.signed_in", user, after={"method": method})


def record_sign_out(user: User) -> None:
    with transaction.atomic():
        record(user, "accounts.signed_out", user)


def record_password_change(user: User) -> None:
    with transaction.atomic():
        record(user, "accounts.password_changed", user)


def update_profile(user: User, *, full_name: str, phone: str, language: str) -> User:
    with transaction.atomic():
        before = {"full_name_set": bool(user.full_name), "phone_set": bool(user.phone), "language": user.language}
        user.full_name, user.phone, user.language = full_name.strip(), phone.strip(), language
        user.save(update_fields=["full_name", "phone", "language"])
        record(
            user,
            "accounts.profile_changed",
            user,
            before=before,
            after={"full_name_set": bool(user.full_name), "phone_set": bool(user.phone), "language": language},
        )
    return user


def set_email_preferences(user: User, *, reminder_emails: bool, update_emails: bool) -> User:
    """The person's choice of the e-mail they may switch off (reminders; news of applications' steps).
    Messages they must receive (sign-in links, requests, decisions) are not affected."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {"reminder_emails": locked.reminder_emails, "update_emails": locked.update_emails}
        after = {"reminder_emails": bool(reminder_emails), "update_emails": bool(update_emails)}
        if before != after:
            locked.reminder_emails, locked.update_emails = after["reminder_emails"], after["update_emails"]
            locked.save(update_fields=["reminder_emails", "update_emails"])
            record(user, "accounts.email_preferences_changed", locked, before=before, after=after)
    user.reminder_emails, user.update_emails = locked.reminder_emails, locked.update_emails
    return user


def has_approved_membership(user: User) -> bool:
    return bool(permissions.organisation_ids(user))


# ── Memberships ─────────────────────────────────────────────────────────────


def _membership_state(membership: Membership) -> dict:
    return {"organisation_id": membership.organisation_id, "user_id": membership.user_id, "role": membership.role, "status": membership.status}


def request_membership(user: User, organisation: Organisation) -> Membership:
    """The user asks to act for the organisation. A rejected request can be made again."""
    if not (user and user.is_authenticated):
        raise PermissionDenied
    if not organisation.is_active:
        raise MembershipError(_("This organisation is no longer in use."))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, organisation=organisation).first()
        if membership is not None:
            if membership.status == Membership.Status.APPROVED:
                raise MembershipError(_("You already act for this organisation."))
            if membership.status == Membership.Status.PENDING:
                raise MembershipError(_("You have already asked to join this organisation."))
            before = _membership_state(membership)
            membership.status = Membership.Status.PENDING
            membership.role = Membership.Role.MEMBER
            membership.requested_at = clock.now()
            membership.decided_at = None
            membership.decided_by = None
            membership.confirmed_domain = confirmed_domain(user, organisation)
            membership.save()
        else:
            before = None
            try:
                with transaction.atomic():
                    membership = Membership.objects.create(
                        user=user, organisation=organisation, requested_at=clock.now(), confirmed_domain=confirmed_domain(user, organisation)
                    )
            except IntegrityError as error:  # a double submit racing this one
                raise MembershipError(_("You have already asked to join this organisation.")) from error
        after = _membership_state(membership) | ({"confirmed_domain": membership.confirmed_domain} if membership.confirmed_domain else {})
        record(user, "accounts.membership_requested", membership, before=before, after=after)
        membership_id = membership.pk
        transaction.on_commit(lambda: _send(lambda: notify_deciders(membership_id), "join request notice", membership_id))
    permissions.forget_cached_memberships(user)
    return membership


def address_confirmed(user: User) -> bool:
    """Whether the user's address is confirmed: they have signed in by a link sent to it. (Only a
    system administrator can change an address, in the admin; people cannot change their own.)"""
    return AuditEvent.objects.filter(actor=user, action="accounts.signed_in", after__method="link").exists()


def confirmed_domain(user: User, organisation: Organisation) -> str:
    """The organisation's e-mail domain the user's confirmed address is in, or "" (docs/access.md,
    "The first user of a municipality")."""
    domain = registry_rules.matching_domain(user.email, organisation.email_domains or [])
    return domain if domain and address_confirmed(user) else ""


def registry_officials() -> list[User]:
    """The people who decide requests to join any organisation (permissions.is_registry_official)."""
    return [user for user in User.objects.filter(is_official=True, is_active=True).order_by("email") if permissions.is_registry_official(user)]


def notify_deciders(membership_id: int) -> int:
    """Tell those who decide a new request to join: the organisation's administrators when it has
    any (they decide it, on their organisations page), otherwise the ministry officials (their queue).
    Each in their own language. Returns the number of messages sent."""
    membership = Membership.objects.select_related("user", "organisation").filter(pk=membership_id, status=Membership.Status.PENDING).first()
    if membership is None:
        return 0
    requester = membership.user
    administrators = [r for r in notify.organisation_recipients(membership.organisation_id, requester.language, admins_only=True) if r.user != requester]
    if administrators:
        recipients, page = administrators, "accounts:organisations"
    else:
        recipients, page = [notify.recipient_for_user(official, requester.language) for official in registry_officials()], "accounts:membership_requests"
    recipients = [r for r in recipients if r.user is None or permissions.can_decide_membership(r.user, membership)]
    sent = notify.send(
        "membership_requested",
        recipients,
        template="accounts/email/membership_requested",
        subject=lambda: gettext("Request to join %(organisation)s waits for your decision") % {"organisation": membership.organisation.name},
        context={
            "person": requester.full_name or requester.email,
            "address": requester.email,
            "organisation_name": membership.organisation.name,
            "confirmed_domain": membership.confirmed_domain,
            "to_officials": not administrators,
        },
        url=lambda: settings.SITE_URL + reverse(page) + ("#requests" if administrators else ""),
    )
    log.info("Request to join %s: %d messages to its deciders", membership_id, len(sent))
    return len(sent)


APPROVE = "approve"
APPROVE_ADMIN = "approve_admin"
REJECT = "reject"
DECISIONS = (APPROVE, APPROVE_ADMIN, REJECT)


def can_see_membership_request(user, membership: Membership) -> bool:
    """Ministry officials (the registry's keepers) see every request; an organisation's administrators the requests to it."""
    return permissions.is_registry_official(user) or membership.organisation_id in permissions.organisation_ids(user, admin_only=True)


def decide_membership(actor: User, membership: Membership, decision: str) -> Membership:
    """Approve (as applicant or, by an official, as administrator) or reject a pending request.
    The requester is told by e-mail in their own language."""
    if decision not in DECISIONS:
        raise MembershipError(_("Choose approve or reject."))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
        allowed = (
            permissions.can_grant_organisation_admin(actor, membership) if decision == APPROVE_ADMIN else permissions.can_decide_membership(actor, membership)
        )
        if not allowed:
            raise MembershipError(allowed.reason)
        if membership.status != Membership.Status.PENDING:
            raise MembershipError(_("This request has already been decided."))
        before = _membership_state(membership)
        membership.status = Membership.Status.REJECTED if decision == REJECT else Membership.Status.APPROVED
        membership.role = Membership.Role.ADMIN if decision == APPROVE_ADMIN else Membership.Role.MEMBER
        membership.decided_at = clock.now()
        membership.decided_by = actor
        membership.save()
        action = "accounts.membership_rejected" if decision == REJECT else "accounts.membership_approved"
        record(actor, action, membership, before=before, after=_membership_state(membership))
        membership_id = membership.pk
        transaction.on_commit(lambda: _send(lambda: _send_decision_email(membership), "membership decision", membership_id))
    permissions.forget_cached_memberships(membership.user)
    permissions.forget_cached_memberships(actor)
    return membership


def _send_decision_email(membership: Membership) -> None:
    """The requester is told in their own language."""
    requester = membership.user
    approved = membership.status == Membership.Status.APPROVED

    def subject() -> str:
        if approved:
            return gettext("You can now act for %(organisation)s in kuntadigi") % {"organisation": membership.organisation.name}
        return gettext("Your request to join %(organisation)s was not approved") % {"organisation": membership.organisation.name}

    link = lambda: settings.SITE_URL + reverse("accounts:organisations")  # noqa: E731
    notify.send(
        "membership_decided",
        [notify.recipient_for_user(requester)],
        template="accounts/email/membership_decision",
        subject=subject,
        context=lambda recipient: {
            "membership": membership,
            "organisation_name": membership.organisation.name,
            "approved": approved,
            "admin": membership.role == Membership.Role.ADMIN,
            "link": link(),
        },
        url=link,
    )


def pending_requests(user):
    """The pending requests the user may decide: all of them for officials, their organisations' for
    administrators. Those from an address in the organisation's own domain come first, then the
    oldest first."""
    queryset = Membership.objects.filter(status=Membership.Status.PENDING).exclude(user=user).select_related("user", "organisation")
    if not permissions.is_registry_official(user):
        queryset = queryset.filter(organisation_id__in=permissions.organisation_ids(user, admin_only=True))
    in_domain = Case(When(confirmed_domain="", then=Value(1)), default=Value(0), output_field=IntegerField())
    return queryset.order_by(in_domain, "requested_at", "pk")


def pending_request_count(user) -> int:
    """How many requests to join wait for the user's decision (0 for those who decide none): for an
    officials' landing page."""
    if not (permissions.is_registry_official(user) or permissions.organisation_ids(user, admin_only=True)):
        return 0
    return pending_requests(user).count()


def decision_estimates(memberships) -> dict[int, rules.Estimate]:
    """For each pending request (by its id), how fast such requests are usually decided: from the
    requests to its organisation when the organisation has administrators, otherwise from the
    requests decided by the ministry's officials (rules.decision_estimate)."""
    pending = [m for m in memberships if m.status == Membership.Status.PENDING]
    if not pending:
        return {}
    now = clock.now()
    decided = Membership.objects.filter(decided_at__gte=now - rules.ESTIMATE_WINDOW, decided_at__lte=now).exclude(status=Membership.Status.PENDING)
    with_admins = set(administrators_by_organisation([m.organisation_id for m in pending]))
    by_organisation: dict[int, list] = {}
    rows = decided.filter(organisation_id__in=with_admins).values_list("organisation_id", "requested_at", "decided_at")
    for organisation_id, requested_at, decided_at in rows:
        by_organisation.setdefault(organisation_id, []).append((requested_at, decided_at))
    ministry = list(decided.filter(decided_by__is_official=True).values_list("requested_at", "decided_at")) if len(with_admins) < len(pending) else []
    return {m.pk: rules.decision_estimate(by_organisation.get(m.organisation_id, []) if m.organisation_id in with_admins else ministry, now) for m in pending}


def administrators_by_organisation(organisation_ids) -> dict[int, list[User]]:
    """The approved administrators of each organisation (who can approve a request to it)."""
    result: dict[int, list[User]] = {}
    admins = Membership.objects.filter(organisation_id__in=organisation_ids, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED).select_related(
        "user"
    )
    for membership in admins.order_by("user__full_name", "user__email"):
        result.setdefault(membership.organisation_id, []).append(membership.user)
    return result
