"""Demo data: two workspaces with people in every role, cohorts, and each domain app's rows.

Besides each workspace's people: a platform superuser, and one person who is a
member of both workspaces (the workspace switcher has something to switch).

Every account gets the published password ``DEMO_PASSWORD``, so the command
refuses to run with DEBUG off unless ``--allow-production`` says that is meant.

Idempotent: users and workspaces are found by email and slug, and every
domain app's ``demo.seed()`` must itself be safe to run again. It runs as
whatever role the connection has; under the web role it proves the data goes
in through RLS, one workspace context at a time.
"""

import importlib

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from raptorflow import services
from raptorflow.models import Cohort, User, Workspace
from raptorflow.tenancy import workspace_context

DEMO_PASSWORD = "raptorflow-demo"
STAFF_GROUP = "RaptorFlow staff"
# Gamification first: its achievements must exist when the others' demo work fires events.
DOMAIN_APPS = ("gamification", "campaigns", "agents", "intelligence", "alerts")

WORKSPACES = [
    {
        "slug": "acme-outdoor",
        "name": "Acme Outdoor",
        "people": [
            ("owner", "olivia.owner@acme.example", "Olivia Hart", False),
            ("admin", "sam.staff@acme.example", "Sam Okafor", True),
            ("marketer", "maya.marketer@acme.example", "Maya Lindqvist", False),
            ("viewer", "victor.viewer@acme.example", "Victor Chen", False),
        ],
        "cohorts": [
            ("Trail runners EU", "Runners in the EU who bought trail shoes in the last 12 months.", {"country": ["DE", "FR", "AT"], "interest": "trail-running"}, 48200),
            ("Weekend campers", "Households that booked two or more camping trips last season.", {"interest": "camping", "trips_min": 2}, 23750),
            ("Lapsed loyalty members", "Loyalty members without a purchase in 9 months.", {"loyalty": True, "inactive_days_min": 270}, 9120),
        ],
    },
    {
        "slug": "northwind-analytics",
        "name": "Northwind Analytics",
        "people": [
            ("owner", "nora.owner@northwind.example", "Nora Patel", False),
            ("admin", "theo.staff@northwind.example", "Theo Brandt", True),
            ("marketer", "lena.marketer@northwind.example", "Lena Fischer", False),
            ("viewer", "ivan.viewer@northwind.example", "Ivan Novak", False),
        ],
        "cohorts": [
            ("Mid-market CFOs", "Finance leaders at companies with 200 to 2,000 employees.", {"title": "CFO", "employees": [200, 2000]}, 6100),
            ("Trial users week 2", "Trial accounts in their second week with fewer than 3 dashboards.", {"trial_day": [8, 14], "dashboards_max": 2}, 1840),
            ("Data engineers", "Practitioners who connected a warehouse source.", {"role": "data-engineer", "warehouse_connected": True}, 12400),
        ],
    },
]

# Needs no membership: superusers may enter any workspace.
SUPERUSER = ("petra.platform@raptorflow.example", "Petra Lindgren")
# An agency marketer working for both customers: (email, full name, {workspace slug: role}).
TWO_WORKSPACE_PERSON = (
    "riley.agency@example.com",
    "Riley Morgan",
    {"acme-outdoor": "marketer", "northwind-analytics": "viewer"},
)


class Command(BaseCommand):
    help = "Create (or refresh) the demo workspaces, users and data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=f"Run with DEBUG off: I know this creates accounts, a superuser among them, with the published password {DEMO_PASSWORD!r}.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates accounts, a platform superuser among them, "
                f"with the published password {DEMO_PASSWORD!r}. Set DEBUG=true for a local demo, or pass "
                "--allow-production if you really want these accounts in this database."
            )
        staff_group = self._staff_group()
        self._superuser()
        for spec in WORKSPACES:
            workspace, people = self._workspace(spec, staff_group)
            with workspace_context(workspace.id, user_id=people["admin"].id):
                self._seed_app(DOMAIN_APPS[0], workspace, people)
                # The marketer builds the audiences (cohort_created counts for them).
                with workspace_context(workspace.id, user_id=people["marketer"].id):
                    for name, description, criteria, size in spec["cohorts"]:
                        Cohort.objects.update_or_create(
                            workspace=workspace,
                            name=name,
                            defaults={"description": description, "criteria": criteria, "size_estimate": size},
                        )
                for label in DOMAIN_APPS[1:]:
                    self._seed_app(label, workspace, people)
        self._print_credentials()

    def _staff_group(self):
        group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
        labels = ("raptorflow", *DOMAIN_APPS)
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=labels))
        return group

    @staticmethod
    def _superuser():
        email, full_name = SUPERUSER
        if not User.objects.filter(email=email).exists():
            User.objects.create_superuser(email=email, password=DEMO_PASSWORD, full_name=full_name)

    @staticmethod
    def _person(email, full_name, is_staff=False):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name, is_staff=is_staff)
        return user

    @transaction.atomic
    def _workspace(self, spec, staff_group):
        people = {}
        for role, email, full_name, is_staff in spec["people"]:
            user = self._person(email, full_name, is_staff)
            if is_staff:
                user.groups.add(staff_group)
            people[role] = user
        workspace = Workspace.objects.filter(slug=spec["slug"]).first()
        if workspace is None:
            # Invisible until it is the context or the user is a member: look it up in its own context.
            workspace = self._find_hidden(spec["slug"])
        if workspace is None:
            workspace = services.create_workspace(name=spec["name"], slug=spec["slug"], owner=people["owner"])
        for role, user in people.items():
            services.add_member(workspace=workspace, user=user, role=role, by=people["owner"])
        email, full_name, roles = TWO_WORKSPACE_PERSON
        services.add_member(workspace=workspace, user=self._person(email, full_name), role=roles[spec["slug"]], by=people["owner"])
        return workspace, people

    @staticmethod
    def _find_hidden(slug):
        # Under the web role an existing demo workspace is visible through its owner's membership.
        for spec in WORKSPACES:
            if spec["slug"] == slug:
                owner = User.objects.filter(email=spec["people"][0][1]).first()
                if owner is None:
                    return None
                with workspace_context(None, user_id=owner.id):
                    return Workspace.objects.filter(slug=slug).first()
        return None

    def _seed_app(self, label, workspace, people):
        if not apps.is_installed(label):
            return
        try:
            module = importlib.import_module(f"{label}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.demo":
                raise
            return
        module.seed(workspace=workspace, people=people, stdout=self.stdout)

    def _print_credentials(self):
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for spec in WORKSPACES:
            self.stdout.write(f"  {spec['name']}:")
            for role, email, _, is_staff in spec["people"]:
                where = "/admin/ and pages" if is_staff else "pages"
                self.stdout.write(f"    {role:<9} {email:<36} {DEMO_PASSWORD}   ({where})")
        email, _, roles = TWO_WORKSPACE_PERSON
        names = {spec["slug"]: spec["name"] for spec in WORKSPACES}
        both = " and ".join(f"{role} in {names[slug]}" for slug, role in roles.items())
        self.stdout.write("  Both workspaces (switch in the page header):")
        self.stdout.write(f"    {'member':<9} {email:<36} {DEMO_PASSWORD}   ({both}; pages)")
        self.stdout.write("  Platform:")
        self.stdout.write(f"    {'superuser':<9} {SUPERUSER[0]:<36} {DEMO_PASSWORD}   (every workspace, /admin/ and pages)")
