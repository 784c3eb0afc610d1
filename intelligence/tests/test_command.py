"""``manage.py ingest_signals``: feeds in JSON Lines, bad lines reported, good ones kept."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from intelligence.models import IntelligenceSignal
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FEED = "\n".join(
    [
        json.dumps({"source": "price_tracker", "signal_type": "competitor_pricing", "title": "Summit cuts tents 20%",
                    "strength": 0.8, "url": "https://example.com/summit", "payload": {"competitor": "Summit"}}),
        '{"source": "news_api", "title": "broken',  # 2: not JSON
        "",  # 3: blank, skipped
        json.dumps({"source": "news_api", "title": "No type"}),  # 4: missing signal_type
        json.dumps({"source": "reviews", "type": "review", "title": "Grip praised", "sentiment": 0.6}),  # 5: alias
        json.dumps({"source": "reviews", "signal_type": "review", "title": "Too strong", "strength": 3}),  # 6: procedure refuses
        json.dumps(["not", "an", "object"]),  # 7
        json.dumps({"source": "reviews", "signal_type": "review", "title": "Odd", "colour": "red"}),  # 8: unknown key
        "# a comment line",  # 9: skipped
        json.dumps({"source": "price_tracker", "signal_type": "competitor_pricing", "title": "Summit cuts tents 20%"}),  # 10: repeat
    ]
)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("ingest_signals", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_bad_lines_are_reported_by_number_and_good_ones_kept(tenant_a, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(FEED)
    out, err = run(str(feed), "--workspace", tenant_a.workspace.slug, "--as-user", tenant_a.staff.email)

    assert f"{feed}:2: not valid JSON" in err
    assert f"{feed}:4: missing or empty: signal_type" in err
    assert f"{feed}:6: strength must be between 0 and 1, got 3" in err
    assert f"{feed}:7: expected a JSON object, got list" in err
    assert f"{feed}:8: unknown key(s): colour" in err
    assert ":3:" not in err and ":9:" not in err
    assert "3 signal(s) ingested" in out and "(2 new, 1 repeat(s)); 5 bad line(s): 2, 4, 6, 7, 8" in out
    with tenant_a.context():
        signals = {s.title: s for s in IntelligenceSignal.objects.all()}
    assert set(signals) == {"Summit cuts tents 20%", "Grip praised"}
    assert signals["Summit cuts tents 20%"].occurrences == 2
    assert signals["Summit cuts tents 20%"].url == "https://example.com/summit"
    assert str(signals["Grip praised"].sentiment) == "0.600"


def test_a_clean_file_ends_with_a_summary(tenant_a, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"source": "s", "signal_type": "trend", "title": "One"}) + "\n")
    out, err = run(str(feed), "--workspace", tenant_a.workspace.slug, "--as-user", tenant_a.marketer.email)
    assert err == ""
    assert out.strip() == f"1 signal(s) ingested into {tenant_a.workspace.slug} (1 new, 0 repeat(s)); 0 bad line(s)"


def test_a_missing_file_is_an_error(tenant_a):
    with pytest.raises(CommandError, match="no such file: /nonexistent/feed.jsonl"):
        run("/nonexistent/feed.jsonl", "--workspace", tenant_a.workspace.slug, "--as-user", tenant_a.staff.email)


def test_an_unknown_or_invisible_workspace_is_an_error(tenant_a, tenant_b, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"source": "s", "signal_type": "trend", "title": "One"}) + "\n")
    with pytest.raises(CommandError, match="workspace 'no-such-slug' is unknown or not visible"):
        run(str(feed), "--workspace", "no-such-slug", "--as-user", tenant_a.staff.email)
    # A member of A cannot feed B, even knowing its slug.
    with pytest.raises(CommandError, match=f"workspace '{tenant_b.workspace.slug}' is unknown or not visible to"):
        run(str(feed), "--workspace", tenant_b.workspace.slug, "--as-user", tenant_a.staff.email)
    # Without a member, RLS shows the web role no workspace at all.
    with pytest.raises(CommandError, match="pass --as-user EMAIL"):
        run(str(feed), "--workspace", tenant_a.workspace.slug)
    with pytest.raises(CommandError, match="no active user with the email nobody@example.test"):
        run(str(feed), "--workspace", tenant_a.workspace.slug, "--as-user", "nobody@example.test")
    outsider = make_user()
    with pytest.raises(CommandError, match="unknown or not visible"):
        run(str(feed), "--workspace", tenant_a.workspace.slug, "--as-user", outsider.email)
    with tenant_b.context():
        assert IntelligenceSignal.objects.count() == 0
