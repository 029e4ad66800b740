"""`manage.py requeue_lost_tasks`: tasks a dead worker left RUNNING are queued again, by age; a task whose
workers keep dying is failed instead. (The kill of a real worker is in test_crash_safety.py, PostgreSQL.)"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kuntadigi.decisions.tasks import render_decision_pdf


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def running(started_ago: timedelta, workers: list[str]) -> DBTaskResult:
    """A task as a worker leaves it when it dies: claimed (RUNNING) and never finished."""
    result = render_decision_pdf.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=timezone.now() - started_ago, worker_ids=workers)
    return DBTaskResult.objects.get(pk=result.id)


def requeue(*args: str) -> str:
    out = StringIO()
    call_command("requeue_lost_tasks", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_task_left_running_for_long_is_queued_again_and_a_recent_one_is_left_alone(database_tasks):
    lost = running(timedelta(hours=1), ["dead"])
    recent = running(timedelta(minutes=5), ["alive"])

    assert requeue() == "1 lost task(s) queued again, 0 failed after 3 attempts\n"

    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.status, lost.worker_ids) == ("READY", ["dead"])  # the next worker adds itself
    assert list(DBTaskResult.objects.ready()) == [lost]
    assert recent.status == "RUNNING"
    assert requeue("--older-than", "60") == "1 lost task(s) queued again, 0 failed after 3 attempts\n"
    recent.refresh_from_db()
    assert recent.status == "READY"


@pytest.mark.django_db
def test_a_task_whose_workers_kept_dying_is_failed_not_queued_again(database_tasks):
    poisonous = running(timedelta(hours=1), ["first", "second", "third"])

    assert requeue() == "0 lost task(s) queued again, 1 failed after 3 attempts\n"

    poisonous.refresh_from_db()
    assert poisonous.status == "FAILED" and poisonous.finished_at is not None
    assert poisonous.exception_class_path == "kuntadigi.core.management.commands.requeue_lost_tasks.WorkerLost"
    assert "3 times" in poisonous.traceback
    assert not DBTaskResult.objects.ready().exists()


@pytest.mark.django_db
def test_finished_and_queued_tasks_are_not_touched(database_tasks):
    queued = render_decision_pdf.enqueue(1)
    done = running(timedelta(hours=2), ["w"])
    DBTaskResult.objects.filter(pk=done.pk).update(status="SUCCESSFUL", finished_at=timezone.now())

    assert requeue("--older-than", "0") == "0 lost task(s) queued again, 0 failed after 3 attempts\n"

    assert {str(pk): status for pk, status in DBTaskResult.objects.values_list("id", "status")} == {queued.id: "READY", str(done.pk): "SUCCESSFUL"}
