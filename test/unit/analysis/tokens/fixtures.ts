// Loaders for the MIT-licensed tiktoken vectors copied into test/fixtures/tiktoken.
import { readFileSync } from 'node:fs';

const dir = new URL('../../../fixtures/tiktoken/', import.meta.url);

export interface Vector {
  source: string;
  text: string;
  ids: number[];
  count: number;
}

export interface ChatCase {
  messages: unknown[];
  functions?: unknown[];
  function_call?: unknown;
  tokens: number;
}

export function loadVectors(encoding: 'o200k_base' | 'cl100k_base'): Vector[] {
  return readFileSync(new URL(`vectors_${encoding}.jsonl`, dir), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Vector);
}

export function loadChatCases(): ChatCase[] {
  return JSON.parse(
    readFileSync(new URL('gpt-tokenizer_functionCallingTestCases.json', dir), 'utf8'),
  ) as ChatCase[];
}
