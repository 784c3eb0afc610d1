"""The schema verification of the plan: 16 checks in 5 sets, plus the summary.

Each app keeps ``<app>/manifest.py`` with ``EXPECTED``: the tables, indexes,
foreign keys, policies, functions and triggers its migrations create (and,
for seeded tables, the minimum row count). A check compares the live catalog
with the manifest in both directions, so an index added without updating the
manifest fails as surely as a dropped policy, and names the object.

``python manage.py verify_schema --print-manifest`` prints what the database
holds in manifest form, for review when a migration legitimately changes it.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass, field

from django.db import connection

DOMAINS = [
    # (set number, app label)
    (1, "campaigns"),
    (2, "gamification"),
    (3, "agents"),
    (4, "intelligence"),
    (5, "alerts"),
]
CORE_APP = "raptorflow"
# Django's and django-axes' own tables: global, never tenant data, shaped by their migrations.
DJANGO_TABLE_PREFIXES = ("django_", "auth_", "axes_")
ALL_COMMANDS = {"SELECT", "INSERT", "UPDATE", "DELETE"}


@dataclass
class Check:
    set: str
    name: str
    passed: bool
    expected: str
    found: str
    problems: list[str] = field(default_factory=list)

    def as_dict(self):
        return asdict(self)


def load_manifest(app_label: str) -> dict:
    try:
        module = importlib.import_module(f"{app_label}.manifest")
    except ModuleNotFoundError:
        return {}
    expected = dict(module.EXPECTED)
    for key in ("tables", "indexes", "foreign_keys", "functions"):
        expected.setdefault(key, [])
    for key in ("policies", "triggers", "seeded"):
        expected.setdefault(key, {})
    return expected


class Catalog:
    """One read of the parts of pg_catalog the checks need (a handful of queries)."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')"
            )
            self.tables = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
            cursor.execute(
                """
                SELECT t.relname, i.relname, x.indisprimary,
                       array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relnamespace = 'public'::regnamespace
                """
            )
            # index name -> (table, columns); primary keys are implied by the tables.
            self.indexes = {
                index: (table, list(columns)) for table, index, primary, columns in cursor.fetchall() if not primary
            }
            cursor.execute(
                """
                SELECT c.conname, t.relname,
                       array(SELECT a.attname FROM unnest(c.conkey) k(attnum)
                             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
                FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
                WHERE c.contype = 'f' AND t.relnamespace = 'public'::regnamespace
                """
            )
            self.foreign_keys = {name: (table, list(columns)) for name, table, columns in cursor.fetchall()}
            cursor.execute("SELECT tablename, policyname, cmd FROM pg_policies WHERE schemaname = 'public'")
            self.policies = {}
            for table, name, command in cursor.fetchall():
                self.policies.setdefault(table, {})[name] = command
            cursor.execute(
                """
                SELECT p.proname, p.prosecdef, coalesce(p.proconfig, '{}')
                FROM pg_proc p
                LEFT JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                WHERE p.pronamespace = 'public'::regnamespace AND d.objid IS NULL
                """
            )
            self.functions = {}
            for name, definer, config in cursor.fetchall():
                self.functions[name] = (definer, list(config))
            cursor.execute(
                "SELECT t.relname, g.tgname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid "
                "WHERE NOT g.tgisinternal AND t.relnamespace = 'public'::regnamespace"
            )
            self.triggers = {}
            for table, name in cursor.fetchall():
                self.triggers.setdefault(table, set()).add(name)
            cursor.execute(
                "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') "
                "AND a.attname = 'workspace_id' AND NOT a.attisdropped"
            )
            self.workspace_tables = {row[0] for row in cursor.fetchall()}

    def row_count(self, table: str) -> int | None:
        if table not in self.tables:
            return None
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            return cursor.fetchone()[0]

    def manifest_of(self, tables: list[str]) -> dict:
        """What the database holds for these tables, in manifest form."""
        tables = sorted(tables)
        owned = set(tables)
        return {
            "tables": tables,
            "indexes": sorted(i for i, (t, _) in self.indexes.items() if t in owned),
            "foreign_keys": sorted(f for f, (t, _) in self.foreign_keys.items() if t in owned),
            "policies": {t: sorted(self.policies.get(t, {})) for t in tables if self.policies.get(t)},
            "triggers": {t: sorted(self.triggers.get(t, ())) for t in tables if self.triggers.get(t)},
        }


def _compare(expected, found) -> list[str]:
    expected, found = set(expected), set(found)
    problems = [f"missing: {name}" for name in sorted(expected - found)]
    problems += [f"not in manifest: {name}" for name in sorted(found - expected)]
    return problems


def _check(set_name, name, expected_items, found_items) -> Check:
    problems = _compare(expected_items, found_items)
    return Check(set_name, name, not problems, str(len(set(expected_items))), str(len(set(found_items))), problems)


# ---------------------------------------------------------------- per-domain checks

def check_tables(set_name, manifest, catalog):
    found = [t for t in manifest["tables"] if t in catalog.tables]
    problems = [f"missing: {t}" for t in manifest["tables"] if t not in catalog.tables]
    return Check(set_name, "tables exist", not problems, str(len(manifest["tables"])), str(len(found)), problems)


def check_indexes(set_name, manifest, catalog):
    owned = set(manifest["tables"])
    found = [i for i, (t, _) in catalog.indexes.items() if t in owned]
    return _check(set_name, "indexes match the manifest", manifest["indexes"], found)


def check_rls(set_name, manifest, catalog):
    problems = []
    expected_policies = [f"{t}.{p}" for t, names in manifest["policies"].items() for p in names]
    found_policies = [f"{t}.{p}" for t in manifest["tables"] for p in catalog.policies.get(t, {})]
    problems += _compare(expected_policies, found_policies)
    for table in manifest["policies"]:
        enabled, forced = catalog.tables.get(table, (False, False))
        if not enabled:
            problems.append(f"RLS not enabled: {table}")
        if not forced:
            problems.append(f"RLS not forced: {table}")
    return Check(
        set_name, "RLS enabled, forced, policies match", not problems,
        f"{len(expected_policies)} policies", f"{len(found_policies)} policies", problems,
    )


def check_functions_and_triggers(set_name, manifest, catalog, *, name="functions and triggers"):
    expected = [f"function {f}" for f in manifest["functions"]]
    expected += [f"trigger {t}.{g}" for t, names in manifest["triggers"].items() for g in names]
    found = [f"function {f}" for f in manifest["functions"] if f in catalog.functions]
    owned = set(manifest["tables"])
    found += [f"trigger {t}.{g}" for t in owned for g in catalog.triggers.get(t, ())]
    return _check(set_name, name, expected, found)


def check_seeded(set_name, manifest, catalog):
    problems, found = [], []
    for table, minimum in manifest["seeded"].items():
        count = catalog.row_count(table)
        found.append(f"{table}={count}")
        if count is None or count < minimum:
            problems.append(f"{table} has {count} rows, expected at least {minimum}")
    expected = ", ".join(f"{t}>={m}" for t, m in manifest["seeded"].items()) or "-"
    return Check(set_name, "registry seeded", not problems, expected, ", ".join(found) or "-", problems)


def domain_checks(number, app_label, catalog) -> list[Check]:
    manifest = load_manifest(app_label)
    set_name = f"Set {number} ({app_label})"
    if not manifest:
        return [Check(set_name, "manifest present", False, f"{app_label}/manifest.py", "none", ["no manifest"])]
    if number in (1, 2):
        return [
            check_tables(set_name, manifest, catalog),
            check_indexes(set_name, manifest, catalog),
            check_rls(set_name, manifest, catalog),
            check_functions_and_triggers(set_name, manifest, catalog),
        ]
    if number == 3:
        return [
            check_tables(set_name, manifest, catalog),
            check_indexes(set_name, manifest, catalog),
            check_rls(set_name, manifest, catalog),
            _merge(set_name, "functions and registry seeded", [
                check_functions_and_triggers(set_name, manifest, catalog),
                check_seeded(set_name, manifest, catalog),
            ]),
        ]
    return [
        _merge(set_name, "tables and indexes", [check_tables(set_name, manifest, catalog), check_indexes(set_name, manifest, catalog)]),
        _merge(set_name, "RLS, policies and functions", [
            check_rls(set_name, manifest, catalog),
            check_functions_and_triggers(set_name, manifest, catalog),
        ]),
    ]


def _merge(set_name, name, checks: list[Check]) -> Check:
    return Check(
        set_name, name, all(c.passed for c in checks),
        "; ".join(c.expected for c in checks), "; ".join(c.found for c in checks),
        [p for c in checks for p in c.problems],
    )


# ---------------------------------------------------------------- summary checks

def summary_checks(catalog) -> list[Check]:
    manifests = {label: load_manifest(label) for label in [CORE_APP] + [label for _, label in DOMAINS]}
    union = {key: set() for key in ("tables", "indexes", "foreign_keys", "policies", "functions")}
    for manifest in manifests.values():
        if not manifest:
            continue
        union["tables"] |= set(manifest["tables"])
        union["indexes"] |= set(manifest["indexes"])
        union["foreign_keys"] |= set(manifest["foreign_keys"])
        union["policies"] |= {f"{t}.{p}" for t, names in manifest["policies"].items() for p in names}
        union["functions"] |= set(manifest["functions"])
    app_tables = {t for t in catalog.tables if not t.startswith(DJANGO_TABLE_PREFIXES)}
    s = "Summary"
    checks = [
        _check(s, "tables", union["tables"], app_tables),
        _check(s, "foreign keys", union["foreign_keys"], [f for f, (t, _) in catalog.foreign_keys.items() if t in app_tables]),
        _check(s, "indexes", union["indexes"], [i for i, (t, _) in catalog.indexes.items() if t in app_tables]),
        _check(s, "policies", union["policies"], [f"{t}.{p}" for t, names in catalog.policies.items() for p in names]),
        _check(s, "functions", union["functions"], catalog.functions),
    ]

    # Every foreign key's columns lead some index (order of the leading columns free).
    unindexed = []
    for name, (table, columns) in sorted(catalog.foreign_keys.items()):
        if table.startswith(DJANGO_TABLE_PREFIXES):
            continue
        covered = columns == ["id"] or any(
            t == table and set(cols[: len(columns)]) == set(columns) for t, cols in catalog.indexes.values()
        )
        if not covered:
            unindexed.append(f"{table}({', '.join(columns)}) [{name}]")
    checks.append(Check(s, "every foreign key column indexed", not unindexed, "0 unindexed", f"{len(unindexed)} unindexed", unindexed))

    # Every table with a workspace_id: RLS enabled and forced, policies for every command.
    problems = []
    for table in sorted(catalog.workspace_tables):
        enabled, forced = catalog.tables[table]
        commands = set(catalog.policies.get(table, {}).values())
        covered = ALL_COMMANDS if "ALL" in commands else commands
        if not (enabled and forced):
            problems.append(f"{table}: RLS {'not forced' if enabled else 'not enabled'}")
        missing = ALL_COMMANDS - covered
        if missing:
            problems.append(f"{table}: no policy for {', '.join(sorted(missing))}")
    checks.append(Check(
        s, "every workspace_id table under forced RLS, all commands", not problems,
        f"{len(catalog.workspace_tables)} tables", f"{len(catalog.workspace_tables) - len(problems)} ok", problems,
    ))

    # SECURITY DEFINER only with a pinned search_path.
    risky = sorted(
        name for name, (definer, config) in catalog.functions.items()
        if definer and not any(c.startswith("search_path=") for c in config)
    )
    checks.append(Check(s, "functions invoker or search_path pinned", not risky, "0 unpinned definers", f"{len(risky)}", risky))
    return checks


def run_checks() -> tuple[list[Check], list[Check]]:
    catalog = Catalog()
    domain = [c for number, label in DOMAINS for c in domain_checks(number, label, catalog)]
    core = load_manifest(CORE_APP)
    if core:
        domain_core = [
            check_tables("Core (raptorflow)", core, catalog),
            check_indexes("Core (raptorflow)", core, catalog),
            check_rls("Core (raptorflow)", core, catalog),
        ]
    else:
        domain_core = []
    return domain, domain_core + summary_checks(catalog)


def current_manifests() -> dict:
    """What the database holds, per app, in manifest form (tables taken from each app's models)."""
    from django.apps import apps

    catalog = Catalog()
    result = {}
    for label in [CORE_APP] + [label for _, label in DOMAINS]:
        tables = [m._meta.db_table for m in apps.get_app_config(label).get_models() if m._meta.managed]
        tables += [
            f.m2m_db_table() for m in apps.get_app_config(label).get_models()
            for f in m._meta.local_many_to_many if f.remote_field.through._meta.auto_created
        ]
        manifest = catalog.manifest_of([t for t in tables if t in catalog.tables])
        # Functions are not tied to a table: keep the manifest's list, minus what is gone.
        existing = load_manifest(label)
        manifest["functions"] = sorted(f for f in existing.get("functions", []) if f in catalog.functions)
        manifest["seeded"] = existing.get("seeded", {})
        result[label] = manifest
    return result
