"""Issue 17 items that had no test of their own: the plan's numbering gone from the database's
comments, and the achievement rarity colours readable on the admin's white background.

The rest of issue 17 is covered in tests/test_journey_fixes.py, campaigns/tests/ and the
e2e suite (tests/e2e, axe-core on every page the journeys visit).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.test_journey_fixes import _contrast

# The plan's migration numbers as they appeared: "Achievement catalogue of a workspace (014)."
PLAN_NUMBER = re.compile(r"\(0\d\d\)")


@pytest.mark.django_db
def test_no_comment_in_the_database_carries_the_plans_migration_numbers():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname || coalesce('.' || a.attname, ''), d.description
            FROM pg_description d
            JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
            UNION ALL
            SELECT p.proname, d.description
            FROM pg_description d
            JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid
            JOIN pg_namespace n ON n.oid = p.pronamespace AND n.nspname = 'public'
            """
        )
        comments = cursor.fetchall()
    assert len(comments) > 20, comments  # the tables and functions are commented at all
    numbered = [(name, text) for name, text in comments if PLAN_NUMBER.search(text)]
    assert numbered == []


def test_achievement_rarity_colours_pass_wcag_aa_on_the_admins_white():
    from gamification.admin import RARITY_COLOURS, rarity_badge

    assert set(RARITY_COLOURS) == {"common", "rare", "epic", "legendary"}
    for rarity, colour in RARITY_COLOURS.items():
        assert _contrast(colour, "#ffffff") >= 4.5, (rarity, colour)
        assert f"color:{colour}" in rarity_badge(rarity, rarity.title())
