"""E-mail of assessment, sent after the commit as django-tasks tasks through kuntadigi.notifications.
Logs name objects by id only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.calls.models import Call, CallRole
from kuntadigi.notifications import services as notify
from kuntadigi.registry.models import Organisation

from .models import Tie

logger = logging.getLogger(__name__)


@task()
def send_tie_removed_email(declarer_id: int, organisation_id: int, kind: str, call_ids: list[int]) -> int:
    """Tell the preparers of the declarer's calls, each in their own language, that a declared tie was
    removed: the declarer may now be given the organisation's applications there."""
    declarer = get_user_model().objects.get(pk=declarer_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    roles = CallRole.objects.filter(call_id__in=call_ids, role=CallRole.Role.PREPARER, user__is_active=True).exclude(user_id=declarer_id)
    calls_by_preparer: dict[int, list[Call]] = {}
    preparers = {}
    for role in roles.select_related("user", "call").order_by("user_id", "call__opens_at"):
        preparers[role.user_id] = role.user
        calls_by_preparer.setdefault(role.user_id, []).append(role.call)
    sent = 0
    for preparer_id, preparer in preparers.items():
        calls = calls_by_preparer[preparer_id]
        sent += len(
            notify.send(
                "tie_removed",
                [notify.recipient_for_user(preparer)],
                template="assessment/email/tie_removed",
                subject=lambda: _("A declared tie was removed: %(organisation)s") % {"organisation": organisation.name},
                context=lambda recipient, calls=calls: {
                    "declarer": declarer.full_name or _("an assessor"),
                    "organisation": organisation.name,
                    "kind": Tie.Kind(kind).label if kind in Tie.Kind.values else kind,
                    "calls": [(call.title, settings.SITE_URL + reverse("assessment:assignments", args=[call.slug])) for call in calls],
                },
                url=lambda calls=calls: settings.SITE_URL + reverse("assessment:assignments", args=[calls[0].slug]),
            )
        )
    logger.info("Removal of a tie by user %s told to %d preparers", declarer_id, sent)
    return sent
