"""The project's shape (issue 18): where things live and how the tools start."""

from django.contrib import admin

from raptorflow.admin_site import RaptorFlowAdminSite


def test_the_admin_site_is_the_projects_own_class_not_a_patched_default():
    assert isinstance(admin.site, RaptorFlowAdminSite)  # Django's lazy DefaultAdminSite wraps it
    assert str(admin.site.site_header) == "RaptorFlow operations"
    assert admin.site.index_template == "admin/raptorflow_index.html"
    # Every app registered on it (through @admin.register), nothing on a second site.
    labels = {model._meta.app_label for model in admin.site._registry}
    assert {"raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts"} <= labels


# ---------------------------------------------------------------- tools

import ast
import subprocess
from io import StringIO
from pathlib import Path

from django.core.management.base import OutputWrapper

REPO = Path(__file__).resolve().parent.parent
APPLICATION = ("raptorflow", "campaigns", "gamification", "agents", "intelligence", "alerts")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_application_never_imports_the_tooling_or_the_test_factories():
    offenders = []
    for app in APPLICATION:
        for path in (REPO / app).rglob("*.py"):
            if "tests" in path.relative_to(REPO).parts:
                continue
            bad = {m for m in imported_modules(path) if m == "tools" or m.startswith(("tools.", "tests"))}
            if bad:
                offenders.append(f"{path.relative_to(REPO)}: {sorted(bad)}")
    assert offenders == []


def test_the_tooling_left_the_project_package():
    leftovers = {"devtools.py", "embedded.py", "scratch.py", "loadtest.py", "drills.py", "testing.py"}
    assert leftovers & {p.name for p in (REPO / "raptorflow").iterdir()} == set()
    assert (REPO / "tools" / "__init__.py").exists() and (REPO / "tests" / "factories.py").exists()


def test_make_help_lists_every_tool_and_step():
    listed = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    targets = {line.split(":")[0] for line in listed.splitlines()}
    assert {"run", "test", "bench", "loadtest", "drills", "migrate", "rollback", "backup", "restore"} <= targets


def test_make_run_names_the_address_it_serves_on():
    from raptorflow.management.commands.seed_demo import Command
    from tools.dev import banner

    assert "http://0.0.0.0:9000/" in banner("0.0.0.0:9000") and "8000" not in banner("0.0.0.0:9000")
    out = StringIO()
    Command(stdout=OutputWrapper(out))._print_credentials()
    assert "http://" not in out.getvalue()  # the address is the runner's to say, not a fixed one
