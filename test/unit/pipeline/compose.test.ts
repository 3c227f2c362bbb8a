// The onion runs stages in order around next(), refuses a second next(), and propagates errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compose, type Stage } from '../../../dataplane/pipeline/compose.js';
import type { GatewayContext } from '../../../dataplane/pipeline/context.js';

const ctx = {} as GatewayContext;

describe('compose', () => {
  it('runs stages as an onion', async () => {
    const trace: string[] = [];
    const stage = (name: string): Stage => ({
      name,
      async run(_c, next) {
        trace.push(`${name}:in`);
        await next();
        trace.push(`${name}:out`);
      },
    });
    await compose([stage('a'), stage('b'), stage('c')])(ctx);
    assert.deepEqual(trace, ['a:in', 'b:in', 'c:in', 'c:out', 'b:out', 'a:out']);
  });

  it('refuses a second next()', async () => {
    const twice: Stage = {
      name: 'twice',
      async run(_c, next) {
        await next();
        await next();
      },
    };
    await assert.rejects(
      compose([twice, { name: 'end', run: () => Promise.resolve() }])(ctx),
      /called next\(\) twice/,
    );
  });

  it('routes thrown errors (sync and async) to the outer stage', async () => {
    let caught: unknown;
    const outer: Stage = {
      name: 'outer',
      async run(_c, next) {
        try {
          await next();
        } catch (error) {
          caught = error;
        }
      },
    };
    const syncThrow: Stage = {
      name: 'sync',
      run() {
        throw new Error('boom');
      },
    };
    await compose([outer, syncThrow])(ctx);
    assert.equal((caught as Error).message, 'boom');
  });
});
