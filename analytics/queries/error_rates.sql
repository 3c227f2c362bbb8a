-- Errors per team/app/model: 4xx (including limits and auth), 5xx (gateway and upstream) and client aborts.
-- Params: db Identifier, from/to DateTime64(3, 'UTC'). Reads the per-minute rollup: every minute that overlaps
-- [from, to) counts whole (the report rounds its window outward to whole minutes, so raw-table queries agree).
SELECT
    team,
    app,
    model,
    sum(r.requests) AS requests,
    sum(r.client_errors) AS client_errors,
    sum(r.server_errors) AS server_errors,
    sum(r.aborted) AS aborted,
    sum(r.client_errors) / sum(r.requests) AS client_error_rate,
    sum(r.server_errors) / sum(r.requests) AS server_error_rate
FROM {db:Identifier}.requests_1m AS r
WHERE minute >= toStartOfMinute({from:DateTime64(3, 'UTC')}) AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY team, app, model
ORDER BY server_errors + client_errors DESC, team, app, model
