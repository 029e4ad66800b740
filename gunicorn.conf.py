"""Gunicorn for kuntadigi: `gunicorn -c gunicorn.conf.py` (README, "Production-like run").

Every value can be overridden from the environment (GUNICORN_*), or on the command line.

Worker type: gthread. kuntadigi is a database-bound Django app: a request spends much of its time
waiting for PostgreSQL (row locks on submit, fsync on commit). Threads let one process serve another
request while a thread waits, so a small machine keeps its CPUs busy with fewer processes and less
memory than sync workers; and unlike sync workers, gthread keeps HTTP keep-alive connections and
is not blocked by one slow client upload. Each thread holds its own database connection
(CONN_MAX_AGE), so PostgreSQL sees workers x threads connections: 5 x 4 = 20 on two cores. Async
workers (gevent, uvicorn) would need an async-safe stack all the way down and buy nothing here.
"""

import multiprocessing
import os

from kuntadigi.core.access_log import FORMAT, MaskingLogger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuntadigi.settings")

wsgi_app = "kuntadigi.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# 2 x cores + 1 processes: the usual rule, which keeps the CPUs busy while others wait on I/O.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes longer than this is killed and its transaction rolled back (nothing half-saved).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
# Recycle workers now and then, so that a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Requests come through a reverse proxy that terminates TLS and sets X-Forwarded-Proto (settings.py
# trusts it when DEBUG is off). Gunicorn trusts forwarded headers only from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Attachments are up to 20 MB: the request body is streamed by Django, headers stay small.
limit_request_line = 4094

# Logs to stdout/stderr for the supervisor (or journald) to collect. The access log records no
# client address, query string, Referer or token: kuntadigi/core/access_log.py.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = FORMAT
logger_class = MaskingLogger
proc_name = "kuntadigi"
# gunicorn's control socket (gunicornc) has one default path per user, which several servers on one
# machine (tests, the benchmark) would share: off unless a path is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or None
control_socket_disable = control_socket is None
if control_socket is None:
    del control_socket


def on_starting(server):
    """Read the settings once in the master, before any worker starts.

    A configuration that settings.py refuses (development secret key, no ALLOWED_HOSTS, ...) then stops
    gunicorn at once with its message, instead of workers failing to boot one after another. It also
    starts kuntadigi's clock in the master: with KUNTADIGI_NOW set and running on, every worker forked
    from it then reads the same "now" (the monotonic start is shared), so a deadline passes at the
    same instant in every worker.
    """
    from kuntadigi import clock

    clock.now()
