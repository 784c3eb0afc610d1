-- Function campaign_children_refuse_archived()
-- Created by campaigns/migrations/0007_archived_campaigns_read_only.py, which reads this file at this path.
-- Never edit this file after release: to change the function, add a new file
-- and a new migration that replaces it (CREATE OR REPLACE, or DROP and CREATE).

CREATE OR REPLACE FUNCTION campaign_children_refuse_archived() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE
    v_name text;
BEGIN
    -- The campaign the row leaves (UPDATE, DELETE) and the one it joins (INSERT, UPDATE) must not be archived.
    -- A row whose campaign (or, for a target, cohort) no longer exists is being deleted by that parent's
    -- ON DELETE CASCADE: deleting an archived campaign, or a cohort it targeted, takes its rows along.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT c.name INTO v_name FROM campaigns c
        WHERE c.workspace_id = OLD.workspace_id AND c.id = OLD.campaign_id AND c.status = 'archived';
        IF FOUND THEN
            -- (Planned only for campaign_cohorts: quests have no cohort_id.)
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'campaign_cohorts' THEN
                IF NOT EXISTS (SELECT 1 FROM cohorts k WHERE k.workspace_id = OLD.workspace_id AND k.id = OLD.cohort_id) THEN
                    RETURN OLD;
                END IF;
            END IF;
            RAISE EXCEPTION 'campaign "%" is archived: its quests and cohorts are read-only', v_name
                USING ERRCODE = 'RFC01', TABLE = TG_TABLE_NAME,
                      HINT = 'Restore the campaign (status draft) to change them; deleting the campaign deletes them.';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT c.name INTO v_name FROM campaigns c
        WHERE c.workspace_id = NEW.workspace_id AND c.id = NEW.campaign_id AND c.status = 'archived';
        IF FOUND THEN
            RAISE EXCEPTION 'campaign "%" is archived: its quests and cohorts are read-only', v_name
                USING ERRCODE = 'RFC01', TABLE = TG_TABLE_NAME,
                      HINT = 'Restore the campaign (status draft) to change them.';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;

COMMENT ON FUNCTION campaign_children_refuse_archived() IS
    'Trigger of campaign_quests and campaign_cohorts: refuses INSERT, UPDATE and DELETE of a row whose campaign is archived (SQLSTATE RFC01), except the deletes that cascade from deleting the campaign itself (or, for a target, its cohort). Archiving is not final: set the campaign back to draft to change its quests and targets.';
