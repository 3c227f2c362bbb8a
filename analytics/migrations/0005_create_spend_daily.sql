-- Daily spend per team/app/user for budget reports and long-range dashboards (a year is 365 rows per user).
-- SummingMergeTree adds up every numeric column outside the key when parts merge. Days are UTC days.
CREATE TABLE IF NOT EXISTS {db}.spend_daily {on_cluster}
(
    day Date,
    team LowCardinality(String),
    app LowCardinality(String),
    user String,
    requests UInt64,
    prompt_tokens UInt64,
    completion_tokens UInt64,
    cost_nano_usd Int64,
    cost_avoided_nano_usd Int64
)
ENGINE = {engine:SummingMergeTree}
PARTITION BY toYYYYMM(day)
ORDER BY (team, app, user, day)
