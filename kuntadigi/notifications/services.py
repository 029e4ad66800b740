"""Sending e-mail to people: one function, `send`, that every notice of the service goes through.

A message is written in its recipient's language (their own setting, else the language the caller
gives, usually the application's), honours the recipient's preferences (kinds.py), is recorded as a
Message (listed on the account page) and, when given a key, goes out once whatever the number of
calls: the key is unique, so a second run of a reminder job, or two at once, skips it.

Callers send after their transaction has committed (from a django-tasks task or
transaction.on_commit), so that a rolled-back change tells nobody. Logs name messages by id only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import translation

from kuntadigi import clock

from .kinds import Category, kind
from .models import Message

logger = logging.getLogger(__name__)

LANGUAGES = {code for code, _name in settings.LANGUAGES}
# A keyed message still "being sent" this long after its claim was left by a run that died: the next run sends it.
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str
    user: object | None = None  # the User with this address, when there is one


def _language(value: str | None, fallback: str) -> str:
    for candidate in (value, fallback, settings.LANGUAGE_CODE):
        if candidate in LANGUAGES:
            return candidate
    return settings.LANGUAGE_CODE


def recipient_for_user(user, fallback_language: str = "") -> Recipient:
    return Recipient(user.email, _language(user.language, fallback_language), user)


def recipient_for_address(address: str, fallback_language: str) -> Recipient:
    """An address typed by someone (a contact person, a partner's address): its user's own language
    and preferences when the address has an account, otherwise the caller's language."""
    address = address.strip()
    user = get_user_model().objects.filter(email__iexact=address, is_active=True).first()
    if user is not None:
        return recipient_for_user(user, fallback_language)
    return Recipient(address, _language(None, fallback_language))


def in_language(recipients: Iterable[Recipient], language: str) -> list[Recipient]:
    """The same recipients, each written to in `language` (a notice about an application, in the
    application's language); their accounts' preferences still apply."""
    return [replace(recipient, language=_language(language, settings.LANGUAGE_CODE)) for recipient in recipients]


def unique_recipients(recipients: Iterable[Recipient]) -> list[Recipient]:
    """Each address once (the first occurrence wins), in the given order."""
    seen: set[str] = set()
    result = []
    for recipient in recipients:
        folded = recipient.address.strip().lower()
        if folded and folded not in seen:
            seen.add(folded)
            result.append(recipient)
    return result


def organisation_recipients(organisation_id: int, fallback_language: str, *, admins_only: bool = False) -> list[Recipient]:
    """The approved, active members of an organisation (its administrators only, if asked)."""
    from kuntadigi.accounts.models import Membership

    memberships = Membership.objects.filter(organisation_id=organisation_id, status=Membership.Status.APPROVED, user__is_active=True)
    if admins_only:
        memberships = memberships.filter(role=Membership.Role.ADMIN)
    users = get_user_model().objects.filter(pk__in=memberships.values("user_id")).order_by("email")
    return [recipient_for_user(user, fallback_language) for user in users]


def lead_recipients(application) -> list[Recipient]:
    """The people who answer for an application: its contact person and the lead organisation's
    approved members, each once, each in their own language (callers writing in the application's
    language use in_language)."""
    contact = (application.contact_email or "").strip()
    candidates = [recipient_for_address(contact, application.language)] if contact else []
    candidates += organisation_recipients(application.lead_id, application.language)
    return unique_recipients(candidates)


def wants(recipient: Recipient, kind_name: str) -> bool:
    """Whether the recipient receives this kind: required kinds always; reminders and updates unless
    the recipient's account switched them off."""
    category = kind(kind_name).category
    user = recipient.user
    if category == Category.REQUIRED or user is None:
        return True
    if category == Category.REMINDER:
        return bool(user.reminder_emails)
    return bool(user.update_emails)


Subject = Callable[[], str]
Context = dict | Callable[[Recipient], dict]
Link = str | Callable[[], str]  # a callable is reversed in the recipient's language (/fi/..., /sv/...)


def send(
    kind_name: str,
    recipients: Iterable[Recipient],
    *,
    template: str,
    subject: Subject,
    context: Context,
    url: Link = "",
    key: str = "",
) -> list[Message]:
    """Send one message to each recipient (each address once) and record it.

    `template` names a pair of templates, `<template>.txt` and `<template>.html`; `subject` and `url`
    (when callable) are called, and `context` (a dict, or a function of the recipient) rendered, in the
    recipient's language; the templates get the link as `url`. With
    a `key`, each address gets the message once: a later call with the same key sends nothing to it.
    Returns the messages sent (or tried and failed) by this call."""
    kind(kind_name)  # an unknown kind fails here, before anything is sent
    done = []
    for recipient in unique_recipients(recipients):
        if not wants(recipient, kind_name):
            continue
        message = _send_one(kind_name, recipient, template=template, subject=subject, context=context, url=url, key=key)
        if message is not None:
            done.append(message)
    return done


def _claim(kind_name: str, recipient: Recipient, subject: str, url: str, key: str) -> Message | None:
    """The row of this message, made before sending. With a key: None when it was sent (or is being
    sent) already; a failed one is tried again."""
    fields = {
        "user": recipient.user,
        "address": recipient.address,
        "language": recipient.language,
        "kind": kind_name,
        "subject": subject[:300],
        "url": url[:500],
        "created_at": clock.now(),
    }
    if not key:
        return Message.objects.create(**fields)
    full_key = message_key(key, recipient.address)
    try:
        with transaction.atomic():
            return Message.objects.create(key=full_key, **fields)
    except IntegrityError:
        with transaction.atomic():
            # A failed message is tried again, and so is one left "being sent" by a run that died
            # between claiming it and sending it (a live run sends within seconds of its claim).
            retry = Q(status=Message.Status.FAILED) | Q(status=Message.Status.QUEUED, created_at__lt=clock.now() - STALE_CLAIM)
            retried = Message.objects.select_for_update().filter(retry, key=full_key).first()
            if retried is None:
                return None
            for name, value in fields.items():
                setattr(retried, name, value)
            retried.status = Message.Status.QUEUED
            retried.save()
            return retried


def _send_one(kind_name: str, recipient: Recipient, *, template: str, subject: Subject, context: Context, url: Link, key: str) -> Message | None:
    with translation.override(recipient.language):
        url = url() if callable(url) else url
        values = context(recipient) if callable(context) else dict(context)
        values.setdefault("url", url)
        values.setdefault("recipient", recipient)
        title = str(subject())
        text = render_to_string(f"{template}.txt", values)
        html = render_to_string(f"{template}.html", values)
    message = _claim(kind_name, recipient, title, url, key)
    if message is None:
        return None
    email = EmailMultiAlternatives(subject=title, body=text, to=[recipient.address])
    email.attach_alternative(html, "text/html")
    try:
        email.send()
    except Exception as error:  # the mail server refused or is down: recorded, retried by a keyed sender's next run
        # Only the kind of error: an SMTP error's text can contain the recipient's address.
        logger.error("E-mail message %s (%s) was not sent: %s", message.pk, kind_name, type(error).__name__)
        message.status = Message.Status.FAILED
        message.save(update_fields=["status"])
        return message
    message.status = Message.Status.SENT
    message.sent_at = clock.now()
    message.save(update_fields=["status", "sent_at"])
    logger.info("E-mail message %s (%s) sent", message.pk, kind_name)
    return message


def messages_for(user) -> QuerySet[Message]:
    """The messages sent to the user's account or to its address, newest first."""
    return Message.objects.filter(Q(user=user) | Q(address__iexact=user.email))


def message_key(key: str, address: str) -> str:
    """The stored key of a keyed message to one address."""
    return f"{key}:{address.strip().lower()}"[:200]


def was_sent(key: str, address: str) -> bool:
    return Message.objects.filter(key=message_key(key, address)).exclude(status=Message.Status.FAILED).exists()


def not_yet_sent(key: str, recipients: Iterable[Recipient]) -> list[Recipient]:
    """The recipients whose keyed message has not been sent (failed, being sent, or never tried)."""
    recipients = unique_recipients(recipients)
    keys = {message_key(key, recipient.address) for recipient in recipients}
    done = set(Message.objects.filter(key__in=keys, status=Message.Status.SENT).values_list("key", flat=True))
    return [recipient for recipient in recipients if message_key(key, recipient.address) not in done]
