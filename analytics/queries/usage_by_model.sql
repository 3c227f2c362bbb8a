-- Usage per model, provider and endpoint (a model's completions apart from its token counts and analyses):
-- requests, tokens, cost, latency, error and cache-hit rates.
-- Params: db Identifier, from/to DateTime64(3, 'UTC'). Reads the per-minute rollup: every minute that overlaps
-- [from, to) counts whole (the report rounds its window outward to whole minutes, so raw-table queries agree).
SELECT
    model,
    provider,
    endpoint,
    sum(r.requests) AS requests,
    sum(r.prompt_tokens) AS prompt_tokens,
    sum(r.completion_tokens) AS completion_tokens,
    sum(r.prompt_tokens) + sum(r.completion_tokens) AS total_tokens,
    sum(r.cost_nano_usd) AS cost_nano_usd,
    sum(r.cost_avoided_nano_usd) AS cost_avoided_nano_usd,
    quantileTDigestMerge(0.5)(r.latency_ms) AS p50_latency_ms,
    quantileTDigestMerge(0.95)(r.latency_ms) AS p95_latency_ms,
    (sum(r.client_errors) + sum(r.server_errors)) / sum(r.requests) AS error_rate,
    sum(r.cache_hits) / sum(r.requests) AS cache_hit_rate
FROM {db:Identifier}.requests_1m AS r
WHERE minute >= toStartOfMinute({from:DateTime64(3, 'UTC')}) AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY model, provider, endpoint
ORDER BY cost_nano_usd DESC, model, provider, endpoint
