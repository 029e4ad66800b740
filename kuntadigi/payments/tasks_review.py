"""E-mail of the review of payment requests, sent after the commit as django-tasks tasks. Logs name
objects by id only.

    payment_request_checked   a preparer checked a request: the call's payment approvers approve it
    payment_reduced           an approved request had reduced lines: the lead, with the reasons per line
                              and the rectification instructions (in the application's language)
    payments_stopped          a change of account stopped payments: the call's preparers and payment approvers
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.decisions.documents import APPEAL_DAYS, registry, registry_email
from kuntadigi.notifications import services as notify

logger = logging.getLogger(__name__)

# Rectification: a reduction may be contested by a written claim for rectification to the ministry within
# 30 days of notification (Act on Discretionary Government Transfers 688/2001, 34 §; Administrative
# Procedure Act 434/2003, 49 c §), sent to its registry, as for the grant decision.
RECTIFICATION_DAYS = APPEAL_DAYS


def _officials(call_id: int, roles: tuple[str, ...], language: str) -> list[notify.Recipient]:
    from kuntadigi.calls.models import CallRole

    users = get_user_model().objects.filter(pk__in=CallRole.objects.filter(call_id=call_id, role__in=roles).values("user_id"), is_active=True).order_by("email")
    return [notify.recipient_for_user(user, language) for user in users]


def _review_url(request_pk: int):
    return lambda: settings.SITE_URL + reverse("payment_review:request", args=[request_pk])


@task()
def send_review_notice(request_pk: int, kind: str) -> int:
    """A checked request: its call's payment approvers are told it waits for them."""
    from .models import PaymentRequest

    request = PaymentRequest.objects.select_related("project__application__call").get(pk=request_pk)
    application = request.project.application
    sent = notify.send(
        kind,
        _officials(application.call_id, ("payment_approver",), application.language),
        template=f"payments/email/{kind}",
        subject=lambda: _("A payment request waits for approval: %(reference)s") % {"reference": application.reference},
        context={"request": request, "application": application},
        url=_review_url(request.pk),
    )
    logger.info("Payment request %s: %s notice sent (%d messages)", request_pk, kind, len(sent))
    return len(sent)


@task()
def send_reduction_notice(request_pk: int) -> int:
    """An approved request with reduced lines: the lead is told each reduction with its reason, and how
    to ask for rectification, in the application's language."""
    from .models import PaymentRequest

    request = PaymentRequest.objects.select_related("project__application__call", "project__application__lead").get(pk=request_pk)
    project = request.project
    application = project.application
    reductions = list(request.lines.filter(accepted__lt=F("amount")).select_related("organisation", "category").order_by("pk"))
    recipients = notify.in_language(notify.lead_recipients(application), application.language)
    sent = notify.send(
        "payment_reduced",
        recipients,
        template="payments/email/payment_reduced",
        subject=lambda: _("Costs of a payment request were reduced: %(reference)s") % {"reference": application.reference},
        context={
            "request": request,
            "project": project,
            "application": application,
            "reductions": reductions,
            "days": RECTIFICATION_DAYS,
            "registry": registry(application.language if application.language in ("fi", "sv", "en") else "fi"),
            "registry_email": registry_email(),
        },
        url=lambda: settings.SITE_URL + reverse("projects:detail", args=[project.pk]),
        key=f"payment_reduced:{request.pk}",
    )
    logger.info("Payment request %s: reduction notice sent (%d messages)", request_pk, len(sent))
    return len(sent)


@task()
def send_stopped_notice(project_pk: int, payment_pks: list[int]) -> int:
    """Payments stopped by a change of account: the call's preparers and payment approvers are told."""
    from kuntadigi.projects.models import FundedProject

    from .models import Payment

    project = FundedProject.objects.select_related("application__call").get(pk=project_pk)
    application = project.application
    payments = list(Payment.objects.filter(pk__in=payment_pks).order_by("pk"))
    sent = notify.send(
        "payments_stopped",
        _officials(application.call_id, ("preparer", "payment_approver"), application.language),
        template="payments/email/payments_stopped",
        subject=lambda: _("Payments stopped by a change of account: %(reference)s") % {"reference": application.reference},
        context={"project": project, "application": application, "payments": payments},
        url=lambda: settings.SITE_URL + reverse("payment_review:list", args=[application.call.slug]),
    )
    logger.info("Project %s: stopped-payments notice sent (%d messages)", project_pk, len(sent))
    return len(sent)
