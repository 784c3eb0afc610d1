"""Concurrent clients for the bench's write sections: threads on connections of their own, started together."""

from __future__ import annotations

import threading
import time
from typing import Callable

import psycopg


def run_clients(web_url: str, clients: int, work: Callable[[int, psycopg.Connection], None],
                released: Callable[[float], None] | None = None) -> tuple[float, list[str]]:
    """``work(index, conn)`` in ``clients`` threads, each on its own autocommit connection as ``web_url``'s role.

    Every thread connects first; then all are released at once (a barrier), so connecting is not timed.
    ``released(t)`` is called just before the release with an estimate of its time and again right after it
    with the measured one (a deadline set from it is in place before any client reads it). A client's error
    is collected (``"Type: message"``) and breaks the barrier, so no thread waits for one that is gone.
    Returns the seconds from the release to the last thread's end, and the errors.
    """
    errors: list[str] = []
    barrier = threading.Barrier(clients + 1)

    def client(index):
        try:
            with psycopg.connect(web_url, autocommit=True) as conn:
                barrier.wait()
                work(index, conn)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            try:
                barrier.abort()
            except Exception:
                pass

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    if released:
        released(time.perf_counter())
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    started = time.perf_counter()
    if released:
        released(started)
    for t in threads:
        t.join()
    return time.perf_counter() - started, errors
