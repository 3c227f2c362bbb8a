-- The writer's entry table gets 0014's column at the same place, so that it keeps the columns and order of
-- `requests` (0011).
ALTER TABLE {db}.requests_ingest {on_cluster}
    ADD COLUMN IF NOT EXISTS cache_write_tokens UInt32 DEFAULT 0 AFTER cached_tokens
