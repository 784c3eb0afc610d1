"""Concurrent ingestion of one fingerprint: one row, every occurrence counted.

Real concurrency needs committed data and separate connections: ``committed_db``
and ``web_connect`` (the RLS-bound web role).
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.factories import make_tenant

INGEST = "SELECT id, occurrences FROM ingest_intelligence_signal('price_tracker', 'competitor_pricing', 'Tents -20%%', '{}', %s::numeric, 'same-fp')"
SET_WORKSPACE = "SELECT set_config('app.current_workspace_id', %s, true)"


def _counts(conn, workspace_id):
    with conn.transaction():
        conn.execute(SET_WORKSPACE, [str(workspace_id)])
        return conn.execute(
            "SELECT count(*), sum(occurrences), max(strength) FROM intelligence_signals WHERE fingerprint = 'same-fp'"
        ).fetchone()


def test_parallel_ingestion_of_the_same_fingerprint_counts_every_occurrence(committed_db, web_connect):
    tenant = make_tenant()
    workers = 8
    start = threading.Barrier(workers)

    def ingest(n):
        conn = web_connect()
        with conn.transaction():
            conn.execute(SET_WORKSPACE, [str(tenant.id)])
            start.wait(timeout=30)
            row = conn.execute(INGEST, [round(0.1 * (n + 1), 1)]).fetchone()
        return row

    with ThreadPoolExecutor(workers) as pool:
        rows = list(pool.map(ingest, range(workers)))

    assert len({signal_id for signal_id, _ in rows}) == 1
    # Each call saw its own increment: the occurrences returned are 1..N, no update lost.
    assert sorted(occurrences for _, occurrences in rows) == list(range(1, workers + 1))
    count, occurrences, strength = _counts(web_connect(autocommit=True), tenant.id)
    assert (count, occurrences) == (1, workers)
    assert float(strength) == 0.8


def test_a_second_ingestion_waits_for_the_first_and_then_adds_to_its_row(committed_db, web_connect):
    tenant = make_tenant()
    first, watcher = web_connect(), web_connect(autocommit=True)
    first.execute(SET_WORKSPACE, [str(tenant.id)])
    first.execute(INGEST, [0.3])  # inserted, not committed yet

    def second():
        conn = web_connect()
        with conn.transaction():
            conn.execute(SET_WORKSPACE, [str(tenant.id)])
            return conn.execute(INGEST, [0.9]).fetchone()

    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(second)
        # The second call blocks on the first's uncommitted row (the unique key), it does not fail.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%%ingest_intelligence_signal%%'"
            ).fetchone()[0]
            if waiting:
                break
            time.sleep(0.05)
        assert waiting == 1 and not result.done()
        first.commit()
        signal_id, occurrences = result.result(timeout=10)

    assert occurrences == 2
    assert _counts(watcher, tenant.id) == (1, 2, __import__("decimal").Decimal("0.900"))
