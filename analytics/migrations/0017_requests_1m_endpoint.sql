-- The rollup kept one row per team/app/model/provider, so a model's token counts (/v1/messages/count_tokens)
-- and analyses (/v1/analyze), answered in microseconds without a completion, were averaged into its
-- completions' latency and error rates. The endpoint becomes part of the key: appended to the sorting key in
-- the same statement that adds it, without a default expression (the only way ClickHouse lets a key grow);
-- minutes rolled up before it read an empty endpoint. Safe to repeat: the key already ending in the column is
-- accepted again.
ALTER TABLE {db}.requests_1m {on_cluster}
    ADD COLUMN IF NOT EXISTS endpoint LowCardinality(String),
    MODIFY ORDER BY (team, app, model, provider, minute, endpoint)
