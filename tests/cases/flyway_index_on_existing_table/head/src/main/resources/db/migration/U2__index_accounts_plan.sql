DROP INDEX IF EXISTS accounts_plan_idx;
