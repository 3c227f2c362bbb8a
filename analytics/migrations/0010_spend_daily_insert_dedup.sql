-- The same as 0009 for the daily spend table, which budget reports read: a retried batch must not count twice.
ALTER TABLE {db}.spend_daily {on_cluster} MODIFY SETTING non_replicated_deduplication_window = 10000
