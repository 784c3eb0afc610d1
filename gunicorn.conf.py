"""gunicorn configuration (gunicorn picks this file up from the working directory).

Every value can be overridden by the GUNICORN_* variables below or gunicorn's
own command-line flags.
"""

import multiprocessing
import os

bind = os.environ.get("RAPTORFLOW_BIND", "127.0.0.1:8000")
# Sync workers: the app is database-bound and every request holds one
# transaction; 2 x cores + 1 is gunicorn's documented starting point.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so slow leaks cannot build up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# No shared state between workers, and the startup guard runs in every worker.
preload_app = False
