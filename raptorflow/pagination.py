"""The one paginator of long lists: exact counts up to a threshold, the planner's estimate beyond.

Django's changelist counts the filtered rows (``COUNT(*)``) on every page view,
and a second time unfiltered unless ``show_full_result_count = False``. On a
workspace with a million rows that count costs more than the page itself.
:class:`EstimatedCountPaginator` counts exactly up to ``exact_threshold`` rows
(a ``LIMIT``-capped count: cheap below the threshold) and beyond it takes the
planner's row estimate of the same filtered query (``EXPLAIN``; the planner's
figure comes from ``pg_class.reltuples`` and the column statistics, under the
same RLS policies), never below the threshold. The count is then approximate
(``count_is_estimated`` is True) and the page links past the end of the true
list show an empty last page rather than an error. The capped count and the
``EXPLAIN`` go to the server together, in one round trip, whichever side of
the threshold the list is on: a list costs the same queries in a workspace of
ten rows and in one of a million (issue 19, docs/performance-pages.md).

The one paginator of the project: the admin's lists (through
``raptorflow.admin.EstimatedCounts``, whose ``exact_count_up_to`` sets the
threshold per list) and the marketer pages.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    exact_threshold = 1000

    count_is_estimated = False

    def __init__(self, *args, exact_threshold: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if exact_threshold is not None:
            self.exact_threshold = exact_threshold

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        capped, estimate = self.capped_count_and_estimate(queryset, self.exact_threshold + 1)
        if capped <= self.exact_threshold:
            return capped
        self.count_is_estimated = True
        return max(estimate if estimate is not None else self.estimate(queryset), capped)

    @staticmethod
    def capped_count_and_estimate(queryset, cap: int) -> tuple[int, int | None]:
        """The count capped at ``cap`` and the planner's estimate, in one round trip (issue 19).

        Two statements in one ``execute`` (client-side binding sends them as one simple query): the capped
        count, then ``EXPLAIN`` of the filtered query. The EXPLAIN only plans (a fraction of a millisecond) and
        is wasted below the threshold, but a list costs the same number of queries whether its workspace holds
        ten rows or a million (docs/performance-pages.md). ``(count, None)`` when the two cannot go together.
        """
        unordered = queryset.order_by()
        try:
            sql, params = unordered.query.sql_with_params()
        except EmptyResultSet:
            return 0, 0
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            # Server-side binding prepares each statement: two in one execute would be refused.
            return unordered[:cap].count(), None
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM ({sql}) AS listed LIMIT {int(cap)}) AS capped; "
                           f"EXPLAIN (FORMAT JSON) {sql}",
                           (*params, *params))
            capped = cursor.fetchone()[0]
            if not cursor.nextset():
                return capped, None
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return capped, int(plan[0]["Plan"]["Plan Rows"])

    @staticmethod
    def estimate(queryset) -> int:
        """The planner's estimated row count of the filtered query (0 when unavailable)."""
        sql, params = queryset.order_by().query.sql_with_params()
        connection = connections[queryset.db]
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
        except Exception:  # an estimate is optional: fall back to the capped count
            return 0
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def validate_number(self, number):
        # An estimate may overshoot the real list: a page past its end is empty, not a 404.
        if self.count_is_estimated:
            try:
                number = int(number)
            except (TypeError, ValueError):
                return super().validate_number(number)
            if number >= 1:
                return number
        return super().validate_number(number)
