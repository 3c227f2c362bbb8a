// Raw HTTP against the gateway, below the SDKs: a JSON POST read whole (status, headers, SSE frames) and a
// Prometheus scrape, for what the SDKs hide (retry-after, [DONE], error frames, token counters).
import { countDelta } from '../../dataplane/pipeline/dispatch/streamed-tokens.js';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SseFrame {
  readonly event: string | undefined;
  readonly data: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body split into SSE frames (empty for non-SSE bodies). */
  readonly frames: SseFrame[];
}

/** POSTs JSON and reads the whole answer; bounded so a stream that never ends fails the test instead. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  const sse = response.headers.get('content-type')?.startsWith('text/event-stream') === true;
  return {
    status: response.status,
    headers: response.headers,
    text,
    frames: sse ? parseSseFrames(text) : [],
  };
}

/** Splits a complete SSE body into frames (blank-line separated; `event:` and `data:` fields). */
export function parseSseFrames(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) frames.push({ event, data: data.join('\n') });
  }
  return frames;
}

/** The value of one series of a Prometheus text exposition, or undefined when the series is absent. */
export function metricValue(
  exposition: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (match === null) continue;
    const found = new Map<string, string>();
    for (const pair of (match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found.set(pair[1]!, pair[2]!);
    if (wanted.every(([key, value]) => found.get(key) === value)) return Number(match[2]);
  }
  return undefined;
}

/**
 * Scrapes `${baseUrl}/metrics` until the series has the expected value (counters are updated once the
 * response is over, which can be a moment after the client read its last byte); returns the last value seen.
 */
export async function waitForMetric(
  baseUrl: string,
  name: string,
  labels: Record<string, string>,
  expected: number,
  timeoutMs = 3_000,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let value: number | undefined;
  for (;;) {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    value = metricValue(await response.text(), name, labels);
    if (value === expected || Date.now() > deadline) return value;
    await sleep(20);
  }
}

/**
 * The completion tokens the gateway bills for the content deltas of an OpenAI-style SSE body: its own estimate
 * (dataplane/pipeline/dispatch/streamed-tokens.ts), summed, rounded up once.
 */
export function streamedTokensOf(sse: string): number {
  const count = { streamedTokens: 0, streamedDeltas: 0, streamedText: 0 };
  for (const frame of parseSseFrames(sse)) {
    if (frame.data === '[DONE]') continue;
    const chunk = JSON.parse(frame.data) as { choices?: { delta?: { content?: string | null } }[] };
    countDelta(count, chunk.choices?.[0]?.delta?.content ?? '');
  }
  return Math.ceil(count.streamedTokens - 1e-9);
}
