// A patient's wallet against a real node: what they sign reads as words through the metadata
// alone; a keypair made here and never funded, once the dev hospital enrols it, grants, approves
// and revokes without a token, until the hourly limit refuses the next free call; an account
// nobody enrolled is refused; a guardian appointed until a moment is named as the signer and is
// refused from that moment on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TypeRegistry, Metadata } from '@polkadot/types';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { startDevNode, submitInBlock, eventsOf, rpc, sleep } from '../lib/node.mjs';

let node;
let alice; // admin of Dev General Hospital (organization 0)
let bob; // physician there
let dave; // a funded patient

const labsReadTreat = { categories: ['LabResults'], actions: ['Read'], purposes: ['TREAT'] };

before(async () => {
  node = await startDevNode();
  [alice, bob, dave] = ['//Alice', '//Bob', '//Dave'].map((s) => node.keyring.addFromUri(s));
});
after(async () => { await node?.stop(); });

/** A registry that knows nothing but the node's metadata: no type bundle, no augmentation. */
async function metadataOnlyRegistry(api) {
  const registry = new TypeRegistry();
  const raw = await rpc(api, 'state_getMetadata', []);
  registry.setMetadata(new Metadata(registry, raw));
  return registry;
}

const freeBalance = async (api, who) => (await api.query.system.account(who)).data.free.toBigInt();

test('a grant and its event read as names through the metadata alone', async () => {
  const { api } = node;
  const registry = await metadataOnlyRegistry(api);
  const grant = api.tx.consent.grantConsent({ Practitioner: bob.address }, labsReadTreat, [], null, null);
  const call = registry.createType('Call', grant.method.toU8a()).toHuman();
  assert.equal(call.section, 'consent');
  assert.equal(call.method, 'grantConsent');
  assert.deepEqual(call.args.scope, { categories: ['LabResults'], actions: ['Read'], purposes: ['TREAT'] },
    `what a wallet shows: ${JSON.stringify(call.args)}`);

  const { events, blockHash } = await submitInBlock(api, grant, dave);
  const [granted] = eventsOf(events, 'consent', 'ConsentGranted');
  assert.ok(granted);
  // The raw event record, decoded by the metadata-only registry.
  const raw = await rpc(api, 'state_getStorage', [api.query.system.events.key(), blockHash.toHex()]);
  const records = registry.createType('Vec<FrameSystemEventRecord>', raw).toHuman();
  const event = records.map((r) => r.event).find((e) => e.section === 'consent' && e.method === 'ConsentGranted');
  assert.deepEqual(event.data.scope, { categories: ['LabResults'], actions: ['Read'], purposes: ['TREAT'] });
  assert.equal(event.data.signer, dave.address, 'the patient signed');
  // Organizations carry a readable public name.
  const org = await api.query.registry.organizations(0);
  assert.equal(org.unwrap().name.toUtf8(), 'Dev General Hospital');
});

test('a never-funded wallet the hospital enrols grants, approves and revokes with zero tokens', { timeout: 240_000 }, async () => {
  const { api, keyring } = node;
  const patient = keyring.addFromUri(mnemonicGenerate());
  const grant = () => api.tx.consent.grantConsent({ Practitioner: bob.address }, labsReadTreat, [], null, null);
  await assert.rejects(submitInBlock(api, grant(), patient), /Inability to pay some fees|Payment/,
    'before enrolment the pool refuses an account with nothing');

  const { events: enrolled } = await submitInBlock(api, api.tx.enrolment.enrolPatient(0, patient.address), alice);
  assert.equal(eventsOf(enrolled, 'enrolment', 'PatientEnrolled').length, 1);

  const { events: grantedEvents } = await submitInBlock(api, grant(), patient);
  const [granted] = eventsOf(grantedEvents, 'consent', 'ConsentGranted');
  const consentId = granted.data.consentId.toNumber();
  assert.equal(eventsOf(grantedEvents, 'skipFeelessPayment', 'FeeSkipped').length, 1, 'no fee charged');
  assert.deepEqual(await rpc(api, 'consent_checkAccess', [{ patient: patient.address, accessor: bob.address, category: 'LabResults', action: 'Read', purpose: 'TREAT' }, null]),
    { Permit: { Consent: consentId } });

  const { events: asked } = await submitInBlock(api,
    api.tx.consent.requestAccess(patient.address, { categories: ['Imaging'], actions: ['Read'], purposes: ['TREAT'] },
      `0x${'ab'.repeat(32)}`, null, null), bob);
  const requestId = eventsOf(asked, 'consent', 'AccessRequested')[0].data.requestId.toNumber();
  const { events: approved } = await submitInBlock(api, api.tx.consent.approveRequest(requestId, null), patient);
  assert.equal(eventsOf(approved, 'consent', 'RequestApproved').length, 1);
  await submitInBlock(api, api.tx.consent.revokeConsent(consentId), patient);
  assert.equal((await rpc(api, 'consent_consentsOf', [patient.address, null])).length, 1, 'the approved consent is left');
  assert.equal(await freeBalance(api, patient.address), 0n, 'still no token');
  assert.equal((await api.query.system.account(patient.address)).data.reserved.toBigInt(), 0n, 'no deposit of its own');

  // Three free calls made; nine more (failing ones count too) use up the hour's twelve.
  const limit = api.consts.enrolment.freeCallsPerWindow.toNumber();
  assert.equal(limit, 12);
  let nonce = (await api.rpc.system.accountNextIndex(patient.address)).toNumber();
  const spent = [];
  for (let i = 3; i < limit; i++) {
    spent.push(submitInBlock(api, api.tx.consent.revokeConsent(1_000 + i), patient, { nonce: nonce++ })
      .then(() => 'ok', (e) => e.message));
  }
  const outcomes = await Promise.all(spent);
  assert.ok(outcomes.every((o) => o === 'consent.NotFound'), outcomes.join(', '));
  await assert.rejects(submitInBlock(api, grant(), patient), /Custom error: 42/,
    'the thirteenth free call of the hour is refused by the pool');

  // Another fresh account, not enrolled, is still refused.
  const stranger = keyring.addFromUri(mnemonicGenerate());
  await assert.rejects(submitInBlock(api, grant(), stranger), /Inability to pay some fees|Payment/);
});

test('a guardian appointed until a moment is named as the signer, then refused', { timeout: 180_000 }, async () => {
  const { api, keyring } = node;
  const guardian = keyring.addFromUri(mnemonicGenerate());
  await submitInBlock(api, api.tx.balances.transferKeepAlive(guardian.address, 10n ** 15n), alice);
  const now = (await api.query.timestamp.now()).toNumber();
  const until = now + 40_000;
  await submitInBlock(api, api.tx.proxy.addProxy(guardian.address, { ConsentManagementUntil: until }, 0), dave);
  const check = () => rpc(api, 'consent_checkAccess', [{ patient: dave.address, accessor: guardian.address, category: 'Genomics', action: 'Read', purpose: 'PATRQT' }, null]);
  assert.deepEqual(await check(), { Permit: 'Delegate' });

  const grant = api.tx.consent.grantConsent({ Organization: 0 }, labsReadTreat, [], null, null);
  const { events } = await submitInBlock(api, api.tx.proxy.proxy(dave.address, null, grant), guardian);
  const [granted] = eventsOf(events, 'consent', 'ConsentGranted');
  assert.equal(granted.data.patient.toString(), dave.address);
  assert.equal(granted.data.signer.toString(), guardian.address, 'the guardian is named as the signer');
  const consent = await api.query.consent.consents(dave.address, granted.data.consentId);
  assert.equal(consent.unwrap().grantedBy.toString(), guardian.address, 'and the consent keeps it');

  while ((await api.query.timestamp.now()).toNumber() < until) await sleep(3_000);
  const { events: after } = await submitInBlock(api, api.tx.proxy.proxy(dave.address, null, grant), guardian);
  const [executed] = eventsOf(after, 'proxy', 'ProxyExecuted');
  assert.ok(executed.data.result.isErr, 'the appointment is over');
  assert.equal(api.registry.findMetaError(executed.data.result.asErr.asModule).name, 'CallFiltered');
  assert.notDeepEqual(await check(), { Permit: 'Delegate' }, 'no longer Permit(Delegate)');
});
