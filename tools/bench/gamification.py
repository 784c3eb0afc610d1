"""The cost of completing a quest with the gamification triggers, against the same UPDATE without them (issue 15).

A completion is what ``campaigns.services.complete_quest`` sends inside a
request, as the web role under RLS: one transaction that sets
``app.current_workspace_id`` and ``app.current_user_id`` (transaction-local,
as the middleware does) and runs ``UPDATE campaign_quests SET status,
completed_at, updated_at WHERE id``; the actor is the marketer of the quest's
workspace. Every completion is of a quest not completed before (status pending
or in progress), so every one with the trigger records a new event.

Three modes, the client's SQL identical in all of them, interleaved in blocks
(in one order, then the reverse) so drift of a shared machine hits each alike:

- ``without``: the owner has run ``ALTER TABLE campaign_quests DISABLE TRIGGER
  campaign_quests_gamification_event``; everything else stays (RLS, CHECKs,
  keys, the other triggers);
- ``no actor``: trigger enabled, ``app.current_user_id`` empty: the trigger
  fires and returns at once (no actor, no credit): the price of the trigger
  call alone;
- ``with``: trigger enabled, the actor set: ``gamification_fire_event`` ->
  ``record_gamification_event`` locks the member's ``user_stats`` row, inserts
  the event, computes the streak, advances the workspace's quest_completed
  achievements (the loader gives each workspace three: count 1, count 5 within
  30 days, count 25) and credits the quest's xp.

The single-client run takes quests of workspaces 2..W in turn (one member's
history stays short); a few more completions with ``track_functions = all``
then say which functions the trigger's time goes to. The 8-client run compares
``without`` and ``with``, the same number of completions each, for separate
members (client i completes quests of its own workspaces) and for one hot
member (every client completes quests of workspace 1 as its marketer: they
queue on that member's ``user_stats`` row lock, and the member's event log
grows). Afterwards the events recorded and the members' ``quests_completed``
are compared with the completions made with the trigger and an actor: they
must match exactly.
"""

from __future__ import annotations

import time
from collections import deque
from datetime import datetime, timezone
from itertools import zip_longest

import psycopg

from tools.bench.clients import run_clients
from tools.bench.load import USER, WS, bid, user_index
from tools.stats import latency_summary

TRIGGER = "campaign_quests_gamification_event"
# What Django sends for complete_quest (save(update_fields=["status", "completed_at"]) adds updated_at).
UPDATE = ('UPDATE "campaign_quests" SET "status" = %s, "completed_at" = %s, "updated_at" = %s '
          'WHERE "campaign_quests"."id" = %s')
CONTEXT = "SELECT set_config('app.current_workspace_id', %s, true), set_config('app.current_user_id', %s, true)"
MODES = ("without", "no actor", "with")
# Quests fetched per workspace: the hot member's (workspace 1) and everyone else's.
HOT_SUPPLY, SUPPLY = 30_000, 400


def _pools(conn, workspaces: int) -> dict[int, deque]:
    """Uncompleted quests per workspace index, in a fixed order (not of archived campaigns: those are read-only)."""
    index = {bid(WS, w): w for w in range(1, workspaces + 1)}
    rows = conn.execute(
        """SELECT workspace_id, id FROM (
               SELECT q.workspace_id, q.id, row_number() OVER (PARTITION BY q.workspace_id ORDER BY q.id) AS rn
               FROM campaign_quests q JOIN campaigns c ON c.workspace_id = q.workspace_id AND c.id = q.campaign_id
               WHERE q.status <> 'completed' AND c.status <> 'archived') AS q
           WHERE rn <= CASE WHEN workspace_id = %s THEN %s ELSE %s END
           ORDER BY workspace_id, id""",
        [bid(WS, 1), HOT_SUPPLY, SUPPLY],
    ).fetchall()
    pools: dict[int, deque] = {w: deque() for w in range(1, workspaces + 1)}
    for ws, quest in rows:
        pools[index[str(ws)]].append(str(quest))
    return pools


def _trigger(owner, enabled: bool) -> None:
    owner.execute(f"ALTER TABLE campaign_quests {'ENABLE' if enabled else 'DISABLE'} TRIGGER {TRIGGER}")


def _complete(conn, w: int, quest: str, actor: bool) -> None:
    now = datetime.now(timezone.utc)
    with conn.transaction():
        conn.execute(CONTEXT, [bid(WS, w), bid(USER, user_index(w, "marketer")) if actor else ""])
        cur = conn.execute(UPDATE, ["completed", now, now, quest])
        if cur.rowcount != 1:
            raise RuntimeError(f"quest {quest} of workspace {w}: {cur.rowcount} rows updated")


def _hot_history(owner) -> int:
    return owner.execute(
        "SELECT count(*) FROM gamification_events WHERE workspace_id = %s AND user_id = %s",
        [bid(WS, 1), bid(USER, user_index(1, "marketer"))],
    ).fetchone()[0]


def _counts(owner) -> tuple[int, int]:
    return owner.execute(
        "SELECT (SELECT count(*) FROM gamification_events WHERE event = 'quest_completed'),"
        " (SELECT coalesce(sum(quests_completed), 0) FROM user_stats)"
    ).fetchone()


def measure(owner_url: str, web_url: str, web_role: str, workspaces: int, n: int, clients: int = 8, blocks: int = 10,
            log=print) -> dict:
    """``n`` completions per mode by one client, then the same count per mode by each of ``clients`` clients
    (fewer when the quests would run out: half of those left per mode)."""
    with psycopg.connect(owner_url, autocommit=True) as owner, psycopg.connect(web_url, autocommit=True) as web:
        pools = _pools(owner, workspaces)
        events_before, quests_before = _counts(owner)
        credited = 0
        others = [w for w in range(2, workspaces + 1)] or [1]
        turn = {"i": 0}

        def next_quest():
            for _ in range(len(others)):
                w = others[turn["i"] % len(others)]
                turn["i"] += 1
                if pools[w]:
                    return w, pools[w].popleft()
            raise SystemExit("bench: no uncompleted quests left for the gamification measurement (raise --rows)")

        samples = {m: [] for m in MODES}
        per_block = max(1, n // blocks)
        enabled = True
        try:
            # Warm-up of each mode (not counted): plans, caches, the members' first user_stats rows.
            order = list(MODES)
            for cycle in range(blocks + 1):
                for mode in (order if cycle % 2 == 0 else order[::-1]):
                    want = mode != "without"
                    if want != enabled:
                        _trigger(owner, want)
                        enabled = want
                    for _ in range(per_block if cycle else max(1, per_block // 4)):
                        w, quest = next_quest()
                        started = time.perf_counter()
                        _complete(web, w, quest, actor=mode != "no actor")
                        elapsed = time.perf_counter() - started
                        if mode == "with":
                            credited += 1
                        if cycle:
                            samples[mode].append(elapsed)
            single = {m: latency_summary(v) for m, v in samples.items()}
            log(f"  one client: without {single['without']['p50_ms']:.3f} ms, no actor {single['no actor']['p50_ms']:.3f} ms, "
                f"with {single['with']['p50_ms']:.3f} ms (p50)")

            functions = _function_profile(owner_url, web_role, next_quest, max(20, n // 10))
            credited += functions["completions"]

            concurrent = []
            # Kept for the hot member's completions after its log has grown (below).
            late_k = min(max(20, n // 20), len(pools[1]) // 5)
            late_quests = [pools[1].pop() for _ in range(late_k)]
            for members in ("separate", "hot"):
                # The same number of completions in both modes: n/4 per client, or half of what the shortest has left.
                per_client = min(max(1, n // 4), min(len(x) for x in _shares(pools, workspaces, members, clients)) // 2)
                for mode in ("without", "with"):
                    want = mode == "with"
                    if want != enabled:
                        _trigger(owner, want)
                        enabled = want
                    row = _run(web_url, pools, workspaces, members, clients, per_client)
                    row.update(mode=mode, members=members)
                    if mode == "with":
                        credited += row["calls"]
                    concurrent.append(row)
                    log(f"  {clients} clients, {members} members, {mode}: {row['rate']:.0f} completions/s")
            # The hot member again, now with a long event log, one client: does a completion cost more with history?
            if not enabled:
                _trigger(owner, True)
                enabled = True
            history = _hot_history(owner)
            late = []
            for quest in late_quests:
                started = time.perf_counter()
                _complete(web, 1, quest, actor=True)
                late.append(time.perf_counter() - started)
                credited += 1
            hot_late = {"history": history, **latency_summary(late)} if late else None
        finally:
            if not enabled:
                _trigger(owner, True)
        events_after, quests_after = _counts(owner)
        hot_events = _hot_history(owner)
    errors = [e for r in concurrent for e in r["errors"]]
    check = {"credited": credited, "events": events_after - events_before, "quests_completed": quests_after - quests_before,
             "errors": errors, "hot_member_events": hot_events}
    check["exact"] = check["events"] == credited and check["quests_completed"] == credited
    ratio = single["with"]["p50_ms"] / single["without"]["p50_ms"]
    mean_ratio = single["with"]["mean_ms"] / single["without"]["mean_ms"]
    return {"n": n, "blocks": blocks, "single": single, "ratio": ratio, "mean_ratio": mean_ratio, "functions": functions,
            "hot_late": hot_late,
            "concurrent": concurrent, "clients": clients, "check": check}


FUNCTION_STATS = "SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions"


def _function_profile(owner_url, web_role, next_quest, k: int) -> dict:
    """Where the trigger's time goes: ``k`` more completions (not timed above) with ``track_functions = all``.

    ``track_functions`` is a superuser setting: the owner sets it and then acts
    as the web role (``SET ROLE``), so RLS applies as in the timed runs. Returns
    per-completion calls, total and self milliseconds of each function, and
    the number of completions (they credit like the others).
    """
    with psycopg.connect(owner_url, autocommit=True) as watch, psycopg.connect(owner_url, autocommit=True) as conn:
        before = {r[0]: r[1:] for r in watch.execute(FUNCTION_STATS)}
        conn.execute("SET track_functions = 'all'")
        conn.execute(f'SET ROLE "{web_role}"')
        for _ in range(k):
            w, quest = next_quest()
            _complete(conn, w, quest, actor=True)
        conn.execute("RESET ROLE")
        conn.execute("SELECT pg_stat_force_next_flush()")
        conn.execute("SELECT 1")  # the flush happens at the end of a transaction
        deadline = time.monotonic() + 5
        while True:
            watch.execute("SELECT pg_stat_clear_snapshot()")
            after = {r[0]: r[1:] for r in watch.execute(FUNCTION_STATS)}
            fired = after.get("gamification_fire_event", (0,))[0] - before.get("gamification_fire_event", (0,))[0]
            if fired >= k or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    rows = {}
    for name, (calls, total, self_time) in after.items():
        b_calls, b_total, b_self = before.get(name, (0, 0.0, 0.0))
        if calls - b_calls:
            rows[name] = {"calls": (calls - b_calls) / k, "total_ms": (total - b_total) / k, "self_ms": (self_time - b_self) / k}
    return {"completions": k, "rows": rows}




def _shares(pools, workspaces, members, clients) -> list[list[tuple[int, str]]]:
    """Each client's (workspace, quest) list: workspace 1's quests dealt out (hot), or its own workspaces' (separate)."""
    if members == "hot":
        return [[(1, q) for q in list(pools[1])[i::clients]] for i in range(clients)]
    # Client i owns workspaces 2+i, 2+i+clients, ... and takes their quests in turn (one member after another).
    own = [[w for w in range(2, workspaces + 1) if (w - 2) % clients == i] for i in range(clients)]
    return [[wq for group in zip_longest(*([(w, q) for q in pools[w]] for w in ws)) for wq in group if wq] for ws in own]


def _run(web_url, pools, workspaces, members, clients, per_client) -> dict:
    """``clients`` threads completing ``per_client`` quests each, one transaction per quest."""
    shares = [share[:per_client] for share in _shares(pools, workspaces, members, clients)]
    counts = [0] * clients
    used: list[list[tuple[int, str]]] = [[] for _ in range(clients)]

    def work(i, conn):
        for w, quest in shares[i]:
            used[i].append((w, quest))
            _complete(conn, w, quest, actor=True)
            counts[i] += 1

    elapsed, errors = run_clients(web_url, clients, work)
    touched = {quest for done in used for _, quest in done}  # gone from the pools, completed or not
    for w in {w for done in used for w, _ in done}:
        pools[w] = deque(q for q in pools[w] if q not in touched)
    return {"clients": clients, "calls": sum(counts), "seconds": elapsed, "rate": sum(counts) / elapsed if elapsed else 0.0,
            "per_client": [len(share) for share in shares], "errors": errors}
