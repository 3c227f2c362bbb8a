// Every micro-benchmark case. A hot function of a later issue gets a file here; SSE framing on the way out
// (the gateway's chunk writer) goes next to sse-parse.ts once it is a function of its own.
import { analyzeCases } from './analyze.js';
import type { MicroCase } from './case.js';
import { chatParseCases } from './chat-request-parse.js';
import { piiScanCases } from './pii-scan.js';
import { sseParseCase } from './sse-parse.js';
import { tokenCountCases } from './token-count.js';

export const MICRO_CASES: readonly MicroCase[] = [
  sseParseCase,
  ...chatParseCases,
  ...tokenCountCases,
  ...piiScanCases,
  ...analyzeCases,
];
