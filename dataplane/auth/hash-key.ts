// CLI: prints the SHA-256 to put in config for an API key; with no argument, mints a new random key first.
//   node --import tsx dataplane/auth/hash-key.ts            → new key + its sha256
//   node --import tsx dataplane/auth/hash-key.ts <key>      → sha256 of <key>
//   echo -n <key> | node --import tsx dataplane/auth/hash-key.ts -   → same, keeping the key out of argv
import { readFileSync } from 'node:fs';
import { generateKey, hashKeyHex } from './key-hash.js';

const argument = process.argv[2];
if (argument === '--help' || argument === '-h') {
  process.stdout.write('usage: hash-key.ts [key | -]   (no argument: generate a new key)\n');
} else if (argument === undefined) {
  const key = generateKey();
  process.stdout.write(`key:    ${key}\nsha256: ${hashKeyHex(key)}\n`);
  process.stderr.write('Give the key to its owner once; store only the sha256 in config.\n');
} else {
  // Trailing newlines from `echo` or a file would silently change the hash.
  const key = argument === '-' ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : argument;
  process.stdout.write(`sha256: ${hashKeyHex(key)}\n`);
}
