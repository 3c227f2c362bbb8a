-- Feeds spend_daily from every insert into requests.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.spend_daily_mv {on_cluster}
TO {db}.spend_daily
AS SELECT
    toDate(started_at, 'UTC') AS day,
    team,
    app,
    user,
    count() AS requests,
    sum(toUInt64(r.prompt_tokens)) AS prompt_tokens,
    sum(toUInt64(r.completion_tokens)) AS completion_tokens,
    sum(r.cost_nano_usd) AS cost_nano_usd,
    sum(r.cost_avoided_nano_usd) AS cost_avoided_nano_usd
FROM {db}.requests AS r
GROUP BY day, team, app, user
