-- Tokens an Anthropic model wrote to its prompt cache: part of prompt_tokens, but priced apart (1.25× the
-- input price for 5 minutes, 2× for 1 hour), so cost_nano_usd cannot be checked without them. Rows written
-- before the column existed read 0. requests_ingest gets the same column (0015) and its view re-reads both (0016).
ALTER TABLE {db}.requests {on_cluster}
    ADD COLUMN IF NOT EXISTS cache_write_tokens UInt32 DEFAULT 0 AFTER cached_tokens
