-- Latency per model, provider and endpoint (token counts and analyses apart from completions): total, time to
-- first byte and the gateway's own overhead.
-- Params: db Identifier, from/to DateTime64(3, 'UTC'). Reads the per-minute rollup: every minute that overlaps
-- [from, to) counts whole (the report rounds its window outward to whole minutes, so raw-table queries agree).
SELECT
    model,
    provider,
    endpoint,
    sum(r.requests) AS requests,
    quantilesTDigestMerge(0.5, 0.95, 0.99)(r.latency_ms) AS latency_ms_p50_p95_p99,
    quantilesTDigestMerge(0.5, 0.95, 0.99)(r.ttfb_ms) AS ttfb_ms_p50_p95_p99,
    quantilesTDigestMerge(0.5, 0.95, 0.99)(r.gateway_overhead_ms) AS overhead_ms_p50_p95_p99
FROM {db:Identifier}.requests_1m AS r
WHERE minute >= toStartOfMinute({from:DateTime64(3, 'UTC')}) AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY model, provider, endpoint
ORDER BY requests DESC, model, provider, endpoint
