-- Function ingest_intelligence_signal(text, text, text, jsonb, numeric, text)
-- Created by intelligence/migrations/0003_functions.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION ingest_intelligence_signal(
    p_source text,
    p_signal_type text,
    p_title text,
    p_payload jsonb DEFAULT '{}'::jsonb,
    p_strength numeric DEFAULT 0.5,
    p_fingerprint text DEFAULT NULL
) RETURNS intelligence_signals
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_source text := btrim(p_source);
    v_type text := lower(btrim(p_signal_type));
    v_title text := regexp_replace(btrim(p_title), '\s+', ' ', 'g');
    v_payload jsonb := COALESCE(p_payload, '{}'::jsonb);
    v_fingerprint text := NULLIF(btrim(p_fingerprint), '');
    v_summary text := '';
    v_url text := '';
    v_sentiment numeric;
    v_detected timestamptz := now();
    v_expires timestamptz;
    v_row intelligence_signals;
BEGIN
    IF v_workspace IS NULL THEN
        RAISE EXCEPTION 'no workspace is set: ingest_intelligence_signal writes into app.current_workspace_id'
            USING ERRCODE = '42501', HINT = 'Call it inside workspace_context(workspace.id) or a signed-in request.';
    END IF;
    IF v_source IS NULL OR v_source = '' OR length(v_source) > 100 THEN
        RAISE EXCEPTION 'source is required (1 to 100 characters), got %', quote_nullable(p_source)
            USING ERRCODE = '22023';
    END IF;
    IF v_type IS NULL OR v_type !~ '^[a-z][a-z0-9_]*$' OR length(v_type) > 50 THEN
        RAISE EXCEPTION 'signal type must be an identifier of up to 50 letters, digits and underscores, got %',
            quote_nullable(p_signal_type)
            USING ERRCODE = '22023', HINT = 'For example "competitor_pricing", "review" or "trend".';
    END IF;
    IF v_title IS NULL OR v_title = '' OR length(v_title) > 300 THEN
        RAISE EXCEPTION 'title is required (1 to 300 characters), got %', quote_nullable(left(p_title, 320))
            USING ERRCODE = '22023';
    END IF;
    IF jsonb_typeof(v_payload) <> 'object' THEN
        RAISE EXCEPTION 'payload must be a JSON object, got a JSON %', jsonb_typeof(v_payload)
            USING ERRCODE = '22023';
    END IF;
    IF p_strength IS NULL OR p_strength < 0 OR p_strength > 1 THEN
        RAISE EXCEPTION 'strength must be between 0 and 1, got %', COALESCE(p_strength::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF length(v_fingerprint) > 200 THEN
        RAISE EXCEPTION 'fingerprint must be at most 200 characters, got %', length(v_fingerprint)
            USING ERRCODE = '22023';
    END IF;

    -- Reserved payload keys become columns (and leave the payload).
    IF v_payload ? 'summary' THEN
        v_summary := COALESCE(v_payload ->> 'summary', '');
    END IF;
    IF v_payload ? 'url' THEN
        v_url := COALESCE(btrim(v_payload ->> 'url'), '');
        IF v_url <> '' AND (v_url !~* '^https?://\S+$' OR length(v_url) > 2000) THEN
            RAISE EXCEPTION 'payload url must be an http(s) URL of at most 2000 characters, got %', quote_literal(left(v_url, 100))
                USING ERRCODE = '22023';
        END IF;
    END IF;
    IF v_payload ? 'sentiment' AND jsonb_typeof(v_payload -> 'sentiment') <> 'null' THEN
        IF jsonb_typeof(v_payload -> 'sentiment') = 'number' THEN
            v_sentiment := round((v_payload ->> 'sentiment')::numeric, 3);
        END IF;
        IF v_sentiment IS NULL OR v_sentiment NOT BETWEEN -1 AND 1 THEN
            RAISE EXCEPTION 'payload sentiment must be a number between -1 and 1, got %', v_payload -> 'sentiment'
                USING ERRCODE = '22023';
        END IF;
    END IF;
    IF v_payload ? 'detected_at' AND jsonb_typeof(v_payload -> 'detected_at') <> 'null' THEN
        BEGIN
            v_detected := (v_payload ->> 'detected_at')::timestamptz;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
            RAISE EXCEPTION 'payload detected_at must be a timestamp (ISO 8601), got %', v_payload -> 'detected_at'
                USING ERRCODE = '22023';
        END;
        IF v_detected > now() + interval '1 hour' THEN
            RAISE EXCEPTION 'payload detected_at lies in the future: %', v_detected USING ERRCODE = '22023';
        END IF;
    END IF;
    IF v_payload ? 'expires_at' AND jsonb_typeof(v_payload -> 'expires_at') <> 'null' THEN
        BEGIN
            v_expires := (v_payload ->> 'expires_at')::timestamptz;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
            RAISE EXCEPTION 'payload expires_at must be a timestamp (ISO 8601), got %', v_payload -> 'expires_at'
                USING ERRCODE = '22023';
        END;
        IF v_expires <= v_detected THEN
            RAISE EXCEPTION 'payload expires_at (%) must be later than the detection time (%)', v_expires, v_detected
                USING ERRCODE = '22023';
        END IF;
    END IF;
    v_payload := v_payload - ARRAY['summary', 'url', 'sentiment', 'detected_at', 'expires_at'];

    -- Derived fingerprint: the same source, type and title (case and spacing aside) are one signal.
    IF v_fingerprint IS NULL THEN
        v_fingerprint := encode(sha256(convert_to(lower(v_source) || '|' || v_type || '|' || lower(v_title), 'UTF8')), 'hex');
    END IF;

    INSERT INTO intelligence_signals AS s (
        id, created_at, updated_at, workspace_id, source, signal_type, title, summary, url, payload,
        strength, sentiment, fingerprint, occurrences, first_detected_at, last_detected_at, expires_at, status
    ) VALUES (
        gen_random_uuid(), now(), now(), v_workspace, v_source, v_type, v_title, v_summary, v_url, v_payload,
        round(p_strength, 3), v_sentiment, v_fingerprint, 1, v_detected, v_detected, v_expires, 'new'
    )
    ON CONFLICT (workspace_id, fingerprint) DO UPDATE SET
        occurrences = s.occurrences + 1,
        strength = GREATEST(s.strength, EXCLUDED.strength),
        first_detected_at = LEAST(s.first_detected_at, EXCLUDED.first_detected_at),
        last_detected_at = GREATEST(s.last_detected_at, EXCLUDED.last_detected_at),
        sentiment = COALESCE(EXCLUDED.sentiment, s.sentiment),
        summary = COALESCE(NULLIF(EXCLUDED.summary, ''), s.summary),
        url = COALESCE(NULLIF(EXCLUDED.url, ''), s.url),
        payload = s.payload || EXCLUDED.payload,
        expires_at = GREATEST(s.expires_at, EXCLUDED.expires_at),
        updated_at = now()
    RETURNING s.* INTO v_row;
    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION ingest_intelligence_signal(text, text, text, jsonb, numeric, text) IS
'Record a market signal in the current workspace and return its row. Dedupes on the fingerprint within the '
'workspace (INSERT ... ON CONFLICT, safe under concurrency): a repeat adds 1 to occurrences, keeps the strongest '
'strength, moves last_detected_at forward, merges the payload (newest keys win), keeps the title and the triage '
'status (a dismissed signal stays dismissed). A NULL fingerprint is derived as the hex sha256 of '
'lower(source) | type | lower(title with runs of whitespace collapsed). Reserved payload keys become columns: '
'summary, url, sentiment (-1..1), detected_at and expires_at (ISO 8601; expires_at keeps the latest given). '
'Raises 22023 on bad input, 42501 without a workspace. SECURITY INVOKER.';
