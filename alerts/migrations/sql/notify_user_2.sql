-- Function notify_user(uuid, text, text, text, text, uuid), second version
-- Created by alerts/migrations/0005_platform_alerts_read_path.py, which reads this file at this path
-- (its reverse reads notify_user.sql). Never edit this file after release: to change the function,
-- add a new file and a new migration that replaces it.
--
-- Since alerts 0005 a workspace reads platform-wide alerts through
-- platform_system_alerts(), not from the table (whose SELECT policy for the
-- app role is the workspace equality alone).

CREATE OR REPLACE FUNCTION notify_user(
    p_user_id uuid,
    p_title text,
    p_body text DEFAULT '',
    p_kind text DEFAULT 'info',
    p_link text DEFAULT NULL,
    p_alert_id uuid DEFAULT NULL
) RETURNS user_notifications
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_workspace uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_alert_workspace uuid;
    v_row user_notifications;
BEGIN
    IF v_workspace IS NULL THEN
        RAISE EXCEPTION 'no workspace is set: a notification belongs to a workspace'
            USING ERRCODE = '55000', HINT = 'Set app.current_workspace_id (workspace_context() in Python).';
    END IF;
    IF p_user_id IS NULL THEN
        RAISE EXCEPTION 'a user id is required' USING ERRCODE = '22023';
    END IF;
    IF COALESCE(btrim(p_title), '') = '' OR length(btrim(p_title)) > 200 THEN
        RAISE EXCEPTION 'title is required and limited to 200 characters' USING ERRCODE = '22023';
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('info', 'success', 'warning', 'error', 'alert') THEN
        RAISE EXCEPTION 'kind must be one of info, success, warning, error, alert, got %', COALESCE(quote_literal(p_kind), 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF NULLIF(btrim(p_link), '') IS NOT NULL AND NOT (btrim(p_link) LIKE '/%' OR btrim(p_link) ~ '^https?://') THEN
        RAISE EXCEPTION 'link must be a relative path or an http(s) URL, got %', quote_literal(p_link) USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM workspace_members m WHERE m.workspace_id = v_workspace AND m.user_id = p_user_id) THEN
        RAISE EXCEPTION 'user % is not a member of this workspace', p_user_id
            USING ERRCODE = '22023', HINT = 'Only members of the current workspace can be notified.';
    END IF;
    IF p_alert_id IS NOT NULL THEN
        SELECT a.workspace_id INTO v_alert_workspace FROM system_alerts a WHERE a.id = p_alert_id;
        IF NOT FOUND THEN
            IF NOT EXISTS (SELECT 1 FROM platform_system_alerts() AS p WHERE p.id = p_alert_id) THEN
                RAISE EXCEPTION 'alert % does not exist in this workspace', p_alert_id USING ERRCODE = 'P0002';
            END IF;
        ELSIF v_alert_workspace IS NOT NULL AND v_alert_workspace <> v_workspace THEN
            RAISE EXCEPTION 'alert % does not exist in this workspace', p_alert_id USING ERRCODE = 'P0002';
        END IF;
    END IF;

    -- Built here and inserted without RETURNING: the recipient is usually not
    -- the caller, and RETURNING would have to pass the caller's SELECT policy.
    v_row.id := gen_random_uuid();
    v_row.created_at := now();
    v_row.updated_at := now();
    v_row.workspace_id := v_workspace;
    v_row.user_id := p_user_id;
    v_row.alert_id := p_alert_id;
    v_row.kind := p_kind;
    v_row.title := btrim(p_title);
    v_row.body := COALESCE(p_body, '');
    v_row.link := NULLIF(btrim(p_link), '');
    v_row.read_at := NULL;
    v_row.expires_at := NULL;
    INSERT INTO user_notifications SELECT (v_row).*;
    RETURN v_row;
END
$$;

COMMENT ON FUNCTION notify_user(uuid, text, text, text, text, uuid) IS
    'Send a notification to a member of the current workspace (optionally about an alert of the workspace or a platform-wide one). Returns the new row, built in plpgsql: the caller may not be allowed to read it back.';
