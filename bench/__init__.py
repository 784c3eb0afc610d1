"""The RaptorFlow benchmark: ``python manage.py bench`` (see docs/benchmarks.md).

Modules: :mod:`bench.setup` (database, roles, migrate timings), :mod:`bench.load`
(set-based data at scale), :mod:`bench.rls` (RLS overhead), :mod:`bench.web`
(admin and marketer pages through Django's test client, in a subprocess as the
web role), :mod:`bench.writes` (record_agent_execution under concurrency),
:mod:`bench.gamification` (quest completion with and without the gamification
trigger), :mod:`bench.migrate` (full migrate against psql applying the
schema-only dump; :mod:`bench.migrate_profile` says where migrate's time goes),
:mod:`bench.report` (the table and docs/benchmarks.md).
"""
