"""Running service calls at the same instant, for the tests of row locks (PostgreSQL)."""

from __future__ import annotations

import threading

from django.db import connections
from django.utils import translation


def run_together(*calls, timeout: float = 60) -> list:
    """Start every call at once, each in its own thread and database connection; return what each
    returned, or the exception it raised, in the order given. Messages are in English in every thread
    (a thread starts in the default language, Finnish)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, function):
        try:
            barrier.wait()
            with translation.override("en"):
                results[index] = function()
        except Exception as error:  # collected and checked by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, function)) for index, function in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
