-- Whether a stored body was cut at analytics.bodies.max_bytes: an audit reader must know that the text is
-- incomplete. Defaults to false, so rows written before the columns existed read as complete.
ALTER TABLE {db}.request_bodies {on_cluster}
    ADD COLUMN IF NOT EXISTS request_truncated Bool DEFAULT false,
    ADD COLUMN IF NOT EXISTS response_truncated Bool DEFAULT false
