"""Queueing a background task for the work of the current transaction, so that none is lost."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, router, transaction


def enqueue_with_transaction(task, *args) -> None:
    """Queue `task(*args)` so that it runs if, and only if, the current transaction commits.

    With the database task backend (production) the task's row is written inside the transaction:
    the work and its task commit together, so a process that dies just after the commit loses neither
    (a task queued by `transaction.on_commit` would be lost in that instant). With any other backend
    (the immediate one, in development and tests, runs the task at once) the task is queued once the
    transaction has committed. Outside a transaction the task is queued at once.
    """
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    in_transaction = transaction.get_connection().in_atomic_block
    same_database = router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS
    if in_transaction and not (isinstance(task.get_backend(), DatabaseBackend) and same_database):
        transaction.on_commit(lambda: task.enqueue(*args))
    else:
        task.enqueue(*args)
