// Emergency access through a real node: a clinician without consent is denied, breaks the
// glass, consent_checkAccess permits with the session as the reason, a read is logged under the
// session, the session expires, an auditor finds it unjustified and the bond is slashed to the
// patient, and the clinician loses the privilege.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDevNode, submitInBlock as submit, eventsOf, sleep, rpc } from '../lib/node.mjs';

let node;
let dave; // patient
let bob; // physician with the break-glass privilege (genesis)
let charlie; // nurse without the privilege (genesis)
let ferdie; // auditor at Bob's organization (genesis)

const emergencyRead = (api, patient, accessor) =>
  rpc(api, 'consent_checkAccess', [{ patient, accessor, category: 'LabResults', action: 'Read', purpose: 'ETREAT' }, null]);
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
    api.tx.breakGlass.breakGlass(patient, 'ETREAT', 'Unconscious', justification, null);

  // Dave's own record, anchored before the emergency.
  const digest = { algorithm: 'Sha256', hash: `0x${'11'.repeat(32)}` };
  const { events: anchorEvents } = await submit(api,
    api.tx.records.anchorRecord(dave.address, 'LabResults', 'PATRQT', 'Observation', digest, null), dave);
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
    await rpc(api, 'consent_checkAccess', [{ patient: dave.address, accessor: bob.address, category: 'MentalHealth', action: 'Read', purpose: 'ETREAT' }, null]),
    { Deny: 'NoConsent' }, 'sensitive categories stay closed');
  const { events: readEvents } = await submit(api, api.tx.records.logAccess(recordId, 'ETREAT'), bob);
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

test('a session serves only emergency reads and new records, a patient deny rule beats it, the patient ends it', async () => {
  const { api } = node;
  const alice = node.keyring.addFromUri('//Alice');
  const eve = node.keyring.addFromUri('//Eve');
  // A fresh physician of Dev General Hospital (org 0) with the break-glass privilege.
  const medic = node.keyring.addFromUri(`//Medic${Date.now()}`);
  await submit(api, api.tx.balances.transferKeepAlive(medic.address, 1_000n * 10n ** 12n), alice);
  const physician = ['Physician'];
  const licenceExpiry = Date.now() + 365 * 24 * 3600 * 1000;
  await submit(api, api.tx.registry.registerPractitioner(0, medic.address, physician, licenceExpiry,
    `0x${'00'.repeat(32)}`, true), alice);

  // The development preset's sessions last 30 s; this test needs a few blocks more.
  await submit(api, api.tx.sudo.sudo(api.tx.breakGlass.setSessionDuration(10 * 60_000)), alice);

  const labResults = ['LabResults'];
  const etreat = ['ETREAT'];
  await submit(api, api.tx.consent.addDenyRule(null, labResults, etreat), eve);

  const { events } = await submit(api,
    api.tx.breakGlass.breakGlass(eve.address, 'ETREAT', 'Unconscious', `0x${'ef'.repeat(32)}`, null), medic);
  const sessionId = eventsOf(events, 'breakGlass', 'SessionOpened')[0].data.sessionId.toNumber();
  const check = (category, action, purpose) =>
    rpc(api, 'consent_checkAccess', [{ patient: eve.address, accessor: medic.address, category, action, purpose }, null]);

  assert.deepEqual(await check('Allergies', 'Read', 'ETREAT'), { Permit: { Emergency: sessionId } });
  assert.deepEqual(await check('Allergies', 'Read', 'BTG'), { Permit: { Emergency: sessionId } });
  assert.deepEqual(await check('Allergies', 'Write', 'ETREAT'), { Permit: { Emergency: sessionId } },
    'a new record documenting the emergency care');
  for (const purpose of ['TREAT', 'HRESCH', 'HPAYMT']) {
    assert.deepEqual(await check('Allergies', 'Read', purpose), { Deny: 'NoConsent' }, `no ${purpose} under a session`);
  }
  assert.deepEqual(
    await rpc(api, 'consent_checkAccess', [{ patient: eve.address, accessor: medic.address, category: 'Allergies', action: 'Write', purpose: 'ETREAT', record: `0x${'12'.repeat(32)}` }, null]),
    { Deny: 'NoConsent' }, 'never an amend of an existing record');
  const denied = await check('LabResults', 'Read', 'ETREAT');
  assert.ok(denied.Deny && 'DeniedByRule' in denied.Deny, `the patient's emergency deny rule wins: ${JSON.stringify(denied)}`);

  // The medic documents the emergency care in a new record; amending it, or writing for an
  // ordinary purpose, is refused.
  const digest = (byte) => ({ algorithm: 'Sha256', hash: `0x${byte.repeat(32)}` });
  const { events: anchored } = await submit(api, api.tx.records.anchorRecord(eve.address, 'Allergies',
    'ETREAT', 'AllergyIntolerance', digest('5e'), null), medic);
  const recordId = eventsOf(anchored, 'records', 'RecordAnchored')[0].data.recordId.toHex();
  await assert.rejects(submit(api,
    api.tx.records.amendRecord(recordId, 'ETREAT', digest('5f'), null), medic), /records\.AccessDenied/);
  await assert.rejects(submit(api, api.tx.records.anchorRecord(eve.address, 'Allergies', 'TREAT',
    'AllergyIntolerance', digest('60'), null), medic), /records\.AccessDenied/);

  const { events: endEvents } = await submit(api, api.tx.breakGlass.endSession(sessionId), eve);
  const [ended] = eventsOf(endEvents, 'breakGlass', 'SessionEnded');
  assert.equal(ended.data.endedBy.toString(), eve.address, 'the patient ended it');
  assert.deepEqual(await check('Allergies', 'Read', 'ETREAT'), { Deny: 'NoConsent' });
  const [view] = (await rpc(api, 'breakGlass_sessionsOf', [eve.address, null])).filter((s) => s.id === sessionId);
  assert.equal(view.state, 'AwaitingReview', 'ended early, still to be reviewed');
});
