-- Function raise_system_alert(text, text, text, text, jsonb, text)
-- Created by alerts/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION raise_system_alert(
    p_severity text,
    p_source text,
    p_title text,
    p_message text DEFAULT '',
    p_details jsonb DEFAULT '{}',
    p_fingerprint text DEFAULT NULL
) RETURNS system_alerts
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_workspace uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_severity text := lower(btrim(p_severity));
    v_source text := btrim(p_source);
    v_title text := btrim(p_title);
    v_details jsonb := COALESCE(p_details, '{}'::jsonb);
    v_fingerprint text;
    v_row system_alerts;
    c_ranks CONSTANT text[] := ARRAY['info', 'warning', 'error', 'critical'];
BEGIN
    IF v_severity IS NULL OR NOT v_severity = ANY (c_ranks) THEN
        RAISE EXCEPTION 'severity must be one of info, warning, error, critical, got %', COALESCE(quote_literal(p_severity), 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF COALESCE(v_source, '') = '' THEN
        RAISE EXCEPTION 'source is required' USING ERRCODE = '22023', HINT = 'Name the subsystem that raises the alert.';
    END IF;
    IF COALESCE(v_title, '') = '' THEN
        RAISE EXCEPTION 'title is required' USING ERRCODE = '22023';
    END IF;
    IF length(v_source) > 100 OR length(v_title) > 200 THEN
        RAISE EXCEPTION 'source is limited to 100 and title to 200 characters, got % and %', length(v_source), length(v_title)
            USING ERRCODE = '22023';
    END IF;
    IF jsonb_typeof(v_details) <> 'object' THEN
        RAISE EXCEPTION 'details must be a JSON object, got %', jsonb_typeof(v_details) USING ERRCODE = '22023';
    END IF;
    IF v_workspace IS NULL AND NOT alerts_is_schema_owner() THEN
        RAISE EXCEPTION 'no workspace is set: only the schema owner may raise a platform-wide alert'
            USING ERRCODE = '42501', HINT = 'Set app.current_workspace_id (workspace_context() in Python).';
    END IF;
    v_fingerprint := left(COALESCE(NULLIF(btrim(p_fingerprint), ''), md5(v_source || E'\n' || v_title)), 200);

    -- One unresolved alert per (workspace, fingerprint), enforced by the partial
    -- unique index system_alerts_unresolved_fingerprint_uniq: concurrent raises
    -- serialise on it, the losers add an occurrence instead of a duplicate.
    INSERT INTO system_alerts AS a (
        id, created_at, updated_at, workspace_id, severity, source, title, message, details,
        fingerprint, occurrence_count, first_seen_at, last_seen_at, status, resolution_note
    ) VALUES (
        gen_random_uuid(), now(), now(), v_workspace, v_severity, v_source, v_title, COALESCE(p_message, ''), v_details,
        v_fingerprint, 1, now(), now(), 'open', ''
    )
    ON CONFLICT (workspace_id, fingerprint) WHERE NOT (status = 'resolved') DO UPDATE SET
        occurrence_count = a.occurrence_count + 1,
        last_seen_at = GREATEST(a.last_seen_at, EXCLUDED.last_seen_at),
        updated_at = now(),
        -- A repeat may escalate the severity, never lower it.
        severity = CASE WHEN array_position(c_ranks, EXCLUDED.severity) > array_position(c_ranks, a.severity)
                        THEN EXCLUDED.severity ELSE a.severity END,
        message = CASE WHEN EXCLUDED.message <> '' THEN EXCLUDED.message ELSE a.message END,
        details = a.details || EXCLUDED.details
    RETURNING a.* INTO v_row;
    RETURN v_row;
END
$$;

COMMENT ON FUNCTION raise_system_alert(text, text, text, text, jsonb, text) IS
    'Raise an alert in the current workspace (platform-wide when none is set: schema owner only). An unresolved alert with the same fingerprint (default md5(source, title)) gains an occurrence, a later last_seen_at and possibly a higher severity instead of a duplicate; concurrency-safe (INSERT ... ON CONFLICT). Error/critical alerts notify the workspace owners and admins (trigger system_alerts_notify_admins).';
