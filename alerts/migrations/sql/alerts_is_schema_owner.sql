-- Function alerts_is_schema_owner()
-- Created by alerts/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION alerts_is_schema_owner() RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = 'public.system_alerts'::regclass
$$;

COMMENT ON FUNCTION alerts_is_schema_owner() IS
    'True when the current role owns system_alerts (migrations, the DBA): the only role that writes platform-wide alerts.';
