-- Exactly-once delivery: the writer retries and replays spooled batches with a stable
-- insert_deduplication_token, which a non-replicated MergeTree only honours with a deduplication window.
-- 10000 inserts covers a long spool backlog (replicated engines use replicated_deduplication_window).
ALTER TABLE {db}.requests {on_cluster} MODIFY SETTING non_replicated_deduplication_window = 10000
