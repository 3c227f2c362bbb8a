-- Per-minute rollup by team/app/model/provider, filled by requests_1m_mv. Sums are SimpleAggregateFunction
-- (merged by plain sum); latencies keep t-digest states so any quantile can be read over any time range.
CREATE TABLE IF NOT EXISTS {db}.requests_1m {on_cluster}
(
    minute DateTime('UTC'),
    team LowCardinality(String),
    app LowCardinality(String),
    model LowCardinality(String),
    provider LowCardinality(String),
    requests SimpleAggregateFunction(sum, UInt64),
    client_errors SimpleAggregateFunction(sum, UInt64),
    server_errors SimpleAggregateFunction(sum, UInt64),
    aborted SimpleAggregateFunction(sum, UInt64),
    cache_hits SimpleAggregateFunction(sum, UInt64),
    prompt_tokens SimpleAggregateFunction(sum, UInt64),
    completion_tokens SimpleAggregateFunction(sum, UInt64),
    cached_tokens SimpleAggregateFunction(sum, UInt64),
    reasoning_tokens SimpleAggregateFunction(sum, UInt64),
    cost_nano_usd SimpleAggregateFunction(sum, Int64),
    cost_avoided_nano_usd SimpleAggregateFunction(sum, Int64),
    latency_ms AggregateFunction(quantileTDigest, Float64),
    ttfb_ms AggregateFunction(quantileTDigest, Float64),
    gateway_overhead_ms AggregateFunction(quantileTDigest, Float64)
)
ENGINE = {engine:AggregatingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (team, app, model, provider, minute)
