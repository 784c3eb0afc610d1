"""The cost of being signed in: the trivial view, anonymous against signed in, side by side (issue 19).

    python -m tools.request_cost [--workers 2] [--concurrency 8] [--requests 2000] [--rounds 5]

Builds a database of its own (``<name>_reqcost`` on the DATABASE_URL or
embedded server), migrated as the owner, with a few workspaces made through
RLS; serves it with gunicorn as the web role (DEBUG off, persistent
connections with health checks, as in production) and signs one marketer
in. Then ApacheBench (``ab``, a C client, so the load generator costs little
next to the server) asks for ``/ping`` anonymous and signed in, alternating
``--rounds`` times, and reports requests per second of each, the ratio
signed-in / anonymous of each round and their median, with the load average
(the machine may be shared: only ratios measured in one run mean anything).
It also reports the server's CPU time per request (gunicorn and the
PostgreSQL backends, from /proc), which other processes on the machine do not
inflate the way they slow the requests down.

The statements of one signed-in request are counted, and pinned, by
tests/test_request_cost.py; docs/performance-requests.md has both.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from tools.embedded import REPO_ROOT
from tools.scratch import Gunicorn, drop_database, migrated_database

PASSWORD = "request-cost-password-123"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RPS_RE = re.compile(r"Requests per second:\s+([\d.]+)")
FAILED_RE = re.compile(r"Failed requests:\s+(\d+)")
NON_2XX_RE = re.compile(r"Non-2xx responses:\s+(\d+)")


def seed() -> None:
    """Runs as the web role (DATABASE_URL set by the caller): three workspaces, the marketer a member of two."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
    django.setup()
    from raptorflow.models import WorkspaceMember
    from tests.factories import add_member, make_cohort, make_tenant

    tenants = [make_tenant(f"Request cost {index}") for index in range(3)]
    marketer = tenants[0].marketer
    marketer.set_password(PASSWORD)
    marketer.email = "marketer@reqcost.example"
    marketer.save()
    add_member(tenants[1].workspace, marketer, WorkspaceMember.Role.VIEWER)
    for tenant in tenants:
        make_cohort(tenant.workspace, f"Cohort of {tenant.workspace.name}")
    print("EMAIL", marketer.email, sep="\t")


def sign_in(base: str, email: str) -> str:
    """The Cookie header of a signed-in session (sessionid and csrftoken)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/", timeout=120).read().decode()
    token = CSRF_RE.search(page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD}).encode()
    opener.open(urllib.request.Request(base + "/login/", data=data, headers={"Referer": base + "/login/"}), timeout=120)
    # A first signed-in page: the middleware stores the chosen workspace in the session.
    opener.open(base + "/ping", timeout=120).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "sign-in failed"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def cpu_seconds(server: Gunicorn, owner_url: str, database: str) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by gunicorn (master and workers) and by the database's PostgreSQL backends, by pid.

    Backends live through a run (persistent connections); one that ended between two samples is not counted.
    """
    import psutil
    import psycopg

    from tools.scratch import with_database

    with psycopg.connect(with_database(owner_url, "postgres"), autocommit=True) as conn:
        backends = [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (database,)
        )]
    try:
        root = psutil.Process(server.process.pid)
        gunicorn = [root, *root.children(recursive=True)]
    except psutil.Error:
        gunicorn = []
    found: dict[str, dict[int, float]] = {"gunicorn": {}, "postgres": {}}
    for group, processes in (("gunicorn", gunicorn), ("postgres", backends)):
        for process in processes:
            try:
                process = process if isinstance(process, psutil.Process) else psutil.Process(process)
                times = process.cpu_times()
            except psutil.Error:
                continue
            found[group][process.pid] = times.user + times.system
    return found


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    return {
        group: sum(seconds - before[group].get(pid, 0.0) for pid, seconds in after[group].items()) for group in after
    }


def ab(url: str, requests: int, concurrency: int, cookie: str | None = None) -> float:
    command = ["ab", "-q", "-n", str(requests), "-c", str(concurrency)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    failed = int(FAILED_RE.search(output).group(1))
    non_2xx = NON_2XX_RE.search(output)
    if failed or non_2xx:
        raise RuntimeError(f"ab: {failed} failed, {non_2xx.group(1) if non_2xx else 0} non-2xx:\n{output}")
    return float(RPS_RE.search(output).group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_only:
        seed()
        return 0
    if not shutil.which("ab"):
        sys.exit("ab (ApacheBench) is needed: apt-get install apache2-utils")

    from tools.dev import owner_url

    owner = owner_url()
    name = f"{urlsplit(owner).path.lstrip('/') or 'raptorflow'}_reqcost"
    web = migrated_database(owner, name, "raptorflow_reqcost_web", PASSWORD)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "tools.request_cost", "--seed-only"],
            env=dict(os.environ, DATABASE_URL=web, SECRET_KEY="reqcost"), cwd=REPO_ROOT,
            check=True, capture_output=True, text=True,
        ).stdout
        email = next(line.split("\t")[1] for line in out.splitlines() if line.startswith("EMAIL\t"))
        log = Path(tempfile.mkdtemp(prefix="rf-reqcost-")) / "gunicorn.log"
        server = Gunicorn(web, args.workers, log_path=log, collectstatic=False, GUNICORN_ACCESS_LOG="/dev/null",
                          GUNICORN_MAX_REQUESTS="0")  # no worker recycled while its CPU is counted
        try:
            cookie = sign_in(server.base, email)
            url = server.base + "/ping"
            # Warm every worker (imports, connections) before measuring.
            ab(url, 200, args.concurrency)
            ab(url, 200, args.concurrency, cookie)
            rows, cpu = [], {"anonymous": [], "signed in": []}

            def measured(label, *extra):
                before = cpu_seconds(server, owner, name)
                rate = ab(url, args.requests, args.concurrency, *extra)
                used = cpu_used(before, cpu_seconds(server, owner, name))
                cpu[label].append({group: seconds / args.requests * 1000 for group, seconds in used.items()})
                return rate

            for round_ in range(args.rounds):
                anonymous = measured("anonymous")
                signed_in = measured("signed in", cookie)
                rows.append((anonymous, signed_in, signed_in / anonymous))
                print(f"round {round_ + 1}: anonymous {anonymous:8.1f}/s  signed in {signed_in:8.1f}/s"
                      f"  ratio {signed_in / anonymous:.2f}; CPU per request, gunicorn + postgres:"
                      f" anonymous {cpu['anonymous'][-1]['gunicorn']:.2f} + {cpu['anonymous'][-1]['postgres']:.2f} ms,"
                      f" signed in {cpu['signed in'][-1]['gunicorn']:.2f} + {cpu['signed in'][-1]['postgres']:.2f} ms"
                      f"  (load {os.getloadavg()[0]:.2f})", flush=True)
        finally:
            server.stop()
    finally:
        drop_database(owner, name)
    median = statistics.median(ratio for *_, ratio in rows)
    load = os.getloadavg()
    print(f"\n/ping, gunicorn {args.workers} workers, ab -c {args.concurrency} -n {args.requests} x {args.rounds} rounds")
    print(f"anonymous median {statistics.median(r[0] for r in rows):.1f}/s, signed in median "
          f"{statistics.median(r[1] for r in rows):.1f}/s, ratio signed-in/anonymous median {median:.2f}"
          f" (rounds {', '.join(f'{r[2]:.2f}' for r in rows)}); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
          f" on {os.cpu_count()} cores")
    def median_cpu(label, group=None):
        return statistics.median(sum(v for g, v in c.items() if group in (None, g)) for c in cpu[label])

    print("server CPU per request, median (gunicorn + PostgreSQL backends): anonymous"
          f" {median_cpu('anonymous', 'gunicorn'):.2f} + {median_cpu('anonymous', 'postgres'):.2f} ms, signed in"
          f" {median_cpu('signed in', 'gunicorn'):.2f} + {median_cpu('signed in', 'postgres'):.2f} ms;"
          f" ratio anonymous/signed-in {median_cpu('anonymous') / median_cpu('signed in'):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
