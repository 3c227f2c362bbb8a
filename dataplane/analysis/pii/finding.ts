// The shape every detector returns (a PiiFinding without its segment location) and the entity names.
// Detectors are pure functions of the text; the scanner adds locations and resolves overlaps.
import type { PiiFinding } from '../types.js';

export type RawFinding = Omit<PiiFinding, 'message' | 'part'>;

export type Detector = (text: string) => RawFinding[];

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
