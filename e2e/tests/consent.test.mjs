// Consent through a real node: a patient grants, the access decision answers over RPC, the
// patient revokes; a guardian acts through a consent-management proxy and nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDevNode, submitFinalized, eventsOf, rpc } from '../lib/node.mjs';

let node;
let dave; // patient
let eve; // Dave's guardian
let bob; // physician at Dev General Hospital (genesis)
let ferdie; // auditor at Dev General Hospital (genesis)

const labsReadTreat = () => ({ categories: ['LabResults'], actions: ['Read'], purposes: ['TREAT'] });

async function checkAccess(api, patient, accessor, category = 'LabResults', purpose = 'TREAT') {
  return (await rpc(api, 'consent_checkAccess', [{ patient, accessor, category, action: 'Read', purpose }, null]));
}

before(async () => {
  node = await startDevNode();
  dave = node.keyring.addFromUri('//Dave');
  eve = node.keyring.addFromUri('//Eve');
  bob = node.keyring.addFromUri('//Bob');
  ferdie = node.keyring.addFromUri('//Ferdie');
});
after(async () => { await node?.stop(); });

test('a patient grants a consent, consent_checkAccess permits, the patient revokes, it denies', async () => {
  const { api } = node;
  assert.deepEqual(await checkAccess(api, dave.address, bob.address), { Deny: 'NoConsent' });

  const grant = api.tx.consent.grantConsent({ Practitioner: bob.address }, labsReadTreat(), [], null, null);
  const { events } = await submitFinalized(api, grant, dave);
  const [granted] = eventsOf(events, 'consent', 'ConsentGranted');
  assert.ok(granted, 'ConsentGranted emitted');
  const consentId = granted.data.consentId.toNumber();
  assert.equal(granted.data.patient.toString(), dave.address);

  assert.deepEqual(await checkAccess(api, dave.address, bob.address), { Permit: { Consent: consentId } });
  // The consent is Bob's, not every clinician's, and only for what it names.
  assert.deepEqual(await checkAccess(api, dave.address, ferdie.address), { Deny: 'NoConsent' });
  assert.deepEqual(await checkAccess(api, dave.address, bob.address, 'MentalHealth'), { Deny: 'NoConsent' });
  const view = await rpc(api, 'consent_consentsOf', [dave.address, null]);
  assert.equal(view.length, 1);
  assert.equal(view[0].id, consentId);
  assert.equal(view[0].active, true);
  const version = await rpc(api, 'consent_version', [dave.address, null]);
  assert.ok(version >= 1);

  const held = (await api.query.system.account(dave.address)).data.reserved.toBigInt();
  assert.ok(held > 0n, 'a deposit is held for the consent');

  const { events: revokedEvents } = await submitFinalized(api, api.tx.consent.revokeConsent(consentId), dave);
  assert.equal(eventsOf(revokedEvents, 'consent', 'ConsentRevoked').length, 1);
  assert.deepEqual(await checkAccess(api, dave.address, bob.address), { Deny: 'NoConsent' });
  assert.equal((await api.query.system.account(dave.address)).data.reserved.toBigInt(), 0n, 'deposit released');
  await assert.rejects(submitFinalized(api, api.tx.consent.revokeConsent(consentId), dave), /consent\.AlreadyRevoked/);
});

test('a guardian grants and revokes for the patient through a consent-management proxy, and can do nothing else', async () => {
  const { api } = node;
  await submitFinalized(api, api.tx.proxy.addProxy(eve.address, 'ConsentManagement', 0), dave);
  assert.deepEqual(await checkAccess(api, dave.address, eve.address), { Permit: 'Delegate' });

  const grant = api.tx.consent.grantConsent({ Organization: 0 }, labsReadTreat(), [], null, null);
  const { events } = await submitFinalized(api, api.tx.proxy.proxy(dave.address, null, grant), eve);
  const [granted] = eventsOf(events, 'consent', 'ConsentGranted');
  assert.equal(granted.data.patient.toString(), dave.address, 'granted in the patient\'s name');
  const consentId = granted.data.consentId.toNumber();
  assert.deepEqual(await checkAccess(api, dave.address, bob.address), { Permit: { Consent: consentId } });

  // A transfer through the same proxy is filtered out.
  const transfer = api.tx.balances.transferKeepAlive(eve.address, 1_000_000_000_000n);
  const { events: filtered } = await submitFinalized(api, api.tx.proxy.proxy(dave.address, null, transfer), eve);
  const [executed] = eventsOf(filtered, 'proxy', 'ProxyExecuted');
  assert.ok(executed.data.result.isErr, 'the transfer was refused');
  const err = executed.data.result.asErr;
  assert.ok(err.isModule && api.registry.findMetaError(err.asModule).name === 'CallFiltered', err.toString());

  const revoke = api.tx.consent.revokeConsent(consentId);
  const { events: revoked } = await submitFinalized(api, api.tx.proxy.proxy(dave.address, null, revoke), eve);
  assert.equal(eventsOf(revoked, 'consent', 'ConsentRevoked').length, 1);
  assert.deepEqual(await checkAccess(api, dave.address, bob.address), { Deny: 'NoConsent' });
});

test('a user meets the true error: NotYetValid, NotFound for a stranger, one open request per practitioner', async () => {
  const { api } = node;
  const inAnHour = Date.now() + 3_600_000;
  const { events } = await submitFinalized(api,
    api.tx.consent.grantConsent({ Practitioner: ferdie.address }, labsReadTreat(), [], inAnHour, null), dave);
  const consentId = eventsOf(events, 'consent', 'ConsentGranted')[0].data.consentId.toNumber();
  assert.deepEqual(await checkAccess(api, dave.address, ferdie.address), { Deny: 'NotYetValid' });
  // Consent ids are each patient's own: Eve has no consent of that id to revoke.
  await assert.rejects(submitFinalized(api, api.tx.consent.revokeConsent(consentId), eve), /consent\.NotFound/);

  const ask = (byte) => api.tx.consent.requestAccess(dave.address, labsReadTreat(), `0x${byte.repeat(32)}`, null, null);
  await submitFinalized(api, ask('aa'), bob);
  await assert.rejects(submitFinalized(api, ask('bb'), bob), /consent\.RequestAlreadyOpen/,
    "one practitioner cannot fill the patient's request slots");
});
