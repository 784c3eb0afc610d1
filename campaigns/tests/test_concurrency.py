"""Hierarchy changes under concurrency (committed data, two web-role connections)."""

import threading

from campaigns.tests.factories import make_campaign, make_quest


def test_concurrent_moves_cannot_close_a_loop(committed_db, web_connect):
    """A under B and B under A at the same time: the advisory lock serializes them, one is refused."""
    from tests.factories import make_tenant

    tenant = make_tenant("Loop Labs")
    c = make_campaign(tenant)
    a, b = make_quest(tenant, c, "A"), make_quest(tenant, c, "B")
    first, second = web_connect(), web_connect()
    for conn in (first, second):
        conn.execute("SELECT set_config('app.current_workspace_id', %s, false)", [str(tenant.id)])
    moved = first.execute("UPDATE campaign_quests SET parent_id = %s WHERE id = %s", [b.id, a.id])  # A under B, not committed
    assert moved.rowcount == 1
    outcome = {}

    def move_b_under_a():
        try:
            second.execute("UPDATE campaign_quests SET parent_id = %s WHERE id = %s", [a.id, b.id])
            second.commit()
            outcome["second"] = "committed"
        except Exception as exc:  # noqa: BLE001 - the refusal is the point
            second.rollback()
            outcome["second"] = str(exc)

    worker = threading.Thread(target=move_b_under_a)
    worker.start()
    worker.join(timeout=1)
    assert worker.is_alive(), f"the second move must wait for the first: {outcome}"
    first.commit()
    worker.join(timeout=10)
    assert "cannot be nested" in outcome["second"]
    rows = dict(first.execute("SELECT title, parent_id FROM campaign_quests").fetchall())
    assert rows == {"A": b.id, "B": None}
