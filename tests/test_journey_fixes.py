"""What a new user tripped on in the marketer pages and the admin (issue 17), one test each.

Every request goes through the test client as the RLS-bound web role (conftest.py).
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- admin: headings


def test_admin_section_headings_carry_no_migration_numbers(tenant_a, client_for):
    page = client_for(tenant_a.staff, tenant_a.workspace).get("/admin/").content.decode()
    for heading in ("Agents", "Alerts", "Campaigns", "Gamification", "Market intelligence"):
        assert f">{heading}</a>" in page
    assert not re.search(r"\(01[3-7]\)", page)


# ---------------------------------------------------------------- marketer pages


def test_get_logout_shows_a_sign_out_button_and_post_signs_out_with_a_message(tenant_a, client_for):
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    page = client.get("/logout/")
    assert page.status_code == 200
    html = page.content.decode()
    # A form that POSTs (with the CSRF token) to the same URL: a GET alone signs nobody out.
    assert re.search(r'<form method="post" action="/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken"', html)
    assert client.get("/campaigns/").status_code == 200

    response = client.post("/logout/", follow=True)
    assert response.redirect_chain == [("/login/", 302)]
    assert "You are signed out." in response.content.decode()
    assert client.get("/campaigns/").status_code == 302  # to the sign-in page


def test_signing_out_of_the_admin_lands_on_the_admin_sign_in_saying_so(tenant_a, client_for):
    client = client_for(tenant_a.staff, tenant_a.workspace)
    assert client.get("/admin/logout/").status_code == 200
    response = client.post("/admin/logout/", follow=True)
    assert response.redirect_chain == [("/admin/login/", 302)]
    assert "You are signed out." in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_signed_out_get_logout_goes_to_the_sign_in_page(client):
    assert client.get("/logout/")["Location"] == "/login/"


def test_favicon_is_a_real_icon_linked_from_pages_and_admin(tenant_a, client_for):
    from django.contrib.staticfiles import finders

    client = client_for(tenant_a.staff, tenant_a.workspace)
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
    icon = finders.find("favicon.svg")
    assert icon and open(icon).read().lstrip().startswith("<svg")
    link = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    for path in ("/campaigns/", "/admin/", "/login/", "/admin/login/"):
        page = (client if not path.endswith("login/") else type(client)()).get(path).content.decode()
        assert link in page, path


def test_viewers_403_page_has_the_header_and_navigation(tenant_a, client_for):
    response = client_for(tenant_a.viewer, tenant_a.workspace).get("/campaigns/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<header class="topbar">' in html
    assert 'href="/campaigns/"' in html and 'href="/campaigns/positioning/"' in html
    assert tenant_a.workspace.name in html and "Viewer" in html  # the switcher and who is signed in
    assert re.search(r'action="/logout/".*name="csrfmiddlewaretoken" value="\w+"', html, re.S)
    assert "read-only" in html.lower() or "not allowed" in html.lower()


def test_403_of_a_database_refusal_has_the_header_and_runs_no_query_after_the_error(tenant_a, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # A workspace the user is not a member of, named in the session: the middleware refuses.
    client = client_for(tenant_a.marketer, tenant_a.workspace)
    response = client.get("/", HTTP_X_WORKSPACE_ID="00000000-0000-0000-0000-000000000000")
    assert response.status_code == 403
    assert '<header class="topbar">' in response.content.decode()
    assert "You are not a member of that workspace." in response.content.decode()

    # Rendering the page itself runs no query.
    from django.test import RequestFactory

    from raptorflow.middleware import forbidden

    request = RequestFactory().get("/")
    request.user, request.workspace, request.membership, request.memberships = tenant_a.marketer, None, None, []
    with CaptureQueriesContext(connection) as queries:
        page = forbidden("No.", request)
    assert page.status_code == 403 and "No." in page.content.decode() and len(queries) == 0
