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
list show an empty last page rather than an error.

The one paginator of the project: the admin's lists (through
``raptorflow.admin.EstimatedCounts``, whose ``exact_count_up_to`` sets the
threshold per list) and the marketer pages.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
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
        capped = queryset.order_by()[: self.exact_threshold + 1].count()
        if capped <= self.exact_threshold:
            return capped
        self.count_is_estimated = True
        return max(self.estimate(queryset), capped)

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
