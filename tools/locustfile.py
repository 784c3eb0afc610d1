"""The load test's users, for locust (run by tools/loadtest.py; not meant to be started by hand).

Three user classes, one per run of the load test, each run on its own:

- ``AnonymousPing``: ``/ping``, the trivial view, without a session;
- ``SignedInPing``: the same ``/ping`` signed in (session, user, memberships and the tenancy context);
- ``AppMix``: signed in as the staff member or the marketer of a workspace, interleaving the admin changelists
  or marketer pages reachable from the start page (for staff, also the campaign quests list and the
  intelligence pages: ``STAFF_PAGES``), and one write in ten (a cohort in the admin, a campaign on the
  marketer pages).

Signed-in users carry the cookies of one real sign-in per person, which tools/loadtest.py makes through the
sign-in form before the runs: hashing a password costs about a CPU-second here and is no page's work.

Every response body of every run is searched for the marker names of the other workspaces: a body with one
is a failure ("leak"), as is any 5xx, a request without an answer, or a signed-in user sent to the sign-in
page; locust then exits non-zero. Each request
is also written, with its page name, status and latency, to a file per process in LOADTEST_SAMPLES, for
tools/loadtest.py to summarise with the one p50/p95 of tools/stats.py; and it carries the header
``X-Loadtest: <run>|<page>`` that gunicorn's access log records next to the server's time.

The environment (set by tools/loadtest.py) says what to do: LOADTEST_TENANTS (a JSON file of the workspaces:
marker, staff and marketer e-mail, their cookies), LOADTEST_RUN (the run's label), LOADTEST_SAMPLES (a
folder), LOADTEST_PROCESSES (how many worker processes share the users) and LOADTEST_PLANT_LEAK (1: a
user's own marker counts as foreign, so the check must fail: the test of the check).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HREF_RE = re.compile(r'href="(/(?:admin|campaigns)/[^"?#]*)"')
# Page names: ids in a path become <id>, so one page of every workspace is one row.
ID_RE = re.compile(r"/(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=/)")
# Staff pages always in the mix besides the first twelve links of the admin index (which stop before these in
# alphabetical order): the campaign quests list and the intelligence pages (issue 19), when the index links them.
STAFF_PAGES = ("/admin/campaigns/campaignquest/", "/admin/intelligence/intelligencesignal/",
               "/admin/intelligence/marketinsight/")
# A bound on every user's requests besides locust's run time.
MAX_REQUESTS_PER_USER = 100_000

RUN = os.environ.get("LOADTEST_RUN", "run")
PROCESSES = max(1, int(os.environ.get("LOADTEST_PROCESSES", "1")))
PLANT_LEAK = os.environ.get("LOADTEST_PLANT_LEAK") == "1"
TENANTS: list[dict] = []
if os.environ.get("LOADTEST_TENANTS"):
    with open(os.environ["LOADTEST_TENANTS"]) as f:
        TENANTS = json.load(f)

_users_in_this_process = itertools.count()
_samples = None


def page_name(path: str) -> str:
    return ID_RE.sub("/<id>", path)


def leaked_markers(text: str, foreign: list[str]) -> list[str]:
    """The other workspaces' markers found in a response body."""
    return [marker for marker in foreign if marker in text]


# ---------------------------------------------------------------- samples, one file per process

@events.test_start.add_listener
def _open_samples(environment, **kwargs):
    global _samples
    folder = os.environ.get("LOADTEST_SAMPLES")
    if folder and _samples is None and not _is_master(environment):
        _samples = open(os.path.join(folder, f"samples-{RUN}-{os.getpid()}.tsv"), "a", buffering=1 << 20)


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, start_time=0.0, **kwargs):
    if _samples is None:
        return
    status = getattr(response, "status_code", 0) or 0
    if exception is None:
        outcome = "ok"
    elif str(exception).startswith("leak"):
        outcome = "leak"
    elif status >= 500:
        outcome = "5xx"
    elif status == 0:
        outcome = "error"
    else:
        outcome = "failed"
    _samples.write(f"{request_type}\t{name}\t{status}\t{response_time:.3f}\t{outcome}\t{start_time:.6f}\n")


@events.test_stop.add_listener
def _flush_samples(environment, **kwargs):
    if _samples is not None:
        _samples.flush()


@events.quitting.add_listener
def _close_samples(environment, **kwargs):
    global _samples
    if _samples is not None:
        _samples.close()
        _samples = None


def _is_master(environment) -> bool:
    from locust.runners import MasterRunner

    return isinstance(environment.runner, MasterRunner)


# ---------------------------------------------------------------- users

class _LoadtestUser(FastHttpUser):
    abstract = True
    # Closed loop: each user sends its next request when the last one is answered.
    wait_time = constant(0)

    def on_start(self):
        worker = getattr(self.environment.runner, "worker_index", 0) or 0
        self.index = index = next(_users_in_this_process) * PROCESSES + worker
        self.tenant = TENANTS[index // 2 % len(TENANTS)]
        self.email = self.tenant["staff"] if index % 2 == 0 else self.tenant["marketer"]
        self.is_staff = index % 2 == 0
        self.foreign = [t["marker"] for t in TENANTS if t is not self.tenant]
        if PLANT_LEAK:
            self.foreign.append(self.tenant["marker"])
        self.requests_made = 0
        self.signed_in = False

    def fetch(self, path: str, name: str | None = None, method: str = "GET", data: dict | None = None):
        """One request: the leak check on its body; a failure on a leak, a 5xx or no answer; the body back."""
        self.requests_made += 1
        if self.requests_made > MAX_REQUESTS_PER_USER:
            raise StopUser()
        name = name or page_name(path)
        headers = {"X-Loadtest": f"{RUN}|{name}", "Referer": self.host + path}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            from urllib.parse import urlencode

            body = urlencode(data)
        else:
            body = None
        with self.client.request(
            method, path, name=name, data=body, headers=headers, catch_response=True, allow_redirects=False
        ) as response:
            text = response.text or ""
            leaked = leaked_markers(text, self.foreign)
            if leaked:
                response.failure(f"leak: a marker of another workspace in the body ({self.email} saw {leaked[:3]} on {path})")
            elif response.status_code >= 500:
                response.failure(f"{response.status_code}")
            elif self.signed_in and response.status_code == 302 and "/login/" in (response.headers.get("Location") or ""):
                response.failure(f"signed out: {path} redirected to the sign-in page")
            elif not response.status_code:
                response.failure(f"no answer: {getattr(response, 'error', None)!r}")
            else:
                response.success()  # 2xx, 3xx and 4xx are answers; 4xx rows show in the report's statuses
            return response.status_code, text

    def use_session(self) -> None:
        """The cookies of the user's sign-in, done once by tools/loadtest.py before the runs."""
        from http.cookiejar import Cookie

        for c in self.tenant["cookies"]["staff" if self.is_staff else "marketer"]:
            self.client.cookiejar.set_cookie(Cookie(
                0, c["name"], c["value"], None, False, c["domain"], False, False, c["path"], True,
                False, None, True, None, None, {},
            ))
        self.signed_in = True


class AnonymousPing(_LoadtestUser):
    @task
    def ping(self):
        self.fetch("/ping")


class SignedInPing(_LoadtestUser):
    def on_start(self):
        super().on_start()
        self.use_session()

    @task
    def ping(self):
        self.fetch("/ping")


class AppMix(_LoadtestUser):
    def on_start(self):
        super().on_start()
        self.use_session()
        start = "/admin/" if self.is_staff else "/"
        _, text = self.fetch(start)
        found = sorted({href for href in HREF_RE.findall(text) if "logout" not in href and "password" not in href})
        self.pages = [start] + found[:12]
        if self.is_staff:
            self.pages += [page for page in STAFF_PAGES if page in found and page not in self.pages]
        # Users of one role start at different pages, so that a short run covers every page of the list too.
        self.step = self.index // 2
        folder = os.environ.get("LOADTEST_SAMPLES")
        if folder:
            with open(os.path.join(folder, f"pages-{'staff' if self.is_staff else 'marketer'}.txt"), "w") as f:
                f.write("\n".join(page_name(page) for page in self.pages) + "\n")

    @task
    def next_request(self):
        self.step += 1
        if self.step % 10 == 9:
            self.write()
        else:
            self.fetch(self.pages[self.step % len(self.pages)])

    def write(self) -> None:
        """One write through a form: a cohort in the admin for staff, a campaign for marketers."""
        own = self.tenant["marker"]
        if self.is_staff:
            path = "/admin/raptorflow/cohort/add/"
            data = {"name": f"{own} load {self.step} {secrets.token_hex(2)}", "description": "", "criteria": "{}", "size_estimate": "1"}
        else:
            path = "/campaigns/new/"
            data = {"name": f"{own} campaign {self.step} {secrets.token_hex(2)}", "objective": "Load", "status": "draft", "budget": "100", "channels": "email"}
        status, page = self.fetch(path, name=f"{path} (form)")
        match = CSRF_RE.search(page)
        if status != 200 or not match:
            return
        self.fetch(path, method="POST", data={"csrfmiddlewaretoken": match.group(1), **data})
