-- the same change for a runner with no way back from it (Django's RunPython without a reverse fails to roll back)
UPDATE shop_order SET status = 'open' WHERE status IS NULL;
