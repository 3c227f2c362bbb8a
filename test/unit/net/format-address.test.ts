// Address bytes → text, as inet_ntop would print them (RFC 5952 for IPv6).
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import { formatAddress } from '../../../dataplane/net/format-address.js';

const v6 = (...groups: number[]) => new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));

describe('formatAddress', () => {
  it('formats IPv4 and IPv4-mapped IPv6 as dotted quads', () => {
    assert.equal(formatAddress(new Uint8Array([127, 0, 0, 1])), '127.0.0.1');
    assert.equal(formatAddress(v6(0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0001)), '192.168.0.1');
  });

  it('compresses the longest zero run of IPv6', () => {
    assert.equal(formatAddress(v6(0, 0, 0, 0, 0, 0, 0, 1)), '::1');
    assert.equal(formatAddress(v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)), '2001:db8::1:0:0:1');
    assert.equal(formatAddress(v6(0x2001, 0xdb8, 1, 2, 3, 4, 5, 6)), '2001:db8:1:2:3:4:5:6');
    assert.equal(formatAddress(v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1)), '2001:db8:0:1:1:1:1:1');
    assert.equal(formatAddress(v6(0xfe80, 0, 0, 0, 0, 0, 0, 0)), 'fe80::');
    for (const text of ['::1', '2001:db8::1:0:0:1', 'fe80::']) assert.equal(isIP(text), 6);
  });

  it('returns an empty string for anything else', () => {
    assert.equal(formatAddress(new Uint8Array(0)), '');
  });
});
