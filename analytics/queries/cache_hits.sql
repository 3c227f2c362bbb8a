-- Cache effectiveness per team/app/model: hit rate and the spend the cache avoided.
-- Params: db Identifier, from/to DateTime64(3, 'UTC'). Reads the per-minute rollup: every minute that overlaps
-- [from, to) counts whole (the report rounds its window outward to whole minutes, so raw-table queries agree).
SELECT
    team,
    app,
    model,
    sum(r.requests) AS requests,
    sum(r.cache_hits) AS cache_hits,
    sum(r.cache_hits) / sum(r.requests) AS cache_hit_rate,
    sum(r.cost_avoided_nano_usd) AS cost_avoided_nano_usd
FROM {db:Identifier}.requests_1m AS r
WHERE minute >= toStartOfMinute({from:DateTime64(3, 'UTC')}) AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY team, app, model
ORDER BY cost_avoided_nano_usd DESC, team, app, model
