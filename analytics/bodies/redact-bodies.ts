// Turns a captured BodyRecord into the `request_bodies` row: a streamed answer assembled from its frames,
// and PII and secrets replaced by placeholders ([EMAIL_1]) with the detectors of the analysis. Runs in the
// writer's flush, in time slices, never on the request path: a scan of two 32 KB bodies costs far more
// than the record stage's budget, and the request's own analysis (in a worker) scanned the extracted
// message texts, whose offsets do not map onto the raw JSON body. Rows are redacted before the spool too,
// so unredacted text never reaches the disk.
// A JSON body is redacted value by value, on the decoded strings: in the raw text, an escape such as
// `\u0040` hides an address from the detectors, and a match that begins inside an escape would cut it and
// leave invalid JSON behind. Each string is scanned after its property name ("password: …"), so detectors
// that need a nearby key word still see one. The stored body is then the JSON re-serialised.
import {
  createPiiScanner,
  createRedactionState,
  redact,
  type PiiScanner,
  type RedactionState,
} from '../../dataplane/analysis/pii/index.js';
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
      const req = redactBody(request, scanner, createRedactionState());
      request = req.text;
      response = redactBody(response, scanner, req.state).text;
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

/** A body as JSON value by value when it parses, else as text (an assembled answer, a body cut short). */
export function redactBody(text: string, scanner: PiiScanner, state: RedactionState): Redacted {
  const json = redactJson(text, scanner, state);
  if (json !== undefined) return json;
  // A JSON body cut at the capture bound no longer parses: its \uXXXX escapes are decoded before the scan,
  // so that they hide nothing (the stored text was not valid JSON anyway).
  const decoded = /^\s*[[{]/.test(text) ? decodeUnicodeEscapes(text) : text;
  return redact(decoded, scanner.scanText(decoded), 'placeholder', state);
}

function redactJson(text: string, scanner: PiiScanner, initial: RedactionState): Redacted | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (document === null || typeof document !== 'object') return undefined;
  let state = initial;
  let changed = false;
  const visit = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') {
      const prefix = key === undefined ? '' : `${key}: `;
      const findings = scanner
        .scanText(prefix + value)
        .filter((f) => f.start >= prefix.length)
        .map((f) => ({ ...f, start: f.start - prefix.length, end: f.end - prefix.length }));
      if (findings.length === 0) return value;
      const result = redact(value, findings, 'placeholder', state);
      state = result.state;
      changed = true;
      return result.text;
    }
    if (Array.isArray(value)) return value.map((item) => visit(item, undefined));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = visit(v, k);
      return out;
    }
    return value;
  };
  const redacted = visit(document, undefined);
  // Nothing found: the body as the client sent it, byte for byte.
  return { text: changed ? JSON.stringify(redacted) : text, state };
}

function decodeUnicodeEscapes(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
