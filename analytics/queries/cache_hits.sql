-- Cache effectiveness per team/app/model: hit rate and the spend the cache avoided.
-- Params: db Identifier, from/to DateTime64(3, 'UTC') as [from, to).
SELECT
    team,
    app,
    model,
    sum(r.requests) AS requests,
    sum(r.cache_hits) AS cache_hits,
    sum(r.cache_hits) / sum(r.requests) AS cache_hit_rate,
    sum(r.cost_avoided_nano_usd) AS cost_avoided_nano_usd
FROM {db:Identifier}.requests_1m AS r
WHERE minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY team, app, model
ORDER BY cost_avoided_nano_usd DESC, team, app, model
