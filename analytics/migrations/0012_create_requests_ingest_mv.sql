-- Moves every block inserted into requests_ingest into `requests`, casting to its LowCardinality types; the
-- views on `requests` (rollups) run on that insert in turn. Deduplication by the writer's token happens at
-- `requests` and its views' targets (0007, 0009, 0010), with deduplicate_blocks_in_dependent_materialized_views.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.requests_ingest_mv {on_cluster}
TO {db}.requests
AS SELECT * FROM {db}.requests_ingest
