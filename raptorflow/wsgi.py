"""WSGI entry point (gunicorn raptorflow.wsgi).

The process refuses to start when its database role would bypass row-level
security (superuser, BYPASSRLS or table owner), unless
RAPTORFLOW_ALLOW_RLS_BYPASS is set for local development.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")

application = get_wsgi_application()

from django.db import connection  # noqa: E402  (settings must be configured first)

from raptorflow.tenancy import ensure_rls_enforced  # noqa: E402

ensure_rls_enforced()
# Do not hand the guard's connection to a forked worker.
connection.close()
