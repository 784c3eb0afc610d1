"""Fuzz: hostile values in every form field never answer a server error, nor touch another workspace (issue 20).

On the demo data (``seed_demo``), one person works in Acme Outdoor and posts a
fixed table of hostile values (``HOSTILE``: 10k characters, a NUL byte,
emoji, ``NaN``, ``1e309``, ``-1``, impossible dates, broken JSON, JSON with
``\\u0000``, markup, the uuid of a Northwind row, an empty string):

- a staff member holding the admin role, to every admin add form and to the
  change form of one object per model (read from ``admin.site._registry``,
  so a new admin is fuzzed without touching this file), and to every
  marketer form;
- a marketer (no staff), to every marketer form: campaign create and edit,
  quest add and edit, cohort targeting, positioning create and edit, message
  architecture create and edit.

Each form is first opened with GET and its inputs parsed as a browser would
post them back (read-only fields have no input, so they are not fuzzed; the
hidden ``opened_version`` of optimistic concurrency is passed through from
the GET). An add form starts from the values of an existing object's edit
form, so the post is valid but for the fuzzed field (and the scoped unique
rules the copy breaks). Then each field gets each value once, one field at a
time. After a post that saved, an edit form is opened again for a fresh
version. Any 5xx fails the test, every one listed with URL, field, value and
the exception; so does any row of Northwind Analytics (read as its owner
before and after each form) that was added, changed or removed.
"""

from __future__ import annotations

import time
import traceback
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from campaigns.models import Campaign, CampaignQuest, MessageArchitecture, Positioning
from raptorflow.concurrency import VERSION_FIELD
from raptorflow.management.commands.seed_demo import WORKSPACES
from raptorflow.models import User, Workspace, WorkspaceMember
from raptorflow.tenancy import workspace_context
from tests.crawling import (  # noqa: F401 (demo_data: a fixture)
    REPO_ROOT,
    crawler,
    demo_data,
    demo_person,
    demo_workspace,
    first_pk,
    marketer_ids,
    request_as,
)

OTHER_UUID = object()  # stands for the uuid of a Northwind row, of the field's related model when it has one
HOSTILE = [
    ("10k chars", "\u00e9" + "R" * 9_999),
    ("NUL byte", "\x00"),
    ("emoji", "\U0001f996\U0001f525\U0001f469\u200d\U0001f469\u200d\U0001f467"),
    ("NaN", "NaN"),
    ("1e309", "1e309"),
    ("-1", "-1"),
    ("impossible date", "2026-02-30"),
    ("impossible datetime", "9999-99-99T99:99"),
    ("broken JSON", "{"),
    ("JSON with \\u0000", '{"event": "\\u0000", "count": 1}'),
    ("markup", "<script>alert(1)</script>"),
    ("another workspace's uuid", OTHER_UUID),
    ("empty", ""),
]
# Sampling: a field a person types into gets every value; one that only picks (a checkbox, a select, a
# hidden key) parses no numbers, dates or JSON, so it gets the values that differ for a picker: ones that
# are no key at all, a NUL byte the database refuses, another workspace's key, and nothing.
PICKER_VALUES = ("10k chars", "NUL byte", "emoji", "-1", "another workspace's uuid", "empty")
CHECKBOX_VALUES = ("NUL byte", "another workspace's uuid", "empty")
# Inputs that are no field: Django's formset bookkeeping, the CSRF token, the concurrency version.
NOT_FIELDS = ("csrfmiddlewaretoken", VERSION_FIELD)
MANAGEMENT_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


# ---------------------------------------------------------------- reading a form as a browser posts it


class _Forms(HTMLParser):
    """Every <form> of a page: its action, method, what a browser would post, and which inputs it has."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None  # [name, multiple, options [(value, selected)], disabled]
        self._option = None  # [value or None, text, selected]
        self._textarea = None  # [name, text, disabled]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"id": a.get("id") or "", "action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                          "data": {}, "names": [], "options": {}, "kinds": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file") or "disabled" in a:
                return
            self._add_name(name, kind)
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["data"].setdefault(name, []).append(a.get("value", "on"))
            else:
                self._form["data"].setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = [name, "multiple" in a, [], "disabled" in a]
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea" and name:
            self._textarea = [name, "", "disabled" in a]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._option is not None:
            value, text, selected = self._option
            self._select[2].append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, multiple, options, disabled = self._select
            self._select = None
            if disabled:
                return
            self._add_name(name, "select")
            real = [value for value, _ in options if value]
            if real:
                self._form["options"][name] = real[:1]
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self._form["data"].setdefault(name, []).extend(chosen)
        elif tag == "textarea" and self._textarea is not None:
            name, text, disabled = self._textarea
            self._textarea = None
            if not disabled:
                self._add_name(name, "textarea")
                # A browser drops the newline right after <textarea>.
                self._form["data"].setdefault(name, []).append(text[1:] if text.startswith("\n") else text)

    def _add_name(self, name, kind):
        if name not in self._form["names"]:
            self._form["names"].append(name)
            self._form["kinds"][name] = kind


def parse_forms(page: str) -> list[dict]:
    parser = _Forms()
    parser.feed(page)
    parser.close()
    return parser.forms


def fuzzable(name: str) -> bool:
    return name not in NOT_FIELDS and "__prefix__" not in name and not name.endswith(MANAGEMENT_SUFFIXES)


def inline_row(name: str) -> int | None:
    """The row of an inline formset an input belongs to (``assignments-0-role`` -> 0), or None."""
    parts = name.split("-")
    return int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None


def values_for(kind: str):
    if kind in ("checkbox", "radio"):
        return [(label, value) for label, value in HOSTILE if label in CHECKBOX_VALUES]
    if kind in ("select", "hidden"):
        return [(label, value) for label, value in HOSTILE if label in PICKER_VALUES]
    return HOSTILE


def field_name(name: str) -> str:
    """The model field an input stands for: ``quest-title`` -> title, ``set-0-starts_at_1`` -> starts_at."""
    base = name.rsplit("-", 1)[-1]
    return base[:-2] if base[-2:] in ("_0", "_1") else base


def describe_exception(response) -> str:
    """`` Type: message (at the deepest frame of our code, in the outermost one: the view)``, or ""."""
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return ""
    _, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if f.filename.startswith(REPO_ROOT) and "site-packages" not in f.filename
            and "/tests/" not in f.filename and f.name not in ("__call__", "wrapped", "_view_wrapper", "inner")] or frames[-1:]
    where = " in ".join(dict.fromkeys(f"{f.filename.removeprefix(REPO_ROOT)}:{f.lineno} {f.name}" for f in (ours[-1], ours[0])))
    message = " ".join(str(value).split())
    message = message if len(message) <= 240 else message[:240] + "..."
    return f" {type(value).__name__}: {message} (at {where})"


# ---------------------------------------------------------------- the other workspace


def tenant_models() -> list:
    return [m for m in apps.get_models() if any(f.name == "workspace" for f in m._meta.concrete_fields)]


def snapshot(workspace: Workspace, owner: User) -> dict:
    """Every row of the workspace (its tenant tables, its workspace row, its own members' accounts), read as its owner."""
    rows = {}
    with workspace_context(workspace.id, user_id=owner.id):
        for model in tenant_models():
            for row in model._base_manager.filter(workspace_id=workspace.id).values():
                rows[(model._meta.label, row[model._meta.pk.attname])] = row
        for row in Workspace.objects.filter(id=workspace.id).values():
            rows[("raptorflow.Workspace", row["id"])] = row
        members = set(WorkspaceMember.objects.filter(workspace_id=workspace.id).values_list("user_id", flat=True))
    for row in User.objects.filter(id__in=members).values():
        row.pop("last_login", None)
        rows[("raptorflow.User", row["id"])] = row
    return rows


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for key in sorted(before.keys() | after.keys(), key=str):
        if key not in after:
            found.append(f"{key[0]} {key[1]} removed")
        elif key not in before:
            found.append(f"{key[0]} {key[1]} added")
        elif before[key] != after[key]:
            changed = sorted(f for f in before[key] if before[key][f] != after[key].get(f))
            found.append(f"{key[0]} {key[1]} changed: {', '.join(changed)}")
    return found


def other_workspace_uuids(rows: dict, owner: User) -> dict:
    """Field name -> the uuid of a Northwind row that field could name (its related model's), and a fallback."""
    by_label = {}
    for label, pk in rows:
        by_label.setdefault(label, pk)
    by_label["raptorflow.User"] = owner.pk
    uuids = {}
    for model in [*tenant_models(), Workspace]:
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model._meta.label in by_label:
                uuids.setdefault(f.name, by_label[f.related_model._meta.label])
    uuids["id"] = by_label["campaigns.Campaign"]
    uuids[None] = by_label["campaigns.Campaign"]
    return uuids


# ---------------------------------------------------------------- the fuzzer


class Fuzzer:
    def __init__(self, role, client, other, other_owner):
        self.role, self.client, self.other, self.other_owner = role, client, other, other_owner
        self.failures: list[str] = []
        self.leaks: list[str] = []
        self.skipped: list[str] = []
        self.forms = self.fields = self.posts = 0
        self.rows = snapshot(other, other_owner)
        self.uuids = other_workspace_uuids(self.rows, other_owner)

    def open(self, url, pick):
        """GET ``url``; the form ``pick`` chooses, as a browser would post it, and where it posts to (or None)."""
        response = self.client.get(url)
        if response.status_code >= 500:
            self.failures.append(f"  {self.role} GET {url} -> {response.status_code}{describe_exception(response)}")
        if response.status_code != 200:
            return None, f"GET {url} -> {response.status_code}"
        form = pick(parse_forms(response.content.decode()))
        if form is None:
            return None, f"GET {url}: no form"
        target = urlsplit(form["action"]).path or url
        return form, target

    def fuzz(self, label, url, pick, *, template=None, prefix="", fill_selects=False, edit=False, inlines=True):
        """Post every hostile value to every field of the form ``pick`` chooses on ``url``.

        ``template``: (url, pick) of an edit form whose values (named without ``prefix``) make the post valid.
        ``edit``: an edit form, opened again after a post that saved (for a fresh ``opened_version``).
        ``inlines``: fuzz the first row of each inline formset too (the other rows run the same code).
        """
        form, target = self.open(url, pick)
        if form is None:
            self.skipped.append(f"{label}: {target}")
            return
        overlay = {}
        if template is not None:
            source, _ = self.open(*template)
            if source is not None:
                overlay = {prefix + name: values for name, values in source["data"].items()
                           if fuzzable(name) and "-" not in name}
        names = [name for name in form["names"] if fuzzable(name) and inline_row(name) in ((None, 0) if inlines else (None,))]
        self.forms += 1
        self.fields += len(names)

        def baseline(form):
            data = {name: list(values) for name, values in form["data"].items()}
            data.update({name: values for name, values in overlay.items() if name in form["names"]})
            if fill_selects:  # a required choice nothing selected yet: the first real option
                for name in form["names"]:
                    if data.get(name) == [""] and name in form["options"]:
                        data[name] = form["options"][name]
            return data

        data = baseline(form)
        for name in names:
            for value_label, value in values_for(form["kinds"][name]):
                if value is OTHER_UUID:
                    value = str(self.uuids.get(field_name(name), self.uuids[None]))
                response = self.client.post(target, {**data, name: value})
                self.posts += 1
                if response.status_code >= 500:
                    self.failures.append(
                        f"  {self.role} POST {target} ({label}) field {name!r} = {value_label}:"
                        f" {response.status_code}{describe_exception(response)}"
                    )
                elif response.status_code == 302 and edit:
                    fresh, _ = self.open(url, pick)
                    if fresh is not None:
                        data = baseline(fresh)
        after = snapshot(self.other, self.other_owner)
        self.leaks += [f"  {self.role} after {label} ({target}): {d}" for d in differences(self.rows, after)]
        self.rows = after


def _post_form(action_path: str | None = None):
    """Pick the page's main POST form: the one posting to ``action_path`` (or to the page itself), with the most inputs."""

    def pick(forms):
        candidates = [
            f for f in forms
            if f["method"] == "post" and (urlsplit(f["action"]).path == action_path if action_path else f["action"] in ("", "."))
        ]
        return max(candidates, key=lambda f: len(f["names"]), default=None)

    return pick


def _admin_form(model):
    form_id = f"{model._meta.model_name}_form"
    return lambda forms: next((f for f in forms if f["id"] == form_id), None)


def fuzz_admin(fuzzer: Fuzzer, user, workspace):
    as_user = request_as(user, workspace)
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pick = _admin_form(model)
        pk = first_pk(model_admin, as_user)
        change = reverse("admin:%s_%s_change" % info, args=[pk]) if pk is not None else None
        # The add form's inlines are the change form's formsets: fuzzed there, on a real row.
        fuzzer.fuzz(f"admin add {model._meta.label}", reverse("admin:%s_%s_add" % info), pick,
                    template=(change, pick) if change else None, inlines=False)
        if change:
            fuzzer.fuzz(f"admin change {model._meta.label}", change, pick, edit=True)
        else:
            fuzzer.skipped.append(f"admin change {model._meta.label}: no object listed")


def fuzz_pages(fuzzer: Fuzzer, user, workspace):
    ids = marketer_ids(user, workspace)
    campaign, quest = ids[Campaign], ids[CampaignQuest]
    positioning, message = ids[Positioning], ids[MessageArchitecture]
    own = _post_form()
    edit_campaign = (reverse("campaigns:update", args=[campaign]), own)
    edit_quest = (reverse("campaigns:quest_edit", args=[quest]), own)
    edit_positioning = (reverse("campaigns:positioning_update", args=[positioning]), own)
    edit_message = (reverse("campaigns:message_update", args=[message]), own)
    detail = reverse("campaigns:detail", args=[campaign])

    # The campaign's own forms first: a fuzzed edit may archive it, and an archived campaign takes no quests.
    fuzzer.fuzz("quest add", detail, _post_form(reverse("campaigns:quest_add", args=[campaign])),
                template=edit_quest, prefix="quest-")
    fuzzer.fuzz("cohort targeting", detail, _post_form(reverse("campaigns:cohort_add", args=[campaign])), fill_selects=True)
    fuzzer.fuzz("quest edit", *edit_quest, edit=True)
    fuzzer.fuzz("campaign create", reverse("campaigns:create"), own, template=edit_campaign)
    fuzzer.fuzz("campaign edit", *edit_campaign, edit=True)
    fuzzer.fuzz("positioning create", reverse("campaigns:positioning_create"), own, template=edit_positioning)
    fuzzer.fuzz("positioning edit", *edit_positioning, edit=True)
    fuzzer.fuzz("message create", reverse("campaigns:message_create", args=[positioning]), own, template=edit_message)
    fuzzer.fuzz("message edit", *edit_message, edit=True)


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("role", ["admin", "marketer"])
def test_hostile_input_never_answers_a_server_error_nor_touches_another_workspace(role, demo_data, client_for):
    acme, northwind = WORKSPACES
    if role == "admin":
        user, workspace = crawler("admin")  # staff, with the demo staff group's model permissions
    else:
        user, workspace = demo_person(acme, "marketer"), demo_workspace(acme)
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    other, other_owner = demo_workspace(northwind), demo_person(northwind, "owner")
    assert other.id != workspace.id

    client = client_for(user, workspace)
    client.raise_request_exception = False  # a server error becomes a 500 with its exception attached
    fuzzer = Fuzzer(role, client, other, other_owner)
    started, cpu = time.monotonic(), time.process_time()
    fuzz_pages(fuzzer, user, workspace)
    if role == "admin":
        fuzz_admin(fuzzer, user, workspace)
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    print(
        f"\nfuzz as {role}: {fuzzer.forms} forms, {fuzzer.fields} fields, {fuzzer.posts} posts in {elapsed:.0f} s"
        f" ({cpu:.0f} s CPU in this process);"
        f" skipped: {fuzzer.skipped or 'none'}"
    )

    problems = []
    if fuzzer.failures:
        problems.append(f"{len(fuzzer.failures)} of {fuzzer.posts} posts answered a server error:\n" + "\n".join(fuzzer.failures))
    if fuzzer.leaks:
        problems.append(f"{len(fuzzer.leaks)} rows of {other.name} changed:\n" + "\n".join(fuzzer.leaks))
    assert not problems, "\n".join(problems)
    # The fuzz reached the forms, rather than bouncing off everywhere.
    assert fuzzer.forms >= (20 if role == "admin" else 9), fuzzer.skipped
