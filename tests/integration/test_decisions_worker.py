"""With the database task backend (production), the PDFs and the notification wait for `db_worker`."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from kuntadigi.decisions import services_decisions as services
from kuntadigi.decisions.models import Decision
from tests.integration import decisions_support as support


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay")


@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_the_preview_then_the_signed_document_then_notifies(settings):
    world = support.build_world()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mail.outbox.clear()
    app = world.apps["fi"]
    support.consent_to_email(app)
    data = services.defaults_for(app, world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"

    services.prepare_decision(world.preparer, app.pk, data)

    decision = Decision.objects.get(application=app)
    assert not decision.preview  # queued, not yet run
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()
    decision.refresh_from_db()
    assert decision.preview and decision.preview_of

    services.sign_decision(world.decision_maker, app.pk)
    decision.refresh_from_db()
    assert (decision.state, decision.document_sha256, decision.notified_at) == ("signed", "", None)
    assert mail.outbox == []

    run_worker()  # stores the document, which queues the notification, which the same run sends

    decision.refresh_from_db()
    assert len(decision.document_sha256) == 64
    assert decision.notified_at is not None
    assert {m.to[0] for m in mail.outbox} == {"yhteys@hameenlinna.fi", "hml@hameenlinna.fi", "vaasa@vaasa.fi"}
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


@pytest.mark.django_db(transaction=True)
def test_render_decisions_queues_again_what_a_failed_worker_left(settings):
    from io import StringIO

    world = support.build_world()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    app = world.apps["fi"]
    data = services.defaults_for(app, world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    services.prepare_decision(world.preparer, app.pk, data)
    services.sign_decision(world.decision_maker, app.pk)
    DBTaskResult.objects.all().delete()  # the queued work is lost
    out = StringIO()

    call_command("render_decisions", "--notify", stdout=out)
    run_worker()

    assert "1 document(s) and 0 notification(s) queued" in out.getvalue()
    decision = Decision.objects.get(application=app)
    assert len(decision.document_sha256) == 64 and decision.notified_at is not None
