"""Behaviour that needs committed data: concurrency and the keys seen from other connections."""

import threading
import uuid

import pytest

from gamification.tests.factories import make_achievement


def test_progress_cannot_point_at_another_workspaces_achievement_even_without_triggers(committed_db, owner_conn):
    """The composite key alone refuses it: as the owner (RLS aside), with the validation trigger off."""
    from raptorflow.testing import make_tenant

    tenant_a, tenant_b = make_tenant(), make_tenant()
    foreign = make_achievement(tenant_b)
    with pytest.raises(Exception, match="user_achievements_achievement_id_same_ws_fk"), owner_conn.transaction():
        owner_conn.execute("ALTER TABLE user_achievements DISABLE TRIGGER user_achievements_validate")
        owner_conn.execute(
            "INSERT INTO user_achievements (id, workspace_id, user_id, achievement_id) VALUES (%s, %s, %s, %s)",
            [uuid.uuid4(), tenant_a.workspace.id, tenant_a.marketer.id, foreign.id],
        )
