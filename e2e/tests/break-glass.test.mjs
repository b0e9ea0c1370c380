// Emergency access through a real node: a clinician without consent is denied, breaks the
// glass, consent_checkAccess permits with the session as the reason, a read is logged under the
// session, the session expires, an auditor finds it unjustified and the bond is slashed to the
// patient, and the clinician loses the privilege.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDevNode, submitInBlock as submit, eventsOf, sleep } from '../lib/node.mjs';

let node;
let dave; // patient
let bob; // physician with the break-glass privilege (genesis)
let charlie; // nurse without the privilege (genesis)
let ferdie; // auditor at Bob's organization (genesis)

const rpc = (api, method, params) => api._rpcCore.provider.send(method, params);
const emergencyRead = (api, patient, accessor) =>
  rpc(api, 'consent_checkAccess', [patient, accessor, 'LabResults', 'Read', 'EmergencyTreat', null, null]);
const reserved = async (api, who) => (await api.query.system.account(who)).data.reserved.toBigInt();
const free = async (api, who) => (await api.query.system.account(who)).data.free.toBigInt();

before(async () => {
  node = await startDevNode();
  dave = node.keyring.addFromUri('//Dave');
  bob = node.keyring.addFromUri('//Bob');
  charlie = node.keyring.addFromUri('//Charlie');
  ferdie = node.keyring.addFromUri('//Ferdie');
});
after(async () => { await node?.stop(); });

test('break the glass, read under the session, expire, review unjustified, slash', async () => {
  const { api } = node;
  const justification = `0x${'ab'.repeat(32)}`;
  const breakGlass = (patient) =>
    api.tx.breakGlass.breakGlass(patient, 'EmergencyTreat', 'Unconscious', justification, null);

  // Dave's own record, anchored before the emergency.
  const digest = { algorithm: 'Sha256', hash: `0x${'11'.repeat(32)}` };
  const { events: anchorEvents } = await submit(api,
    api.tx.records.anchorRecord(dave.address, 'LabResults', 'PatientRequest', 'Observation', digest, null), dave);
  const recordId = eventsOf(anchorEvents, 'records', 'RecordAnchored')[0].data.recordId.toHex();

  assert.deepEqual(await emergencyRead(api, dave.address, bob.address), { Deny: 'NoConsent' });
  await assert.rejects(submit(api, breakGlass(dave.address), charlie), /breakGlass\.NoPrivilege/);

  const { events } = await submit(api, breakGlass(dave.address), bob);
  const [opened] = eventsOf(events, 'breakGlass', 'SessionOpened');
  assert.ok(opened, 'SessionOpened emitted');
  const sessionId = opened.data.sessionId.toNumber();
  assert.equal(opened.data.patient.toString(), dave.address);
  assert.equal(opened.data.organization.toNumber(), 0);
  const bond = await reserved(api, bob.address);
  assert.ok(bond > 0n, 'the bond is held');

  assert.deepEqual(await emergencyRead(api, dave.address, bob.address), { Permit: { Emergency: sessionId } });
  assert.deepEqual(
    await rpc(api, 'consent_checkAccess', [dave.address, bob.address, 'MentalHealth', 'Read', 'EmergencyTreat', null, null]),
    { Deny: 'NoConsent' }, 'sensitive categories stay closed');
  const { events: readEvents } = await submit(api, api.tx.records.logAccess(recordId, 'EmergencyTreat'), bob);
  const [read] = eventsOf(readEvents, 'records', 'ReadLogged');
  assert.equal(read.data.reason.asEmergency.toNumber(), sessionId, 'the read is logged under the session');
  const [open] = await rpc(api, 'breakGlass_sessionsOf', [dave.address, null]);
  assert.equal(open.state, 'Open');

  // The development preset's sessions last 30 s.
  const deadline = Date.now() + 90_000;
  while ((await emergencyRead(api, dave.address, bob.address)).Permit) {
    assert.ok(Date.now() < deadline, 'the session did not expire');
    await sleep(2_000);
  }
  assert.deepEqual(await emergencyRead(api, dave.address, bob.address), { Deny: 'NoConsent' });
  const [ended] = await rpc(api, 'breakGlass_sessionsOf', [dave.address, null]);
  assert.equal(ended.state, 'AwaitingReview');

  await assert.rejects(submit(api,
    api.tx.breakGlass.review(sessionId, 'Unjustified', justification), bob), /breakGlass\.SelfReview/);
  const daveBefore = await free(api, dave.address);
  const { events: reviewEvents } = await submit(api,
    api.tx.breakGlass.review(sessionId, 'Unjustified', `0x${'cd'.repeat(32)}`), ferdie);
  const [slashed] = eventsOf(reviewEvents, 'breakGlass', 'BondSlashed');
  assert.ok(slashed, 'BondSlashed emitted');
  assert.equal(slashed.data.beneficiary.toString(), dave.address);
  assert.equal(slashed.data.amount.toBigInt(), bond);
  assert.equal(await reserved(api, bob.address), 0n);
  assert.equal(await free(api, dave.address), daveBefore + bond, 'the patient received the bond');
  assert.deepEqual(await rpc(api, 'breakGlass_sessionsOf', [dave.address, null]), []);
  await assert.rejects(submit(api, breakGlass(dave.address), bob), /breakGlass\.NoPrivilege/);
});
