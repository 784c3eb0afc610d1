"""The RaptorFlow benchmark: ``python -m tools.bench`` (see docs/benchmarks.md).

Modules: :mod:`tools.bench.setup` (database, roles, migrate timings), :mod:`tools.bench.load`
(set-based data at scale), :mod:`tools.bench.rls` (RLS overhead), :mod:`tools.bench.web`
(admin and marketer pages through Django's test client, in a subprocess as the
web role), :mod:`tools.bench.writes` (record_agent_execution under concurrency),
:mod:`tools.bench.gamification` (quest completion with and without the gamification
trigger), :mod:`tools.bench.migrate` (full migrate against psql applying the
schema-only dump; :mod:`tools.bench.migrate_profile` says where migrate's time goes),
:mod:`tools.bench.report` (the table and docs/benchmarks.md).
"""
