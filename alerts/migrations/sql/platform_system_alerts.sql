-- Function platform_system_alerts()
-- Created by alerts/migrations/0005_platform_alerts_read_path.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).
--
-- Why SECURITY DEFINER (the written reason the SPEC asks for): platform-wide
-- alerts (workspace_id IS NULL) are read by every workspace's staff, but the
-- table's SELECT policy for the app role is one indexable equality,
-- workspace_id = app.current_workspace_id (alerts 0005 dropped the permissive
-- system_alerts_platform_read, whose OR made every query on the table that
-- relied on RLS a BitmapOr and a sort). This function is the one read path for
-- those rows: it runs as the schema owner, which reads them through the
-- owner's policy system_alerts_platform_owner (FORCE binds the owner too). It
-- returns platform-wide rows only, never a workspace's, only while a workspace
-- is set (fail closed, as the policies), and writes nothing. search_path is
-- pinned and every name is schema-qualified. EXECUTE is granted to the app
-- role only (alerts 0005).

CREATE OR REPLACE FUNCTION platform_system_alerts() RETURNS SETOF system_alerts
LANGUAGE sql STABLE SECURITY DEFINER ROWS 20 SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT a.*
    FROM public.system_alerts AS a
    WHERE a.workspace_id IS NULL
      AND NULLIF(pg_catalog.current_setting('app.current_workspace_id', true), '') IS NOT NULL
$$;

COMMENT ON FUNCTION platform_system_alerts() IS
    'Platform-wide alerts (workspace_id IS NULL), read-only, for any workspace context; nothing without one. SECURITY DEFINER with a pinned search_path: the table''s own SELECT policy for the app role is the workspace equality alone (alerts 0005).';
