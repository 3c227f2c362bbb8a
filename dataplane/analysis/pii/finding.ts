// The shape every detector returns (a PiiFinding without its segment location) and the entity names.
// Detectors are functions of the text (and of the scanner's shared index of it); each is created by a
// factory that compiles its regexes once. The scanner adds locations and resolves overlaps.
import type { PiiFinding } from '../types.js';
import type { TextIndex } from './text-index.js';

export type RawFinding = Omit<PiiFinding, 'message' | 'part' | 'path'>;

export type Detector = (text: string, index: TextIndex) => RawFinding[];

/** Presidio's entity names, so findings line up with Presidio-based tooling and datasets. */
export const PII_TYPES = {
  email: 'EMAIL_ADDRESS',
  phone: 'PHONE_NUMBER',
  card: 'CREDIT_CARD',
  iban: 'IBAN_CODE',
  ssn: 'US_SSN',
  ip: 'IP_ADDRESS',
  secret: 'SECRET',
} as const;

/** Rounds to two decimals so confidences print and compare cleanly. */
export function confidence(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
}
