"""E-mail of funded projects, sent after the commit as django-tasks tasks. Logs name objects by id only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.notifications import services as notify

logger = logging.getLogger(__name__)

# Who is told of what: a refusal frees money the ministry may grant to others; a changed account is
# where the grant goes, so the lead's administrators see any change made in their organisation's name.
SUBJECTS = {
    "grant_refused": lambda reference: _("The grant was refused: %(reference)s") % {"reference": reference},
    "account_changed": lambda reference: _("The account of the grant was changed: %(reference)s") % {"reference": reference},
}


def _preparers(project) -> list[notify.Recipient]:
    from kuntadigi.calls.models import CallRole

    users = (
        get_user_model()
        .objects.filter(pk__in=CallRole.objects.filter(call_id=project.application.call_id, role=CallRole.Role.PREPARER).values("user_id"), is_active=True)
        .order_by("email")
    )
    return [notify.recipient_for_user(user, project.application.language) for user in users]


@task()
def send_project_notice(project_pk: int, kind: str) -> int:
    """Tell the call's preparers (and for a changed account also the lead's administrators) what happened."""
    from .models import FundedProject
    from .rules import masked_iban

    project = FundedProject.objects.select_related("application__call", "application__lead").get(pk=project_pk)
    application = project.application
    recipients = _preparers(project)
    if kind == "account_changed":
        recipients = notify.organisation_recipients(application.lead_id, application.language, admins_only=True) + recipients
    sent = notify.send(
        kind,
        recipients,
        template=f"projects/email/{kind}",
        subject=lambda: SUBJECTS[kind](application.reference),
        context={"project": project, "application": application, "iban": masked_iban(project.iban)},
        url=lambda: settings.SITE_URL + reverse("projects:detail", args=[project.pk]),
    )
    logger.info("Project %s: %s notice sent (%d messages)", project_pk, kind, len(sent))
    return len(sent)
