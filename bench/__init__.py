"""The RaptorFlow benchmark: ``python manage.py bench`` (see docs/benchmarks.md).

Modules: :mod:`bench.setup` (database, roles, migrate timings), :mod:`bench.load`
(set-based data at scale), :mod:`bench.rls` (RLS overhead), :mod:`bench.web`
(admin and marketer pages through Django's test client, in a subprocess as the
web role), :mod:`bench.writes` (record_agent_execution under concurrency),
:mod:`bench.report` (the table and docs/benchmarks.md).
"""
