"""Load test: locust against gunicorn, signed-in users of many workspaces, a leak check on every body.

    python -m tools.loadtest [--workers 4] [--clients 32] [--processes 2] [--duration 60] [--pgbouncer]

It builds a database of its own (``<name>_loadtest`` on the DATABASE_URL or
embedded server), migrates it as the owner, seeds one workspace per two
clients through RLS with each app's demo data, and serves it with gunicorn
(web role, persistent connections: CONN_MAX_AGE > 0, DEBUG off), optionally
through pgbouncer in transaction mode. Then locust (tools/locustfile.py),
headless, with its users spread over several worker processes, runs three
times against that one server, ``--duration`` seconds each:

1. ``/ping``, the trivial view, anonymous;
2. the same ``/ping`` signed in;
3. the app mix: admin changelists, marketer pages and one write in ten.

Every response body of every run is checked for the marker words of the other
workspaces. It reports requests per second of each run and their ratios,
the server's CPU per request (gunicorn, the PostgreSQL backends, pgbouncer)
and locust's, p50/p95 of every page (tools/stats.py), and where a request's
time goes: gunicorn's own time per request from its access log (``%(D)s``)
and the SQL time and the worker's CPU per request from timers that only the
load test's server has (tools/loadtest_settings.py). Exit status 1 on any
leak, 5xx, request without an answer, or signed-in request sent to the
sign-in page.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from tools.embedded import REPO_ROOT
from tools.scratch import Gunicorn, free_port, migrated_database, wait_for_port, with_database
from tools.stats import latency_summary

PASSWORD = "loadtest-password-123"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# (label, locust user class, the label's key in the X-Loadtest header), in the order they run.
RUNS = [
    ("anonymous /ping", "AnonymousPing", "anonymous"),
    ("signed-in /ping", "SignedInPing", "signed-in"),
    ("app mix", "AppMix", "app"),
]
# gunicorn's access log of the run: the X-Loadtest header (run|page), method, status, the request's time in
# microseconds (%(D)s) and the timers' three headers (SQL milliseconds, queries, the worker's CPU milliseconds).
ACCESS_LOG_FORMAT = "%({x-loadtest}i)s|%(m)s|%(s)s|%(D)s|%({x-loadtest-sql}o)s|%({x-loadtest-queries}o)s|%({x-loadtest-cpu}o)s"


# ---------------------------------------------------------------- setup

def prepare_database(owner_url: str, tenants: int) -> tuple[str, list[dict]]:
    """Fresh database, migrated and seeded; returns its web-role URL and the tenants."""
    base = urlsplit(owner_url).path.lstrip("/") or "raptorflow"
    name = f"{base}_loadtest"
    web = migrated_database(owner_url, name, "raptorflow_loadtest_web", PASSWORD)
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




# ---------------------------------------------------------------- signing in, once, before the runs

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base: str, email: str) -> list[dict]:
    """Sign in through the sign-in form as ``email``; the cookies (session, CSRF) that locust's user carries."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    page = opener.open(base + "/login/", timeout=120).read().decode()
    match = CSRF_RE.search(page)
    if not match:
        raise RuntimeError(f"no sign-in form for {email}")
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": match.group(1), "username": email, "password": PASSWORD})
    request = urllib.request.Request(base + "/login/", data=data.encode(), headers={"Referer": base + "/login/"})
    try:
        status = opener.open(request, timeout=120).status
    except urllib.error.HTTPError as exc:  # the redirect after a sign-in, not followed
        status = exc.code
    if status != 302:
        raise RuntimeError(f"sign-in of {email} answered {status}, not 302")
    return [{"name": c.name, "value": c.value, "domain": c.domain, "path": c.path} for c in jar]


def sign_in_everyone(base: str, tenants: list[dict]) -> float:
    """Every staff member and marketer signs in once (a password hash is a CPU-second here: not load-test work)."""
    started = time.monotonic()
    emails = [t[role] for t in tenants for role in ("staff", "marketer")]
    with ThreadPoolExecutor(4) as pool:
        cookies = dict(zip(emails, pool.map(lambda email: sign_in(base, email), emails)))
    for tenant in tenants:
        tenant["cookies"] = {role: cookies[tenant[role]] for role in ("staff", "marketer")}
    return time.monotonic() - started


# ---------------------------------------------------------------- CPU of the processes that serve

class CpuMeter:
    """CPU seconds used by gunicorn (master and workers), pgbouncer and the PostgreSQL backends of the load test's database.

    Backends are found in pg_stat_activity at each sample; with persistent connections (CONN_MAX_AGE) they live
    through a run. A backend that ends between two samples is not counted.
    """

    def __init__(self, owner_url: str, database: str, server: Gunicorn, bouncer: PgBouncer | None):
        self.owner_url, self.database, self.server, self.bouncer = owner_url, database, server, bouncer

    @staticmethod
    def _tree(pid: int) -> dict[int, float]:
        import psutil

        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return {}
        found = {}
        for process in processes:
            try:  # a worker may exit between the listing and its reading
                found[process.pid] = _cpu(process)
            except psutil.Error:
                pass
        return found

    def _backends(self) -> dict[int, float]:
        import psutil
        import psycopg

        with psycopg.connect(with_database(self.owner_url, "postgres"), autocommit=True) as conn:
            pids = [row[0] for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.database,)
            )]
        found = {}
        for pid in pids:
            try:
                found[pid] = _cpu(psutil.Process(pid))
            except psutil.Error:
                pass
        return found

    def sample(self) -> dict[str, dict[int, float]]:
        return {
            "gunicorn": self._tree(self.server.process.pid),
            "pgbouncer": self._tree(self.bouncer.process.pid) if self.bouncer else {},
            "postgres": self._backends(),
        }

    @staticmethod
    def used(before: dict, after: dict) -> dict[str, float]:
        return {name: sum(cpu - before[name].get(pid, 0.0) for pid, cpu in after[name].items()) for name in after}


def _cpu(process) -> float:
    times = process.cpu_times()
    return times.user + times.system


# ---------------------------------------------------------------- one locust run

def run_locust(label: str, user_class: str, key: str, *, base: str, users: int, processes: int, duration: int,
               folder: Path, tenants_file: Path, meter: CpuMeter, plant_leak: bool = False) -> dict:
    """locust headless against ``base``: ``users`` users of ``user_class`` for ``duration`` seconds."""
    samples_dir = folder / f"samples-{key}"
    samples_dir.mkdir()
    env = dict(
        os.environ,
        LOADTEST_TENANTS=str(tenants_file),
        LOADTEST_RUN=key,
        LOADTEST_SAMPLES=str(samples_dir),
        LOADTEST_PROCESSES=str(max(1, processes)),
        LOADTEST_PLANT_LEAK="1" if plant_leak else "0",
    )
    port = free_port()
    command = [
        sys.executable, "-m", "locust", "-f", str(REPO_ROOT / "tools" / "locustfile.py"), "--headless",
        "--host", base, "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{duration}s",
        "--csv", str(folder / f"locust-{key}"), "--only-summary", "--loglevel", "WARNING",
        "--logfile", str(folder / f"locust-{key}.log"), "--exit-code-on-error", "1",
    ]
    if processes:
        command += ["--processes", str(processes), "--master-bind-port", str(port), "--master-port", str(port)]
    command.append(user_class)
    load_before = os.getloadavg()
    cpu_before = meter.sample()
    # locust's CPU in the run: its processes' CPU, read every 0.1 s, less what each had used once every worker
    # process had started the test (its samples file exists): start-up is not load generation.
    startup: dict[int, float] | None = None
    seen: dict[int, float] = {}
    with open(folder / f"locust-{key}.out", "w") as out:
        process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + duration + 180
        while process.poll() is None:
            seen.update(CpuMeter._tree(process.pid))
            if startup is None and len(list(samples_dir.glob("samples-*"))) >= max(1, processes):
                startup = dict(seen)
            if time.monotonic() > deadline:
                process.kill()
            time.sleep(0.1)
    cpu = CpuMeter.used(cpu_before, meter.sample())
    cpu["locust"] = sum(used - (startup or {}).get(pid, 0.0) for pid, used in seen.items())
    samples = []
    for path in sorted(samples_dir.glob("samples-*")):
        for line in path.read_text().splitlines():
            method, name, status, ms, outcome, started = line.split("\t")
            samples.append((method, name, int(status), float(ms), outcome, float(started)))
    pages = {path.stem.removeprefix("pages-"): path.read_text().split() for path in samples_dir.glob("pages-*")}
    log = (folder / f"locust-{key}.log").read_text() if (folder / f"locust-{key}.log").exists() else ""
    return {
        "label": label, "key": key, "users": users, "duration": duration, "exit": process.returncode,
        "samples": samples, "pages": pages, "cpu": cpu, "load_before": load_before, "load_after": os.getloadavg(),
        "locust_count": _locust_count(folder / f"locust-{key}_stats.csv"),
        "failures": _locust_failures(folder / f"locust-{key}_failures.csv"),
        "cpu_warning": "cpu usage" in log.lower() or "cpu threshold" in log.lower(),
        "output": (folder / f"locust-{key}.out").read_text()[-3000:] + log[-3000:],
    }


def _locust_count(path: Path) -> int | None:
    """locust's own count of requests (its Aggregated row), to cross-check the samples."""
    if not path.exists():
        return None
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                return int(row["Request Count"])
    return None


def _locust_failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with open(path) as f:
        return [f"{row['Occurrences']}x {row['Method']} {row['Name']}: {row['Error']}" for row in csv.DictReader(f)]


# ---------------------------------------------------------------- the server's side: gunicorn's access log

def read_access_log(path: Path) -> dict[tuple[str, str, str], list[tuple[float, float, int, float]]]:
    """(run, method, page) -> [(server ms, SQL ms, queries, worker CPU ms)] from the access log's lines of the load test."""
    found = defaultdict(list)
    if not path.exists():
        return found
    for line in path.read_text().splitlines():
        parts = line.rsplit("|", 6)
        if len(parts) != 7 or "|" not in parts[0]:
            continue
        tag, method, _status, micros, sql, queries, cpu = parts
        run, page = tag.split("|", 1)
        try:
            found[(run, method, page)].append((int(micros) / 1000, float(sql), int(queries), float(cpu)))
        except ValueError:  # a request the timers did not see (no header: "-")
            found[(run, method, page)].append((int(micros) / 1000, 0.0, 0, 0.0))
    return found


# ---------------------------------------------------------------- report

def summarize(run: dict) -> dict:
    counted = run["samples"]
    latency = latency_summary([s[3] / 1000 for s in counted] or [0.0])
    outcomes = Counter(s[4] for s in run["samples"])
    # Requests per second over the load's own window: the first request's start to the last one's end, all
    # processes together (locust's run time also holds its workers' start, and the requests cut at the end).
    window = max((s[5] + s[3] / 1000 for s in counted), default=0.0) - min((s[5] for s in counted), default=0.0)
    server_cpu = sum(run["cpu"].get(name, 0.0) for name in ("gunicorn", "postgres", "pgbouncer"))
    return {
        "requests": len(counted),
        "window": window,
        "rps": len(counted) / window if window > 0 else 0.0,
        "server_cpu_ms": server_cpu * 1000 / len(counted) if counted else 0.0,
        "p50_ms": latency["p50_ms"],
        "p95_ms": latency["p95_ms"],
        "mean_ms": latency["mean_ms"],
        "statuses": dict(sorted(Counter(s[2] for s in counted).items())),
        "5xx": outcomes["5xx"],
        "leaks": outcomes["leak"],
        "errors": outcomes["error"] + outcomes["failed"],
    }


def page_rows(run: dict, access: dict) -> list[dict]:
    by_page = defaultdict(list)
    for method, name, status, ms, *_ in run["samples"]:
        by_page[(method, name)].append((status, ms))
    rows = []
    for (method, name), samples in by_page.items():
        client = latency_summary([ms / 1000 for _, ms in samples])
        served = access.get((run["key"], method, name), [])
        server = latency_summary([ms / 1000 for ms, *_ in served]) if served else None
        total_server = sum(ms for ms, *_ in served)
        total_sql = sum(sql for _, sql, *_ in served)
        rows.append({
            "page": f"{method} {name}",
            "n": len(samples),
            "client_p50": client["p50_ms"], "client_p95": client["p95_ms"], "client_mean": client["mean_ms"],
            "server_n": len(served),
            "server_p50": server["p50_ms"] if server else 0.0, "server_p95": server["p95_ms"] if server else 0.0,
            "server_mean": server["mean_ms"] if server else 0.0,
            "sql_mean": total_sql / len(served) if served else 0.0,
            "sql_share": total_sql / total_server if total_server else 0.0,
            "queries": sum(q for _, _, q, _ in served) / len(served) if served else 0.0,
            "cpu_mean": sum(cpu for *_, cpu in served) / len(served) if served else 0.0,
            "statuses": dict(sorted(Counter(status for status, _ in samples).items())),
        })
    rows.sort(key=lambda row: -row["server_mean"] * row["n"])
    return rows


def time_split(run: dict, access: dict) -> str:
    """Mean time of the run's counted requests: at the client, in gunicorn, in SQL."""
    counted = run["samples"]
    served = [v for (key, _, _), values in access.items() if key == run["key"] for v in values]
    if not counted or not served:
        return "no requests"
    client = sum(s[3] for s in counted) / len(counted)
    server = sum(ms for ms, *_ in served) / len(served)
    sql = sum(s for _, s, *_ in served) / len(served)
    cpu = sum(c for *_, c in served) / len(served)
    rest = max(0.0, server - sql - cpu)
    return (
        f"mean {client:.1f} ms at the client = {max(0.0, client - server):.1f} waiting for a worker "
        f"(listen queue, connect, locust) + {server:.1f} in the worker: {cpu:.1f} its CPU (Python: middleware, "
        f"ORM, templates), {sql:.1f} SQL (round trips, PostgreSQL's work and its waits), {rest:.1f} waiting for a core"
    )


def print_report(runs: list[dict], access: dict, *, workers: int, users: int, processes: int, duration: int, via: str) -> dict:
    """Prints the report; returns the runs' figures and pages, and whether it passed."""
    print(f"\n{workers} gunicorn workers (sync, no recycling), CONN_MAX_AGE=600, {via}; locust: {users} users in "
          f"{max(1, processes)} worker process{'es' if processes > 1 else ''}, {duration} s per run, no wait between requests")
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in runs[0]['load_before'])} "
          f"before the first run, {' '.join(f'{x:.2f}' for x in runs[-1]['load_after'])} after the last")
    summaries = {run["key"]: summarize(run) for run in runs}
    base = summaries.get("anonymous")
    print(f"\n{'run':<18}{'requests':>9}{'seconds':>8}{'req/s':>8}{'ratio':>7}{'p50 ms':>8}{'p95 ms':>8}{'CPU ms':>8}"
          f"{'5xx':>5}{'leaks':>6}{'errors':>7}  statuses")
    for run in runs:
        s = summaries[run["key"]]
        ratio = f"{s['rps'] / base['rps']:.3f}" if base and base["rps"] else "-"
        print(f"{run['label']:<18}{s['requests']:>9}{s['window']:>8.1f}{s['rps']:>8.1f}{ratio:>7}{s['p50_ms']:>8.1f}{s['p95_ms']:>8.1f}"
              f"{s['server_cpu_ms']:>8.2f}{s['5xx']:>5}{s['leaks']:>6}{s['errors']:>7}  {s['statuses']}")
    print("(seconds: first request's start to last one's end; ratio: requests per second over the anonymous /ping's; "
          "CPU ms: the server's CPU per request, gunicorn + PostgreSQL backends (+ pgbouncer))")
    if base and base["rps"]:
        print("\nRatios to the anonymous /ping in this run (issue 19's targets):")
        for key, target in (("signed-in", 0.5), ("app", 0.08)):
            if key in summaries:
                s = summaries[key]
                ratio = s["rps"] / base["rps"]
                cost = base["server_cpu_ms"] / s["server_cpu_ms"] if s["server_cpu_ms"] else 0.0
                label = next(r["label"] for r in runs if r["key"] == key)
                print(f"  {label:<16}{ratio:.3f} in requests per second (target {target}: {'met' if ratio >= target else 'missed'}); "
                      f"{cost:.3f} in server CPU per request")
        if "signed-in" in summaries and "app" in summaries and summaries["signed-in"]["rps"]:
            print(f"  app mix / signed-in /ping: {summaries['app']['rps'] / summaries['signed-in']['rps']:.3f} in requests per second")

    print("\nCPU seconds used during each run (locust: once all its processes run the test; postgres: the backends of "
          "this database), and the load average after it:")
    for run in runs:
        cpu, s = run["cpu"], summaries[run["key"]]
        parts = ", ".join(f"{name} {cpu.get(name, 0.0):.1f}" for name in ("locust", "gunicorn", "postgres", "pgbouncer")
                          if name in cpu and (name != "pgbouncer" or cpu[name]))
        available = os.cpu_count() * s["window"]
        locust_ms = cpu.get("locust", 0.0) * 1000 / s["requests"] if s["requests"] else 0.0
        note = "; locust warned that it was CPU-bound" if run["cpu_warning"] else ""
        print(f"  {run['label']:<18}{parts} of {available:.0f} ({os.cpu_count()} cores x {s['window']:.1f} s); "
              f"locust {locust_ms:.2f} ms per request; load average {run['load_after'][0]:.2f}{note}")

    print("\nWhere the time goes:")
    for run in runs:
        print(f"  {run['label']:<18}{time_split(run, access)}")

    for run in runs:
        for role, pages in sorted(run["pages"].items()):
            print(f"\nThe {role}'s pages in the {run['label']} (in turn; one write in ten besides): {' '.join(pages)}")

    print("\nPer page, most server time in total first (ms; client: locust's latency; server: gunicorn's %(D)s; CPU: the "
          "worker's CPU per request, mean; SQL: time inside cursor.execute, mean and share of the server's time; "
          "queries per request):")
    for run in runs:
        rows = page_rows(run, access)
        width = max([len(row["page"]) for row in rows] + [30])
        print(f"\n{run['label']}")
        print(f"{'page':<{width}}{'n':>6}{'client p50':>11}{'p95':>8}{'server p50':>11}{'p95':>8}{'CPU':>7}{'SQL':>7}{'SQL %':>6}"
              f"{'queries':>8}  statuses")
        for row in rows:
            print(f"{row['page']:<{width}}{row['n']:>6}{row['client_p50']:>11.1f}{row['client_p95']:>8.1f}{row['server_p50']:>11.1f}"
                  f"{row['server_p95']:>8.1f}{row['cpu_mean']:>7.1f}{row['sql_mean']:>7.1f}{row['sql_share'] * 100:>5.0f}%"
                  f"{row['queries']:>8.1f}  {row['statuses']}")

    failed = False
    for run in runs:
        s = summaries[run["key"]]
        problems = []
        if s["leaks"] or s["5xx"] or s["errors"]:
            problems.append(f"{s['leaks']} leaks, {s['5xx']} 5xx, {s['errors']} failed requests")
        if not s["requests"]:
            problems.append("no request answered")
        if run["exit"]:
            problems.append(f"locust exited with {run['exit']}")
        if run["locust_count"] is not None and run["locust_count"] != len(run["samples"]):
            # The master writes its CSV before the workers' last stats report arrives; the samples, written by each
            # worker itself, are what this report counts and what the exit status checks.
            print(f"note: {run['label']}: locust's master counted {run['locust_count']} requests, the workers' samples "
                  f"{len(run['samples'])}")
        for failure in run["failures"][:20]:
            print(("LEAK " if "leak: " in failure else "FAILURE ") + failure)
        if problems:
            failed = True
            print(f"FAILED {run['label']}: {'; '.join(problems)}")
            if run["exit"] and not run["failures"]:
                print(run["output"])
    print("RESULT:", "FAIL" if failed else "PASS (zero leaks, zero 5xx)")
    return {
        "passed": not failed,
        "runs": {run["key"]: {**summaries[run["key"]], "cpu": run["cpu"], "pages": page_rows(run, access)} for run in runs},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=32, help="locust users of each run (two per workspace)")
    parser.add_argument("--processes", type=int, default=2, help="locust worker processes (0: one process, no master)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of each run")
    parser.add_argument("--runs", default="anonymous,signed-in,app", help="which runs, of: anonymous, signed-in, app")
    parser.add_argument("--pgbouncer", action="store_true", help="serve through pgbouncer in transaction mode")
    parser.add_argument("--keep", metavar="DIR", help="keep locust's CSV files, its logs, the samples and the access log in DIR")
    parser.add_argument("--json", metavar="FILE", help="also write the figures (runs, pages) to FILE")
    parser.add_argument("--plant-leak", action="store_true", help="count each user's own workspace as foreign: the check must fail")
    parser.add_argument("--seed-only", type=int, metavar="TENANTS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_only:
        seed(args.seed_only)
        return 0
    wanted = [r for r in RUNS if r[2] in args.runs.split(",")]
    if not wanted:
        parser.error(f"--runs: none of {args.runs!r} is a run")

    from tools.dev import owner_url

    owner = owner_url()
    tenants_count = max(2, args.clients // 2)
    print(f"Preparing a database with {tenants_count} workspaces ...", flush=True)
    started = time.monotonic()
    web_url, tenants = prepare_database(owner, tenants_count)
    print(f"Prepared in {time.monotonic() - started:.1f} s", flush=True)
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="rf-loadtest-"))
    tenants_file = folder / "tenants.json"
    bouncer = PgBouncer(web_url) if args.pgbouncer else None
    runs = []
    try:
        server = Gunicorn(
            bouncer.url if bouncer else web_url,
            args.workers,
            log_path=folder / "gunicorn.log",
            CONN_MAX_AGE="600",
            DATABASE_POOLER="pgbouncer-transaction" if bouncer else "",
            DJANGO_SETTINGS_MODULE="tools.loadtest_settings",
            GUNICORN_ACCESS_LOG=str(folder / "access.log"),
            GUNICORN_CMD_ARGS="--access-logformat " + shlex.quote(ACCESS_LOG_FORMAT),
            # A new worker costs about a second of CPU; at /ping's rate the default recycling would measure that.
            GUNICORN_MAX_REQUESTS="0",
        )
        try:
            meter = CpuMeter(owner, urlsplit(web_url).path.lstrip("/"), server, bouncer)
            if any(key != "anonymous" for _, _, key in wanted):
                seconds = sign_in_everyone(server.base, tenants)
                print(f"Signed in {2 * len(tenants)} users in {seconds:.1f} s", flush=True)
            tenants_file.write_text(json.dumps(tenants))
            for label, user_class, key in wanted:
                print(f"Running {label}: {args.clients} users for {args.duration} s ...", flush=True)
                runs.append(run_locust(
                    label, user_class, key, base=server.base, users=args.clients, processes=args.processes,
                    duration=args.duration, folder=folder, tenants_file=tenants_file, meter=meter,
                    plant_leak=args.plant_leak,
                ))
        finally:
            server.stop()
        access = read_access_log(folder / "access.log")
        via = "pgbouncer (transaction mode)" if bouncer else "direct"
        report = print_report(runs, access, workers=args.workers, users=args.clients, processes=args.processes,
                              duration=args.duration, via=via)
        passed = report["passed"]
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1))
        if not passed:
            print("gunicorn's errors:\n" + (folder / "gunicorn.log").read_text()[-3000:])
    finally:
        if bouncer:
            bouncer.stop()
        if args.keep:
            print(f"Files of the run: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
