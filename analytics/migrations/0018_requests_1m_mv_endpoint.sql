-- Fills 0017's endpoint column: the same query as 0013's, grouped by the request's endpoint too.
ALTER TABLE {db}.requests_1m_mv {on_cluster} MODIFY QUERY
SELECT
    toStartOfMinute(started_at) AS minute,
    team,
    app,
    ifNull(r.model_routed, ifNull(r.model_requested, '')) AS model,
    ifNull(r.provider, '') AS provider,
    r.endpoint AS endpoint,
    count() AS requests,
    countIf(
        (r.status >= 400 AND r.status < 500)
        OR (r.status > 0 AND r.status < 400 AND r.error_code = 'budget_exceeded')
    ) AS client_errors,
    countIf(
        r.status >= 500
        OR (r.status > 0 AND r.status < 400 AND r.error_code IS NOT NULL
            AND r.error_code NOT IN ('budget_exceeded', 'client_aborted'))
    ) AS server_errors,
    countIf(r.client_aborted) AS aborted,
    countIf(r.cache_status IN ('exact', 'semantic')) AS cache_hits,
    sum(toUInt64(r.prompt_tokens)) AS prompt_tokens,
    sum(toUInt64(r.completion_tokens)) AS completion_tokens,
    sum(toUInt64(r.cached_tokens)) AS cached_tokens,
    sum(toUInt64(r.reasoning_tokens)) AS reasoning_tokens,
    sum(r.cost_nano_usd) AS cost_nano_usd,
    sum(r.cost_avoided_nano_usd) AS cost_avoided_nano_usd,
    quantileTDigestState(r.latency_ms) AS latency_ms,
    quantileTDigestStateIf(assumeNotNull(r.ttfb_ms), r.ttfb_ms IS NOT NULL) AS ttfb_ms,
    quantileTDigestStateIf(assumeNotNull(r.gateway_overhead_ms), r.gateway_overhead_ms IS NOT NULL) AS gateway_overhead_ms
FROM {db}.requests AS r
GROUP BY minute, team, app, model, provider, endpoint
