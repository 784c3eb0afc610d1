"""Load test: many signed-in clients of different workspaces against gunicorn, checking for leaks.

    python -m tools.loadtest [--workers 4] [--clients 32] [--requests 3200] [--pgbouncer]

It builds a database of its own (``<name>_loadtest`` on the DATABASE_URL or
embedded server), migrates it as the owner, seeds one workspace per two
clients through RLS with each app's demo data, serves it with gunicorn (web
role, persistent connections: CONN_MAX_AGE > 0), optionally through
pgbouncer in transaction mode, and runs a fixed number of requests that
interleave admin pages, marketer pages and writes. Every response body is
checked for the marker words of the other workspaces. It passes with zero
leaks and zero 5xx; it prints requests per second next to a trivial view
served the same way. Exit status 1 on any leak or 5xx.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tools.embedded import REPO_ROOT
from tools.scratch import Gunicorn, free_port, recreate_database, wait_for_port, with_database
from tools.stats import latency_summary

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HREF_RE = re.compile(r'href="(/(?:admin|campaigns)/[^"?#]*)"')
PASSWORD = "loadtest-password-123"


# ---------------------------------------------------------------- setup

def prepare_database(owner_url: str, tenants: int) -> tuple[str, list[dict]]:
    """Fresh database, migrated and seeded; returns its web-role URL and the tenants."""
    base = urlsplit(owner_url).path.lstrip("/") or "raptorflow"
    name = f"{base}_loadtest"
    url = recreate_database(owner_url, name)
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="loadtest")
    manage = [sys.executable, str(REPO_ROOT / "manage.py")]
    subprocess.run([*manage, "provision_roles", "--login", "raptorflow_loadtest_web", "--password", PASSWORD, "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    web = with_database(owner_url, name, "raptorflow_loadtest_web", PASSWORD)
    seed = subprocess.run(
        [sys.executable, "-m", "tools.loadtest", "--seed-only", str(tenants)],
        env=dict(os.environ, DATABASE_URL=web, SECRET_KEY="loadtest"), check=True, capture_output=True, text=True,
    )
    return web, [_parse_tenant(line) for line in seed.stdout.splitlines() if line.startswith("TENANT\t")]


def _parse_tenant(line: str) -> dict:
    _, marker, workspace_name, staff, marketer = line.split("\t")
    return {"marker": marker, "name": workspace_name, "staff": staff, "marketer": marketer}


def seed(tenants: int) -> None:
    """Runs as the web role, through RLS (in a subprocess with DATABASE_URL set)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
    django.setup()
    import importlib

    from raptorflow.management.commands.seed_demo import DOMAIN_APPS
    from tests.factories import make_cohort, make_tenant

    for index in range(tenants):
        marker = f"LTmark{index:02d}{secrets.token_hex(3)}"
        tenant = make_tenant(f"Loadtest {marker}")
        for user in (tenant.staff, tenant.marketer):
            user.set_password(PASSWORD)
            user.email = f"{marker.lower()}.{'staff' if user.is_staff else 'marketer'}@loadtest.example"
            user.save()
        make_cohort(tenant.workspace, f"Cohort {marker}")
        people = {"owner": tenant.owner, "admin": tenant.staff, "marketer": tenant.marketer, "viewer": tenant.viewer}
        with tenant.context():
            for label in DOMAIN_APPS:
                try:
                    module = importlib.import_module(f"{label}.demo")
                except ModuleNotFoundError:
                    continue
                module.seed(workspace=tenant.workspace, people=people, stdout=open(os.devnull, "w"))
        print("TENANT", marker, tenant.workspace.name, tenant.staff.email, tenant.marketer.email, sep="\t")


class PgBouncer:
    """pgbouncer in transaction mode in front of the database, on a free port."""

    def __init__(self, web_url: str):
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not Path(binary).exists():
            raise SystemExit("pgbouncer is not installed: apt-get install pgbouncer (Debian's package)")
        parts = urlsplit(web_url)
        query = urllib.parse.parse_qs(parts.query)
        host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
        self.dir = Path(tempfile.mkdtemp(prefix="rf-pgbouncer-"))
        self.port = free_port()
        dbname = parts.path.lstrip("/")
        user = urllib.parse.unquote(parts.username or "")
        (self.dir / "users.txt").write_text(f'"{user}" "{PASSWORD}"\n')
        (self.dir / "pgbouncer.ini").write_text(
            f"[databases]\n{dbname} = host={host} port={parts.port or 5432} dbname={dbname}\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"auth_type = plain\nauth_file = {self.dir}/users.txt\npool_mode = transaction\n"
            f"default_pool_size = 8\nmax_client_conn = 200\nunix_socket_dir =\n"
            f"logfile = {self.dir}/pgbouncer.log\npidfile = {self.dir}/pgbouncer.pid\n"
        )
        os.chmod(self.dir, 0o755)
        args = [binary, str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:
            # pgbouncer refuses to run as root; run it as the user that may open the server's socket.
            import pwd

            if host.startswith("/"):
                account = pwd.getpwuid(os.stat(host).st_uid).pw_name
            else:
                account = "postgres" if _user_exists("postgres") else "nobody"
            for path in (self.dir, *self.dir.iterdir()):
                shutil.chown(path, account)
            args = ["runuser", "-u", account, "--", *args]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.port)
        self.url = parts._replace(netloc=f"{parts.username}:{PASSWORD}@127.0.0.1:{self.port}", query="").geturl()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


# ---------------------------------------------------------------- clients

@dataclass
class Result:
    statuses: Counter = field(default_factory=Counter)
    latencies: list = field(default_factory=list)
    leaks: list = field(default_factory=list)
    errors: list = field(default_factory=list)


class Client:
    def __init__(self, base: str, email: str | None, own_marker: str | None, foreign: list[str], result: Result, lock):
        self.base, self.email, self.own, self.foreign = base, email, own_marker, foreign
        self.result, self.lock = result, lock
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict | None = None, record: bool = True) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        except OSError as exc:
            with self.lock:
                self.result.errors.append(f"{path}: {exc}")
            return 0, ""
        elapsed = time.perf_counter() - started
        if record:
            leaked = [marker for marker in self.foreign if marker in text]
            with self.lock:
                self.result.statuses[status] += 1
                self.result.latencies.append(elapsed)
                if leaked:
                    self.result.leaks.append(f"{self.email} saw {leaked} on {path}")
        return status, text

    def sign_in(self) -> None:
        status, page = self.request("/login/", record=False)
        match = CSRF_RE.search(page)
        if not match:
            raise RuntimeError(f"no sign-in form (status {status})")
        token = match.group(1)
        status, _ = self.request("/login/", {"csrfmiddlewaretoken": token, "username": self.email, "password": PASSWORD}, record=False)
        if status != 302:
            raise RuntimeError(f"sign-in of {self.email} failed with {status}")

    def pages(self, start: str) -> list[str]:
        """The pages this user can reach from its start page (admin changelists, marketer pages)."""
        _, text = self.request(start, record=False)
        found = sorted({href for href in HREF_RE.findall(text) if "logout" not in href and "password" not in href})
        return [start] + found[:12]

    def write(self, step: int) -> None:
        """One write through a form: a cohort in the admin for staff, a campaign for marketers."""
        if self.email and ".staff@" in self.email:
            path, data = "/admin/raptorflow/cohort/add/", {"name": f"{self.own} load {step} {secrets.token_hex(2)}", "description": "", "criteria": "{}", "size_estimate": "1"}
        else:
            path, data = "/campaigns/new/", {"name": f"{self.own} campaign {step} {secrets.token_hex(2)}", "objective": "Load", "status": "draft", "budget": "100", "channels": "email"}
        status, page = self.request(path, record=False)
        match = CSRF_RE.search(page)
        if status != 200 or not match:
            return
        self.request(path, {"csrfmiddlewaretoken": match.group(1), **data})


def run_clients(base: str, tenants: list[dict], clients: int, total: int, trivial: bool) -> tuple[Result, float]:
    result, lock = Result(), threading.Lock()
    per_client = max(1, total // clients)
    workers = []
    for index in range(clients):
        tenant = tenants[index // 2 % len(tenants)]
        email = tenant["staff"] if index % 2 == 0 else tenant["marketer"]
        foreign = [t["marker"] for t in tenants if t is not tenant]
        workers.append(Client(base, None if trivial else email, tenant["marker"], foreign, result, lock))

    def work(client: Client) -> None:
        try:
            drive(client)
        except Exception as exc:  # a client that cannot go on is a failure of the run, not a crash
            with lock:
                result.errors.append(f"{client.email}: {exc!r}")

    def drive(client: Client) -> None:
        if trivial:
            for _ in range(per_client):
                client.request("/ping")
            return
        client.sign_in()
        pages = client.pages("/admin/" if ".staff@" in client.email else "/")
        for step in range(per_client):
            if step % 10 == 9:
                client.write(step)
            else:
                client.request(pages[step % len(pages)])

    threads = [threading.Thread(target=work, args=(c,)) for c in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result, time.perf_counter() - started


def summarize(label: str, result: Result, seconds: float) -> dict:
    count = sum(result.statuses.values())
    latency = latency_summary(result.latencies or [0.0])
    return {
        "run": label,
        "requests": count,
        "rps": count / seconds if seconds else 0.0,
        "p50_ms": latency["p50_ms"],
        "p95_ms": latency["p95_ms"],
        "statuses": dict(sorted(result.statuses.items())),
        "5xx": sum(n for s, n in result.statuses.items() if s >= 500),
        "leaks": len(result.leaks),
        "errors": len(result.errors),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=3200, help="total requests of the app run")
    parser.add_argument("--pgbouncer", action="store_true", help="serve through pgbouncer in transaction mode")
    parser.add_argument("--seed-only", type=int, metavar="TENANTS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_only:
        seed(args.seed_only)
        return 0

    from tools.dev import owner_url

    tenants_count = max(2, args.clients // 2)
    print(f"Preparing a database with {tenants_count} workspaces ...", flush=True)
    web_url, tenants = prepare_database(owner_url(), tenants_count)
    bouncer = PgBouncer(web_url) if args.pgbouncer else None
    server = Gunicorn(
        bouncer.url if bouncer else web_url,
        args.workers,
        CONN_MAX_AGE="600",
        GUNICORN_ACCESS_LOG="/dev/null",
        DATABASE_POOLER="pgbouncer-transaction" if bouncer else "",
    )
    try:
        app_result, app_seconds = run_clients(server.base, tenants, args.clients, args.requests, trivial=False)
        ping_result, ping_seconds = run_clients(server.base, tenants, args.clients, args.requests, trivial=True)
    finally:
        server.stop()
        if bouncer:
            bouncer.stop()
    rows = [summarize("app pages + writes", app_result, app_seconds), summarize("trivial view /ping", ping_result, ping_seconds)]
    via = "pgbouncer (transaction mode)" if bouncer else "direct"
    print(f"\n{args.workers} gunicorn workers, {args.clients} clients, CONN_MAX_AGE=600, {via}")
    print(f"{'run':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'5xx':>6}{'leaks':>7}  statuses")
    for row in rows:
        print(f"{row['run']:<22}{row['requests']:>9}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['5xx']:>6}{row['leaks']:>7}  {row['statuses']}")
    if rows[1]["rps"]:
        print(f"app / trivial throughput ratio: {rows[0]['rps'] / rows[1]['rps']:.2f}")
    for leak in app_result.leaks[:20]:
        print("LEAK", leak)
    for error in (app_result.errors + ping_result.errors)[:20]:
        print("ERROR", error)
    failed = rows[0]["leaks"] or rows[0]["5xx"] or rows[1]["5xx"] or app_result.errors or ping_result.errors
    print("RESULT:", "FAIL" if failed else "PASS (zero leaks, zero 5xx)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
