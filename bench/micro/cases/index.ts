// Every micro-benchmark case. A hot function of a later issue gets a file here.
import { analyzeCases } from './analyze.js';
import type { MicroCase } from './case.js';
import { chatParseCases } from './chat-request-parse.js';
import { piiScanCases } from './pii-scan.js';
import { sseFrameCases } from './sse-frame.js';
import { sseParseCase } from './sse-parse.js';
import { tokenCountCases } from './token-count.js';

export const MICRO_CASES: readonly MicroCase[] = [
  sseParseCase,
  ...sseFrameCases,
  ...chatParseCases,
  ...tokenCountCases,
  ...piiScanCases,
  ...analyzeCases,
];
