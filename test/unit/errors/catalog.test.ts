// Every catalog entry is well-formed, and docs/errors.md documents each one.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { errorCatalog, type ErrorCode } from '../../../dataplane/errors/catalog.js';
import { GatewayError, isGatewayError, toGatewayError } from '../../../dataplane/errors/gateway-error.js';

describe('error catalog', () => {
  const entries = Object.entries(errorCatalog);

  it('has well-formed entries', () => {
    assert.ok(entries.length >= 10);
    for (const [code, spec] of entries) {
      assert.match(code, /^[a-z][a-z0-9_]*$/, code);
      assert.ok(spec.status >= 400 && spec.status <= 599, code);
      assert.match(spec.type, /^[a-z_]+$/, code);
      assert.match(spec.message, /^[A-Z].*\.$/, code);
    }
  });

  it('is documented entry by entry in docs/errors.md', async () => {
    const doc = await readFile(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, spec] of entries) {
      assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${spec.status} \\|`), `docs/errors.md lacks ${code}`);
    }
    const documented = doc.match(/^\| `[a-z_0-9]+` \| \d{3} \|/gm) ?? [];
    assert.equal(
      documented.length,
      entries.length,
      'docs/errors.md lists codes that the catalog does not have',
    );
  });

  it('renders the OpenAI error shape', () => {
    const error = new GatewayError('model_not_found', 'No such model.', { param: 'model' });
    assert.deepEqual(error.toBody(), {
      error: {
        message: 'No such model.',
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
    assert.equal(error.status, 404);
  });

  it('recognises gateway errors by brand and hides unknown errors', () => {
    assert.ok(isGatewayError(new GatewayError('internal_error')));
    assert.ok(!isGatewayError(new Error('x')));
    const wrapped = toGatewayError(new Error('secret detail'));
    assert.equal(wrapped.code, 'internal_error' satisfies ErrorCode);
    assert.ok(!wrapped.message.includes('secret'));
  });
});
