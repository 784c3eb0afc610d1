-- Function campaign_quests_check_hierarchy()
-- Created by campaigns/migrations/0003_functions_and_triggers.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION campaign_quests_check_hierarchy() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    v_parent_campaign uuid;
    v_ancestor uuid;
    v_depth integer := 0;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.campaign_id IS DISTINCT FROM OLD.campaign_id AND EXISTS (
        SELECT 1 FROM campaign_quests c WHERE c.workspace_id = NEW.workspace_id AND c.parent_id = NEW.id
    ) THEN
        RAISE EXCEPTION 'quest "%" has sub-quests and cannot move to another campaign', NEW.title
            USING ERRCODE = '23514', HINT = 'Move or delete its sub-quests first.';
    END IF;
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('campaign_quests'), hashtext(NEW.campaign_id::text));
    SELECT q.campaign_id INTO v_parent_campaign
    FROM campaign_quests q WHERE q.workspace_id = NEW.workspace_id AND q.id = NEW.parent_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the same-workspace foreign key reports a missing parent
    END IF;
    IF v_parent_campaign <> NEW.campaign_id THEN
        RAISE EXCEPTION 'parent quest % belongs to another campaign', NEW.parent_id
            USING ERRCODE = '23514', HINT = 'A quest and its parent must belong to the same campaign.';
    END IF;
    v_ancestor := NEW.parent_id;
    WHILE v_ancestor IS NOT NULL LOOP
        IF v_ancestor = NEW.id THEN
            RAISE EXCEPTION 'quest "%" cannot be nested under one of its own sub-quests: that would make a cycle', NEW.title
                USING ERRCODE = '23514', HINT = 'Choose a parent outside this quest''s subtree.';
        END IF;
        v_depth := v_depth + 1;
        IF v_depth > 100 THEN
            RAISE EXCEPTION 'quest hierarchy deeper than 100 levels under quest %', NEW.parent_id
                USING ERRCODE = '23514', HINT = 'Flatten the quest tree.';
        END IF;
        SELECT q.parent_id INTO v_ancestor
        FROM campaign_quests q WHERE q.workspace_id = NEW.workspace_id AND q.id = v_ancestor;
    END LOOP;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION campaign_quests_check_hierarchy() IS
    'BEFORE INSERT/UPDATE trigger function on campaign_quests: the parent must be in the same campaign, the tree must stay acyclic (at most 100 levels), and a quest with sub-quests cannot change campaign. Raises SQLSTATE 23514 with a readable message.';
