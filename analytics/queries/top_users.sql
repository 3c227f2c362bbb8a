-- The end users who spent most, across teams and apps.
-- Params: db Identifier, from/to DateTime64(3, 'UTC') as [from, to), limit UInt32.
SELECT
    team,
    app,
    user,
    count() AS requests,
    sum(toUInt64(r.prompt_tokens) + r.completion_tokens) AS total_tokens,
    sum(r.cost_nano_usd) AS cost_nano_usd
FROM {db:Identifier}.requests AS r
WHERE started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')} AND user != ''
GROUP BY team, app, user
ORDER BY cost_nano_usd DESC, total_tokens DESC, team, app, user
LIMIT {limit:UInt32}
