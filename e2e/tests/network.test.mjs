// The four-validator `local` network: the council changes the validator set, and a node the
// consortium has not authorized gets no peers. The loss of one and two validators, restarts from
// their base paths, network partitions and a grant load through all of it are tested on the same
// binary and chain spec in containers (docker/test/faults.mjs, run by scripts/docker-test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNetwork, untilReady, until, heights, call, connect } from '../lib/network.mjs';
import { freePort, sleep } from '../lib/node.mjs';

const say = (msg) => process.stdout.write(`# ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
let root;
let net;
let api;

before(async () => {
  await cryptoWaitReady();
  root = mkdtempSync(`${tmpdir()}/consent-network-`);
  // Eight consecutive free ports are not guaranteed; pick bases far apart and check them.
  const p2pBase = await freePort();
  const rpcBase = await freePort();
  net = await startNetwork({ root, p2pBase, rpcBase, log: say });
  await untilReady(net.nodes);
  say('four validators peered and finalizing');
  api = await connect(net.nodes[0].rpcUrl);
});

after(async () => {
  await api?.disconnect().catch(() => {});
  await net?.stopAll();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Propose `call` to the council as `proposer`, have `voters` vote aye, close; the events. */
async function councilMotion(api, call, proposer, voters, threshold) {
  const { submitInBlock } = await import('../lib/node.mjs');
  const lengthBound = call.encodedLength;
  const { events } = await submitInBlock(api, api.tx.council.propose(threshold, call, lengthBound), proposer);
  if (threshold === 1) return events.map(({ event }) => event); // executed at once
  const proposed = events.find(({ event }) => event.section === 'council' && event.method === 'Proposed').event;
  const { proposalIndex, proposalHash } = proposed.data;
  for (const voter of voters) await submitInBlock(api, api.tx.council.vote(proposalHash, proposalIndex, true), voter);
  const weight = { refTime: 10_000_000_000n, proofSize: 1_000_000n };
  const { events: closed } = await submitInBlock(api, api.tx.council.close(proposalHash, proposalIndex, weight, lengthBound), proposer);
  return closed.map(({ event }) => event);
}

test('the council removes a validator, who stops authoring, and adds it back at the next session', { timeout: 900_000 }, async () => {
  const keyring = new Keyring({ type: 'sr25519' });
  const [alice, bob, charlie, dave] = ['//Alice', '//Bob', '//Charlie', '//Dave'].map((s) => keyring.addFromUri(s));
  const validators = async () => (await api.query.session.validators()).map((v) => v.toString());
  const authorities = async () => (await api.query.aura.authorities()).length;
  assert.deepEqual((await validators()).sort(), [alice, bob, charlie, dave].map((k) => k.address).sort());

  const removed = await councilMotion(api, api.tx.consortium.removeValidator(dave.address), alice, [alice, bob, charlie], 3);
  assert.ok(removed.some((e) => e.section === 'consortium' && e.method === 'ValidatorRemoved'), 'the motion passed by majority');
  await until('Dave leaves the set', async () => !(await validators()).includes(dave.address) && (await authorities()) === 3, { timeoutMs: 240_000, everyMs: 3_000 });
  say('Dave left the validator set: Aura has three authorities');
  const { best } = await heights(net.nodes[0].rpcUrl);
  await sleep(30_000);
  assert.ok((await heights(net.nodes[0].rpcUrl)).finalized > best, 'three validators keep finalizing');

  const added = await councilMotion(api, api.tx.consortium.addValidator(dave.address), alice, [alice, bob, charlie], 3);
  assert.ok(added.some((e) => e.section === 'consortium' && e.method === 'ValidatorAdded'));
  await until('Dave rejoins', async () => (await validators()).includes(dave.address) && (await authorities()) === 4, { timeoutMs: 240_000, everyMs: 3_000 });
  say('Dave rejoined the validator set');

  // A single council member cannot: the motion executes with 1 of 4 and is refused.
  const alone = await councilMotion(api, api.tx.consortium.removeValidator(dave.address), alice, [], 1);
  const executed = alone.find((e) => e.section === 'council' && e.method === 'Executed');
  assert.ok(executed?.data.result.isErr, 'one member alone is refused');
  assert.ok((await validators()).includes(dave.address));
});

test('a node whose peer id the consortium has not authorized gets no peers', { timeout: 300_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const { nodeBinary } = await import('../lib/node.mjs');
  const [alice] = net.nodes;
  const rpcPort = await freePort();
  const stranger = spawn(nodeBinary(), ['--chain', 'local', '--base-path', `${root}/stranger`, '--rpc-port', String(rpcPort),
    '--listen-addr', `/ip4/127.0.0.1/tcp/${await freePort()}`, '--no-prometheus', '--no-telemetry', '--no-mdns',
    '--bootnodes', `/ip4/127.0.0.1/tcp/${alice.p2pPort}/p2p/${alice.peerId}`], { stdio: 'ignore' });
  try {
    const url = `ws://127.0.0.1:${rpcPort}`;
    await until('the stranger answers', async () => (await call(url, 'system_health')) !== undefined, { timeoutMs: 60_000 });
    await sleep(30_000);
    const [strangerHealth, aliceHealth] = await Promise.all([call(url, 'system_health'), call(alice.rpcUrl, 'system_health')]);
    say(`stranger: ${strangerHealth.peers} peers; alice: ${aliceHealth.peers} peers`);
    assert.equal(strangerHealth.peers, 0, 'the stranger is refused');
    assert.equal(aliceHealth.peers, 3, 'the consortium keeps its own peers');
    const { best } = await heights(url);
    assert.equal(best, 0, 'the stranger synced nothing');
  } finally {
    stranger.kill('SIGKILL');
  }
});
