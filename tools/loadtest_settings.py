"""Settings of the load test's gunicorn: the project's settings plus timers of each request's SQL and CPU.

``DJANGO_SETTINGS_MODULE=tools.loadtest_settings`` only in the load test's server (tools/loadtest.py):
nothing else changes. ``SQLTimeMiddleware`` comes first, so its window holds every query of the request (the
session, the user, the memberships and tenancy context, the page's own queries, the session's save). It
wraps each ``cursor.execute`` with Django's ``connection.execute_wrapper`` and answers with two headers that
gunicorn's access log records beside its own time of the request: ``X-Loadtest-Sql`` (milliseconds inside
``execute``: the round trip to PostgreSQL and its work; not BEGIN/COMMIT, which go through the connection,
nor turning rows into objects) and ``X-Loadtest-Queries`` (how many). A third, ``X-Loadtest-Cpu``, is the
CPU time the worker process spent on the request (``time.process_time``; a sync worker serves one request at a
time): on a machine shared with other work, a request's wall time also holds the time its worker waited for a
core, and this separates the two.
"""

from time import perf_counter, process_time

from raptorflow.settings import *  # noqa: F403
from raptorflow.settings import MIDDLEWARE

MIDDLEWARE = ["tools.loadtest_settings.SQLTimeMiddleware", *MIDDLEWARE]


class SQLTimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        spent = [0.0, 0]
        cpu = process_time()

        def timed(execute, sql, params, many, context):
            started = perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent[0] += perf_counter() - started
                spent[1] += 1

        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        response["X-Loadtest-Cpu"] = f"{(process_time() - cpu) * 1000:.3f}"
        response["X-Loadtest-Sql"] = f"{spent[0] * 1000:.3f}"
        response["X-Loadtest-Queries"] = str(spent[1])
        return response
