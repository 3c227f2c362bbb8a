-- A retried batch (same insert_deduplication_token) is dropped by `requests` since 0007, but the rows a
-- materialized view had derived from it were still added again to the rollup: counts, tokens and cost
-- double-counted. With a deduplication window on the view's target and the writer's
-- `deduplicate_blocks_in_dependent_materialized_views = 1`, the view's block is deduplicated too.
ALTER TABLE {db}.requests_1m {on_cluster} MODIFY SETTING non_replicated_deduplication_window = 10000
