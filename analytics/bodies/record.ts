// The audit-log row of one request (`request_bodies`): its request and response bodies as captured, cut to
// `analytics.bodies.max_bytes`, keyed like the request's record. Redaction happens later, in the writer.

export interface BodyRecord {
  /** The request's RequestRecord.request_id. */
  request_id: string;
  started_at: string;
  team: string | null;
  app: string | null;
  /** The request body as received (UTF-8 text of the JSON the parse stage accepted). */
  request_body: string;
  /** The JSON answer, or for a stream the SSE frames as sent, concatenated; '' when no answer was planned. */
  response_body: string;
  request_truncated: boolean;
  response_truncated: boolean;
  /** The response was SSE: the writer assembles the answer from the frames before redaction (not a column). */
  response_stream: boolean;
}

/** The `request_bodies` columns the writer sends, in order. */
export const BODY_COLUMNS = [
  'request_id',
  'started_at',
  'team',
  'app',
  'request_body',
  'response_body',
  'request_truncated',
  'response_truncated',
] as const satisfies readonly (keyof BodyRecord)[];

/** Where finished body records go. Must not throw or block. */
export type BodySink = (record: BodyRecord) => void;
