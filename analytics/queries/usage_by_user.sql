-- Usage per end user (within team/app). Users are too many for the per-minute rollup, so this reads the raw
-- table; its sort key (team, app, started_at) keeps a week's scan to the week's parts.
-- Params: db Identifier, from/to DateTime64(3, 'UTC') as [from, to).
SELECT
    team,
    app,
    user,
    count() AS requests,
    sum(toUInt64(r.prompt_tokens)) AS prompt_tokens,
    sum(toUInt64(r.completion_tokens)) AS completion_tokens,
    sum(toUInt64(r.prompt_tokens) + r.completion_tokens) AS total_tokens,
    sum(r.cost_nano_usd) AS cost_nano_usd,
    sum(r.cost_avoided_nano_usd) AS cost_avoided_nano_usd,
    quantileTDigest(0.5)(r.latency_ms) AS p50_latency_ms,
    quantileTDigest(0.95)(r.latency_ms) AS p95_latency_ms,
    -- As the rollup counts them since migration 0013: a stream that failed after its 200 is an error too.
    countIf(
        r.status >= 400
        OR (r.status > 0 AND r.error_code IS NOT NULL AND r.error_code != 'client_aborted')
    ) / count() AS error_rate,
    countIf(r.cache_status IN ('exact', 'semantic')) / count() AS cache_hit_rate
FROM {db:Identifier}.requests AS r
WHERE started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}
GROUP BY team, app, user
ORDER BY cost_nano_usd DESC, team, app, user
