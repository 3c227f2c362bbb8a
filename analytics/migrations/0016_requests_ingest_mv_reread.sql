-- requests_ingest_mv expanded `SELECT *` into the columns requests_ingest had when it was created; re-reading
-- the query picks up 0015's column (until then the view passed 0 for it). In place, so no insert is missed.
ALTER TABLE {db}.requests_ingest_mv {on_cluster} MODIFY QUERY
SELECT * FROM {db}.requests_ingest
