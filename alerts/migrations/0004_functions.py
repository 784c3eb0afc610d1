"""The alert lifecycle and notification functions (6 procedures + 1 function).

All SECURITY INVOKER: RLS applies to the caller, so a workspace only ever
raises, acknowledges and resolves its own alerts, and only the schema owner
writes platform-wide ones. Errors are readable (``RAISE ... USING ERRCODE``):
22023 bad input, P0002 unknown row, 42501 not allowed, 55000 invalid
transition or missing context.

notify_user writes a row for *another* user, which the caller's SELECT policy
hides; ``INSERT ... RETURNING`` would therefore fail ("new row violates
row-level security policy"). It builds the row in plpgsql, inserts it without
RETURNING (the INSERT-only policy ``user_notifications_member_insert`` checks
the workspace and the membership) and returns the built row.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION alerts_is_schema_owner() RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = 'public.system_alerts'::regclass
$$;
COMMENT ON FUNCTION alerts_is_schema_owner() IS
    'True when the current role owns system_alerts (migrations, the DBA): the only role that writes platform-wide alerts.';

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

CREATE OR REPLACE FUNCTION alerts_lock_alert(p_alert_id uuid, p_action text) RETURNS system_alerts
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_row system_alerts;
BEGIN
    IF p_alert_id IS NULL THEN
        RAISE EXCEPTION 'an alert id is required' USING ERRCODE = '22023';
    END IF;
    -- FOR UPDATE reads through the UPDATE policies: a platform-wide alert is not
    -- lockable by a workspace, so tell "read-only" apart from "missing".
    SELECT * INTO v_row FROM system_alerts WHERE id = p_alert_id FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM system_alerts WHERE id = p_alert_id AND workspace_id IS NULL) THEN
            RAISE EXCEPTION 'alert % is platform-wide: a workspace may read it but not %', p_alert_id, p_action
                USING ERRCODE = '42501', HINT = 'Platform-wide alerts are handled by the platform team (the schema owner).';
        END IF;
        RAISE EXCEPTION 'alert % does not exist in this workspace', p_alert_id USING ERRCODE = 'P0002';
    END IF;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION alerts_lock_alert(uuid, text) IS
    'Helper of acknowledge/resolve_system_alert: the alert row locked FOR UPDATE, or a readable error (missing, platform-wide).';

CREATE OR REPLACE FUNCTION acknowledge_system_alert(p_alert_id uuid) RETURNS system_alerts
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_row system_alerts := alerts_lock_alert(p_alert_id, 'acknowledge it');
BEGIN
    IF v_row.status = 'resolved' THEN
        RAISE EXCEPTION 'alert % is already resolved and cannot be acknowledged', p_alert_id
            USING ERRCODE = '55000', HINT = 'Valid transitions: open -> acknowledged -> resolved, open -> resolved.';
    END IF;
    IF v_row.status = 'acknowledged' THEN
        RETURN v_row;  -- idempotent: the first acknowledgement stands
    END IF;
    UPDATE system_alerts
       SET status = 'acknowledged',
           acknowledged_by_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid,
           acknowledged_at = now(),
           updated_at = now()
     WHERE id = p_alert_id
    RETURNING * INTO v_row;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION acknowledge_system_alert(uuid) IS
    'open -> acknowledged, recording app.current_user_id and now(). Acknowledging an acknowledged alert returns it unchanged; a resolved one raises (55000).';

CREATE OR REPLACE FUNCTION resolve_system_alert(p_alert_id uuid, p_note text DEFAULT NULL) RETURNS system_alerts
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_row system_alerts := alerts_lock_alert(p_alert_id, 'resolve it');
BEGIN
    IF v_row.status = 'resolved' THEN
        RETURN v_row;  -- idempotent: the first resolution (and its note) stands
    END IF;
    UPDATE system_alerts
       SET status = 'resolved',
           resolved_by_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid,
           resolved_at = now(),
           resolution_note = COALESCE(btrim(p_note), ''),
           updated_at = now()
     WHERE id = p_alert_id
    RETURNING * INTO v_row;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION resolve_system_alert(uuid, text) IS
    'open or acknowledged -> resolved, recording app.current_user_id, now() and the note. Resolving a resolved alert returns it unchanged. A later raise with the same fingerprint opens a new alert.';

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
        IF NOT FOUND OR (v_alert_workspace IS NOT NULL AND v_alert_workspace <> v_workspace) THEN
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

CREATE OR REPLACE FUNCTION mark_notification_read(p_notification_id uuid) RETURNS user_notifications
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_row user_notifications;
BEGIN
    UPDATE user_notifications
       SET read_at = COALESCE(read_at, now()),
           updated_at = CASE WHEN read_at IS NULL THEN now() ELSE updated_at END
     WHERE id = p_notification_id
       AND user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid
    RETURNING * INTO v_row;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'notification % does not exist among your notifications in this workspace', p_notification_id
            USING ERRCODE = 'P0002';
    END IF;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION mark_notification_read(uuid) IS
    'Mark one of the current user''s notifications read (idempotent: the first read_at stays). Another user''s notification is reported as missing.';

CREATE OR REPLACE FUNCTION mark_all_notifications_read() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE user_notifications
       SET read_at = now(), updated_at = now()
     WHERE workspace_id = NULLIF(current_setting('app.current_workspace_id', true), '')::uuid
       AND user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid
       AND read_at IS NULL;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION mark_all_notifications_read() IS
    'Mark every unread notification of the current user in the current workspace read; returns how many changed.';

CREATE OR REPLACE FUNCTION unread_notification_count() RETURNS integer
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp AS $$
    SELECT count(*)::integer
      FROM user_notifications
     WHERE workspace_id = (SELECT NULLIF(current_setting('app.current_workspace_id', true), '')::uuid)
       AND user_id = (SELECT NULLIF(current_setting('app.current_user_id', true), '')::uuid)
       AND read_at IS NULL
       AND (expires_at IS NULL OR expires_at > now())
$$;
COMMENT ON FUNCTION unread_notification_count() IS
    'Unread, unexpired notifications of the current user in the current workspace (the admin header badge); 0 without a context.';
"""

REVERSE = r"""
DROP FUNCTION IF EXISTS unread_notification_count();
DROP FUNCTION IF EXISTS mark_all_notifications_read();
DROP FUNCTION IF EXISTS mark_notification_read(uuid);
DROP FUNCTION IF EXISTS notify_user(uuid, text, text, text, text, uuid);
DROP FUNCTION IF EXISTS resolve_system_alert(uuid, text);
DROP FUNCTION IF EXISTS acknowledge_system_alert(uuid);
DROP FUNCTION IF EXISTS alerts_lock_alert(uuid, text);
DROP FUNCTION IF EXISTS raise_system_alert(text, text, text, text, jsonb, text);
DROP FUNCTION IF EXISTS alerts_is_schema_owner();
"""


class Migration(migrations.Migration):
    dependencies = [("alerts", "0003_notification_integrity")]

    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=REVERSE)]
