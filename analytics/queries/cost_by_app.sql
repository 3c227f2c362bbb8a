-- Daily cost per team/app (UTC days) for long-range dashboards; reads the daily spend table.
-- Params: db Identifier, from_day/to_day Date as [from_day, to_day).
SELECT
    day,
    team,
    app,
    sum(r.requests) AS requests,
    sum(r.prompt_tokens) + sum(r.completion_tokens) AS total_tokens,
    sum(r.cost_nano_usd) AS cost_nano_usd
FROM {db:Identifier}.spend_daily AS r
WHERE day >= {from_day:Date} AND day < {to_day:Date}
GROUP BY day, team, app
ORDER BY day, team, app
