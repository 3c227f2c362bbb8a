// Turns a captured BodyRecord into the `request_bodies` row: a streamed answer assembled from its frames,
// and PII and secrets replaced by placeholders ([EMAIL_1]) with the detectors of the analysis. Runs in the
// writer's flush, in time slices, never on the request path: a scan of two 32 KB bodies costs far more
// than the record stage's budget, and the request's own analysis (in a worker) scanned the extracted
// message texts, whose offsets do not map onto the raw JSON body. Rows are redacted before the spool too,
// so unredacted text never reaches the disk.
// A JSON body is redacted token by token on its decoded strings (json-redact.ts): in the raw text an escape
// such as `\u0040` hid an address from the detectors, and a match that began inside an escape cut it and
// left invalid JSON behind.
import {
  createPiiScanner,
  createRedactionState,
  redact,
  reserveLiterals,
  type PiiScanner,
  type RedactionState,
} from '../../dataplane/analysis/pii/index.js';
import { assembleSseAnswer } from './assemble-sse.js';
import { redactJsonText } from './json-redact.js';
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
      // One state for both bodies: a value the answer repeats gets the request's placeholder. A placeholder a
      // user wrote (or the model echoed) is never handed out: the stored text cannot say two things with it.
      const initial = reserveLiterals(
        createRedactionState(),
        request,
        response,
        unicodeUnescaped(request),
        unicodeUnescaped(response),
      );
      const req = redactBody(request, scanner, initial, record.request_truncated);
      request = req.text;
      // A streamed answer, assembled, is the model's text: never read as JSON, even when it starts with `[`.
      response = redactBody(response, scanner, req.state, responseTruncated && !record.response_stream).text;
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

type Redacted = { text: string; state: RedactionState };

/**
 * A JSON body token by token (json-redact.ts); anything else as text. JSON means: it parses, or it was cut at
 * the capture bound (`cut`, only for bodies that are JSON on the wire: a request, a non-streamed answer) and
 * starts like JSON. Text that merely starts with `[` or `{` (an answer such as "[1] write to …") is scanned
 * whole: the token walk reads only what is inside quotes and numbers.
 */
export function redactBody(
  text: string,
  scanner: PiiScanner,
  initial: RedactionState,
  cut = false,
): Redacted {
  if (!(/^\s*[[{]/.test(text) && (cut || parsesAsJson(text))))
    return redact(text, scanner.scanText(text), 'placeholder', initial);
  let state = initial;
  const redacted = redactJsonText(
    text,
    (value) => scanner.scanText(value),
    (value, findings) => {
      const r = redact(value, findings, 'placeholder', state);
      state = r.state;
      return r.text;
    },
  );
  return { text: redacted, state };
}

/**
 * The text with its `\uXXXX` escapes decoded, for the reservation only: a JSON string may write `[EMAIL_1]` as
 * `\u005bEMAIL_1]`, which is what the redaction (working on decoded strings) sees. Also for a body cut short.
 */
function unicodeUnescaped(text: string): string {
  if (!text.includes('\\u')) return '';
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
