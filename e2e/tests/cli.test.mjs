// Bad input to the node binary: a clear message and a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { runNode, freePort } from '../lib/node.mjs';

test('an unknown chain is refused with a message that names it', async () => {
  const { code, output } = await runNode(['--chain', 'nonexistent', '--tmp']);
  assert.notEqual(code, 0);
  assert.match(output, /unknown chain `nonexistent`/);
});

test('a port already in use is refused with a message', async () => {
  const busy = createServer();
  const port = await new Promise((resolve) => busy.listen(0, '127.0.0.1', () => resolve(busy.address().port)));
  try {
    const p2p = await freePort();
    const { code, output } = await runNode(['--dev', '--tmp', '--rpc-port', String(port), '--port', String(p2p), '--no-prometheus']);
    assert.notEqual(code, 0);
    assert.match(output, /(in use|Address already in use|os error 98)/i);
  } finally {
    busy.close();
  }
});

test('build-spec produces the dev chain spec with the genesis presets', async () => {
  const { code, output, stdout } = await runNode(['build-spec', '--chain', 'dev']);
  assert.equal(code, 0, output);
  const spec = JSON.parse(stdout);
  assert.equal(spec.id, 'consent_dev');
  assert.equal(spec.properties.tokenSymbol, 'UNIT');
});
