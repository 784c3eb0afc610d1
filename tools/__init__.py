"""Development, load and benchmark tooling; not part of the served application.

Each tool starts one way, ``python -m tools.<name>``, and has a make target
(``make help`` lists them):

- ``tools.dev``: ``make run`` and ``make test`` (and the pytest plugin that
  starts the embedded PostgreSQL for a bare ``pytest``); ``db-url`` for the
  DBA targets.
- ``tools.embedded``: the embedded PostgreSQL (pgserver) those entry points use.
- ``tools.scratch``: throw-away databases, private servers and gunicorn
  processes for the tests, the load test and the benchmark.
- ``tools.loadtest``: ``make loadtest``.
- ``tools.drills``: ``make drills`` (every migration's SQL re-applied, rolled back).
- ``tools.bench``: ``make bench`` (docs/benchmarks.md).

The application (``raptorflow`` and the domain apps) never imports this package.
"""
