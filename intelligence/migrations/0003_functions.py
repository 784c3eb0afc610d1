"""The three intelligence procedures (SECURITY INVOKER: RLS applies to everything they touch).

- ingest_intelligence_signal: one row per (workspace, fingerprint); a repeat adds an
  occurrence through INSERT ... ON CONFLICT, which is atomic under concurrency.
- synthesize_market_insight: a draft insight from visible signals, confidence from
  their strength and occurrences; the signals become "actioned".
- expire_intelligence_signals: deletes the workspace's expired, not actioned signals.

Every function needs app.current_workspace_id and raises a readable error
(SQLSTATE 22023 for bad input, 42501 without a workspace) otherwise.
"""

from django.db import migrations

WORKSPACE = "NULLIF(current_setting('app.current_workspace_id', true), '')::uuid"
USER = "NULLIF(current_setting('app.current_user_id', true), '')::uuid"
CATEGORIES = "general, competitor, pricing, product, audience, channel, trend, regulatory"

INGEST = r"""
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
    v_workspace uuid := %(workspace)s;
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
        RAISE EXCEPTION 'source is required (1 to 100 characters), got %%', quote_nullable(p_source)
            USING ERRCODE = '22023';
    END IF;
    IF v_type IS NULL OR v_type !~ '^[a-z][a-z0-9_]*$' OR length(v_type) > 50 THEN
        RAISE EXCEPTION 'signal type must be an identifier of up to 50 letters, digits and underscores, got %%',
            quote_nullable(p_signal_type)
            USING ERRCODE = '22023', HINT = 'For example "competitor_pricing", "review" or "trend".';
    END IF;
    IF v_title IS NULL OR v_title = '' OR length(v_title) > 300 THEN
        RAISE EXCEPTION 'title is required (1 to 300 characters), got %%', quote_nullable(left(p_title, 320))
            USING ERRCODE = '22023';
    END IF;
    IF jsonb_typeof(v_payload) <> 'object' THEN
        RAISE EXCEPTION 'payload must be a JSON object, got a JSON %%', jsonb_typeof(v_payload)
            USING ERRCODE = '22023';
    END IF;
    IF p_strength IS NULL OR p_strength < 0 OR p_strength > 1 THEN
        RAISE EXCEPTION 'strength must be between 0 and 1, got %%', COALESCE(p_strength::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF length(v_fingerprint) > 200 THEN
        RAISE EXCEPTION 'fingerprint must be at most 200 characters, got %%', length(v_fingerprint)
            USING ERRCODE = '22023';
    END IF;

    -- Reserved payload keys become columns (and leave the payload).
    IF v_payload ? 'summary' THEN
        v_summary := COALESCE(v_payload ->> 'summary', '');
    END IF;
    IF v_payload ? 'url' THEN
        v_url := COALESCE(btrim(v_payload ->> 'url'), '');
        IF v_url <> '' AND (v_url !~* '^https?://\S+$' OR length(v_url) > 2000) THEN
            RAISE EXCEPTION 'payload url must be an http(s) URL of at most 2000 characters, got %%', quote_literal(left(v_url, 100))
                USING ERRCODE = '22023';
        END IF;
    END IF;
    IF v_payload ? 'sentiment' AND jsonb_typeof(v_payload -> 'sentiment') <> 'null' THEN
        IF jsonb_typeof(v_payload -> 'sentiment') = 'number' THEN
            v_sentiment := round((v_payload ->> 'sentiment')::numeric, 3);
        END IF;
        IF v_sentiment IS NULL OR v_sentiment NOT BETWEEN -1 AND 1 THEN
            RAISE EXCEPTION 'payload sentiment must be a number between -1 and 1, got %%', v_payload -> 'sentiment'
                USING ERRCODE = '22023';
        END IF;
    END IF;
    IF v_payload ? 'detected_at' AND jsonb_typeof(v_payload -> 'detected_at') <> 'null' THEN
        BEGIN
            v_detected := (v_payload ->> 'detected_at')::timestamptz;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
            RAISE EXCEPTION 'payload detected_at must be a timestamp (ISO 8601), got %%', v_payload -> 'detected_at'
                USING ERRCODE = '22023';
        END;
        IF v_detected > now() + interval '1 hour' THEN
            RAISE EXCEPTION 'payload detected_at lies in the future: %%', v_detected USING ERRCODE = '22023';
        END IF;
    END IF;
    IF v_payload ? 'expires_at' AND jsonb_typeof(v_payload -> 'expires_at') <> 'null' THEN
        BEGIN
            v_expires := (v_payload ->> 'expires_at')::timestamptz;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
            RAISE EXCEPTION 'payload expires_at must be a timestamp (ISO 8601), got %%', v_payload -> 'expires_at'
                USING ERRCODE = '22023';
        END;
        IF v_expires <= v_detected THEN
            RAISE EXCEPTION 'payload expires_at (%%) must be later than the detection time (%%)', v_expires, v_detected
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
""" % {"workspace": WORKSPACE}

SYNTHESIZE = r"""
CREATE OR REPLACE FUNCTION synthesize_market_insight(
    p_title text,
    p_summary text,
    p_signal_ids uuid[],
    p_category text DEFAULT 'general'
) RETURNS market_insights
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace uuid := %(workspace)s;
    v_user uuid := %(user)s;
    v_title text := btrim(p_title);
    v_ids uuid[];
    v_found integer;
    v_dismissed integer;
    v_product double precision;
    v_confidence numeric;
    v_row market_insights;
BEGIN
    IF v_workspace IS NULL THEN
        RAISE EXCEPTION 'no workspace is set: synthesize_market_insight works in app.current_workspace_id'
            USING ERRCODE = '42501', HINT = 'Call it inside workspace_context(workspace.id) or a signed-in request.';
    END IF;
    IF v_title IS NULL OR v_title = '' OR length(v_title) > 300 THEN
        RAISE EXCEPTION 'title is required (1 to 300 characters)' USING ERRCODE = '22023';
    END IF;
    IF p_category IS NULL OR p_category NOT IN ('general', 'competitor', 'pricing', 'product', 'audience', 'channel', 'trend', 'regulatory') THEN
        RAISE EXCEPTION 'category must be one of %(categories)s; got %%', quote_nullable(p_category)
            USING ERRCODE = '22023';
    END IF;
    IF p_signal_ids IS NULL OR cardinality(p_signal_ids) = 0 THEN
        RAISE EXCEPTION 'an insight needs at least one signal id' USING ERRCODE = '22023';
    END IF;
    IF array_position(p_signal_ids, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'signal ids must not contain NULL' USING ERRCODE = '22023';
    END IF;
    SELECT array_agg(DISTINCT i ORDER BY i) INTO v_ids FROM unnest(p_signal_ids) AS i;

    -- Lock the signals in id order: two syntheses over overlapping signals cannot deadlock,
    -- and no one changes a signal between reading its strength and marking it actioned.
    PERFORM 1 FROM intelligence_signals
    WHERE workspace_id = v_workspace AND id = ANY (v_ids)
    ORDER BY id
    FOR UPDATE;

    -- Noisy-OR of the evidence: each signal counts strength * (1 - 0.5^occurrences),
    -- corroboration saturating at 10 occurrences.
    SELECT count(*),
           count(*) FILTER (WHERE status = 'dismissed'),
           exp(sum(ln(1 - strength::double precision * (1 - 0.5 ^ LEAST(occurrences, 10)))))
    INTO v_found, v_dismissed, v_product
    FROM intelligence_signals
    WHERE workspace_id = v_workspace AND id = ANY (v_ids);

    IF v_found < cardinality(v_ids) THEN
        RAISE EXCEPTION '%% of %% signal ids were not found in this workspace', cardinality(v_ids) - v_found, cardinality(v_ids)
            USING ERRCODE = '22023', HINT = 'Only signals of the current workspace can back its insights.';
    END IF;
    IF v_dismissed > 0 THEN
        RAISE EXCEPTION '%% of the %% signals are dismissed; review them again before using them in an insight', v_dismissed, v_found
            USING ERRCODE = '22023';
    END IF;

    v_confidence := round(LEAST(0.99, 1 - v_product)::numeric, 3);

    INSERT INTO market_insights (
        id, created_at, updated_at, workspace_id, title, summary, category, confidence, impact,
        signal_ids, recommended_actions, status, created_by_id
    ) VALUES (
        gen_random_uuid(), now(), now(), v_workspace, v_title, COALESCE(p_summary, ''), p_category, v_confidence,
        CASE WHEN v_confidence >= 0.8 THEN 'high' WHEN v_confidence >= 0.5 THEN 'medium' ELSE 'low' END,
        v_ids, '[]'::jsonb, 'draft', v_user
    )
    RETURNING * INTO v_row;

    UPDATE intelligence_signals
    SET status = 'actioned', reviewed_at = now(), reviewed_by_id = COALESCE(v_user, reviewed_by_id), updated_at = now()
    WHERE workspace_id = v_workspace AND id = ANY (v_ids);

    RETURN v_row;
END
$fn$;

COMMENT ON FUNCTION synthesize_market_insight(text, text, uuid[], text) IS
'Create a draft market insight in the current workspace from the given signals and mark them actioned. '
'Every id must be a signal visible in the workspace (else: "N of M signal ids were not found in this workspace") '
'and none dismissed. confidence = least(0.99, 1 - product over signals of (1 - strength * (1 - 0.5^least(occurrences, 10)))), '
'rounded to 3 decimals: independent evidence accumulates, a repeated signal counts more, certainty is never claimed. '
'impact: high from 0.8, medium from 0.5, else low (staff may raise it to critical). Duplicate ids count once. '
'Raises 22023 on bad input, 42501 without a workspace. SECURITY INVOKER.';
""" % {"workspace": WORKSPACE, "user": USER, "categories": CATEGORIES}

EXPIRE = r"""
CREATE OR REPLACE FUNCTION expire_intelligence_signals(p_now timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace uuid := %(workspace)s;
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
""" % {"workspace": WORKSPACE}

class Migration(migrations.Migration):
    dependencies = [("intelligence", "0002_rls_policies")]

    operations = [
        migrations.RunSQL(
            sql=INGEST,
            reverse_sql="DROP FUNCTION IF EXISTS ingest_intelligence_signal(text, text, text, jsonb, numeric, text);",
        ),
        migrations.RunSQL(
            sql=SYNTHESIZE,
            reverse_sql="DROP FUNCTION IF EXISTS synthesize_market_insight(text, text, uuid[], text);",
        ),
        migrations.RunSQL(
            sql=EXPIRE,
            reverse_sql="DROP FUNCTION IF EXISTS expire_intelligence_signals(timestamptz);",
        ),
    ]
