// Governance on the development chain, whose council is Alice, Bob and Charlie: a majority admits
// an organization; root-level power (runtime upgrades, council membership) takes two thirds, so a
// majority of a council of five cannot reset it; an upgrade is a motion on the code's hash, never
// on the code; no account claims a peer id, and session keys cost a deposit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import { startDevNode, submitInBlock, eventsOf } from '../lib/node.mjs';

let node;
before(async () => { node = await startDevNode(); });
after(async () => { await node?.stop(); });

/** Propose `call` as `proposer`, have `voters` vote aye (in one block), close; the events. */
async function motion(api, call, proposer, voters, threshold) {
  const lengthBound = call.encodedLength;
  const { events } = await submitInBlock(api, api.tx.council.propose(threshold, call, lengthBound), proposer);
  if (threshold === 1) return events;
  const [proposed] = eventsOf(events, 'council', 'Proposed');
  const { proposalIndex, proposalHash } = proposed.data;
  await Promise.all(voters.map((voter) => submitInBlock(api, api.tx.council.vote(proposalHash, proposalIndex, true), voter)));
  // Room for the heaviest call enacted here (`system.setCode`, 164 ms), well under the bound.
  const weight = { refTime: 500_000_000_000n, proofSize: 1_000_000n };
  return (await submitInBlock(api, api.tx.council.close(proposalHash, proposalIndex, weight, lengthBound), proposer)).events;
}

/** What the council's execution of a motion returned: 'ok', or the error's name. */
function outcome(api, events) {
  const [executed] = eventsOf(events, 'council', 'Executed');
  assert.ok(executed, 'the motion reached its threshold and was executed');
  const { result } = executed.data;
  if (result.isOk) return 'ok';
  const error = result.asErr;
  if (!error.isModule) return error.type;
  const { section, name } = api.registry.findMetaError(error.asModule);
  return `${section}.${name}`;
}

const members = async (api) => (await api.query.council.members()).map((m) => m.toString()).sort();

test('a council majority admits an organization; one member or a plain account cannot', async () => {
  const { api, keyring } = node;
  const [alice, bob, eve] = ['//Alice', '//Bob', '//Eve'].map((s) => keyring.addFromUri(s));
  assert.equal((await members(api)).length, 3);
  const admit = (name) => api.tx.registry.admitOrganization(`Northfield Clinic ${name}`, [eve.address]);

  await assert.rejects(submitInBlock(api, admit('aa'), eve), /BadOrigin/);
  const alone = await motion(api, admit('bb'), alice, [], 1);
  assert.equal(outcome(api, alone), 'BadOrigin', 'one of three is not a majority');
  assert.equal(eventsOf(alone, 'registry', 'OrganizationAdmitted').length, 0);

  const passed = await motion(api, admit('cc'), alice, [alice, bob], 2);
  assert.equal(outcome(api, passed), 'ok');
  const [admitted] = eventsOf(passed, 'registry', 'OrganizationAdmitted');
  assert.ok(admitted, 'two of three admitted the organization');
  assert.equal(admitted.data.name.toUtf8(), 'Northfield Clinic cc', 'the public name, readable');
  const stored = await api.query.registry.organizations(admitted.data.organization);
  assert.equal(stored.unwrap().name.toUtf8(), 'Northfield Clinic cc');
});

test('a runtime upgrade is a motion on the hash of the code, which anyone then submits', { timeout: 300_000 }, async () => {
  const { api, keyring } = node;
  const [alice, bob, eve] = ['//Alice', '//Bob', '//Eve'].map((s) => keyring.addFromUri(s));
  const codeKey = u8aToHex(stringToU8a(':code'));
  const runningCodeHash = (await api.rpc.state.getStorageHash(codeKey)).toHex();
  // Not a runtime (only a wasm header), so that no test build depends on a second runtime, and
  // small: the dev runtime itself (4.9 MB with the benchmarks) exceeds the 4 MiB block the node
  // proposes.
  const code = '0x0061736d01000000';

  // The council may not enact code itself: the motion passes, the enactment is refused.
  const byBlob = await motion(api, api.tx.consortium.enact(api.tx.system.setCode(code)), alice, [alice, bob], 2);
  assert.equal(outcome(api, byBlob), 'consortium.CallFiltered');
  assert.equal(eventsOf(byBlob, 'consortium', 'Enacted').length, 0);

  // Two thirds authorize the hash; the motion carries 32 bytes of it.
  const codeHash = blake2AsHex(code);
  const authorize = api.tx.consortium.enact(api.tx.system.authorizeUpgrade(codeHash));
  assert.ok(authorize.encodedLength < 100, `a motion of ${authorize.encodedLength} bytes`);
  const authorized = await motion(api, authorize, alice, [alice, bob], 2);
  assert.equal(outcome(api, authorized), 'ok');
  const [event] = eventsOf(authorized, 'system', 'UpgradeAuthorized');
  assert.equal(event.data.codeHash.toHex(), codeHash);
  assert.equal((await api.query.system.authorizedUpgrade()).unwrap().codeHash.toHex(), codeHash);

  // Eve, on no council, submits code: other code is refused; the authorized code passes the
  // hash check and meets the runtime checks (the version of a real runtime; this one has none).
  await assert.rejects(submitInBlock(api, api.tx.system.applyAuthorizedUpgrade('0x0061736d02000000'), eve), /system\.Unauthorized/);
  const { events } = await submitInBlock(api, api.tx.system.applyAuthorizedUpgrade(code), eve);
  const [rejected] = eventsOf(events, 'system', 'RejectedInvalidAuthorizedUpgrade');
  assert.ok(rejected, 'the authorized code reached the runtime checks');
  assert.equal(api.registry.findMetaError(rejected.data.error.asModule).name, 'FailedToExtractRuntimeVersion');
  assert.equal(eventsOf(events, 'system', 'CodeUpdated').length, 0);
  assert.equal((await api.rpc.state.getStorageHash(codeKey)).toHex(), runningCodeHash, 'the chain runs its own code');
  assert.ok((await api.query.system.authorizedUpgrade()).isNone, 'an authorization is used once');
});

test('two thirds change the council; a majority of five can neither reset it nor enact', { timeout: 300_000 }, async () => {
  const { api, keyring } = node;
  const [alice, bob, charlie, dave, eve] = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve'].map((s) => keyring.addFromUri(s));

  const grow = api.tx.utility.batchAll([api.tx.councilMembership.addMember(dave.address), api.tx.councilMembership.addMember(eve.address)]);
  assert.equal(outcome(api, await motion(api, grow, alice, [alice, bob], 2)), 'ok');
  const five = await members(api);
  assert.equal(five.length, 5);

  // The escalation of issue 11: three of five make themselves the whole council...
  const takeover = api.tx.councilMembership.resetMembers([alice.address, bob.address, charlie.address]);
  assert.equal(outcome(api, await motion(api, takeover, alice, [alice, bob, charlie], 3)), 'BadOrigin');
  assert.deepEqual(await members(api), five, 'the council is unchanged');
  // ...or enact a root call with their majority.
  const enact = api.tx.consortium.enact(api.tx.system.authorizeUpgrade(blake2AsHex('their runtime')));
  assert.equal(outcome(api, await motion(api, enact, alice, [alice, bob, charlie], 3)), 'BadOrigin');
  assert.ok((await api.query.system.authorizedUpgrade()).isNone);

  // Four of five may.
  const remove = api.tx.councilMembership.removeMember(eve.address);
  assert.equal(outcome(api, await motion(api, remove, alice, [alice, bob, charlie, dave], 4)), 'ok');
  assert.equal((await members(api)).length, 4);
});

test('no account claims a peer id: the council authorizes nodes', async () => {
  const { api, keyring } = node;
  const eve = keyring.addFromUri('//Eve');
  const peer = u8aToHex(stringToU8a("eve's node"));
  await assert.rejects(submitInBlock(api, api.tx.nodeAuthorization.claimNode(peer), eve), /system\.CallFiltered/);
  assert.ok((await api.query.nodeAuthorization.owners(peer)).isNone);
});

test('session keys cost a deposit, held until they are purged', async () => {
  const { api, keyring } = node;
  const ferdie = keyring.addFromUri('//Ferdie');
  const aura = keyring.addFromUri('//Ferdie//aura');
  const grandpa = new Keyring({ type: 'ed25519' }).addFromUri('//Ferdie//grandpa');
  // The proof of possession: each session key signs "POP_" and the owner's account id.
  const statement = u8aConcat(stringToU8a('POP_'), ferdie.publicKey);
  const keys = u8aToHex(u8aConcat(aura.publicKey, grandpa.publicKey));
  // As hex: polkadot.js reads a Uint8Array given for `Bytes` as already length-prefixed.
  const proof = u8aToHex(u8aConcat(aura.sign(statement), grandpa.sign(statement)));
  const deposit = api.consts.session.keyDeposit.toBigInt();
  assert.ok(deposit > api.consts.balances.existentialDeposit.toBigInt(), `a deposit of ${deposit}`);
  const held = async () => (await api.query.balances.holds(ferdie.address))
    .filter((hold) => hold.id.isSession && hold.id.asSession.isKeys)
    .reduce((sum, hold) => sum + hold.amount.toBigInt(), 0n);

  assert.equal(await held(), 0n);
  await submitInBlock(api, api.tx.session.setKeys(keys, proof), ferdie);
  assert.equal(await held(), deposit);
  assert.ok((await api.query.session.nextKeys(ferdie.address)).isSome);

  await submitInBlock(api, api.tx.session.purgeKeys(), ferdie);
  assert.equal(await held(), 0n, 'the deposit is given back');
});
