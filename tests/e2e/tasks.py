"""Small ORM tasks on the end-to-end database, run in a subprocess as the web role (through RLS).

    DATABASE_URL=<web role URL of the e2e database> python -m tests.e2e.tasks add_member EMAIL SLUG ROLE
    ... python -m tests.e2e.tasks raise_alert SLUG SEVERITY SOURCE TITLE
    ... python -m tests.e2e.tasks level EMAIL SLUG

The browser tests use it for the few facts a person cannot set up through the
pages (a second membership, an alert raised by the system). Each task prints
one JSON line.
"""

from __future__ import annotations

import json
import os
import sys


def _setup():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
    os.environ.setdefault("SECRET_KEY", "e2e-tasks")
    django.setup()


def _workspace(slug):
    from raptorflow.management.commands.seed_demo import Command

    workspace = Command._find_hidden(slug)
    if workspace is None:
        raise SystemExit(f"no demo workspace {slug!r}: did seed_demo run?")
    return workspace


def _owner(slug):
    from raptorflow.management.commands.seed_demo import WORKSPACES
    from raptorflow.models import User

    spec = next(s for s in WORKSPACES if s["slug"] == slug)
    return User.objects.get(email=spec["people"][0][1])


def add_member(email, slug, role):
    from raptorflow import services
    from raptorflow.models import User

    workspace, owner = _workspace(slug), _owner(slug)
    member = services.add_member(workspace=workspace, user=User.objects.get(email=email), role=role, by=owner)
    return {"workspace": workspace.name, "role": member.role}


def raise_alert(slug, severity, source, title):
    from alerts import services
    from raptorflow.tenancy import workspace_context

    workspace, owner = _workspace(slug), _owner(slug)
    with workspace_context(workspace.id, user_id=owner.id):
        alert = services.raise_alert(severity=severity, source=source, title=title, message="Raised by the e2e tests.")
    return {"id": str(alert.pk), "status": alert.status}


def level(email, slug):
    from gamification.models import UserStats
    from raptorflow.tenancy import workspace_context

    workspace, owner = _workspace(slug), _owner(slug)
    with workspace_context(workspace.id, user_id=owner.id):
        stats = UserStats.objects.filter(workspace_id=workspace.id, user__email=email).first()
    return {"level": stats.level if stats else 1, "xp": stats.total_xp if stats else 0}


TASKS = {"add_member": add_member, "raise_alert": raise_alert, "level": level}

if __name__ == "__main__":
    _setup()
    name, *args = sys.argv[1:]
    print(json.dumps(TASKS[name](*args)))
