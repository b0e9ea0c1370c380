// Records through a real node: a practitioner with consent anchors and amends, records_verify
// answers for both digests, a practitioner without consent is refused and their logged read
// shows as a denial, the patient erases the record: it leaves no link to them in state, only its
// digest chain, which stays verifiable, and pays for what stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { hexToString, u8aToHex } from '@polkadot/util';
import { startDevNode, submitInBlock as submit, eventsOf, rpc } from '../lib/node.mjs';

let node;
let dave; // patient
let bob; // physician at Dev General Hospital (genesis)
let charlie; // nurse at Dev General Hospital (genesis), no consent from Dave

/** A salted SHA-256 commitment to `content`, as a hospital system would compute it. */
function commitment(content) {
  const salt = randomBytes(16);
  const hash = createHash('sha256').update(salt).update(content).digest();
  return { algorithm: 'Sha256', hash: `0x${hash.toString('hex')}` };
}


/** A locator sealed with an AEAD cipher by the hospital's system (here: random bytes). */
const sealed = () => ({
  Sealed: {
    nonce: `0x${randomBytes(12).toString('hex')}`,
    ciphertext: `0x${randomBytes(48).toString('hex')}`,
    tag: `0x${randomBytes(16).toString('hex')}`,
  },
});

before(async () => {
  node = await startDevNode();
  dave = node.keyring.addFromUri('//Dave');
  bob = node.keyring.addFromUri('//Bob');
  charlie = node.keyring.addFromUri('//Charlie');
});
after(async () => { await node?.stop(); });

test('anchor, amend, verify, audit and erase a record', async () => {
  const { api } = node;
  const labs = { categories: ['LabResults'], actions: ['Read', 'Write'], purposes: ['TREAT'] };
  const { events: grantEvents } = await submit(api,
    api.tx.consent.grantConsent({ Practitioner: bob.address }, labs, [], null, null), dave);
  const consentId = eventsOf(grantEvents, 'consent', 'ConsentGranted')[0].data.consentId.toNumber();

  const v0 = commitment('{"resourceType":"Observation","status":"preliminary"}');
  const { events } = await submit(api,
    api.tx.records.anchorRecord(dave.address, 'LabResults', 'TREAT', 'Observation', v0, sealed()), bob);
  const [anchored] = eventsOf(events, 'records', 'RecordAnchored');
  assert.ok(anchored, 'RecordAnchored emitted');
  const recordId = anchored.data.recordId.toHex();
  assert.equal(anchored.data.author.toString(), bob.address);
  assert.equal(anchored.data.organization.unwrap().toNumber(), 0);

  const v1 = commitment('{"resourceType":"Observation","status":"final"}');
  const { events: amendEvents } = await submit(api,
    api.tx.records.amendRecord(recordId, 'TREAT', v1, null), bob);
  assert.equal(eventsOf(amendEvents, 'records', 'RecordAmended')[0].data.version.toNumber(), 1);

  assert.deepEqual(await rpc(api, 'records_verify', [recordId, v1, null]), { Current: { version: 1 } });
  assert.deepEqual(await rpc(api, 'records_verify', [recordId, v0, null]), { Superseded: { version: 0, current: 1 } });
  assert.equal(await rpc(api, 'records_verify', [recordId, commitment('forged'), null]), 'NoMatch');
  const history = await rpc(api, 'records_history', [recordId, null]);
  assert.deepEqual(history.map((v) => [v.version, v.digest.hash, v.supersedes]), [[0, v0.hash, null], [1, v1.hash, 0]]);
  const mine = await rpc(api, 'records_of', [dave.address, null, null, null]);
  assert.deepEqual(mine.map((r) => [r.id, r.category, r.current]), [[recordId, 'LabResults', 1]]);

  // Charlie has no consent: writing is refused, and a logged read is recorded as a denial.
  await assert.rejects(submit(api,
    api.tx.records.amendRecord(recordId, 'TREAT', commitment('x'), null), charlie), /records\.AccessDenied/);
  const { events: denied } = await submit(api, api.tx.records.logAccess(recordId, 'TREAT'), charlie);
  const [denial] = eventsOf(denied, 'records', 'ReadDenied');
  assert.ok(denial, 'the denied attempt is on record');
  assert.equal(denial.data.accessor.toString(), charlie.address);
  assert.equal(denial.data.reason.toString(), 'NoConsent');
  const { events: read } = await submit(api, api.tx.records.logAccess(recordId, 'TREAT'), bob);
  assert.equal(eventsOf(read, 'records', 'ReadLogged')[0].data.reason.asConsent.toNumber(), consentId);

  const bobHeld = (await api.query.system.account(bob.address)).data.reserved.toBigInt();
  assert.ok(bobHeld > 0n, 'the author holds a deposit per version');
  const { events: erased } = await submit(api, api.tx.records.eraseRecord(recordId), dave);
  assert.equal(eventsOf(erased, 'records', 'RecordErased')[0].data.versions.toNumber(), 2);
  assert.equal((await api.query.system.account(bob.address)).data.reserved.toBigInt(), 0n, 'deposits released');
  const [burnt] = eventsOf(erased, 'balances', 'BurnedHeld');
  assert.ok(burnt && burnt.data.who.toString() === dave.address && burnt.data.amount.toBigInt() > 0n,
    'the patient pays for the tombstone, once');
  assert.deepEqual(await rpc(api, 'records_verify', [recordId, v1, null]), { Current: { version: 1 } });
  assert.deepEqual(await rpc(api, 'records_verify', [recordId, v0, null]), { Superseded: { version: 0, current: 1 } });
  assert.equal(await rpc(api, 'records_history', [recordId, null]), null, 'authors and locators gone');
  assert.deepEqual(await rpc(api, 'records_of', [dave.address, 0, 10, null]), [], 'no longer listed');
  assert.ok((await api.query.records.records(recordId)).isNone);
  assert.equal((await api.query.records.versions.entries(recordId)).length, 0);
  const tombstone = (await api.query.records.tombstones(recordId)).unwrap();
  assert.equal(tombstone.current.toNumber(), 1);
  assert.ok(!tombstone.toHex().includes(u8aToHex(dave.publicKey).slice(2)), 'the tombstone does not name the patient');
  await assert.rejects(submit(api, api.tx.records.logAccess(recordId, 'TREAT'), bob), /records\.Erased/);
  await assert.rejects(submit(api, api.tx.records.eraseRecord(recordId), dave), /records\.Erased/);
});

test('resource types and locators are fixed formats, never free text', async () => {
  const { api } = node;
  const digest = commitment('{"resourceType":"Observation"}');
  assert.throws(() => api.tx.records.anchorRecord(dave.address, 'LabResults', 'TREAT', 'Jane Doe HIV+', digest, null),
    'a resource type outside FHIR R5 cannot be encoded');
  assert.throws(() => api.tx.records.anchorRecord(dave.address, 'LabResults', 'TREAT', 'Observation', digest,
    'https://ehr.example/patient/123'), 'a plain address is not a locator');
  const empty = { Sealed: { nonce: `0x${'00'.repeat(12)}`, ciphertext: '0x', tag: `0x${'00'.repeat(16)}` } };
  await assert.rejects(submit(api,
    api.tx.records.anchorRecord(dave.address, 'LabResults', 'TREAT', 'Observation', digest, empty), dave),
  /records\.InvalidLocator/);
  const { events } = await submit(api, api.tx.records.anchorRecord(dave.address, 'LabResults', 'TREAT',
    'AllergyIntolerance', digest, { Hash: `0x${'ab'.repeat(32)}` }), dave);
  const id = eventsOf(events, 'records', 'RecordAnchored')[0].data.recordId.toHex();
  const [view] = await rpc(api, 'records_of', [dave.address, 0, 10, null]);
  assert.equal(view.id, id);
  const name = typeof view.resource_type === 'string'
    ? hexToString(view.resource_type) : Buffer.from(view.resource_type).toString();
  assert.equal(name, 'AllergyIntolerance');
});

test("a hospital's gateway logs its practitioners' reads in one batch, each decided; it cannot log for another organization", async () => {
  const { api, keyring } = node;
  const alice = keyring.addFromUri('//Alice'); // admin of Dev General Hospital (organization 0)
  const gateway = keyring.addFromUri(`//gateway/${Date.now()}`);
  await submit(api, api.tx.balances.transferKeepAlive(gateway.address, 10n ** 15n), alice);
  const { events: added } = await submit(api, api.tx.registry.addGateway(0, gateway.address), alice);
  assert.equal(eventsOf(added, 'registry', 'GatewayAdded')[0].data.organization.toNumber(), 0);
  // A stranger's account cannot make itself a gateway.
  await assert.rejects(submit(api, api.tx.registry.addGateway(0, gateway.address), gateway), /registry\.NotAdmin/);

  const labs = { categories: ['LabResults'], actions: ['Read'], purposes: ['TREAT'] };
  await submit(api, api.tx.consent.grantConsent({ Practitioner: bob.address }, labs, [], null, null), dave);
  const { events } = await submit(api,
    api.tx.records.anchorRecord(dave.address, 'LabResults', 'TREAT', 'Observation', commitment('{"resourceType":"Observation"}'), null), dave);
  const recordId = eventsOf(events, 'records', 'RecordAnchored')[0].data.recordId.toHex();

  // Bob (consent) and Charlie (none) read it; the hospital's system logs both in one extrinsic.
  const reads = [
    { recordId, accessor: bob.address, purpose: 'TREAT' },
    { recordId, accessor: charlie.address, purpose: 'TREAT' },
  ];
  const { events: logged } = await submit(api, api.tx.records.logAccessBatch(reads), gateway);
  const permitted = eventsOf(logged, 'records', 'ReadLogged');
  const denied = eventsOf(logged, 'records', 'ReadDenied');
  assert.deepEqual(permitted.map((e) => e.data.accessor.toString()), [bob.address]);
  assert.deepEqual(denied.map((e) => [e.data.accessor.toString(), e.data.reason.toString()]), [[charlie.address, 'NoConsent']]);
  const [batch] = eventsOf(logged, 'records', 'BatchLogged');
  assert.equal(batch.data.submitter.toString(), gateway.address);
  assert.equal(batch.data.organization.unwrap().toNumber(), 0);
  assert.equal(batch.data.reads.toNumber(), 2);

  // Refused whole, nothing logged: Bob logging for Charlie, the gateway for a stranger, an
  // empty batch; and after the admin removes it, the gateway logs for nobody.
  await assert.rejects(submit(api, api.tx.records.logAccessBatch(reads), bob), /records\.NotGateway\b/);
  const stranger = keyring.addFromUri('//Stranger');
  await assert.rejects(submit(api, api.tx.records.logAccessBatch([{ recordId, accessor: stranger.address, purpose: 'TREAT' }]), gateway),
    /records\.NotGatewaysPractitioner/);
  await assert.rejects(submit(api, api.tx.records.logAccessBatch([]), gateway), /records\.EmptyBatch/);
  await submit(api, api.tx.registry.removeGateway(gateway.address), alice);
  await assert.rejects(submit(api, api.tx.records.logAccessBatch(reads), gateway), /records\.NotGateway\b/);
});
