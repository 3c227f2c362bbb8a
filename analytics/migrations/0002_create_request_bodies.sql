-- Audit log: the redacted request and response bodies, apart from `requests` so that scans of the metrics
-- never read them and so they can expire sooner. The TTL comes from analytics.bodies_retention_days when the
-- table is created; changing it later takes `ALTER TABLE ... MODIFY TTL` (docs/analytics.md).
CREATE TABLE IF NOT EXISTS {db}.request_bodies {on_cluster}
(
    request_id UUID,
    started_at DateTime64(3, 'UTC'),
    team LowCardinality(String) DEFAULT '',
    app LowCardinality(String) DEFAULT '',
    request_body String CODEC(ZSTD(3)),
    response_body String CODEC(ZSTD(3))
)
ENGINE = {engine:MergeTree}
PARTITION BY toYYYYMMDD(started_at)
ORDER BY (team, app, started_at, request_id)
TTL toDateTime(started_at) + INTERVAL {bodies_retention_days} DAY
SETTINGS ttl_only_drop_parts = 1
