"""Background tasks of decisions (django-tasks): the PDFs and the notification.

With the ImmediateBackend (development, tests) a task runs as soon as the transaction that queued it
commits; with django_tasks_db.DatabaseBackend, `manage.py db_worker` runs it. Arguments are ids only.
Logs name decisions by id, never people or addresses.
"""

from __future__ import annotations

import logging

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
    """Deliver the signed decision to every organisation of its application (kuntadigi.delivery: by
    e-mail with consent, otherwise a letter for the officials to post). Returns the number of messages."""
    from kuntadigi.delivery.services import deliver

    sent = deliver(decision_id)
    logger.info("Decision %s: %d notification messages sent", decision_id, sent)
    return sent


@task()
def render_project_decision_pdf(decision_id: int) -> str:
    """A decision on a funded project (services_project_decisions): a draft's watermarked preview, or
    the signed decision's final PDF, stored once (then the notification)."""
    from . import services_project_decisions as project_decisions
    from .models import ProjectDecision

    decision = ProjectDecision.objects.filter(pk=decision_id).only("state").first()
    if decision is None:
        logger.warning("Project decision %s no longer exists; nothing to render", decision_id)
        return "missing"
    if decision.state == ProjectDecision.State.SIGNED:
        stored = project_decisions.store_final_document(decision_id)
        logger.info("Project decision %s: final document %s", decision_id, "stored" if stored else "already stored")
        return "final" if stored else "unchanged"
    return "preview" if project_decisions.store_preview(decision_id) else "unchanged"


@task()
def notify_project_decision(decision_id: int) -> int:
    """E-mail the lead's and the partners' people the link to the signed decision on their project."""
    from . import services_project_decisions as project_decisions

    sent = project_decisions.notify(decision_id)
    logger.info("Project decision %s: %d notification messages sent", decision_id, sent)
    return sent
