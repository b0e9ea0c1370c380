// The chain foundation, through a real node and a real @polkadot/api client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { startDevNode, submitFinalized, eventsOf, sleep } from '../lib/node.mjs';

let node;
before(async () => { node = await startDevNode(); });
after(async () => { await node?.stop(); });

test('the node serves metadata V16 that decodes without a custom type bundle', async () => {
  const { api } = node;
  const versions = (await api.call.metadata.metadataVersions()).map((v) => v.toNumber());
  assert.ok(versions.includes(16), `metadata versions ${versions}`);
  const opaque = await api.call.metadata.metadataAtVersion(16);
  assert.ok(opaque.isSome, 'metadata_at_version(16) answered None');
  const metadata = new Metadata(new TypeRegistry(), opaque.unwrap().toU8a(true));
  assert.equal(metadata.version, 16);
  const pallets = metadata.asLatest.pallets.map((p) => p.name.toString());
  for (const name of ['System', 'Balances', 'Proxy', 'Registry', 'Consent']) {
    assert.ok(pallets.includes(name), `pallet ${name} missing from ${pallets}`);
  }
  const extensions = api.registry.signedExtensions;
  assert.ok(extensions.includes('CheckMetadataHash'), `extensions: ${extensions}`);
  assert.equal(api.runtimeVersion.specName.toString(), 'consent-chain');
});

test('blocks are produced and finalized', async () => {
  const { api } = node;
  const first = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  const deadline = Date.now() + 60_000;
  let finalized = first;
  while (finalized < first + 2 && Date.now() < deadline) {
    await sleep(1000);
    finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  }
  assert.ok(finalized >= first + 2, `finality stuck at #${finalized}`);
});

test('a balance transfer signed by Alice is finalized and moves the funds to Bob', async () => {
  const { api, keyring } = node;
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');
  const amount = 1_234_000_000_000n;
  const before = (await api.query.system.account(bob.address)).data.free.toBigInt();
  const aliceBefore = (await api.query.system.account(alice.address)).data.free.toBigInt();
  const { events, blockHash } = await submitFinalized(api, api.tx.balances.transferKeepAlive(bob.address, amount), alice);
  const transfers = eventsOf(events, 'balances', 'Transfer');
  assert.equal(transfers.length, 1);
  assert.equal(transfers[0].data.amount.toBigInt(), amount);
  const at = await api.at(blockHash);
  assert.equal((await at.query.system.account(bob.address)).data.free.toBigInt(), before + amount);
  const aliceAfter = (await at.query.system.account(alice.address)).data.free.toBigInt();
  assert.ok(aliceAfter < aliceBefore - amount, 'Alice paid the amount and a fee');
});
