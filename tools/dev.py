"""The development entry points: the only places the embedded PostgreSQL starts.

``python -m tools.dev run`` (``make run``): database (embedded unless
DATABASE_URL), roles, migrations and demo data as the owner, then gunicorn as
the web role.
``python -m tools.dev test [pytest args]`` (``make test``): the test
suite against the same database server, with DATABASE_URL exported (tests
create their own database and roles).
``python -m tools.dev db-url``: print the owner URL in use (the
Makefile's DBA targets).
A bare ``pytest``: this module is also a pytest plugin (``-p tools.dev``
in pyproject.toml) that sets DATABASE_URL to the embedded server when unset,
before pytest-django loads the settings (a conftest.py runs too late for that).

``raptorflow/settings.py`` never starts the server: without DATABASE_URL it
refuses to load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tools.embedded import REPO_ROOT, ensure_database, owner_database_url

WEB_ROLE = os.environ.get("RAPTORFLOW_WEB_USER", "raptorflow_web")
# Development default only; production sets RAPTORFLOW_WEB_PASSWORD.
WEB_PASSWORD = os.environ.get("RAPTORFLOW_WEB_PASSWORD", "raptorflow-web-dev")


def owner_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return owner_database_url()
    ensure_database(url)
    return url


def web_url(owner: str) -> str:
    """The owner's URL with the web login role's credentials."""
    from tools.scratch import with_database

    return with_database(owner, urlsplit(owner).path.lstrip("/"), WEB_ROLE, WEB_PASSWORD)


def _manage(*args: str, env: dict) -> None:
    print(f"+ manage.py {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(REPO_ROOT / "manage.py"), *args], env=env, check=True)


def base_env(database_url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url)
    env.setdefault("SECRET_KEY", "dev-only-secret-key-not-for-production")
    return env


def banner(bind: str) -> str:
    return f"Serving on http://{bind}/: sign in there with an account above (staff: http://{bind}/admin/)"


def run() -> None:
    owner = owner_url()
    owner_env = base_env(owner)
    _manage("provision_roles", "--login", WEB_ROLE, "--password", WEB_PASSWORD, env=owner_env)
    _manage("migrate", "--no-input", env=owner_env)
    web_env = base_env(web_url(owner))
    web_env.setdefault("DEBUG", "true")
    # Demo data goes in as the web role: through RLS, one workspace context at a time.
    _manage("seed_demo", env=web_env)
    _manage("collectstatic", "--no-input", "--verbosity", "0", env=web_env)
    # gunicorn.conf.py binds to RAPTORFLOW_BIND: set it here so the banner and the server agree.
    web_env["RAPTORFLOW_BIND"] = bind = os.environ.get("RAPTORFLOW_BIND", "127.0.0.1:8000")
    print(banner(bind), flush=True)
    os.chdir(REPO_ROOT)
    config = str(REPO_ROOT / "gunicorn.conf.py")
    os.execvpe(sys.executable, [sys.executable, "-m", "gunicorn", "raptorflow.wsgi", "--config", config], web_env)


# Debian packages some tests drive (program path -> package).
SYSTEM_PACKAGES = {"/usr/sbin/pgbouncer": "pgbouncer", "/usr/bin/chromium": "chromium"}


def ensure_system_packages() -> None:
    """Install the Debian packages the tests need when they are missing (root with apt-get only)."""
    missing = sorted({package for path, package in SYSTEM_PACKAGES.items() if not Path(path).exists()})
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"+ apt-get install {' '.join(missing)}", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, check=True)
    else:
        print(
            "!" * 78 + f"\n!! MISSING Debian packages: {', '.join(missing)}. Tests that need them will fail.\n"
            f"!! Install them with: sudo apt-get install {' '.join(missing)}\n" + "!" * 78,
            flush=True,
        )


def test(args: list[str]) -> None:
    ensure_system_packages()
    env = base_env(owner_url())
    os.chdir(REPO_ROOT)
    os.execvpe(sys.executable, [sys.executable, "-m", "pytest", *args], env)


def pytest_load_initial_conftests(early_config, parser, args):
    """Bare ``pytest`` is a development entry point too: the embedded server when DATABASE_URL is unset.

    The same environment as ``make test`` (DATABASE_URL, a development SECRET_KEY).

    Registered ``tryfirst`` (below) so it runs before pytest-django's hook of
    the same name, which loads the settings.
    """
    if not os.environ.get("DATABASE_URL"):
        os.environ.update(base_env(owner_url()))


# pytest is a dev dependency: without it (make run on a machine without the dev extra) this module still imports.
try:
    import pytest
except ImportError:  # pragma: no cover
    pass
else:
    pytest_load_initial_conftests = pytest.hookimpl(tryfirst=True)(pytest_load_initial_conftests)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {"run", "test", "db-url"}:
        sys.exit("usage: python -m tools.dev run | test [pytest args] | db-url")
    if argv[0] == "run":
        run()
    elif argv[0] == "db-url":
        # The owner URL the DBA targets of the Makefile use (DATABASE_URL, else the embedded server).
        print(owner_url())
    else:
        test(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
