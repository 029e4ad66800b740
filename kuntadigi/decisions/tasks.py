"""Background tasks of decisions (django-tasks): the PDFs and the notification.

With the ImmediateBackend (development, tests) a task runs as soon as the transaction that queued it
commits; with django_tasks_db.DatabaseBackend, `manage.py db_worker` runs it. Arguments are ids only.
Logs name decisions by id, never people or addresses.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from . import services_decisions as services
from .models import Decision

logger = logging.getLogger(__name__)


@task()
def render_decision_pdf(decision_id: int) -> str:
    """A draft: its watermarked preview. A signed decision: its final PDF, stored once (then the notification)."""
    decision = Decision.objects.filter(pk=decision_id).only("state").first()
    if decision is None:
        logger.warning("Decision %s no longer exists; nothing to render", decision_id)
        return "missing"
    if decision.state == Decision.State.SIGNED:
        stored = services.store_final_document(decision_id)
        logger.info("Decision %s: final document %s", decision_id, "stored" if stored else "already stored")
        return "final" if stored else "unchanged"
    rendered = services.store_preview(decision_id)
    return "preview" if rendered else "unchanged"


@task()
def notify_decision(decision_id: int) -> int:
    """E-mail the signed decision's recipients in the application's language. Returns the number of messages."""
    decision = services.load_decision(Decision.objects.values_list("application_id", flat=True).get(pk=decision_id))
    if decision.state != Decision.State.SIGNED or decision.notified_at is not None:
        return 0
    application = decision.application
    recipients = services.notification_recipients(decision)
    with services.in_document_language(decision):
        document = services.document_for(decision)
        url = settings.SITE_URL + reverse("applications:detail", args=[application.pk]) + "#decision"
        pdf_url = settings.SITE_URL + reverse("decisions:decision_document", args=[application.pk])
        subject = _("Decision on your application %(reference)s") % {"reference": application.reference}
        context = {"doc": document, "application": application, "url": url, "pdf_url": pdf_url, "language": document.language}
        text = render_to_string("email/decision.txt", context)
        html = render_to_string("email/decision.html", context)
    sent = 0
    for address in recipients:
        message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
        message.attach_alternative(html, "text/html")
        message.send()
        sent += 1
    services.mark_notified(decision_id, sent)
    logger.info("Decision %s: %d notification messages sent", decision_id, sent)
    return sent
