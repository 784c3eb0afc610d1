-- Function set_updated_at(), second version: statement_timestamp() instead of now().
-- Replaces set_updated_at.sql; created by campaigns/migrations/0010_updated_at_triggers.py,
-- which reads this file at this path.
-- Never edit this file after release: add a new file and a new migration instead.
--
-- statement_timestamp() is the clock of the column default (Django's Now()): a row
-- inserted and then updated in one transaction is never updated before it was
-- created, and each statement of a transaction moves updated_at (now() would
-- stamp every change of a transaction with its start, and the edit forms compare
-- updated_at to notice a save in between).

CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
    NEW.updated_at := statement_timestamp();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION set_updated_at() IS
    'BEFORE UPDATE trigger function: sets updated_at to statement_timestamp(), the start of the current statement (the column default''s clock). Every table with updated_at has a <table>_set_updated_at trigger calling it.';
