// The four-validator `local` network, started on the previous release's runtime: the council
// upgrades it live to the next release's, which keeps every item of the consent suite's state
// (consents migrated to their new shape) while blocks and finality go on; then, on the upgraded
// runtime, the council changes the validator set, and a node the consortium has not authorized
// gets no peers. The loss of one and two validators, restarts from their base paths, network
// partitions and a grant load through all of it are tested on the same binary and chain spec in
// containers (docker/test/faults.mjs, run by scripts/docker-test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNetwork, untilReady, until, heights, call, connect } from '../lib/network.mjs';
import { freePort, sleep, submitInBlock, submitFinalized, eventsOf } from '../lib/node.mjs';
import { runtimesFromEnv, chainSpecWithRuntime, storageVersion, snapshotState, watchHeights, longestStall,
  submitWatchingStatus, eventsOfBlock, tryRuntime } from '../lib/upgrade.mjs';

const say = (msg) => process.stdout.write(`# ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
/** What a `consent-node try-runtime` run printed, a line at a time. */
const sayEach = (what, text) => text.trim().split('\n').forEach((line) => say(`${what}: ${line}`));
let root;
let net;
let api;
let runtimes;

before(async () => {
  await cryptoWaitReady();
  // Throws without CONSENT_RUNTIME_PREVIOUS and CONSENT_RUNTIME_NEXT, which fails every test here:
  // the network runs the previous release's runtime, so there is nothing to run without it.
  runtimes = runtimesFromEnv();
  for (const { path, hash, published } of Object.values(runtimes)) {
    assert.equal(hash, published, `the blake2-256 of ${path} is the one published next to it`);
  }
  assert.notEqual(runtimes.previous.hash, runtimes.next.hash, 'the previous and next runtimes differ');
  root = mkdtempSync(`${tmpdir()}/consent-network-`);
  const chain = await chainSpecWithRuntime(root, runtimes.previous.code);
  say(`chain spec ${chain}: genesis runtime ${runtimes.previous.path} (${runtimes.previous.code.length} bytes, ${runtimes.previous.hash})`);
  // Eight consecutive free ports are not guaranteed; pick bases far apart and check them.
  const p2pBase = await freePort();
  const rpcBase = await freePort();
  net = await startNetwork({ root, chain, p2pBase, rpcBase, log: say });
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

/** The pallets whose every storage item the upgrade must keep, by their names in the client. */
const SUITE = ['consent', 'records', 'breakGlass', 'registry', 'enrolment', 'consortium'];
/** The same pallets by their names in the runtime. */
const SUITE_RUNTIME_NAMES = ['Consent', 'Records', 'BreakGlass', 'Registry', 'Enrolment', 'Consortium'];
/** Items of other pallets that hold the suite's deposits and delegations. */
const SUITE_EXTRA = [['balances', 'holds'], ['proxy', 'proxies']];

const scope = (category, actions = ['Read']) => ({ categories: [category], actions, purposes: ['TREAT'] });
const consentIdOf = (events) => eventsOf(events, 'consent', 'ConsentGranted')[0].data.consentId.toNumber();

/**
 * On the running runtime, state of every kind the consent suite keeps: a practitioner with the
 * break-glass privilege, consents (to that practitioner, to organizations, one naming a record
 * and ending, one granted by a guardian through a proxy), a revoked one, a deny rule, a pending
 * access request, an anchored and amended record, an enrolled patient with emergency contacts,
 * an open emergency session; and the deposits they hold. Returns the ids.
 */
async function buildSuiteState(api, { alice, eve, ferdie, guardian, two }) {
  const now = (await api.query.timestamp.now()).toNumber();
  const hash = (byte) => `0x${byte.repeat(32)}`;

  // The local preset credentials nobody: Alice, admin of Alice Hospital (organization 0), makes
  // Ferdie a physician who may break the glass, and enrols Two, whose calls the hospital pays for.
  const practitioners = await api.query.registry.practitioners.entries();
  say(`${practitioners.length} practitioners at genesis; Alice credentials Ferdie at Alice Hospital`);
  await Promise.all([
    (async () => {
      if ((await api.query.registry.practitioners(ferdie.address)).isNone) {
        await submitInBlock(api, api.tx.registry.registerPractitioner(0, ferdie.address, ['Physician'],
          now + 365 * 24 * 3_600_000, hash('0c'), true), alice);
      }
      await submitInBlock(api, api.tx.enrolment.enrolPatient(0, two.address), alice);
    })(),
    (async () => {
      await submitInBlock(api, api.tx.proxy.addProxy(guardian.address, 'ConsentManagement', 0), eve);
      await submitInBlock(api, api.tx.consent.addDenyRule(null, ['Genomics'], ['HRESCH']), eve);
    })(),
  ]);

  const [eveConsents, guardianConsent] = await Promise.all([
    (async () => {
      const grant = (grantee, what) => submitInBlock(api, api.tx.consent.grantConsent(grantee, what, [], null, null), eve);
      const toFerdie = consentIdOf((await grant({ Practitioner: ferdie.address }, scope('LabResults', ['Read', 'Write']))).events);
      const toClinic = consentIdOf((await grant({ Organization: 1 }, scope('Allergies'))).events);
      const revoked = consentIdOf((await grant({ Organization: 3 }, scope('Conditions'))).events);
      const { events } = await submitInBlock(api, api.tx.consent.revokeConsent(revoked), eve);
      assert.equal(eventsOf(events, 'consent', 'ConsentRevoked').length, 1);
      return { toFerdie, toClinic, revoked };
    })(),
    (async () => {
      const grant = api.tx.consent.grantConsent({ Organization: 0 }, scope('Immunizations'), [], null, null);
      const { events } = await submitInBlock(api, api.tx.proxy.proxy(eve.address, null, grant), guardian);
      const [granted] = eventsOf(events, 'consent', 'ConsentGranted');
      assert.ok(granted, 'the guardian granted for Eve');
      assert.equal(granted.data.signer.toString(), guardian.address);
      return granted.data.consentId.toNumber();
    })(),
    submitInBlock(api, api.tx.breakGlass.setEmergencyContacts([eve.address]), two),
  ]);

  // Ferdie, with Eve's consent, anchors a record of hers and amends it; asks her for imaging;
  // and breaks the glass on Two, whose session (four hours on this runtime) stays open.
  const digest = (byte) => ({ algorithm: 'Sha256', hash: hash(byte) });
  const { events: anchored } = await submitInBlock(api,
    api.tx.records.anchorRecord(eve.address, 'LabResults', 'TREAT', 'Observation', digest('a0'), { Hash: hash('a1') }), ferdie);
  const recordId = eventsOf(anchored, 'records', 'RecordAnchored')[0].data.recordId.toHex();
  const { events: amended } = await submitInBlock(api, api.tx.records.amendRecord(recordId, 'TREAT', digest('a2'), null), ferdie);
  assert.equal(eventsOf(amended, 'records', 'RecordAmended')[0].data.version.toNumber(), 1);
  const { events: asked } = await submitInBlock(api,
    api.tx.consent.requestAccess(eve.address, scope('Imaging'), hash('b0'), null, null), ferdie);
  const requestId = eventsOf(asked, 'consent', 'AccessRequested')[0].data.requestId.toNumber();
  const { events: broken } = await submitInBlock(api,
    api.tx.breakGlass.breakGlass(two.address, 'ETREAT', 'Unconscious', hash('c0'), null), ferdie);
  const sessionId = eventsOf(broken, 'breakGlass', 'SessionOpened')[0].data.sessionId.toNumber();

  // A consent that names the record and ends in thirty days.
  const { events: withRecord } = await submitInBlock(api, api.tx.consent.grantConsent({ Organization: 2 },
    scope('LabResults'), [recordId], null, now + 30 * 24 * 3_600_000), eve);
  return { ...eveConsents, byGuardian: guardianConsent, withRecord: consentIdOf(withRecord), recordId, requestId, sessionId };
}

/** The hash and number of the finalized head, once it is at least `number`. */
async function finalizedAtLeast(api, number, what) {
  let head;
  await until(what, async () => {
    const hash = await api.rpc.chain.getFinalizedHead();
    head = { hash, number: (await api.rpc.chain.getHeader(hash)).number.toNumber() };
    return head.number >= number;
  }, { timeoutMs: 180_000 });
  return head;
}

test('the council upgrades the runtime live: the state is kept, consents migrate, blocks and finality go on', { timeout: 1_200_000 }, async () => {
  const keyring = new Keyring({ type: 'sr25519' });
  const [alice, bob, charlie, eve, ferdie, guardian, two, one] = ['//Alice', '//Bob', '//Charlie', '//Eve', '//Ferdie',
    '//Eve//stash', '//Two', '//One'].map((s) => keyring.addFromUri(s));
  const cast = { alice, bob, charlie, eve, ferdie, guardian, two, one };
  for (const [name, key] of Object.entries(cast)) {
    assert.ok((await api.query.system.account(key.address)).data.free.toBigInt() > 0n, `${name} is funded on local`);
  }
  const specBefore = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();
  say(`running spec version ${specBefore} (the previous release)`);

  say('building the consent suite\'s state on the previous runtime');
  const ids = await buildSuiteState(api, cast);
  say(`state built: ${JSON.stringify(ids)}`);
  const permitQuery = { patient: eve.address, accessor: ferdie.address, category: 'LabResults', action: 'Read', purpose: 'TREAT' };
  const emergencyQuery = { patient: two.address, accessor: ferdie.address, category: 'LabResults', action: 'Read', purpose: 'ETREAT' };
  const decisions = async () => ({
    rpc: await call(net.nodes[0].rpcUrl, 'consent_checkAccess', [permitQuery, null]),
    emergency: await call(net.nodes[0].rpcUrl, 'consent_checkAccess', [emergencyQuery, null]),
    runtimeApi: (await api.call.consentApi.checkAccess({ ...permitQuery, record: null })).toJSON(),
  });
  const decidedBefore = await decisions();
  assert.deepEqual(decidedBefore.rpc, { Permit: { Consent: ids.toFerdie } });
  assert.deepEqual(decidedBefore.emergency, { Permit: { Emergency: ids.sessionId } });

  // One block for the whole snapshot, finalized, so that no fork can take it back.
  const built = await heights(net.nodes[0].rpcUrl);
  const snapshotHead = await finalizedAtLeast(api, built.best, 'the state to be finalized');
  const accounts = Object.values(cast).map((k) => k.address);
  const before = await snapshotState(api, snapshotHead.hash, { pallets: SUITE, extra: SUITE_EXTRA, accounts });
  const versionBefore = await storageVersion(api, 'Consent', snapshotHead.hash);
  const pids = net.nodes.map((n) => n.child.pid);
  const nodeHeights = await Promise.all(net.nodes.map((n) => heights(n.rpcUrl)));
  say(`snapshot at #${snapshotHead.number}, spec ${specBefore}, consent storage version ${versionBefore}; `
    + net.nodes.map((n, i) => `${n.name} pid ${pids[i]} best #${nodeHeights[i].best} finalized #${nodeHeights[i].finalized}`).join(', '));
  const counted = Object.entries(before.storage).filter(([, entries]) => Object.keys(entries).length > 0)
    .map(([item, entries]) => `${item} ${Object.keys(entries).length}`);
  say(`entries: ${counted.join(', ')}`);
  const count = (item) => Object.keys(before.storage[item]).length;
  assert.equal(count('consent.consents'), 4, 'four live consents: the revoked one is gone');
  for (const item of ['consent.denyRules', 'consent.requests', 'consent.openRequests', 'records.records', 'breakGlass.sessions',
    'breakGlass.openSessions', 'breakGlass.policies', 'enrolment.enrolments', 'registry.practitioners', 'proxy.proxies']) {
    assert.ok(count(item) >= 1, `the snapshot holds ${item}`);
  }
  assert.equal(count('records.versions'), 2, 'the record and its amendment');
  for (const [name, who] of Object.entries({ eve, ferdie, alice })) {
    assert.ok(before.storage['balances.holds'][api.query.balances.holds.key(who.address)], `${name} holds deposits`);
  }
  assert.equal(versionBefore, 3, 'the previous runtime stores consents at version 3');

  // Before anyone votes, as a member would: the candidate's migrations, with their pre- and
  // post-upgrade checks and every pallet's try_state, on this very state, in memory.
  const node0 = net.nodes[0].rpcUrl;
  const tried = await tryRuntime('on-runtime-upgrade', { url: node0, runtime: runtimes.nextTry.path, at: snapshotHead.hash.toHex() });
  sayEach('try-runtime on-runtime-upgrade', tried.stdout);
  assert.equal(tried.code, 0, `try-runtime on-runtime-upgrade passes:\n${tried.output.slice(-4000)}`);
  const [, specFrom, specTo] = tried.stdout.match(/spec (\d+); candidate: \S+ spec (\d+)/) ?? [];
  assert.equal(Number(specFrom), specBefore, 'tried on the running spec');
  assert.ok(Number(specTo) > specBefore, `the candidate's spec ${specTo} is later`);
  const downloaded = Number(tried.stdout.match(/state downloaded: (\d+) keys/)?.[1]);
  const suiteKeys = Object.values(before.storage).reduce((n, entries) => n + Object.keys(entries).length, 0);
  assert.ok(downloaded > suiteKeys, `the whole state downloaded: ${downloaded} keys, ${suiteKeys} of them the suite's`);
  const written = Number(tried.stdout.match(/(\d+) keys written/)?.[1]);
  assert.ok(written >= count('consent.consents') + 1, `every consent and the storage version rewritten: ${written} keys`);
  assert.match(tried.stdout, /a second run changed nothing/);
  // The runtime's own log says each of the suite's invariants was checked on the migrated state.
  for (const pallet of SUITE_RUNTIME_NAMES) assert.match(tried.output, new RegExp(`Running "${pallet}" try-state checks`));
  // The production runtime has no TryRuntime API: refused, and said why.
  const plain = await tryRuntime('on-runtime-upgrade', { url: node0, runtime: runtimes.next.path });
  assert.notEqual(plain.code, 0, 'the production runtime cannot be tried');
  assert.match(plain.output, /no TryRuntime API: build it with `scripts\/build-runtime --try-runtime`/);

  // From before the authorization to ten blocks after the upgrade, every node's heights, each second.
  const watch = await watchHeights(net.nodes);
  try {
    say(`the council authorizes ${runtimes.next.hash} (${runtimes.next.path}, ${runtimes.next.code.length} bytes)`);
    const authorize = api.tx.consortium.enact(api.tx.system.authorizeUpgrade(runtimes.next.hash));
    const motion = await councilMotion(api, authorize, alice, [alice, bob, charlie], 3);
    const executed = motion.find((e) => e.section === 'council' && e.method === 'Executed');
    assert.ok(executed?.data.result.isOk, `three of four enact: ${executed?.data.result}`);
    const authorized = motion.find((e) => e.section === 'system' && e.method === 'UpgradeAuthorized');
    assert.ok(authorized, 'UpgradeAuthorized');
    assert.equal(authorized.data.codeHash.toHex(), runtimes.next.hash);

    // One, on no council, submits the code itself; the motion carried only its hash.
    say('One submits the authorized code');
    const upgradeHash = await submitWatchingStatus(api, api.tx.system.applyAuthorizedUpgrade(u8aToHex(runtimes.next.code)), one);
    const { number: upgradeBlock, events } = await eventsOfBlock(net.nodes[0].rpcUrl, upgradeHash.toHex());
    const updated = events.filter((e) => e.section === 'system' && e.method === 'CodeUpdated');
    assert.equal(updated.length, 1, `CodeUpdated in the block: ${events.map((e) => `${e.section}.${e.method}`).join(', ')}`);
    say(`code updated in block #${upgradeBlock} (${upgradeHash.toHex()})`);

    const specs = () => Promise.all(net.nodes.map(async (n) => (await call(n.rpcUrl, 'state_getRuntimeVersion')).specVersion));
    await until('every node to run a later spec version', async () => (await specs()).every((v) => v > specBefore), { timeoutMs: 180_000 });
    const [specAfter, ...others] = await specs();
    assert.ok(others.every((v) => v === specAfter), `one runtime on every node: ${[specAfter, ...others]}`);
    say(`every node runs spec version ${specAfter}`);
    // The client reloads the metadata itself when the runtime version changes, but as version 14
    // (state_getMetadata), which has no runtime APIs: `api.call.consentApi` goes with the old
    // metadata. A new client reads version 15, as on start.
    await until('the client to reload the metadata', () => api.runtimeVersion.specVersion.toNumber() === specAfter,
      { timeoutMs: 60_000 }).catch(() => {});
    if (api.runtimeVersion.specVersion.toNumber() !== specAfter || !api.call.consentApi) {
      say(`the client is stale (spec ${api.runtimeVersion.specVersion}, consentApi ${api.call.consentApi ? 'kept' : 'gone'}): connecting anew`);
      await api.disconnect().catch(() => {});
      api = await connect(net.nodes[0].rpcUrl);
    }
    assert.equal(api.runtimeVersion.specVersion.toNumber(), specAfter);
    assert.ok(api.call.consentApi, 'the client knows the runtime APIs');

    await until('every node to finalize three blocks past the upgrade',
      () => net.nodes.every((_, i) => (watch.latest(i)?.finalized ?? 0) >= upgradeBlock + 3), { timeoutMs: 180_000 });
    assert.equal(await call(net.nodes[0].rpcUrl, 'chain_getBlockHash', [upgradeBlock]), upgradeHash.toHex(),
      'the upgrade block is on the finalized chain');
    say(`every node finalized #${upgradeBlock + 3} or later`);

    // The migration ran in the first block of the new runtime; read everything again after it.
    const afterHead = await finalizedAtLeast(api, upgradeBlock + 2, 'a finalized block after the migration');
    const after = await snapshotState(api, afterHead.hash, { pallets: SUITE, extra: SUITE_EXTRA, accounts });
    const versionAfter = await storageVersion(api, 'Consent', afterHead.hash);
    say(`snapshot at #${afterHead.number}: consent storage version ${versionBefore} -> ${versionAfter}`);
    assert.equal(versionAfter, 4, 'the consent pallet migrated to storage version 4');
    // The client reads storage versions as `palletVersion`: the same keys as read raw above.
    assert.deepEqual(Object.values(before.storage['consent.palletVersion']), [versionBefore]);
    assert.deepEqual(Object.values(after.storage['consent.palletVersion']), [versionAfter]);
    for (const [item, entries] of Object.entries(before.storage)) {
      if (item === 'consent.palletVersion') continue; // 3 to 4, as asserted
      const now = after.storage[item];
      assert.ok(now, `${item} is still in the runtime`);
      assert.deepEqual(Object.keys(now).sort(), Object.keys(entries).sort(), `${item}: the same keys`);
      for (const [key, value] of Object.entries(entries)) {
        if (item === 'consent.consents') {
          // Version 4 keeps when a consent was granted; the previous runtime did not know it.
          const { grantedAt, ...kept } = now[key];
          assert.ok(Object.hasOwn(now[key], 'grantedAt'), `${item} ${key} has grantedAt`);
          assert.equal(grantedAt, null, `${item} ${key} granted before the upgrade: no time`);
          assert.deepEqual(kept, value, `${item} ${key}: every other field kept`);
        } else {
          assert.deepEqual(now[key], value, `${item} ${key} kept`);
        }
      }
    }
    // The council and One paid fees for the upgrade: their free balance only went down.
    const payers = new Set([alice, bob, charlie, one].map((k) => k.address));
    for (const [who, data] of Object.entries(before.accounts)) {
      if (payers.has(who)) {
        const { free, ...held } = data;
        const { free: freeAfter, ...heldAfter } = after.accounts[who];
        assert.deepEqual(heldAfter, held, `${who}: reserved, frozen and flags kept`);
        assert.ok(BigInt(freeAfter) <= BigInt(free), `${who}: paid fees, received nothing`);
      } else {
        assert.deepEqual(after.accounts[who], data, `${who}: balances kept`);
      }
    }
    say(`every entry of ${Object.keys(before.storage).length} storage items kept (consents with grantedAt: null), balances kept`);

    const decidedAfter = await decisions();
    assert.deepEqual(decidedAfter, decidedBefore, 'the old consent and the session decide as before');
    say(`checkAccess for the old consent: ${JSON.stringify(decidedAfter.rpc)} (runtime API ${JSON.stringify(decidedAfter.runtimeApi)})`);

    // The new runtime at work: a new consent keeps the time of the block that granted it
    // (finalized: the block is executed again below, and a fork's state is pruned).
    const { events: grantEvents, blockHash } = await submitFinalized(api,
      api.tx.consent.grantConsent({ Practitioner: ferdie.address }, scope('VitalSigns'), [], null, null), eve);
    const newId = consentIdOf(grantEvents);
    const at = await api.at(blockHash);
    const consent = (await at.query.consent.consents(eve.address, newId)).toJSON();
    const blockTime = (await at.query.timestamp.now()).toNumber();
    assert.equal(typeof consent.grantedAt, 'number', `a new consent keeps grantedAt: ${JSON.stringify(consent)}`);
    assert.equal(consent.grantedAt, blockTime, 'granted at the time of its block');
    assert.ok(Math.abs(consent.grantedAt - Date.now()) < 120_000, 'and that time is now');
    assert.deepEqual(await call(net.nodes[0].rpcUrl, 'consent_checkAccess', [{ ...permitQuery, category: 'VitalSigns' }, null]),
      { Permit: { Consent: newId } });
    say(`a new consent ${newId} granted at ${new Date(consent.grantedAt).toISOString()}`);

    // The block that granted it, executed again by the candidate on its parent's state: the same
    // state root, signatures checked, every pallet's try_state and every item's decode after it.
    const reExecuted = await tryRuntime('execute-block', { url: node0, runtime: runtimes.nextTry.path, at: blockHash.toHex() });
    sayEach('try-runtime execute-block', reExecuted.stdout);
    assert.equal(reExecuted.code, 0, `try-runtime execute-block passes:\n${reExecuted.output.slice(-4000)}`);
    const inBlock = (await api.rpc.chain.getBlock(blockHash)).block.extrinsics.length;
    assert.ok(inBlock >= 2, `the timestamp and the grant: ${inBlock} extrinsics`);
    assert.equal(Number(reExecuted.stdout.match(/(\d+) extrinsics/)?.[1]), inBlock, 'every extrinsic of the block executed');
    assert.match(reExecuted.stdout, /state root 0x[0-9a-f]{64} equals the block's/);
    assert.match(reExecuted.output, /try-runtime: executing block #\d+ \/ state root check: false \/ signature check: true/);
    for (const pallet of SUITE_RUNTIME_NAMES) assert.match(reExecuted.output, new RegExp(`Running "${pallet}" try-state checks`));
    // Tried again on the upgraded chain, the same runtime is refused: set_code would refuse it.
    const again = await tryRuntime('on-runtime-upgrade', { url: node0, runtime: runtimes.nextTry.path });
    assert.notEqual(again.code, 0, 'no upgrade to the running spec');
    assert.match(again.output, new RegExp(`spec_version ${specAfter} is not above the chain's ${specAfter}`));

    await until('ten blocks past the upgrade on every node',
      () => net.nodes.every((_, i) => (watch.latest(i)?.best ?? 0) >= upgradeBlock + 10), { timeoutMs: 180_000 });
    const samples = await watch.stop();
    const stalls = samples.map(longestStall);
    say(`longest wait for a new block: ${net.nodes.map((n, i) => `${n.name} ${(stalls[i] / 1000).toFixed(1)} s`).join(', ')}`);
    for (const [i, n] of net.nodes.entries()) {
      assert.ok(stalls[i] <= 30_000, `${n.name} went ${stalls[i]} ms without a new best block`);
      assert.ok(watch.latest(i).finalized >= upgradeBlock + 3, `${n.name} finalizes past the upgrade`);
      assert.equal(n.child.pid, pids[i], `${n.name} was not restarted`);
      assert.equal(n.child.exitCode, null, `${n.name} is running`);
    }
  } finally {
    await watch.stop();
  }
});

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
  const stranger = spawn(nodeBinary(), ['--chain', net.chain, '--base-path', `${root}/stranger`, '--rpc-port', String(rpcPort),
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
