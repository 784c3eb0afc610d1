"""Behaviour that needs committed data: concurrency and the keys seen from other connections."""

import threading
import uuid

import pytest

from gamification.tests.factories import make_achievement


def test_progress_cannot_point_at_another_workspaces_achievement_even_without_triggers(committed_db, owner_conn):
    """The composite key alone refuses it: as the owner (RLS aside), with the validation trigger off."""
    from tests.factories import make_tenant

    tenant_a, tenant_b = make_tenant(), make_tenant()
    foreign = make_achievement(tenant_b)
    with pytest.raises(Exception, match="user_achievements_achievement_id_same_ws_fk"), owner_conn.transaction():
        owner_conn.execute("ALTER TABLE user_achievements DISABLE TRIGGER user_achievements_validate")
        owner_conn.execute(
            "INSERT INTO user_achievements (id, workspace_id, user_id, achievement_id) VALUES (%s, %s, %s, %s)",
            [uuid.uuid4(), tenant_a.workspace.id, tenant_a.marketer.id, foreign.id],
        )


def _in_context(conn, tenant, sql, params):
    """One transaction on a web-role connection, in the tenant's workspace."""
    with conn.transaction():
        conn.execute(
            "SELECT set_config('app.current_workspace_id', %s, true), set_config('app.current_user_id', %s, true)",
            [str(tenant.workspace.id), str(tenant.staff.id)],
        )
        return conn.execute(sql, params).fetchone()


def _run_together(*jobs):
    """Run the jobs in threads that start at the same moment; re-raise the first failure."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def _state(conn, tenant, achievement):
    progress = _in_context(
        conn, tenant,
        "SELECT progress, completed_at IS NOT NULL, xp_awarded FROM user_achievements WHERE achievement_id = %s",
        [achievement.id],
    )
    stats = _in_context(
        conn, tenant, "SELECT total_xp, level, achievements_unlocked FROM user_stats WHERE user_id = %s", [tenant.marketer.id]
    )
    return progress, stats


def test_concurrent_increments_lose_nothing_and_credit_xp_once(committed_db, web_connect):
    from tests.factories import make_tenant

    tenant = make_tenant()
    achievement = make_achievement(tenant, target_value=100, xp_reward=400)
    connections = [web_connect(), web_connect()]
    increment = "SELECT progress FROM increment_achievement_progress(%s, %s, %s)"

    def increments(conn, times, amount):
        def job():
            for _ in range(times):
                _in_context(conn, tenant, increment, [tenant.marketer.id, achievement.id, amount])
        return job

    # Phase 1: both connections race to create the row, then keep incrementing: every step counts.
    _run_together(increments(connections[0], 20, 1), increments(connections[1], 20, 1))
    assert _state(connections[0], tenant, achievement) == ((40, False, 0), None)

    # Phase 2: both push past the target at once: capped, completed once, xp credited once.
    _run_together(increments(connections[0], 3, 25), increments(connections[1], 3, 25))
    assert _state(connections[0], tenant, achievement) == ((100, True, 400), (400, 3, 1))


def test_concurrent_award_and_completion_credit_xp_once(committed_db, web_connect):
    from tests.factories import make_tenant

    tenant = make_tenant()
    achievement = make_achievement(tenant, target_value=5, xp_reward=100)
    first, second = web_connect(), web_connect()
    for _ in range(3):  # a few rounds: the interleaving differs from run to run
        _run_together(
            lambda: _in_context(first, tenant, "SELECT award_achievement(%s, %s)", [tenant.marketer.id, achievement.id]),
            lambda: _in_context(
                second, tenant, "SELECT increment_achievement_progress(%s, %s, 5)", [tenant.marketer.id, achievement.id]
            ),
        )
    assert _state(first, tenant, achievement) == ((5, True, 100), (100, 2, 1))


def test_a_blocked_increment_sees_the_completion_and_adds_nothing(committed_db, web_connect):
    """Deterministic interleaving: B waits on A's row lock, then finds the row completed."""
    from tests.factories import make_tenant

    tenant = make_tenant()
    achievement = make_achievement(tenant, target_value=2, xp_reward=100)
    a, b = web_connect(), web_connect()
    sql = "SELECT progress, completed_at IS NOT NULL FROM increment_achievement_progress(%s, %s, 2)"
    params = [tenant.marketer.id, achievement.id]
    _in_context(a, tenant, "SELECT increment_achievement_progress(%s, %s, 1)", params)

    with a.transaction():
        a.execute("SELECT set_config('app.current_workspace_id', %s, true)", [str(tenant.workspace.id)])
        assert a.execute(sql, params).fetchone() == (2, True)
        result = {}
        waiter = threading.Thread(target=lambda: result.setdefault("b", _in_context(b, tenant, sql, params)))
        waiter.start()
        waiter.join(timeout=1)
        assert waiter.is_alive(), "B should wait for A's row lock"
    waiter.join(timeout=10)
    assert result["b"] == (2, True)
    assert _state(a, tenant, achievement) == ((2, True, 100), (100, 2, 1))
