"""Queue again the background tasks that a dead worker left running.

`manage.py db_worker` (django-tasks-db) marks a task RUNNING when it takes it and SUCCESSFUL or FAILED
when the task ends. A worker killed in between (SIGKILL, out of memory, the machine lost) leaves the
task RUNNING for ever: no other worker takes it again. This command finds such tasks by age (a task
RUNNING for longer than any task runs) and sets them READY again, so that the next worker runs them.
Every task of kuntadigi may safely run again: the decision PDF is stored once under a row lock, the
notification is marked once, a receipt is sent from the stored version.

A task that has already taken `--max-attempts` workers down is not queued again but marked FAILED,
so that one poisonous task cannot stop the workers over and over. Run the command before each worker
starts and from a timer (see README, Background worker).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

DEFAULT_OLDER_THAN = 30 * 60  # seconds; a PDF renders in seconds, an e-mail is sent in less
DEFAULT_MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """Recorded as the failure of a task whose workers kept dying while they ran it."""


def requeue_lost_tasks(*, older_than: timedelta, max_attempts: int) -> tuple[int, int]:
    """Set RUNNING tasks started more than `older_than` ago back to READY; fail those tried `max_attempts`
    times. Returns (queued again, failed). Rows another process holds locked are left for the next run."""
    cutoff = timezone.now() - older_than
    queued = failed = 0
    with transaction.atomic():
        lost = DBTaskResult.objects.running().filter(started_at__lt=cutoff).select_for_update(skip_locked=True).order_by("started_at")
        for task in lost:
            workers = len(task.worker_ids)
            if workers >= max_attempts:
                task.status = TaskResultStatus.FAILED
                task.finished_at = timezone.now()
                task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
                task.traceback = f"The worker died while running this task, {workers} times (workers {', '.join(task.worker_ids)}); it is not run again."
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                logger.error("Task %s (%s) failed: its worker died %d times", task.id, task.task_path, workers)
                failed += 1
            else:
                task.status = TaskResultStatus.READY
                task.save(update_fields=["status"])
                logger.warning("Task %s (%s) queued again: its worker %s died while running it", task.id, task.task_path, task.worker_ids[-1:])
                queued += 1
    return queued, failed


class Command(BaseCommand):
    help = "Queue again the tasks that a dead worker left RUNNING (django-tasks-db), by age; fail those that keep killing workers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=DEFAULT_OLDER_THAN,
            metavar="SECONDS",
            help=f"a task RUNNING for longer than this is taken to be lost (default {DEFAULT_OLDER_THAN}); keep it above the longest task",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=DEFAULT_MAX_ATTEMPTS,
            help=f"workers that may die running one task before it is marked FAILED instead (default {DEFAULT_MAX_ATTEMPTS})",
        )

    def handle(self, *args, older_than: int, max_attempts: int, **options):
        if older_than < 0 or max_attempts < 1:
            raise CommandError("--older-than must be 0 or more and --max-attempts 1 or more.")
        queued, failed = requeue_lost_tasks(older_than=timedelta(seconds=older_than), max_attempts=max_attempts)
        self.stdout.write(f"{queued} lost task(s) queued again, {failed} failed after {max_attempts} attempts")
