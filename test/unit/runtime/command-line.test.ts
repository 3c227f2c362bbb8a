// The gateway's command line: nothing runs it, --help explains the environment, anything else is refused
// (a `--config file` used to be ignored while the example config started on port 8080).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCommandLine, USAGE } from '../../../dataplane/runtime/command-line.js';

describe('command line', () => {
  it('runs without arguments, answers --help and -h with the environment it reads', () => {
    assert.deepEqual(readCommandLine([]), { kind: 'run' });
    assert.deepEqual(readCommandLine(['--help']), { kind: 'help' });
    assert.deepEqual(readCommandLine(['-h']), { kind: 'help' });
    for (const variable of ['GATEWAY_CONFIG', 'HOST', 'PORT']) assert.match(USAGE, new RegExp(variable));
  });

  it('refuses any other argument, naming it and where the config comes from', () => {
    const outcome = readCommandLine(['--config', 'x.yaml']);
    assert.equal(outcome.kind, 'error');
    assert.match(
      outcome.kind === 'error' ? outcome.message : '',
      /unknown argument "--config".*GATEWAY_CONFIG/,
    );
  });
});
