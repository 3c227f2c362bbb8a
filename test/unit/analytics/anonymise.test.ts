// Client address anonymisation: hash is keyed (an unkeyed digest of an IPv4 address is reversed by trying all
// 2^32), and the config refuses hash without a key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { analyticsConfigSchema } from '../../../analytics/config-schema.js';
import { anonymise } from '../../../analytics/recorder.js';
import { syntheticRecord } from '../../support/records.js';

describe('client_ip anonymisation', () => {
  const record = syntheticRecord({ request_id: 'r1', client_ip: '203.0.113.77' });

  it('hash: a keyed digest, stable for one key, different across keys, not the plain SHA-256', () => {
    const a = anonymise(record, 'hash', 'k'.repeat(32)).client_ip;
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(anonymise(record, 'hash', 'k'.repeat(32)).client_ip, a);
    assert.notEqual(anonymise(record, 'hash', 'j'.repeat(32)).client_ip, a);
    assert.notEqual(a, createHash('sha256').update('203.0.113.77').digest('hex').slice(0, 16));
  });

  it('truncate and drop', () => {
    assert.equal(anonymise(record, 'truncate').client_ip, '203.0.113.0');
    assert.equal(anonymise(record, 'drop').client_ip, '');
  });

  it('the config refuses hash without a secret key', () => {
    assert.throws(() => analyticsConfigSchema.parse({ client_ip: 'hash' }), /client_ip_hash_key/);
    assert.throws(() => analyticsConfigSchema.parse({ client_ip: 'hash', client_ip_hash_key: 'short' }));
    assert.equal(
      analyticsConfigSchema.parse({ client_ip: 'hash', client_ip_hash_key: 'x'.repeat(16) }).client_ip,
      'hash',
    );
  });
});
