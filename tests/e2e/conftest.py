"""End-to-end harness: a database of its own, gunicorn as the web role, headless Debian Chromium.

Package scope, built once per run of tests/e2e and torn down when it ends: a
running Playwright keeps an asyncio loop on the main thread, under which Django's
ORM refuses to work (SynchronousOnlyOperation) in the tests that follow.

- ``<name>_e2e`` (name: TEST_DATABASE_NAME, else the DATABASE_URL/embedded
  database's): dropped if left over, migrated as the owner, demo data seeded by
  ``manage.py seed_demo`` as the login role ``raptorflow_e2e_web`` (through RLS);
  dropped again at the end.
- gunicorn serving it on a free loopback port as that web role, with the
  production settings (DEBUG off) minus HTTPS, which a loopback test cannot speak.
- Chromium from Debian's ``chromium`` package, driven by Playwright (no
  Playwright browser download). Missing package: these tests skip, loudly.

Per test: ``new_page()`` opens a fresh browser context (own cookies) at 1280x800.
Accessibility: ``assert_accessible(page)`` checks the page in front of the person
(a title, one h1, labelled fields, and axe-core through axe-playwright-python:
no critical or serious violation). Every document a test's pages load must be
checked so while it is displayed. A test that ran to its end fails if any check
found a problem (all of them listed, page by page) or if it loaded a page it
never checked (named): the journey itself goes on, screenshots included.
Artifacts go to test-artifacts/ (git-ignored): screenshots/, failures/ (page
and HTML of a failed test), e2e-gunicorn.log, and e2e-mail/: gunicorn's
outgoing email (``EMAIL_URL=filemail://...``, Django's file backend: one .log
file per connection), emptied when the server starts; ``latest_email(address)``
reads it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tools.embedded import REPO_ROOT
from tools.scratch import Gunicorn, drop_database, recreate_database, with_database

CHROMIUM = Path(os.environ.get("RAPTORFLOW_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-quic", "--disable-sync",
]
WEB_ROLE, WEB_PASSWORD = "raptorflow_e2e_web", "raptorflow-e2e-web"
DEMO_PASSWORD = "raptorflow-demo"  # raptorflow/management/commands/seed_demo.py
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
MAIL = ARTIFACTS / "e2e-mail"
VIEWPORT = {"width": 1280, "height": 800}

# The demo accounts seed_demo prints.
ACME = {
    "slug": "acme-outdoor", "name": "Acme Outdoor",
    "owner": "olivia.owner@acme.example", "staff": "sam.staff@acme.example",
    "marketer": "maya.marketer@acme.example", "viewer": "victor.viewer@acme.example",
}
NORTHWIND = {
    "slug": "northwind-analytics", "name": "Northwind Analytics",
    "owner": "nora.owner@northwind.example", "staff": "theo.staff@northwind.example",
    "marketer": "lena.marketer@northwind.example", "viewer": "ivan.viewer@northwind.example",
}
# Platform superuser: every workspace, no membership.
SUPERUSER = "petra.platform@raptorflow.example"
# Marketer in Acme Outdoor and viewer in Northwind Analytics.
TWO_WORKSPACES = "riley.agency@example.com"


def _run(args, env, what):
    started = time.monotonic()
    result = subprocess.run(args, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    print(f"e2e setup: {what} in {time.monotonic() - started:.1f}s", flush=True)
    return result.stdout


class E2EDatabase:
    """``<name>_e2e``: created, migrated (owner), seeded (web role); ``drop()`` removes it."""

    def __init__(self, owner_url: str):
        base = os.environ.get("TEST_DATABASE_NAME") or urlsplit(owner_url).path.lstrip("/") or "raptorflow"
        self.name = f"{base}_e2e"
        self.server_url = owner_url
        self.owner_url = recreate_database(owner_url, self.name)
        self.web_url = with_database(owner_url, self.name, WEB_ROLE, WEB_PASSWORD)
        manage = [sys.executable, str(REPO_ROOT / "manage.py")]
        owner_env = dict(os.environ, DATABASE_URL=self.owner_url, SECRET_KEY="e2e-setup")
        owner_env.pop("TEST_DATABASE_NAME", None)
        _run([*manage, "provision_roles", "--login", WEB_ROLE, "--password", WEB_PASSWORD, "-v", "0"], owner_env, "provision_roles")
        _run([*manage, "migrate", "--no-input", "-v", "0"], owner_env, "migrate (owner)")
        self.web_env = dict(owner_env, DATABASE_URL=self.web_url)
        # Served with production settings (DEBUG off) on loopback: the demo accounts are the point here.
        self.seed_output = _run([*manage, "seed_demo", "--allow-production"], self.web_env, "seed_demo (web role)")

    def task(self, name: str, *args: str) -> dict:
        """Run one tests/e2e/tasks.py task on this database as the web role."""
        out = _run([sys.executable, "-m", "tests.e2e.tasks", name, *args], self.web_env, f"task {name}")
        return json.loads(out.strip().splitlines()[-1])

    def drop(self):
        drop_database(self.server_url, self.name)


class Server(Gunicorn):
    """gunicorn on a free loopback port as the web role; its output goes to test-artifacts/."""

    def __init__(self, database_url: str, workers: int = 3, **extra_env: str):
        ARTIFACTS.mkdir(exist_ok=True)
        super().__init__(database_url, workers, log_path=ARTIFACTS / "e2e-gunicorn.log", **extra_env)


@pytest.fixture(scope="package")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian package chromium is missing: apt-get install chromium")
    return str(CHROMIUM)


@pytest.fixture(scope="package")
def e2e_db(chromium):
    from tools.dev import owner_url

    database = E2EDatabase(os.environ.get("DATABASE_URL") or owner_url())
    # Sam (Acme's staff admin) also administers Northwind: the header switcher has two workspaces.
    database.task("add_member", ACME["staff"], NORTHWIND["slug"], "admin")
    # Maya (Acme's marketer) reads Northwind too: she picks her workspace after signing in.
    database.task("add_member", ACME["marketer"], NORTHWIND["slug"], "viewer")
    yield database
    database.drop()


@pytest.fixture(scope="package")
def server(e2e_db):
    shutil.rmtree(MAIL, ignore_errors=True)
    MAIL.mkdir(parents=True)
    # django-environ drops the path's first character, so an absolute folder needs four slashes.
    server = Server(e2e_db.web_url, EMAIL_URL=f"filemail:///{quote(str(MAIL))}")
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test that ran to its end fails here if a page it showed had accessibility problems
    (``assert_accessible`` collects them, so the journey goes on, its screenshots are taken and one
    run lists every page at fault), or if it loaded a page it never checked while displayed."""
    result = yield
    pages = [page for context in getattr(item, "rf_contexts", ()) for page in context.pages]
    problems = list(dict.fromkeys(line for page in pages for line in getattr(page, "rf_problems", ())))
    unchecked = [
        url for page in pages for url in dict.fromkeys(getattr(page, "rf_loaded", ()))
        if url not in page.rf_checked and not url.startswith(("about:", "data:"))
    ]
    message = []
    if problems:
        message += [f"{len(problems)} accessibility problems:", *problems]
    if unchecked:
        message += ["pages loaded but never checked with assert_accessible(page) while displayed:", *unchecked]
    if message:
        pytest.fail("\n".join(message), pytrace=False)
    return result


@pytest.fixture
def new_page(request, browser, server):
    """``new_page()``: a page in a fresh context (its own cookies), 1280x800, at the server's base URL."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    contexts = request.node.rf_contexts = []  # read by pytest_runtest_call above

    def make():
        context = browser.new_context(base_url=server.base, viewport=VIEWPORT, locale="en-US", timezone_id="UTC")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        # Every document loaded in this page, those assert_accessible() checked (URLs without #fragment),
        # and the problems it found.
        page.rf_loaded, page.rf_checked, page.rf_problems = [], set(), []
        page.on("load", lambda p: p.rf_loaded.append(p.url.split("#")[0]))
        return page

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                stem = folder / f"{request.node.name}-{n}{m}"
                try:
                    page.screenshot(path=f"{stem}.png", full_page=True)
                    Path(f"{stem}.html").write_text(page.content())
                    print(f"failure artifacts: {stem}.png ({page.url})")
                except Exception as exc:  # the page may have crashed
                    print(f"no failure screenshot: {exc}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


AUDIT_JS = """() => {
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
      && getComputedStyle(el).visibility !== 'hidden';
  const named = el => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const ids = (el.getAttribute('aria-labelledby') || '').trim();
    if (ids && ids.split(/\\s+/).every(id => document.getElementById(id))) return true;
    if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return true;
    return !!el.closest('label');
  };
  const skip = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  const fields = [...document.querySelectorAll('input, select, textarea')]
      .filter(el => !skip.has((el.type || '').toLowerCase()) && visible(el));
  return {
    title: document.title.trim(),
    h1: [...document.querySelectorAll('h1')].map(h => h.textContent.trim().replace(/\\s+/g, ' ')),
    unlabelled: fields.filter(el => !named(el)).map(el => el.outerHTML.slice(0, 140)),
  };
}"""


# axe-core (bundled by axe-playwright-python) over the whole document. Experimental rules
# are off by default; label-content-name-mismatch (WCAG 2.5.3, a visible label that is
# not part of the accessible name) is turned on.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}
AXE_FAILING_IMPACTS = ("critical", "serious")


def axe_violations(page) -> list[dict]:
    """axe-core's critical and serious violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    # Axe.run injects axe.min.js with page.evaluate (no script tag, no network) and returns
    # axe.run()'s results; "violations" is a list of {id, impact, help, helpUrl, nodes}.
    results = Axe().run(page, options=AXE_OPTIONS)
    return [v for v in results.response["violations"] if v["impact"] in AXE_FAILING_IMPACTS]


def _selector(target) -> str:
    # A node's target: one CSS selector per frame / shadow root on the way to it.
    return " >>> ".join(t if isinstance(t, str) else " >> ".join(t) for t in target)


def describe_violation(violation: dict, limit: int = 8) -> str:
    nodes = violation["nodes"]
    selectors = [_selector(n["target"]) for n in nodes[:limit]] + ([f"... {len(nodes) - limit} more"] if len(nodes) > limit else [])
    return (f"axe {violation['id']} ({violation['impact']}): {violation['help']} [{len(nodes)} node(s): "
            + "; ".join(selectors) + "]")


def accessibility_problems(page) -> list[str]:
    """What is wrong on the page in front of the person now, one line each, prefixed by its URL.

    A non-empty <title>, exactly one <h1>, every visible field labelled, and no critical or
    serious axe-core violation. Marks the page's URL as checked (see ``new_page``).
    """
    page.wait_for_load_state()
    url = page.url
    found = page.evaluate(AUDIT_JS)
    problems = []
    if not found["title"]:
        problems.append("no <title>")
    if len(found["h1"]) != 1:
        problems.append(f"{len(found['h1'])} <h1> elements {found['h1']}")
    problems += [f"field without a label: {field}" for field in found["unlabelled"]]
    problems += [describe_violation(v) for v in axe_violations(page)]
    if hasattr(page, "rf_checked"):
        page.rf_checked.add(url.split("#")[0])
    return [f"{url}: {p}" for p in problems]


def assert_accessible(page):
    """The page in front of the person now: see ``accessibility_problems``.

    On a page of ``new_page`` the problems are collected and fail the test when it has run to its
    end (``pytest_runtest_call``); elsewhere they fail at once.
    """
    problems = accessibility_problems(page)
    if hasattr(page, "rf_problems"):
        page.rf_problems.extend(problems)
    else:
        assert not problems, "accessibility problems:\n" + "\n".join(problems)


def sign_in(page, email: str, password: str = DEMO_PASSWORD, next_path: str = "/", problems: list | None = None):
    """Sign in on /login/. The sign-in page and the page it lands on are checked: ``assert_accessible``,
    or, given a list ``problems``, their ``accessibility_problems`` are added to it."""
    def check():
        if problems is None:
            assert_accessible(page)
        else:
            problems.extend(accessibility_problems(page))

    page.goto(f"/login/?next={next_path}")
    check()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"sign-in of {email} failed: {page.locator('.errors').all_inner_texts()}"
    check()
    return page


def emails_to(address: str) -> list[EmailMessage]:
    """Every message gunicorn wrote to test-artifacts/e2e-mail/ for ``address``, oldest first."""
    found = []
    for path in sorted(MAIL.glob("*.log"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        # Django's file backend writes each message, then a line of 79 dashes; what follows the
        # last such line is a message still being written.
        for chunk in path.read_bytes().split(b"-" * 79 + b"\n")[:-1]:
            message = message_from_bytes(chunk, policy=policy.default)
            if address.lower() in (message["To"] or "").lower():
                found.append(message)
    return found


def latest_email(address: str, timeout: float = 10) -> EmailMessage:
    """The newest message to ``address``, waiting up to ``timeout`` seconds for one to arrive."""
    deadline = time.monotonic() + timeout
    while not (found := emails_to(address)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found, f"no email to {address} in {MAIL} after {timeout}s"
    return found[-1]


def shot(page, name: str, full_page: bool = False):
    """Save test-artifacts/screenshots/<name>.png (the README's pictures are picked from these).

    On admin pages the app sidebar is folded first (the admin's own toggle), so the picture shows the page.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    toggle = page.locator("#toggle-nav-sidebar")
    if toggle.count() and toggle.is_visible() and page.locator("#nav-sidebar").is_visible():
        toggle.click()
        page.locator("#nav-sidebar").wait_for(state="hidden")
        if not full_page:
            page.evaluate("window.scrollTo(0, 0)")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
