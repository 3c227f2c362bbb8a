// Verifies that a server of the bench listens on 127.0.0.1 only, from the kernel's socket tables: a peer
// that quietly binds 0.0.0.0 or [::] must not be load-tested here.
import { readFileSync } from 'node:fs';

export interface ListenEntry {
  address: string;
  port: number;
}

const LISTEN = '0A';

/** Listening sockets from the text of /proc/net/tcp or /proc/net/tcp6. */
export function parseListening(text: string, v6: boolean): ListenEntry[] {
  const out: ListenEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== LISTEN) continue;
    const [hexAddress = '', hexPort = '0'] = fields[1]!.split(':');
    out.push({
      address: v6 ? decodeV6(hexAddress) : decodeV4(hexAddress),
      port: Number.parseInt(hexPort, 16),
    });
  }
  return out;
}

function decodeV4(hex: string): string {
  // Stored as a little-endian 32-bit word.
  const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.join('.');
}

function decodeV6(hex: string): string {
  if (/^0{24}0{8}$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  if (hex.startsWith('0000000000000000FFFF0000')) return `::ffff:${decodeV4(hex.slice(24))}`;
  return hex;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** Every address listening on `port`; throws when one of them is not loopback. */
export function assertLoopbackOnly(port: number, what: string): void {
  const entries: ListenEntry[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    try {
      entries.push(...parseListening(readFileSync(file, 'latin1'), v6));
    } catch {
      // No IPv6 table on this kernel.
    }
  }
  const bad = entries.filter((entry) => entry.port === port && !isLoopback(entry.address));
  if (bad.length > 0) {
    throw new Error(
      `${what} listens on ${bad.map((b) => `${b.address}:${b.port}`).join(', ')}: loopback only is allowed`,
    );
  }
  if (!entries.some((entry) => entry.port === port))
    throw new Error(`${what} is not listening on port ${port}`);
}
