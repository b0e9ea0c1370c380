/* global document, window */
// The web app in a real headless Chromium against a real dev node, signing through a test wallet
// injected into the page (the `injectedWeb3` interface real extensions implement), clicked
// through as people do: a zero-balance patient the hospital enrolled grants a consent through the
// form and the clinician's screen shows the permit; the patient revokes and it shows the denial;
// the clinician requests access and the patient approves; the clinician anchors a file (hashed in
// the browser), verifies it and logs reads; breaks the glass and the patient sees the session; an
// auditor reviews it; the patient signs in to the audit service (consent-audit, following the
// node) with the wallet and reads the whole trail from it, and sees the node's own history when the
// service is down; invalid input shows a message and submits nothing. Screenshots of each main
// screen, desktop and phone, go to e2e/screenshots/; axe-core checks each main screen against WCAG 2.1 AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToString } from '@polkadot/util';
import { blake2AsHex, mnemonicGenerate } from '@polkadot/util-crypto';
import { freePort, startDevNode, submitInBlock, rpc, sleep } from '../lib/node.mjs';
import { startAudit, waitIngested } from '../lib/audit.mjs';
import { buildApp, launchBrowser, serveApp, walletPage } from '../lib/app-harness.mjs';
import {
  accessibilityViolations, choose, chooseRadio, click, control, openTab, pickDate, screenshot, section, text, tick,
  typeInto, untickAll, useAccount, waitForMatch, waitForText,
} from '../lib/app-ui.mjs';

let node;
let audit; // consent-audit following the node, allowing the app's origin
let server;
let browser;
let desktop; // { page, signed, errors }
let appUrl;
let patient; // a fresh account with no tokens, enrolled by Dev General Hospital
let bob; // physician at Dev General Hospital, break-glass privilege (genesis)
let ferdie; // auditor at Dev General Hospital (genesis)
const files = mkdtempSync(join(tmpdir(), 'consent-app-'));
const downloads = join(files, 'downloads');
const qrPicture = join(files, 'patient-qr.png');

const check = (category, purpose = 'TREAT', action = 'Read') =>
  rpc(node.api, 'consent_checkAccess', [{ patient: patient.address, accessor: bob.address, category, action, purpose }, null]);
const isoDay = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const dayWords = (ms) => new Date(ms).toLocaleDateString('en-US', { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeWords = (ms) => new Date(ms).toLocaleString('en-US', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const walletAccounts = () => [
  { pair: patient, name: 'Test patient' },
  { pair: bob, name: 'Test clinician' },
  { pair: ferdie, name: 'Test auditor' },
];

/** Open a page of the app at `width` with the test wallet connected (`query`: more of the URL). */
async function openApp(width, height, mobile, query = '') {
  const w = await walletPage(browser, node.api, walletAccounts(), { width, height, mobile });
  await w.page.goto(`${appUrl}${query}`);
  await waitForText(w.page, 'Connected to Consent Chain Development', { timeout: 60_000 });
  await click(w.page, 'Connect wallet');
  await waitForText(w.page, '3 accounts from consent-test-wallet');
  return w;
}

before(async () => {
  await buildApp();
  // An archive node, so that the audit service can read the events of any block it has to catch up on.
  node = await startDevNode({ extraArgs: ['--state-pruning', 'archive'] });
  const { api, keyring } = node;
  [bob, ferdie] = ['//Bob', '//Ferdie'].map((s) => keyring.addFromUri(s));
  const alice = keyring.addFromUri('//Alice');
  patient = keyring.addFromUri(mnemonicGenerate());
  // The hospital enrols the patient (an admin's act, not the patient's): no tokens needed after.
  await submitInBlock(api, api.tx.enrolment.enrolPatient(0, patient.address), alice);
  server = await serveApp();
  appUrl = `${server.url}?node=ws://127.0.0.1:${node.rpcPort}`;
  audit = await startAudit({
    rpcPort: node.rpcPort,
    database: `sqlite:${join(files, 'audit.db')}`,
    extraArgs: ['--allow-origin', new URL(server.url).origin],
  });
  browser = await launchBrowser();
  desktop = await openApp(1280, 800, false);
  const cdp = await desktop.page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await audit?.stop();
  await node?.stop();
  rmSync(files, { recursive: true, force: true });
});

test('the app connects, marks the development chain, and lists the wallet\'s accounts', { timeout: 120_000 }, async () => {
  const { page } = desktop;
  const banner = await page.waitForSelector('.dev-banner');
  assert.match(await text(banner), /Development chain/);
  await useAccount(page, 'Test patient');
  const you = await section(page, 'You');
  await waitForText(you, 'Enrolled by Dev General Hospital');
  assert.equal((await node.api.query.system.account(patient.address)).data.free.toBigInt(), 0n, 'the patient holds no token');
  await waitForText(await section(page, 'Your consents'), 'You have granted no consent');
  await screenshot(page, 'patient-empty-desktop');

  // The patient shows their account as a QR code (kept here as a picture for the clinician).
  await click(you, 'Show my account as a QR code');
  const qr = await you.waitForSelector('img.qr');
  const src = await qr.evaluate((img) => img.src);
  writeFileSync(qrPicture, Buffer.from(src.split(',')[1], 'base64'));
  await click(you, 'Hide the QR code');

  // The screens are tabs a keyboard moves through with the arrow keys.
  const selected = () => page.evaluate(() => [document.querySelector('[role="tab"][aria-selected="true"]').textContent, document.activeElement.textContent]);
  await (await page.waitForSelector('::-p-aria(Patient[role="tab"])')).focus();
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await selected(), ['Clinician', 'Clinician']);
  await page.keyboard.press('End');
  assert.deepEqual(await selected(), ['Auditor', 'Auditor']);
  await page.keyboard.press('Home');
  assert.deepEqual(await selected(), ['Patient', 'Patient']);
});

test('invalid input (end before start, empty scope) shows a message and submits nothing', { timeout: 120_000 }, async () => {
  const { page, signed } = desktop;
  const before = signed.length;
  const grant = await section(page, 'Grant a consent');
  await choose(grant, 'Clinician', 'Dr Bob');
  await untickAll(grant, 'For which purposes');
  await pickDate(grant, 'Until (optional)', isoDay(Date.now() - 86_400_000));
  await click(grant, 'Grant consent');
  const shown = await waitForText(grant, 'nothing was sent', { timeout: 10_000 });
  assert.match(shown, /Choose at least one kind of data\./);
  assert.match(shown, /Choose at least one purpose\./);
  assert.match(shown, /The end date comes before the start date\./);
  await screenshot(page, 'patient-invalid-desktop');

  // The clinician's request form refuses an empty scope the same way.
  await useAccount(page, 'Test clinician');
  await openTab(page, 'Clinician');
  // The clinician finds the patient from a picture of the QR code the patient showed.
  const find = await section(page, 'Find a patient');
  await (await control(find, 'Or a picture of the QR code')).uploadFile(qrPicture);
  await page.waitForFunction((a) => [...document.querySelectorAll('input')].some((i) => i.value === a), { timeout: 10_000 }, patient.address);
  await waitForText(find, 'Patient: Test patient');
  const request = await section(page, 'Request access');
  await untickAll(request, 'What you need to do');
  await click(request, 'Request access');
  const refused = await waitForText(request, 'nothing was sent', { timeout: 10_000 });
  assert.match(refused, /Choose what you need to do\./);
  assert.match(refused, /Choose at least one kind of data\./);
  assert.match(refused, /Say why you need it/);

  await sleep(7_000); // a block passes: still nothing was signed or stored
  assert.equal(signed.length, before, 'the wallet was never asked to sign');
  assert.deepEqual(await rpc(node.api, 'consent_consentsOf', [patient.address, null]), []);
  assert.equal((await node.api.query.consent.openRequests(patient.address, bob.address)).isSome, false);
});

test('a patient grants through the form and the clinician\'s screen shows the permit', { timeout: 180_000 }, async () => {
  const { page, signed } = desktop;
  await useAccount(page, 'Test patient');
  await openTab(page, 'Patient');
  const grant = await section(page, 'Grant a consent');
  await choose(grant, 'Clinician', 'Dr Bob');
  await tick(grant, 'Which data', 'Lab results');
  await tick(grant, 'For which purposes', 'Treatment');
  const end = Date.now() + 60 * 86_400_000;
  await pickDate(grant, 'Until (optional)', isoDay(end));
  await waitForText(grant, 'You are about to consent: Dr Bob at Dev General Hospital may read your lab results for treatment');
  const before = signed.length;
  await click(grant, 'Grant consent');
  // The progress people see, through to finality.
  await waitForMatch(grant, /Grant a consent to Dr Bob at Dev General Hospital: (Waiting for your signature|Sent|In block)/, { timeout: 60_000 });
  await waitForMatch(grant, /Finalized in #\d+/, { timeout: 120_000 });
  assert.equal(signed.length, before + 1, 'signed once, by the wallet');
  const sentence = `Dr Bob at Dev General Hospital may read your lab results for treatment until ${dayWords(end)}.`;
  await waitForText(await section(page, 'Your consents'), sentence, { timeout: 60_000 });
  const [consent] = await rpc(node.api, 'consent_consentsOf', [patient.address, null]);
  assert.deepEqual([consent.categories, consent.actions, consent.purposes], [['LabResults'], ['Read'], ['TREAT']]);
  assert.deepEqual(await check('LabResults'), { Permit: { Consent: consent.id } });
  // When it was granted: the block time the chain stored with it.
  const grantedAt = (await node.api.query.consent.consents(patient.address, consent.id)).unwrap().grantedAt.unwrap().toNumber();
  await waitForText(await section(page, 'Your consents'), `Consent #${consent.id} · granted ${dateTimeWords(grantedAt)}`);
  assert.equal((await node.api.query.system.account(patient.address)).data.free.toBigInt(), 0n, 'still no token: the call was free');
  await screenshot(page, 'patient-consent-desktop');
  assert.deepEqual(await accessibilityViolations(page), [], 'the patient screen meets WCAG 2.1 AA (axe-core)');

  await useAccount(page, 'Test clinician');
  await openTab(page, 'Clinician');
  // The table is drawn anew as the chain moves: read it as a whole, not a row kept from before.
  const decision = await section(page, 'What the access decision says');
  await waitForMatch(decision, new RegExp(`Lab results\\s+Permitted\\s+by the patient's consent #${consent.id}`), { timeout: 60_000 });
  assert.match(await text(decision), /Mental health\s+Denied\s+no consent covers this/);
  await waitForText(decision, 'You may read lab results for treatment.');
  await screenshot(page, 'clinician-permit-desktop');
  assert.deepEqual(await accessibilityViolations(page), [], 'the clinician screen meets WCAG 2.1 AA (axe-core)');
});

test('the patient revokes and the clinician\'s screen shows the denial', { timeout: 180_000 }, async () => {
  const { page } = desktop;
  await useAccount(page, 'Test patient');
  await openTab(page, 'Patient');
  const consents = await section(page, 'Your consents');
  await click(consents, 'Revoke');
  await waitForMatch(consents, /Revoke consent #0 \(Dr Bob at Dev General Hospital\): (In block|Finalized in) #\d+/);
  await waitForText(consents, 'You have granted no consent', { timeout: 60_000 });
  assert.deepEqual(await check('LabResults'), { Deny: 'NoConsent' });

  await useAccount(page, 'Test clinician');
  await openTab(page, 'Clinician');
  const decision = await section(page, 'What the access decision says');
  await waitForMatch(decision, /Lab results\s+Denied\s+no consent covers this/, { timeout: 60_000 });
  await waitForText(decision, "You may not read any of this patient's data for treatment.");
  await screenshot(page, 'clinician-denied-desktop');
});

test('a clinician requests access (the reason hashed in the browser) and the patient approves', { timeout: 180_000 }, async () => {
  const { page } = desktop;
  const request = await section(page, 'Request access');
  await tick(request, 'Which data', 'Imaging');
  await tick(request, 'What you need to do', 'Read');
  await tick(request, 'What you need to do', 'Add records');
  const reason = 'Follow-up of the wrist fracture: compare with the X-ray of March.';
  await typeInto(request, 'Why you need it', reason);
  await waitForText(request, `Fingerprint that goes on chain: ${blake2AsHex(reason, 256)}`);
  await click(request, 'Request access');
  await waitForMatch(request, /In block #\d+/);
  await waitForText(request, 'Your request #0 is waiting for the patient', { timeout: 60_000 });
  const open = await node.api.query.consent.openRequests(patient.address, bob.address);
  const stored = (await node.api.query.consent.requests(open.unwrap())).unwrap();
  assert.equal(stored.justificationHash.toHex(), blake2AsHex(reason, 256), 'only the hash of the reason is on chain');

  await useAccount(page, 'Test patient');
  await openTab(page, 'Patient');
  const inbox = await section(page, 'Access requests');
  await waitForText(inbox, 'Dr Bob at Dev General Hospital asks to read and add records to your imaging for treatment with no end date.', { timeout: 60_000 });
  await screenshot(page, 'patient-request-desktop');
  await click(inbox, 'Approve');
  await waitForMatch(inbox, /Approve request #0 \(Bob\): (In block|Finalized in) #\d+/);
  await waitForText(await section(page, 'Your consents'), 'Dr Bob at Dev General Hospital may read and add records to your imaging for treatment with no end date.', { timeout: 60_000 });
  await waitForText(inbox, 'No pending request.');
  assert.ok((await check('Imaging')).Permit, 'the approved consent permits');
});

test('the clinician anchors a file hashed in the browser, verifies it, and logs reads', { timeout: 240_000 }, async () => {
  const { page } = desktop;
  await useAccount(page, 'Test clinician');
  await openTab(page, 'Clinician');
  const anchor = await section(page, 'Anchor a record');
  const study = join(files, 'wrist-xray-report.txt');
  writeFileSync(study, 'Wrist X-ray, two views: healing distal radius fracture, good alignment.\n');

  // What the decision says before acting; and a chain error, if one signs anyway, as a sentence.
  await choose(anchor, 'Category', 'Mental health');
  await waitForText(anchor, 'Denied Adding mental-health data for treatment: no consent covers this.', { timeout: 60_000 });
  await (await control(anchor, 'File')).uploadFile(study);
  await waitForText(anchor, 'was salted and hashed here; it is never uploaded.');
  await click(anchor, 'Anchor record');
  const failed = await waitForMatch(anchor, /Failed in block #\d+: .*/, { timeout: 90_000 });
  assert.match(failed, /Failed in block #\d+: You have no consent to add records of mental-health data for treatment\./);
  assert.doesNotMatch(failed, /records\.AccessDenied|Module|index/, 'no raw module error shown');

  await choose(anchor, 'Category', 'Imaging');
  await choose(anchor, 'Purpose', 'Treatment');
  await choose(anchor, 'FHIR resource type', 'ImagingStudy');
  await waitForText(anchor, "Permitted Adding imaging for treatment: by the patient's consent #1.", { timeout: 60_000 });
  await click(anchor, 'Anchor record'); // the same file, still chosen and hashed
  const anchored = await waitForMatch(anchor, /Anchored as record (0x[0-9a-f]{64})/, { timeout: 90_000 });
  const recordId = anchored.match(/Anchored as record (0x[0-9a-f]{64})/)[1];
  const [record] = await rpc(node.api, 'records_of', [patient.address, null, null, null]);
  assert.equal(record.id, recordId);
  assert.equal(record.category, 'Imaging');

  // The salt comes as a download; with it and the file, verification matches version 0.
  await click(anchor, 'Download the salt and record id');
  const deadline = Date.now() + 15_000;
  while (!existsSync(downloads) || !readdirSync(downloads).some((f) => f.endsWith('.salt.json'))) {
    assert.ok(Date.now() < deadline, 'the salt file was downloaded');
    await sleep(200);
  }
  const saltPath = join(downloads, readdirSync(downloads).find((f) => f.endsWith('.salt.json')));
  const verify = await section(page, 'Verify a file against a record');
  await (await control(verify, 'Salt file')).uploadFile(saltPath);
  await page.waitForFunction((id) => [...document.querySelectorAll('input')].some((i) => i.value === id), {}, recordId);
  await (await control(verify, 'File')).uploadFile(study);
  await click(verify, 'Verify');
  await waitForText(verify, 'wrist-xray-report.txt matches version 0, the current version of this record.');
  const forged = join(files, 'forged.txt');
  writeFileSync(forged, 'Wrist X-ray: no fracture.\n');
  await (await control(verify, 'File')).uploadFile(forged);
  await click(verify, 'Verify');
  await waitForText(verify, 'forged.txt does not match any version of this record');

  // Reads: permitted for treatment (the consent), denied for research, both on record.
  const records = await section(page, 'Records of this patient');
  const item = await records.waitForSelector(`li[data-record="${recordId}"]`, { timeout: 60_000 });
  await click(item, 'Log a read');
  await waitForText(records, "Read logged: Permitted by the patient's consent #1.", { timeout: 90_000 });
  await choose(item, 'Purpose of the read', 'Research');
  await click(item, 'Log a read');
  await waitForText(records, 'The chain denied this read and keeps the attempt on record: no consent covers this.', { timeout: 90_000 });
  await screenshot(page, 'clinician-records-desktop');
});

test('a clinician breaks the glass behind a confirmation, and the patient sees the session', { timeout: 180_000 }, async () => {
  const { page } = desktop;
  const emergency = await section(page, 'Emergency access (break the glass)');
  await click(emergency, 'Open an emergency session');
  await typeInto(emergency, 'Justification', 'Brought in unconscious after a road accident; allergies unknown.');
  await click(emergency, 'Break the glass…');
  const dialog = await page.waitForSelector('dialog[open]');
  const warning = await text(dialog);
  assert.match(warning, /A bond of 50 UNIT is held from your account\./);
  assert.match(warning, /reviews the session within 3 days after it ends/);
  assert.match(warning, /the bond goes to the patient and you lose the break-glass privilege/);
  await screenshot(page, 'clinician-break-glass-confirm-desktop', { fullPage: false });
  assert.deepEqual(await accessibilityViolations(page), [], 'the break-glass confirmation meets WCAG 2.1 AA (axe-core)');
  await click(dialog, 'Break the glass now');
  assert.ok(await page.$('dialog[open]'), 'not without ticking the acknowledgement');
  await (await control(dialog, 'This is an emergency, and I accept the bond and the review.')).click();
  await click(dialog, 'Break the glass now');
  await waitForMatch(emergency, /Break the glass on Test patient: (In block|Finalized in) #\d+/, { timeout: 90_000 });
  await waitForText(emergency, 'Your session #0', { timeout: 60_000 });
  assert.deepEqual(await accessibilityViolations(page), [], 'the clinician screen with an open session meets WCAG 2.1 AA (axe-core)');
  const [session] = await rpc(node.api, 'breakGlass_sessionsOf', [patient.address, null]);
  assert.equal(session.practitioner, bob.address);

  await useAccount(page, 'Test patient');
  await openTab(page, 'Patient');
  const history = await section(page, 'Who accessed your records');
  await waitForMatch(history, /Dr Bob at Dev General Hospital broke the glass on .* for emergency treatment because you were unconscious, on your everyday health data \(all kinds\)\./, { timeout: 60_000 });
  await waitForMatch(history, /(Open now|Ended, awaiting review) Session #0/);
  await waitForText(history, "Dr Bob at Dev General Hospital read a record of your imaging for treatment: permitted by your consent #1.");
  await waitForText(history, 'Dr Bob at Dev General Hospital tried to read a record of your imaging for research: denied, no consent covers this.');
  await screenshot(page, 'patient-history-desktop');
  assert.deepEqual(await accessibilityViolations(page), [], 'the patient screen with its access history meets WCAG 2.1 AA (axe-core)');
  // The patient's first screen, for the README.
  await page.setViewport({ width: 1280, height: 1150 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'readme-patient-desktop', { fullPage: false });
  await page.setViewport({ width: 1280, height: 800 });
});

test('an auditor reviews the session with a verdict', { timeout: 180_000 }, async () => {
  const { page } = desktop;
  await useAccount(page, 'Test auditor');
  await openTab(page, 'Auditor');
  const queue = await section(page, 'Review queue');
  await waitForText(queue, 'Session #0', { timeout: 60_000 });
  await waitForText(queue, 'Dr Bob at Dev General Hospital broke the glass on Test patient on ');
  await click(queue, 'Review session #0');
  await screenshot(page, 'auditor-queue-desktop');
  assert.deepEqual(await accessibilityViolations(page), [], 'the auditor screen with its review form meets WCAG 2.1 AA (axe-core)');
  await click(queue, 'Give verdict');
  await waitForText(queue, 'Choose a verdict.', { timeout: 10_000 });
  await chooseRadio(queue, 'Justified');
  await typeInto(queue, 'Your notes', 'Checked against the emergency department record: patient unconscious, access justified.');
  await click(queue, 'Give verdict');
  await waitForMatch(queue, /Review session #0: justified: (In block|Finalized in) #\d+/, { timeout: 90_000 });
  await waitForText(queue, 'Reviewed: justified', { timeout: 60_000 });
  const [session] = await rpc(node.api, 'breakGlass_sessionsOf', [patient.address, null]);
  assert.equal(session.state, 'Justified');
  await screenshot(page, 'auditor-reviewed-desktop');
  assert.equal(await page.$('details.review'), null, 'no review form left for a reviewed session');
  assert.deepEqual(desktop.errors, [], 'no uncaught error in the page');
});

test('the patient signs in to the audit service with the wallet and reads the whole trail from it', { timeout: 150_000 }, async () => {
  // Everything the steps above did is in blocks the service has ingested (it follows finality).
  const best = (await node.api.rpc.chain.getHeader()).number.toNumber();
  await waitIngested(audit.url, best, { logs: audit.logs });
  const read = "Dr Bob at Dev General Hospital read a record of your imaging for treatment: permitted by your consent #1.";
  const denied = 'Dr Bob at Dev General Hospital tried to read a record of your imaging for research: denied, no consent covers this.';
  const opened = /Dr Bob at Dev General Hospital broke the glass \(session #0\) for emergency treatment because you were unconscious, on your everyday health data \(all kinds\)\./;

  // A service that does not answer: the screen says so and shows what the node holds.
  const down = await openApp(1280, 800, false, `&audit=${encodeURIComponent(`http://127.0.0.1:${await freePort()}/fhir`)}`);
  await useAccount(down.page, 'Test patient');
  let history = await section(down.page, 'Who accessed your records');
  await waitForMatch(history, /The audit service at http:\/\/127\.0\.0\.1:\d+ could not be reached .* Meanwhile, from the node: every block since the chain started\./, { timeout: 60_000 });
  await waitForText(history, read);
  const sentences = (section) => section.$$eval('.history .item .sentence', (items) => items.map((i) => i.textContent));
  const fromNode = await sentences(history);
  await down.page.close();

  const w = await openApp(1280, 800, false, `&audit=${encodeURIComponent(`${audit.url}/fhir`)}`);
  const { page, signedRaw, signed } = w;
  await useAccount(page, 'Test patient');
  history = await section(page, 'Who accessed your records');
  // The wallet asks only when the patient chooses to sign in; meanwhile the node's history shows.
  await waitForText(history, 'Sign in to the audit service (your wallet asks you to sign a one-time text) to see the full trail.', { timeout: 60_000 });
  await waitForText(history, read);
  assert.equal(signedRaw.length, 0, 'the wallet was not asked by itself');
  await screenshot(history, 'patient-history-audit-sign-in-desktop');
  await click(history, 'Sign in to the audit service');
  await waitForText(history, `From the audit service at ${audit.url}/fhir: the full trail since the chain started`, { timeout: 60_000 });
  assert.equal(signedRaw.length, 1, 'the wallet was asked once to sign the sign-in challenge');
  assert.equal(signedRaw[0].address, patient.address);
  assert.match(hexToString(signedRaw[0].data), new RegExp(`^consent-audit sign-in\naccount: ${patient.address}\n`), 'what the wallet signed is the service\'s challenge');
  assert.equal(signed.length, 0, 'no transaction was signed');

  // Permitted and denied reads, the emergency session and its review, in the service's words.
  await waitForText(history, read);
  await waitForText(history, denied);
  await waitForMatch(history, opened);
  await waitForMatch(history, /Emergency session #0 was reviewed by .*Ferdie.* at Dev General Hospital: justified\./);
  const shown = await text(history);
  assert.doesNotMatch(shown, /[{}]|OperationOutcome|undefined|NaN/, 'no raw JSON or missing values shown');
  assert.doesNotMatch(shown, /Sign in to the audit service/, 'the sign-in button went once signed in');
  assert.deepEqual(await sentences(history), fromNode, 'the same entries, in the same words, as the node\'s own events give');
  await screenshot(page, 'patient-history-audit-desktop');
  await screenshot(history, 'patient-history-audit-card-desktop');
  assert.deepEqual(await accessibilityViolations(page), [], 'the patient screen with the trail from the audit service meets WCAG 2.1 AA (axe-core)');

  // The screen refreshes on every block with the same token: the wallet is not asked again.
  const at = (await node.api.rpc.chain.getHeader()).number.toNumber();
  while ((await node.api.rpc.chain.getHeader()).number.toNumber() < at + 2) await sleep(500);
  await waitForText(history, `From the audit service at ${audit.url}/fhir`);
  assert.equal(signedRaw.length, 1, 'signed in once for the whole visit');
  assert.deepEqual(w.errors, [], 'no uncaught error in the page');
  await page.close();
});

test('each main screen fits a 375 px wide phone', { timeout: 180_000 }, async () => {
  const phone = await openApp(375, 812, true);
  const { page } = phone;
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth);
  await useAccount(page, 'Test patient');
  await openTab(page, 'Patient');
  await waitForText(await section(page, 'Your consents'), 'may read and add records to your imaging');
  assert.ok((await fits()) <= 375, `the patient screen is ${await fits()} px wide`);
  await screenshot(page, 'patient-phone');
  assert.deepEqual(await accessibilityViolations(page), [], 'the patient screen on a phone meets WCAG 2.1 AA (axe-core)');

  await useAccount(page, 'Test clinician');
  await openTab(page, 'Clinician');
  await typeInto(await section(page, 'Find a patient'), "Patient's account", patient.address);
  await click(page, 'Find patient');
  await waitForMatch(await section(page, 'What the access decision says'), /Imaging\s+Permitted/, { timeout: 60_000 });
  assert.ok((await fits()) <= 375, `the clinician screen is ${await fits()} px wide`);
  await screenshot(page, 'clinician-phone');

  await useAccount(page, 'Test auditor');
  await openTab(page, 'Auditor');
  await waitForText(await section(page, 'Review queue'), 'Reviewed: justified', { timeout: 60_000 });
  assert.ok((await fits()) <= 375, `the auditor screen is ${await fits()} px wide`);
  await screenshot(page, 'auditor-phone');
  // Buttons and fields a thumb reaches are at least 36 px tall (most 44).
  const small = await page.evaluate(() => [...document.querySelectorAll('button, select, input:not([type="checkbox"]):not([type="radio"]):not([type="file"])')]
    .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 36).map((e) => e.outerHTML.slice(0, 80)));
  assert.deepEqual(small, []);
  assert.deepEqual(phone.errors, []);
  await page.close();
});
