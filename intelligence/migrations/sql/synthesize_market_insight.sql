-- Function synthesize_market_insight(text, text, uuid[], text)
-- Created by intelligence/migrations/0003_functions.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION synthesize_market_insight(
    p_title text,
    p_summary text,
    p_signal_ids uuid[],
    p_category text DEFAULT 'general'
) RETURNS market_insights
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_user uuid := NULLIF(current_setting('app.current_user_id', true), '')::uuid;
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
        RAISE EXCEPTION 'category must be one of general, competitor, pricing, product, audience, channel, trend, regulatory; got %', quote_nullable(p_category)
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
        RAISE EXCEPTION '% of % signal ids were not found in this workspace', cardinality(v_ids) - v_found, cardinality(v_ids)
            USING ERRCODE = '22023', HINT = 'Only signals of the current workspace can back its insights.';
    END IF;
    IF v_dismissed > 0 THEN
        RAISE EXCEPTION '% of the % signals are dismissed; review them again before using them in an insight', v_dismissed, v_found
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
