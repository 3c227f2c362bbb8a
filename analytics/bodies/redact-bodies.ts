// Turns a captured BodyRecord into the `request_bodies` row: a streamed answer assembled from its frames,
// and PII and secrets replaced by placeholders ([EMAIL_1]) with the detectors of the analysis. Runs in the
// writer's flush, in time slices, never on the request path: a scan of two 32 KB bodies costs far more
// than the record stage's budget, and the request's own analysis (in a worker) scanned the extracted
// message texts, whose offsets do not map onto the raw JSON body. Rows are redacted before the spool too,
// so unredacted text never reaches the disk.
import { createPiiScanner, createRedactionState, redact } from '../../dataplane/analysis/pii/index.js';
import { assembleSseAnswer } from './assemble-sse.js';
import { truncateUtf8 } from './capture.js';
import type { BodyRecord } from './record.js';

export interface BodyRowOptions {
  redact: boolean;
  /** Bound of the assembled answer of a stream (its frames were captured with more room). */
  maxBytes: number;
}

export function createBodyRowMapper(options: BodyRowOptions): (record: BodyRecord) => object {
  // One scanner per writer: it owns regexes whose lastIndex moves, and the flush runs on one thread.
  const scanner = options.redact ? createPiiScanner() : undefined;
  return (record) => {
    let response = record.response_body;
    let responseTruncated = record.response_truncated;
    if (record.response_stream) {
      const answer = assembleSseAnswer(response);
      const cut = truncateUtf8(answer ?? response, options.maxBytes);
      response = cut.text;
      responseTruncated ||= cut.truncated;
    }
    let request = record.request_body;
    if (scanner !== undefined) {
      // One state for both bodies: a value the answer repeats gets the request's placeholder.
      const req = redact(request, scanner.scanText(request), 'placeholder', createRedactionState());
      request = req.text;
      response = redact(response, scanner.scanText(response), 'placeholder', req.state).text;
    }
    return {
      request_id: record.request_id,
      started_at: record.started_at,
      team: record.team,
      app: record.app,
      request_body: request,
      response_body: response,
      request_truncated: record.request_truncated,
      response_truncated: responseTruncated,
    };
  };
}
