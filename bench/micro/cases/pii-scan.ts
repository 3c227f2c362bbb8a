// PII scan: the analysis worker's PII and secrets scanner over 8 KB of prompt text, clean and with a few
// findings (an e-mail address, a test card number, an IPv4 address) spread through it.
import type { createPiiScanner as CreatePiiScanner } from '../../../dataplane/analysis/pii/index.js';
import { promptText } from '../../load/chat-request.js';
import type { MicroCase } from './case.js';

function withFindings(text: string): string {
  const third = Math.floor(text.length / 3);
  return (
    text.slice(0, third) +
    ' write to jane.doe@example.com ' +
    text.slice(third, 2 * third) +
    ' card 4111 1111 1111 1111 ' +
    text.slice(2 * third) +
    ' host 192.0.2.10'
  );
}

function scanCase(id: string, title: string, text: string): MicroCase {
  return {
    id,
    title,
    module: 'dataplane/analysis/pii/index.ts',
    prepare(module) {
      if (typeof module.createPiiScanner !== 'function') return undefined;
      const scanner = (module.createPiiScanner as typeof CreatePiiScanner)();
      return () => scanner.scanText(text).length;
    },
  };
}

export const piiScanCases: MicroCase[] = [
  scanCase('pii-scan-8KB-clean', 'PII scan: 8 KB prompt, nothing to find', promptText(8 * 1024)),
  scanCase(
    'pii-scan-8KB-findings',
    'PII scan: 8 KB prompt with 3 findings',
    withFindings(promptText(8 * 1024)),
  ),
];
