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
