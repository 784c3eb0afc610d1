"""Crawl: no page answers a server error, whoever opens it (issue 14).

On the demo data (``seed_demo``: every table of two workspaces), each kind of
user GETs every page the project has:

- the admin index and every app index;
- for every ModelAdmin registered on ``admin.site`` (read from the registry,
  so a new admin is crawled without touching this file): its changelist (and
  a search, when it has search fields) and add page, and for one object of
  the current workspace (as that user's admin lists it) its change, history
  and delete pages;
- each admin's own URLs (``get_urls`` overrides) that take no argument or an
  object id, and the autocomplete endpoint of every ``autocomplete_fields``
  entry, of the admins and of their inlines, and of every other relation to a
  registered model (a workspace field, say: the endpoint serves those too);
- every URL pattern of ``campaigns.urls``, with ids of real objects, and the
  argument-less pages of the root URLconf (``/``, ``/healthz``, ``/login/``,
  the workspace chooser...).

The users: a staff member (``is_staff``, the demo staff group's model
permissions, no superuser) holding each membership role, a non-staff member,
and a platform superuser who is a member of no workspace. Every response must
be one of 200/302/403/404/405; the failures of a role are reported together,
with the exception a server error raised.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from campaigns import urls as campaign_urls
from campaigns.models import Campaign, CampaignCohort, CampaignQuest, MessageArchitecture, Positioning
from raptorflow.models import User, Workspace
from tests.factories import make_user
from tests.crawling import STAFF_ROLES, crawler, demo_data, describe_exception, first_pk, marketer_ids, request_as  # noqa: F401

ALLOWED_STATUSES = {200, 302, 403, 404, 405}
CRAWLERS = (*STAFF_ROLES, "non-staff", "superuser")

# Root URLconf includes crawled by their own rules below, not as argument-less pages.
CRAWLED_APART = ("admin", "campaigns")
# Marketer URLs: which model a ``pk`` names, by the route's first segment (a converter: a campaign).
PK_MODEL_BY_SEGMENT = {"quests": CampaignQuest, "positioning": Positioning, "messages": MessageArchitecture}

CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


# ---------------------------------------------------------------- the URLs


def _fill(route: str, value) -> str:
    return CONVERTER.sub(str(value), route)


def admin_urls(user: User, workspace: Workspace, superuser: User) -> list[str]:
    urls = [reverse("admin:index")]
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    urls += [reverse("admin:app_list", kwargs={"app_label": label}) for label in labels]
    as_user, as_superuser = request_as(user, workspace), request_as(superuser, workspace)
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        changelist = reverse("admin:%s_%s_changelist" % info)
        urls += [changelist, reverse("admin:%s_%s_add" % info)]
        if model_admin.search_fields:
            urls.append(changelist + "?" + urlencode({"q": "a"}))
        # What this user's list shows; else what a superuser's shows (a 404 or 403 for this user, crawled too).
        pk = first_pk(model_admin, as_user) or first_pk(model_admin, as_superuser)
        if pk is not None:
            urls += [reverse("admin:%s_%s_%s" % (*info, page), args=[pk]) for page in ("change", "history", "delete")]
        # The admin's own URLs: those its class adds to ModelAdmin's.
        standard = {str(p.pattern) for p in admin.ModelAdmin.get_urls(model_admin)}
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if route in standard or not isinstance(pattern.pattern, RoutePattern):
                continue
            arguments = len(pattern.pattern.converters)
            if arguments == 0:
                urls.append(changelist + route)
            elif arguments == 1 and pk is not None:
                urls.append(changelist + _fill(route, pk))
        # Autocomplete, asked for by the model holding the field: the admin's and its inlines' declared
        # fields, and every other relation to a registered model (the endpoint answers for those too).
        for source, declared in [(model, model_admin.autocomplete_fields)] + [
            (inline.model, inline.autocomplete_fields) for inline in model_admin.inlines
        ]:
            for field in (*declared, *_relations_to_registered_models(source)):
                query = {"app_label": source._meta.app_label, "model_name": source._meta.model_name, "field_name": field}
                urls.append(reverse("admin:autocomplete") + "?" + urlencode({**query, "term": "a"}))
    return urls


def _relations_to_registered_models(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created and field.related_model in admin.site._registry
    ]


def marketer_urls(user: User, workspace: Workspace) -> list[str]:
    """Every pattern of campaigns.urls, with ids of real objects of the workspace."""
    ids = marketer_ids(user, workspace)
    urls = []
    for pattern in campaign_urls.urlpatterns:
        route = str(pattern.pattern)
        kwargs = {}
        for name in pattern.pattern.converters:
            if name == "pk":
                segment = route.split("/", 1)[0]
                model = Campaign if segment.startswith("<") else PK_MODEL_BY_SEGMENT.get(segment)
            else:
                model = {"positioning_pk": Positioning, "target_pk": CampaignCohort}.get(name)
            assert model is not None, f"campaigns:{pattern.name} ({route}): which model does <{name}> name? Teach this crawl."
            kwargs[name] = ids[model]
        urls.append(reverse(f"{campaign_urls.app_name}:{pattern.name}", kwargs=kwargs))
    return urls


def plain_urls(resolver: URLResolver | None = None, prefix: str = "/") -> list[str]:
    """The argument-less pages of the root URLconf (and its includes, except those crawled apart)."""
    resolver = resolver or get_resolver()
    urls = []
    for entry in resolver.url_patterns:
        if not isinstance(entry.pattern, RoutePattern) or entry.pattern.converters:
            continue
        route = str(entry.pattern)
        if isinstance(entry, URLPattern):
            urls.append(prefix + route)
        elif isinstance(entry, URLResolver) and route.strip("/") not in CRAWLED_APART:
            urls += plain_urls(entry, prefix + route)
    return urls


# ---------------------------------------------------------------- the crawl


@pytest.mark.parametrize("role", CRAWLERS)
def test_no_page_answers_a_server_error(role, demo_data, client_for):
    user, workspace = crawler(role)
    superuser = user if user.is_superuser else make_user(is_staff=True, is_superuser=True)
    # An inline and its admin may autocomplete the same field: each URL once.
    urls = list(dict.fromkeys([*plain_urls(), *marketer_urls(user, workspace), *admin_urls(user, workspace, superuser)]))

    client = client_for(user, workspace)
    # A server error becomes a 500 response with its exception attached, and the crawl goes on.
    client.raise_request_exception = False
    statuses, failures = {}, []
    for url in urls:
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code not in ALLOWED_STATUSES:
            kind = "SERVER ERROR" if response.status_code >= 500 else "unexpected"
            failures.append(f"  {role} GET {url} -> {response.status_code} {kind}{describe_exception(response)}")

    assert not failures, f"{len(failures)} of {len(urls)} pages failed for {role}:\n" + "\n".join(failures)
    # The crawl reached the pages, rather than bouncing off everywhere.
    assert sum(url.endswith("/change/") for url in urls) >= len(admin.site._registry) // 2, "too few objects to crawl"
    assert statuses[reverse("campaigns:list")] == 200
    assert statuses[reverse("admin:index")] == (302 if role == "non-staff" else 200)
