// Faults survived: the four-validator `local` network keeps producing and finalizing blocks with
// one validator down, keeps producing (finality stalls) with two down, resumes finality when they
// come back from their base paths with their state, and loses none of the consent grants
// submitted throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNetwork, untilReady, until, heights, call, connect } from '../lib/network.mjs';
import { freePort, sleep, NON_SENSITIVE } from '../lib/node.mjs';

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
});

after(async () => {
  await api?.disconnect().catch(() => {});
  await net?.stopAll();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('the network survives the loss of validators and loses no grant', { timeout: 900_000 }, async () => {
  const [alice, , charlie, dave] = net.nodes;
  await untilReady(net.nodes);
  say('four validators peered and finalizing');
  api = await connect(alice.rpcUrl);
  const keyring = new Keyring({ type: 'sr25519' });
  const patients = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((s) => keyring.addFromUri(s));

  // The load: grants to the four organizations and their roles, round robin over six patients,
  // one every 400 ms, through Alice's node (which stays up). Each is followed to finalization.
  const submitted = [];
  const nonces = await Promise.all(patients.map(async (p) => (await api.rpc.system.accountNextIndex(p.address)).toNumber()));
  let stop = false;
  const load = (async () => {
    for (let i = 0; !stop; i++) {
      const who = i % patients.length;
      const patient = patients[who];
      const k = Math.floor(i / patients.length);
      const grantee = { Role: { organization: k % 4, role: ['Physician', 'Nurse', 'Pharmacist', 'Researcher', 'Auditor', 'Technician', 'Paramedic', 'Billing'][Math.floor(k / 4) % 8] } };
      const entry = { finalized: false, failed: false };
      submitted.push(entry);
      api.tx.consent.grantConsent(grantee, { categories: [NON_SENSITIVE[i % NON_SENSITIVE.length]], actions: ['Read'], purposes: ['TREAT'] }, [], null, null)
        .signAndSend(patient, { nonce: nonces[who]++ }, ({ status, dispatchError }) => {
          if (dispatchError) entry.failed = true;
          if (status.isFinalized) entry.finalized = true;
        }).catch(() => { entry.failed = true; });
      await sleep(400);
    }
  })();

  const at = async () => heights(alice.rpcUrl);
  await sleep(12_000);

  // One validator down: 3 of 4 still vote, above GRANDPA's two thirds.
  await dave.kill();
  const oneDown = await at();
  await sleep(36_000);
  const afterOne = await at();
  say(`one down: best ${oneDown.best} -> ${afterOne.best}, finalized ${oneDown.finalized} -> ${afterOne.finalized}`);
  assert.ok(afterOne.best >= oneDown.best + 3, 'blocks keep being produced');
  assert.ok(afterOne.finalized >= oneDown.finalized + 3, 'blocks keep being finalized');

  // Two down: Aura still has slots for Alice and Bob, GRANDPA has 2 of 4 votes: no finality.
  const charlieBefore = await heights(charlie.rpcUrl);
  await charlie.kill();
  await sleep(12_000); // rounds already under way may still conclude
  const twoDown = await at();
  await sleep(36_000);
  const afterTwo = await at();
  say(`two down: best ${twoDown.best} -> ${afterTwo.best}, finalized ${twoDown.finalized} -> ${afterTwo.finalized}`);
  assert.ok(afterTwo.best >= twoDown.best + 2, 'blocks keep being produced');
  assert.equal(afterTwo.finalized, twoDown.finalized, 'finality stalls');

  // Both restart from their base paths: their state is there before they sync anything.
  charlie.start();
  dave.start();
  await until('charlie answers', async () => (await heights(charlie.rpcUrl)).best >= 0, { timeoutMs: 60_000 });
  const charlieRestarted = await heights(charlie.rpcUrl);
  say(`charlie restarted at #${charlieRestarted.best} (was #${charlieBefore.best} before the kill)`);
  assert.ok(charlieRestarted.best >= charlieBefore.best, 'a restarted node keeps its blocks');
  await until('finality resumes', async () => (await at()).finalized > afterTwo.finalized + 2, { timeoutMs: 180_000 });
  const resumed = await at();
  await until('the restarted nodes catch up', async () => {
    const [c, d] = await Promise.all([heights(charlie.rpcUrl), heights(dave.rpcUrl)]);
    return c.finalized >= resumed.finalized && d.finalized >= resumed.finalized;
  }, { timeoutMs: 180_000 });
  say(`finality resumed: finalized #${resumed.finalized}; charlie and dave caught up`);

  // Every grant submitted and finalized is on chain: counted at the finalized head on a node
  // that was down, against the client's own count.
  stop = true;
  await load;
  await until('every grant finalized or failed', () => submitted.every((e) => e.finalized || e.failed), { timeoutMs: 180_000 });
  const finalized = submitted.filter((e) => e.finalized && !e.failed).length;
  const failed = submitted.filter((e) => e.failed).length;
  const head = await call(dave.rpcUrl, 'chain_getFinalizedHead');
  const counted = await Promise.all(patients.map(async (p) => {
    const consents = await call(dave.rpcUrl, 'consent_consentsOf', [p.address, head]);
    return consents.length;
  }));
  const onChain = counted.reduce((a, b) => a + b, 0);
  say(`grants: submitted ${submitted.length}, finalized ${finalized}, failed ${failed}, on chain ${onChain}, lost ${finalized - onChain}`);
  assert.ok(finalized > 50, 'a real load ran');
  assert.equal(failed, 0, 'no grant failed');
  assert.equal(onChain, finalized, 'no grant lost');
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
