-- Function record_gamification_event(uuid, text, uuid, timestamptz)
-- Created by gamification/migrations/0005_event_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION record_gamification_event(
    p_user_id uuid,
    p_event text,
    p_subject_id uuid DEFAULT NULL,
    p_occurred_at timestamptz DEFAULT now()
)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $fn$
DECLARE
    v_workspace_id uuid := NULLIF(current_setting('app.current_workspace_id', true), '')::uuid;
    v_subject uuid := p_subject_id;
    v_day date;
    v_xp integer := 0;
    v_event_id uuid;
    v_previous_day date;
    v_same_day boolean;
    v_current integer;
    v_longest integer;
    v_achievement record;
    v_progress integer;
    v_advanced integer := 0;
BEGIN
    IF v_workspace_id IS NULL THEN
        RAISE EXCEPTION 'no workspace is set (app.current_workspace_id is empty)'
            USING ERRCODE = '55000', HINT = 'Call it inside a request or raptorflow.tenancy.workspace_context().';
    END IF;
    IF p_event IS NULL OR p_event NOT IN (
        'quest_completed', 'campaign_launched', 'campaign_completed', 'cohort_created', 'positioning_published',
        'signal_reviewed', 'insight_published', 'alert_resolved', 'daily_login'
    ) THEN
        RAISE EXCEPTION 'unknown gamification event %', coalesce(quote_literal(p_event), 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'One of quest_completed, campaign_launched, campaign_completed, cohort_created, positioning_published, '
                         'signal_reviewed, insight_published, alert_resolved, daily_login ("manual" achievements are awarded by hand).';
    END IF;
    IF p_occurred_at IS NULL THEN
        RAISE EXCEPTION 'occurred_at is required' USING ERRCODE = '22023';
    END IF;
    PERFORM gamification_assert_member(v_workspace_id, p_user_id);

    v_day := (p_occurred_at AT TIME ZONE 'UTC')::date;
    IF p_event = 'daily_login' AND v_subject IS NULL THEN
        -- One sign-in a UTC day counts: the day is the subject.
        v_subject := md5('daily_login:' || v_day::text)::uuid;
    END IF;
    IF p_event = 'quest_completed' AND v_subject IS NOT NULL THEN
        SELECT q.xp_reward INTO v_xp FROM campaign_quests q WHERE q.workspace_id = v_workspace_id AND q.id = v_subject;
        v_xp := coalesce(v_xp, 0);
    END IF;

    -- The member's stats row first, locked: one member's events queue here, so the
    -- counts, the streak and the achievements below never race (and never deadlock:
    -- every path takes this lock before any user_achievements row).
    INSERT INTO user_stats (workspace_id, user_id) VALUES (v_workspace_id, p_user_id)
    ON CONFLICT (workspace_id, user_id) DO NOTHING;
    PERFORM 1 FROM user_stats s WHERE s.workspace_id = v_workspace_id AND s.user_id = p_user_id FOR UPDATE;

    INSERT INTO gamification_events (workspace_id, user_id, event, subject_id, occurred_at, xp_awarded)
    VALUES (v_workspace_id, p_user_id, p_event, v_subject, p_occurred_at, v_xp)
    ON CONFLICT (workspace_id, user_id, event, subject_id) DO NOTHING
    RETURNING id INTO v_event_id;
    IF v_event_id IS NULL THEN
        RETURN 0;  -- recorded before (the same quest completed again, a second sign-in today): counts once
    END IF;

    -- Streak: consecutive UTC days with at least one event.
    SELECT max((e.occurred_at AT TIME ZONE 'UTC')::date),
           bool_or((e.occurred_at AT TIME ZONE 'UTC')::date = v_day)
      INTO v_previous_day, v_same_day
      FROM gamification_events e
     WHERE e.workspace_id = v_workspace_id AND e.user_id = p_user_id AND e.id <> v_event_id;
    SELECT s.current_streak_days, s.longest_streak_days INTO v_current, v_longest
      FROM user_stats s WHERE s.workspace_id = v_workspace_id AND s.user_id = p_user_id;
    IF coalesce(v_same_day, false) THEN
        NULL;  -- that day was counted already
    ELSIF v_previous_day IS NULL OR v_day > v_previous_day + 1 THEN
        v_current := 1;
    ELSIF v_day = v_previous_day + 1 THEN
        v_current := v_current + 1;
    ELSE
        -- An event dated before the latest active day (a replay): count the runs again.
        SELECT s.current_streak_days, s.longest_streak_days INTO v_current, v_longest
          FROM gamification_streaks(v_workspace_id, p_user_id) s;
    END IF;

    UPDATE user_stats s
       SET total_xp = s.total_xp + v_xp,
           quests_completed = s.quests_completed + (p_event = 'quest_completed')::integer,
           current_streak_days = v_current,
           longest_streak_days = GREATEST(v_longest, v_current),
           last_activity_at = GREATEST(s.last_activity_at, p_occurred_at),
           updated_at = now()
     WHERE s.workspace_id = v_workspace_id AND s.user_id = p_user_id;

    -- Every active achievement of this event; the validation and credit triggers of
    -- user_achievements complete it at the target and credit its xp exactly once.
    FOR v_achievement IN
        SELECT a.id, a.target_value, (a.criteria ->> 'within_days')::integer AS within_days
          FROM achievements a
         WHERE a.workspace_id = v_workspace_id AND a.is_active AND a.criteria ->> 'event' = p_event
         ORDER BY a.id
    LOOP
        IF v_achievement.within_days IS NULL THEN
            v_progress := 1;
        ELSE
            SELECT count(*) INTO v_progress
              FROM gamification_events e
             WHERE e.workspace_id = v_workspace_id AND e.user_id = p_user_id AND e.event = p_event
               AND e.occurred_at > p_occurred_at - make_interval(days => v_achievement.within_days)
               AND e.occurred_at <= p_occurred_at;
        END IF;
        v_progress := LEAST(v_progress, v_achievement.target_value);
        INSERT INTO user_achievements AS ua (workspace_id, user_id, achievement_id, progress)
        VALUES (v_workspace_id, p_user_id, v_achievement.id, v_progress)
        ON CONFLICT (workspace_id, user_id, achievement_id) DO UPDATE
           SET progress = CASE WHEN v_achievement.within_days IS NULL
                               THEN LEAST(ua.progress + 1, v_achievement.target_value)
                               ELSE GREATEST(ua.progress, EXCLUDED.progress) END,
               updated_at = now()
         WHERE ua.completed_at IS NULL
           AND (v_achievement.within_days IS NULL OR EXCLUDED.progress > ua.progress);
        IF FOUND THEN
            v_advanced := v_advanced + 1;
        END IF;
    END LOOP;
    RETURN v_advanced;
END
$fn$;

COMMENT ON FUNCTION record_gamification_event(uuid, text, uuid, timestamptz) IS
'Records one event of a member in the current workspace, once per (user, event, subject) (daily_login: the UTC day is the subject), and keeps the gamification true: advances every active achievement of that event (counting only events inside within_days when the criteria set it; the triggers complete it and credit its xp once), adds a completed quest''s xp_reward, counts quests, keeps last activity and the current and longest streak (consecutive UTC days with an event). Returns how many achievements advanced (0 when the event was recorded before). Unknown event, non-member or no workspace: a readable error. SECURITY INVOKER.';
