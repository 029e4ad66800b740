"""E-mail of payment batches, sent after the commit as django-tasks tasks. Logs name objects by id only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from kuntadigi.notifications import services as notify

logger = logging.getLogger(__name__)


@task()
def send_payments_made(batch_pk: int) -> int:
    """Tell the lead of each project paid in the batch that its payment was made (each message once: the
    key is the payment's, so running the task again sends nothing new)."""
    from kuntadigi.projects.rules import masked_iban

    from .models import Payment
    from .services_batches import remittance

    sent = 0
    payments = Payment.objects.filter(batch_id=batch_pk).select_related("batch", "request", "project__application__lead").order_by("pk")
    for payment in payments.iterator(chunk_size=200):
        application = payment.project.application
        messages = notify.send(
            "payment_made",
            notify.lead_recipients(application),
            template="payments/email/batches_payment_made",
            subject=lambda application=application: _("Payment of the grant made: %(reference)s") % {"reference": application.reference},
            context=lambda recipient, payment=payment, application=application: {
                "payment": payment,
                "application": application,
                "iban": masked_iban(payment.iban),
                "remittance": remittance(payment, application.language),
            },
            url=lambda project_pk=payment.project_id: settings.SITE_URL + reverse("projects:detail", args=[project_pk]),
            key=f"payment_made:{payment.pk}",
        )
        sent += len(messages)
    logger.info("Payment batch %s: %d payment notices sent", batch_pk, sent)
    return sent
