-- The writer's entry point for request records: a Null table (stores nothing) whose only reader is
-- requests_ingest_mv, which moves each inserted block into `requests` (and from there into the rollups).
-- Why: parsing a text row into a LowCardinality column goes value by value through the dictionary, and the
-- 17 such columns of `requests` cost ≈ 40% of the parse (chDB, 10k-row JSONCompactEachRow batches: 95 ms
-- into a Null copy of `requests`, 60 ms into this plain-typed one); the view's cast to LowCardinality is
-- done a column at a time. Same columns, defaults and order as `requests`, plain types; status_class is
-- computed by `requests` itself. A column added to `requests` later must be added here too, and the view
-- re-created (it lists the columns as they were when it was created).
CREATE TABLE IF NOT EXISTS {db}.requests_ingest {on_cluster}
(
    request_id UUID,
    client_request_id Nullable(String),
    started_at DateTime64(3, 'UTC'),
    first_byte_at Nullable(DateTime64(3, 'UTC')),
    ended_at DateTime64(3, 'UTC'),
    team String DEFAULT '',
    app String DEFAULT '',
    user String DEFAULT '',
    api_key_id String DEFAULT '',
    endpoint String,
    method String,
    path String,
    model_requested Nullable(String),
    model_routed Nullable(String),
    provider Nullable(String),
    route_reason Nullable(String),
    deployment String DEFAULT '',
    region String DEFAULT '',
    status UInt16,
    error_code Nullable(String),
    error_message Nullable(String),
    stream Bool,
    client_aborted Bool,
    prompt_tokens UInt32,
    completion_tokens UInt32,
    cached_tokens UInt32,
    reasoning_tokens UInt32,
    prompt_tokens_counted Nullable(UInt32),
    prompt_tokens_exact Nullable(Bool),
    pii_findings Map(String, UInt32),
    injection_score Nullable(Float32),
    injection_signals Array(String),
    complexity_score Nullable(Float32),
    complexity_class Nullable(String),
    cost_nano_usd Int64,
    cache_status String DEFAULT 'none',
    cache_similarity Nullable(Float32),
    cost_avoided_nano_usd Int64 DEFAULT 0,
    latency_ms Float64,
    upstream_latency_ms Nullable(Float64),
    upstream_ttfb_ms Nullable(Float64),
    ttfb_ms Nullable(Float64),
    gateway_overhead_ms Nullable(Float64),
    bytes_in UInt64,
    bytes_out UInt64,
    client_ip String,
    user_agent String,
    tags Map(String, String)
)
ENGINE = Null
