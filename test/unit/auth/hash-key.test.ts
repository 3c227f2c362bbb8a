// The key hashing CLI: hashes a given key (argument or stdin) or mints a new gw- key with its hash.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { generateKey, hashKeyHex } from '../../../dataplane/auth/key-hash.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../dataplane/auth/hash-key.ts', import.meta.url));
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

async function hashKey(args: string[], input?: string): Promise<string> {
  const child = run(process.execPath, ['--import', 'tsx', cli, ...args]);
  if (input !== undefined) child.child.stdin!.end(input);
  return (await child).stdout;
}

describe('hash-key', () => {
  it('hashes the full key string with SHA-256', () => {
    assert.equal(hashKeyHex('abc'), ABC_SHA256);
  });

  it('mints keys of 32 random bytes with a gw- prefix', () => {
    const key = generateKey();
    assert.match(key, /^gw-[A-Za-z0-9_-]{43}$/);
    assert.notEqual(generateKey(), key);
  });

  it('the CLI prints the hash of an argument or of stdin (one trailing newline ignored)', async () => {
    assert.equal(await hashKey(['abc']), `sha256: ${ABC_SHA256}\n`);
    assert.equal(await hashKey(['-'], 'abc\n'), `sha256: ${ABC_SHA256}\n`);
  });

  it('the CLI without argument prints a new key and its hash', async () => {
    const output = await hashKey([]);
    const match = /^key: {4}(gw-[A-Za-z0-9_-]{43})\nsha256: ([0-9a-f]{64})\n$/.exec(output);
    assert.ok(match, output);
    assert.equal(hashKeyHex(match[1]!), match[2]);
  });
});
