// Where the .sql files are found: next to the sources (tsx), and from dist/ (tsc copies no .sql), where
// dist/analytics/queries/ exists with the compiled index.js but no SQL.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { findSqlDir } from '../../../analytics/sql-dir.js';

describe('findSqlDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'sql-dir-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'analytics', 'queries'), { recursive: true });
  writeFileSync(join(root, 'analytics', 'queries', 'usage_by_app.sql'), 'SELECT 1');
  mkdirSync(join(root, 'dist', 'analytics', 'queries'), { recursive: true });
  writeFileSync(join(root, 'dist', 'analytics', 'queries', 'index.js'), '');

  it('finds the sources next to analytics/ (tsx)', () => {
    const from = pathToFileURL(join(root, 'analytics', 'sql-dir.ts')).href;
    assert.equal(findSqlDir('queries', from), join(root, 'analytics', 'queries') + '/');
  });

  it('from dist/analytics/, skips the compiled queries/ folder for the one with the SQL', () => {
    const from = pathToFileURL(join(root, 'dist', 'analytics', 'sql-dir.js')).href;
    assert.equal(findSqlDir('queries', from), join(root, 'analytics', 'queries') + '/');
  });

  it('says what it looked for when there is none', () => {
    const from = pathToFileURL(join(root, 'dist', 'analytics', 'sql-dir.js')).href;
    assert.throws(() => findSqlDir('migrations', from), /analytics\/migrations\/ with \.sql files not found/);
  });

  it('finds the repository’s own queries and migrations', () => {
    for (const dir of ['queries', 'migrations'])
      assert.ok(readdirSync(findSqlDir(dir)).some((name) => name.endsWith('.sql')));
  });
});
