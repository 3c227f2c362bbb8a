-- Budget burn inputs: tokens and cost per team/app over a budget period so far. Budgets count prompt plus
-- completion tokens (docs/limits.md); the caller adds apps up to teams and divides by the configured limits.
-- Params: db Identifier, from/to DateTime64(3, 'UTC'). Reads the per-minute rollup: every minute that overlaps
-- [from, to) counts whole (the report rounds its window outward to whole minutes, so raw-table queries agree).
SELECT
    team,
    app,
    sum(r.prompt_tokens) + sum(r.completion_tokens) AS total_tokens,
    sum(r.cost_nano_usd) AS cost_nano_usd
FROM {db:Identifier}.requests_1m AS r
WHERE minute >= toStartOfMinute({from:DateTime64(3, 'UTC')}) AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY team, app
ORDER BY team, app
