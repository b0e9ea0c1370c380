// Governance on the development chain: the council (Alice, Bob, Charlie) admits an organization
// by a majority motion; one member alone cannot; sudo-free origins are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDevNode, submitInBlock, eventsOf } from '../lib/node.mjs';

let node;
before(async () => { node = await startDevNode(); });
after(async () => { await node?.stop(); });

async function motion(api, call, proposer, voters, threshold) {
  const lengthBound = call.encodedLength;
  const { events } = await submitInBlock(api, api.tx.council.propose(threshold, call, lengthBound), proposer);
  if (threshold === 1) return events;
  const [proposed] = eventsOf(events, 'council', 'Proposed');
  const { proposalIndex, proposalHash } = proposed.data;
  for (const voter of voters) await submitInBlock(api, api.tx.council.vote(proposalHash, proposalIndex, true), voter);
  const weight = { refTime: 10_000_000_000n, proofSize: 1_000_000n };
  return (await submitInBlock(api, api.tx.council.close(proposalHash, proposalIndex, weight, lengthBound), proposer)).events;
}

test('a council majority admits an organization; one member or a plain account cannot', async () => {
  const { api, keyring } = node;
  const [alice, bob, eve] = ['//Alice', '//Bob', '//Eve'].map((s) => keyring.addFromUri(s));
  const members = (await api.query.council.members()).map((m) => m.toString());
  assert.equal(members.length, 3);
  const admit = (name) => api.tx.registry.admitOrganization(`0x${name.repeat(32)}`, [eve.address]);

  await assert.rejects(submitInBlock(api, admit('aa'), eve), /BadOrigin/);
  const alone = await motion(api, admit('bb'), alice, [], 1);
  const [refused] = eventsOf(alone, 'council', 'Executed');
  assert.ok(refused.data.result.isErr, 'one of three is not a majority');
  assert.equal(eventsOf(alone, 'registry', 'OrganizationAdmitted').length, 0);

  const passed = await motion(api, admit('cc'), alice, [alice, bob], 2);
  const [executed] = eventsOf(passed, 'council', 'Executed');
  assert.ok(executed.data.result.isOk, executed.data.result.toString());
  const [admitted] = eventsOf(passed, 'registry', 'OrganizationAdmitted');
  assert.ok(admitted, 'two of three admitted the organization');
});
