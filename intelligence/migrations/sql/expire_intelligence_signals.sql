-- Function expire_intelligence_signals(timestamptz)
-- Created by intelligence/migrations/0003_functions.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION expire_intelligence_signals(p_now timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_count integer;
BEGIN
    IF v_workspace IS NULL THEN
        RAISE EXCEPTION 'no workspace is set: expire_intelligence_signals works in app.current_workspace_id'
            USING ERRCODE = '42501', HINT = 'Call it inside workspace_context(workspace.id), once per workspace.';
    END IF;
    IF p_now IS NULL THEN
        RAISE EXCEPTION 'the expiry time must not be NULL' USING ERRCODE = '22023';
    END IF;
    DELETE FROM intelligence_signals
    WHERE workspace_id = v_workspace
      AND expires_at IS NOT NULL
      AND expires_at <= p_now
      AND NOT (status = 'actioned');
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$fn$;

COMMENT ON FUNCTION expire_intelligence_signals(timestamptz) IS
'Delete the current workspace''s signals whose expires_at is at or before p_now, except actioned ones (the evidence '
'of an insight). Returns how many were deleted. A later repeat of a deleted signal starts afresh as new. '
'Raises 42501 without a workspace. SECURITY INVOKER.';
