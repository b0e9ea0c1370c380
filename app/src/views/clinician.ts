// The clinician's screen: find a patient (paste or QR code), see what the access decision says,
// request access, anchor and verify records (files hashed here, never uploaded), log reads, and
// break the glass behind a deliberate confirmation.
import { accounts } from '../accounts';
import { chain, short, utf8 } from '../chain';
import { card, download, field, h, notice, replace, select, uid } from '../dom';
import { checkboxGroup, errorBox, periodFields, showErrors, statusLine } from '../forms';
import { commitment, parseSalt, randomSalt, readFile, saltFile, textHash, type Algorithm } from '../hash';
import { accountFromQrText, decodeImageFile, scanWithCamera } from '../qr';
import { eventData, submit } from '../tx';
import { ACTIONS, CATEGORIES, EMERGENCY_REASONS, PURPOSES, actionsWords, categoriesWords, categoryLabel, categoryWords, dateTimeWords, dateWords, decisionWords, durationWords, periodWords, purposeLabel, purposesWords, purposeWords } from '../vocab';
import { accountLabel, actionButton, busy, checkAccess, denyReason, emptyItem, keyed, renderIfChanged, stateBadge, type SessionView, type View } from './common';

interface RecordView {
  id: string;
  patient: string;
  category: string | null;
  resource_type: unknown;
  current: number;
  created_at: number;
  erased_at: number | null;
}


/** FHIR resource types clinicians anchor most, listed first. */
const COMMON_TYPES = ['Observation', 'DiagnosticReport', 'Condition', 'AllergyIntolerance', 'MedicationRequest', 'MedicationStatement', 'Immunization', 'Procedure', 'ImagingStudy', 'DocumentReference', 'Encounter', 'CarePlan', 'Consent'];

export function clinicianView(): View {
  const el = h('div', { class: 'view' });
  let patient: string | null = null;

  // --- Find a patient -------------------------------------------------------------------------
  const patientInput = h('input', { type: 'text', class: 'mono', autocomplete: 'off', spellcheck: 'false', placeholder: '5…' });
  const findErrors = errorBox();
  const scanBox = h('div', { class: 'scan-box' });
  const scanMessage = h('div');
  const scanButton = h('button', { type: 'button', class: 'secondary' }, 'Scan QR code');
  const picture = h('input', { type: 'file', accept: 'image/*', class: 'file' });
  const findButton = h('button', { type: 'submit' }, 'Find patient');
  const findForm = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': 'Find a patient' },
    field("Patient's account", patientInput, 'Paste it, or scan the QR code the patient shows in their app.'),
    findErrors,
    h('div', { class: 'button-row' }, findButton, scanButton),
    field('Or a picture of the QR code', picture),
    scanBox,
    scanMessage,
  );
  const patientSummary = h('div', { class: 'patient-summary', 'aria-live': 'polite' });
  const setPatient = (text: string) => {
    const a = chain.normalize(accountFromQrText(text));
    patientInput.setAttribute('aria-invalid', String(!a));
    if (!a) {
      showErrors(findErrors, ['That is not an account address.']);
      return;
    }
    if (a === accounts.selected?.address) {
      showErrors(findErrors, ['That is your own account. Choose a patient.']);
      return;
    }
    showErrors(findErrors, []);
    patientInput.value = a;
    patient = a;
    void refresh();
  };
  findForm.addEventListener('submit', (e) => {
    e.preventDefault();
    setPatient(patientInput.value);
  });
  let stopScan: (() => void) | null = null;
  scanButton.addEventListener('click', async () => {
    if (stopScan) {
      stopScan();
      stopScan = null;
      scanButton.textContent = 'Scan QR code';
      return;
    }
    replace(scanMessage);
    scanButton.textContent = 'Stop scanning';
    stopScan = await scanWithCamera(
      scanBox,
      (text) => {
        stopScan = null;
        scanButton.textContent = 'Scan QR code';
        setPatient(text);
      },
      (msg) => {
        stopScan = null;
        scanButton.textContent = 'Scan QR code';
        replace(scanMessage, notice('warn', msg));
      },
    );
  });
  picture.addEventListener('change', async () => {
    const file = picture.files?.[0];
    if (!file) return;
    const text = await decodeImageFile(file).catch(() => null);
    if (text) setPatient(text);
    else replace(scanMessage, notice('warn', 'No QR code found in that picture.'));
  });
  const find = card('Find a patient', findForm, patientSummary);

  // --- Access decision ------------------------------------------------------------------------
  const decisionPurpose = select(PURPOSES.map((p) => [p.code, p.label]));
  const decisionAction = select(ACTIONS.map((a) => [a.code, a.label]));
  const decisionTable = h('div', { class: 'decision-table', 'aria-live': 'polite' });
  decisionPurpose.addEventListener('change', () => void refreshDecisions());
  decisionAction.addEventListener('change', () => void refreshDecisions());
  const decision = card(
    'What the access decision says',
    h('p', { class: 'lede' }, "The chain's answer for you, now: the same function the chain applies when you act."),
    h('div', { class: 'row' }, field('Purpose', decisionPurpose), field('Action', decisionAction)),
    decisionTable,
  );

  // --- Request access -------------------------------------------------------------------------
  const reqCategories = checkboxGroup('Which data', CATEGORIES, { columns: true });
  const reqActions = checkboxGroup('What you need to do', ACTIONS, { checked: ['Read'] });
  const reqPurposes = checkboxGroup('For which purposes', PURPOSES, { checked: ['TREAT'], columns: true });
  const reqPeriod = periodFields();
  const justification = h('textarea', { rows: '3' });
  const justificationHash = h('p', { class: 'hint mono small break', 'aria-live': 'polite' });
  justification.addEventListener('input', () => {
    justificationHash.textContent = justification.value.trim() ? `Fingerprint that goes on chain: ${textHash(justification.value.trim())}` : '';
  });
  const reqErrors = errorBox();
  const reqStatus = statusLine();
  const reqButton = h('button', { type: 'submit' }, 'Request access');
  const openRequest = h('div');
  const reqForm = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': 'Request access' },
    reqCategories.el,
    reqActions.el,
    reqPurposes.el,
    reqPeriod.el,
    field('Why you need it', justification, 'Stays in this browser: only its fingerprint (a BLAKE2b-256 hash) goes on chain. Keep the text in your own records.'),
    justificationHash,
    reqErrors,
    h('div', { class: 'button-row' }, reqButton),
    reqStatus,
  );
  reqForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const categories = reqCategories.values();
    const actions = reqActions.values();
    const purposes = reqPurposes.values();
    const period = reqPeriod.read();
    const errors: string[] = [];
    if (!patient) errors.push('Find a patient first.');
    if (!categories.length) errors.push('Choose at least one kind of data.');
    if (!actions.length) errors.push('Choose what you need to do.');
    if (!purposes.length) errors.push('Choose at least one purpose.');
    errors.push(...period.errors);
    if (!justification.value.trim()) errors.push('Say why you need it (only its fingerprint goes on chain).');
    if (!showErrors(reqErrors, errors) || !patient) return;
    const p = patient;
    const hash = textHash(justification.value.trim());
    void busy(reqButton, async () => {
      const r = await submit(
        () => chain.a.tx.consent.requestAccess(p, { categories, actions, purposes }, hash, period.start, period.end),
        { label: `Ask ${chain.nameOf(p)} for ${categoriesWords(categories)}`, status: reqStatus },
      );
      if (r.ok) {
        justification.value = '';
        justificationHash.textContent = '';
        reqCategories.set([]);
        reqActions.set(['Read']);
        reqPurposes.set(['TREAT']);
        reqPeriod.reset();
        await refresh();
      }
    });
  });
  const request = card('Request access', openRequest, reqForm);

  // --- Records --------------------------------------------------------------------------------
  const recordList = h('ul', { class: 'items' });
  const recordStatus = statusLine();
  const recordOutcome = h('div', { 'aria-live': 'polite' });
  const records = card('Records of this patient', h('p', { class: 'lede' }, 'Fingerprints of records kept in hospitals\' own systems. Log every read: the chain decides and keeps the decision.'), recordList, recordStatus, recordOutcome);

  // --- Anchor ---------------------------------------------------------------------------------
  const anchorCategory = select(CATEGORIES.map((c) => [c.code, c.label]));
  const anchorPurpose = select(PURPOSES.map((p) => [p.code, p.label]));
  const anchorType = h('select');
  const anchorAlgorithm = select([
    ['Blake2b256', 'BLAKE2b-256'],
    ['Sha256', 'SHA-256'],
  ]);
  const anchorFile = h('input', { type: 'file', class: 'file' });
  const anchorLocator = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const anchorDecision = h('p', { class: 'decision-line', 'aria-live': 'polite' });
  const anchorDigest = h('div', { class: 'digest', 'aria-live': 'polite' });
  const anchorErrors = errorBox();
  const anchorStatus = statusLine();
  const anchorButton = h('button', { type: 'submit' }, 'Anchor record');
  let prepared: { file: string; algorithm: Algorithm; salt: string; digest: string } | null = null;
  const prepare = async () => {
    prepared = null;
    const file = anchorFile.files?.[0];
    if (!file) {
      replace(anchorDigest);
      return;
    }
    const algorithm = anchorAlgorithm.value as Algorithm;
    const salt = randomSalt();
    const digest = await commitment(algorithm, salt, await readFile(file));
    prepared = { file: file.name, algorithm, salt: `0x${[...salt].map((b) => b.toString(16).padStart(2, '0')).join('')}`, digest };
    const saveSalt = h('button', { type: 'button', class: 'secondary' }, 'Download the salt');
    saveSalt.addEventListener('click', () => prepared && download(`${prepared.file}.salt.json`, saltFile({ ...prepared, patient: patient ?? undefined })));
    replace(
      anchorDigest,
      h('p', null, `${file.name} (${file.size.toLocaleString()} bytes) was salted and hashed here; it is never uploaded.`),
      h('p', { class: 'mono small break' }, `Fingerprint: ${digest}`),
      notice('warn', 'Keep the salt with the file: without it nobody, you included, can show later that this file is the one anchored. ', saveSalt),
    );
  };
  anchorFile.addEventListener('change', () => void prepare());
  anchorAlgorithm.addEventListener('change', () => void prepare());
  const anchorForm = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': 'Anchor a record' },
    h('div', { class: 'row' }, field('Category', anchorCategory), field('Purpose', anchorPurpose), field('FHIR resource type', anchorType)),
    anchorDecision,
    h('div', { class: 'row' }, field('File', anchorFile, 'Salted with 32 random bytes and hashed in this browser.'), field('Hash function', anchorAlgorithm)),
    anchorDigest,
    field('Where the file is kept (optional)', anchorLocator, 'E.g. its key in your document store. Only its hash goes on chain.'),
    anchorErrors,
    h('div', { class: 'button-row' }, anchorButton),
    anchorStatus,
  );
  const refreshAnchorDecision = async () => {
    if (!patient || !accounts.selected) return replace(anchorDecision);
    const d = decisionWords(await checkAccess(patient, accounts.selected.address, anchorCategory.value, 'Write', anchorPurpose.value));
    const why = d.words.replace(/^(Permitted|Denied)(: )?/, '').trim();
    replace(anchorDecision, h('span', { class: `badge badge-${d.permit ? 'ok' : 'error'}` }, d.permit ? 'Permitted' : 'Denied'), ` Adding ${categoryWords(anchorCategory.value)} for ${purposeWords(anchorPurpose.value)}: ${why}.`);
  };
  anchorCategory.addEventListener('change', () => void refreshAnchorDecision());
  anchorPurpose.addEventListener('change', () => void refreshAnchorDecision());
  anchorForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const errors: string[] = [];
    if (!patient) errors.push('Find a patient first.');
    if (!anchorFile.files?.[0]) errors.push('Choose the file to anchor.');
    else if (!prepared) errors.push('The file is still being hashed; try again in a moment.');
    if (!showErrors(anchorErrors, errors) || !patient || !prepared) return;
    const p = patient;
    const prep = prepared;
    const category = anchorCategory.value;
    const purpose = anchorPurpose.value;
    const locator = anchorLocator.value.trim() ? { Hash: textHash(anchorLocator.value.trim()) } : null;
    const me = accounts.selected?.address ?? '';
    void busy(anchorButton, async () => {
      const r = await submit(
        () => chain.a.tx.records.anchorRecord(p, category, purpose, anchorType.value, { algorithm: prep.algorithm, hash: prep.digest }, locator),
        {
          label: `Anchor ${prep.file} (${categoryWords(category)})`,
          status: anchorStatus,
          ctx: { category, purpose, action: 'Write' },
          enrich: async () => ({ denyReason: await denyReason(p, me, category, 'Write', purpose) }),
        },
      );
      if (r.ok) {
        const data = eventData(r.events, 'records', 'RecordAnchored');
        const recordId = String(data?.recordId ?? '');
        const saveSalt = h('button', { type: 'button' }, 'Download the salt and record id');
        saveSalt.addEventListener('click', () => download(`${prep.file}.salt.json`, saltFile({ ...prep, recordId, patient: p })));
        replace(anchorDigest, notice('ok', `Anchored as record ${recordId}. `, saveSalt));
        anchorFile.value = '';
        prepared = null;
        await refresh();
      }
    });
  });
  const anchor = card('Anchor a record', anchorForm);

  // --- Verify ---------------------------------------------------------------------------------
  const verifyRecord = h('input', { type: 'text', class: 'mono', autocomplete: 'off', spellcheck: 'false', placeholder: '0x…' });
  const verifyFile = h('input', { type: 'file', class: 'file' });
  const verifySaltFile = h('input', { type: 'file', accept: '.json,application/json', class: 'file' });
  const verifySalt = h('input', { type: 'text', class: 'mono', autocomplete: 'off', spellcheck: 'false', placeholder: '0x…' });
  const verifyAlgorithm = select([
    ['Blake2b256', 'BLAKE2b-256'],
    ['Sha256', 'SHA-256'],
  ]);
  const verifyErrors = errorBox();
  const verifyResult = h('div', { 'aria-live': 'polite' });
  const verifyButton = h('button', { type: 'submit' }, 'Verify');
  verifySaltFile.addEventListener('change', async () => {
    const f = verifySaltFile.files?.[0];
    if (!f) return;
    const text = await f.text();
    const parsed = parseSalt(text);
    if (!parsed) return void showErrors(verifyErrors, ['That salt file could not be read.']);
    verifySalt.value = `0x${[...parsed.salt].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    if (parsed.algorithm) verifyAlgorithm.value = parsed.algorithm;
    if (parsed.recordId && !verifyRecord.value) verifyRecord.value = parsed.recordId;
  });
  const verifyForm = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': 'Verify a file against a record' },
    field('Record id', verifyRecord),
    h('div', { class: 'row' }, field('File', verifyFile, 'Hashed here, never uploaded.'), field('Salt file', verifySaltFile, 'The .salt.json downloaded when it was anchored.')),
    h('div', { class: 'row' }, field('Or the salt', verifySalt), field('Hash function', verifyAlgorithm)),
    verifyErrors,
    h('div', { class: 'button-row' }, verifyButton),
    verifyResult,
  );
  verifyForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const errors: string[] = [];
    const record = verifyRecord.value.trim();
    if (!/^0x[0-9a-fA-F]{64}$/.test(record)) errors.push('Enter the record id (0x and 64 hex digits).');
    const file = verifyFile.files?.[0];
    if (!file) errors.push('Choose the file to verify.');
    const salt = parseSalt(verifySalt.value);
    if (!salt) errors.push('Give the salt (load the salt file, or paste it).');
    if (!showErrors(verifyErrors, errors) || !file || !salt) return;
    void busy(verifyButton, async () => {
      const algorithm = verifyAlgorithm.value as Algorithm;
      const digest = await commitment(algorithm, salt.salt, await readFile(file));
      const v = await chain.rpc<unknown>('records_verify', [record, { algorithm, hash: digest }, null]);
      replace(verifyResult, verificationNotice(v, file.name));
    });
  });
  const verify = card('Verify a file against a record', verifyForm);

  // --- Break the glass ------------------------------------------------------------------------
  const btgPurpose = select([
    ['ETREAT', 'Emergency treatment (ETREAT)'],
    ['BTG', 'Break the glass (BTG)'],
  ]);
  const btgReason = select(EMERGENCY_REASONS.map((r) => [r.code, r.label]));
  const btgJustification = h('textarea', { rows: '3' });
  const btgCategoriesBox = h('div');
  let btgCategories = checkboxGroup('Which data', CATEGORIES.filter((c) => !c.sensitive), { checked: CATEGORIES.filter((c) => !c.sensitive).map((c) => c.code), columns: true });
  replace(btgCategoriesBox, btgCategories.el);
  const btgErrors = errorBox();
  const btgStatus = statusLine();
  const btgButton = h('button', { type: 'submit', class: 'danger' }, 'Break the glass…');
  const btgForm = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': 'Break the glass' },
    h('div', { class: 'row' }, field('Purpose', btgPurpose), field('Reason', btgReason)),
    field('Justification', btgJustification, 'Stays in this browser; only its fingerprint goes on chain. The auditor will ask you for it.'),
    btgCategoriesBox,
    btgErrors,
    h('div', { class: 'button-row' }, btgButton),
    btgStatus,
  );
  const confirmText = h('div');
  const confirmCheck = h('input', { type: 'checkbox', id: uid('confirm') });
  const confirmGo = h('button', { type: 'button', class: 'danger' }, 'Break the glass now');
  const confirmCancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const confirmTitle = uid('dlg');
  const dialog = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': confirmTitle },
    h('h2', { id: confirmTitle }, 'Break the glass?'),
    confirmText,
    h('div', { class: 'check' }, confirmCheck, h('label', { for: confirmCheck.id }, h('span', { class: 'check-label' }, 'This is an emergency, and I accept the bond and the review.'))),
    h('div', { class: 'button-row' }, confirmGo, confirmCancel),
  );
  confirmCancel.addEventListener('click', () => dialog.close());
  confirmGo.addEventListener('click', () => {
    if (!confirmCheck.checked) {
      confirmCheck.focus();
      confirmCheck.setAttribute('aria-invalid', 'true');
      return;
    }
    dialog.close();
    void doBreakGlass();
  });
  btgForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const errors: string[] = [];
    if (!patient) errors.push('Find a patient first.');
    if (!btgCategories.values().length) errors.push('Choose at least one kind of data.');
    if (!btgJustification.value.trim()) errors.push('Write the justification (only its fingerprint goes on chain).');
    if (!showErrors(btgErrors, errors) || !patient) return;
    const api = chain.a;
    const bond = chain.amount(api.consts.breakGlass.bond.toString());
    const duration = Number((await api.query.breakGlass.sessionDuration()).toString());
    const review = Number(api.consts.breakGlass.reviewWindow.toString());
    replace(
      confirmText,
      h('p', null, `You are about to open an emergency session on ${chain.nameOf(patient)}'s ${categoriesWords(btgCategories.values())} for ${durationWords(duration)}, without their consent.`),
      h(
        'ul',
        null,
        h('li', null, `A bond of ${bond} is held from your account.`),
        h('li', null, `An auditor of your organization reviews the session within ${durationWords(review)} after it ends. If it finds it unjustified, the bond goes to the patient and you lose the break-glass privilege.`),
        h('li', null, 'The patient and their emergency contacts are told at once, and the patient may contest it.'),
      ),
    );
    confirmCheck.checked = false;
    confirmCheck.removeAttribute('aria-invalid');
    dialog.showModal();
  });
  const doBreakGlass = async () => {
    if (!patient) return;
    const p = patient;
    const categories = btgCategories.values();
    const hash = textHash(btgJustification.value.trim());
    await busy(btgButton, async () => {
      const r = await submit(
        () => chain.a.tx.breakGlass.breakGlass(p, btgPurpose.value, btgReason.value, hash, categories),
        { label: `Break the glass on ${chain.nameOf(p)}`, status: btgStatus },
      );
      if (r.ok) {
        btgJustification.value = '';
        await refresh();
      }
    });
  };
  const sessionList = h('ul', { class: 'items' });
  const sessionStatus = statusLine();
  const breakGlass = card(
    'Emergency access (break the glass)',
    h('p', { class: 'lede' }, 'Only in an emergency, when the patient cannot consent. Every session is reviewed.'),
    sessionList,
    sessionStatus,
    h('details', null, h('summary', null, 'Open an emergency session'), btgForm),
    dialog,
  );

  const credential = h('div');
  const patientParts = h('div', { class: 'view-body' }, decision, request, records, anchor, verify, breakGlass);
  el.append(credential, find, patientParts);

  async function refreshDecisions(): Promise<void> {
    const me = accounts.selected?.address;
    if (!patient || !me) return replace(decisionTable);
    const purpose = decisionPurpose.value;
    const action = decisionAction.value;
    const results = await Promise.all(CATEGORIES.map(async (c) => ({ c, d: decisionWords(await checkAccess(patient!, me, c.code, action, purpose)) })));
    const sig = JSON.stringify([patient, me, purpose, action, results.map((r) => r.d), chain.names.size]);
    renderIfChanged(decisionTable, sig, () => {
      const permitted = results.filter((r) => r.d.permit);
      replace(
        decisionTable,
        h('p', { class: 'decision-summary' }, permitted.length ? `You may ${action === 'Read' ? 'read' : 'add records to'} ${categoriesWords(permitted.map((r) => r.c.code))} for ${purposeWords(purpose)}.` : `You may not ${action === 'Read' ? 'read' : 'add records to'} any of this patient's data for ${purposeWords(purpose)}.`),
        h(
          'table',
          null,
          h('caption', { class: 'visually-hidden' }, `Access decision for ${purposeLabel(purpose)}, ${action}`),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Data'), h('th', { scope: 'col' }, 'Decision'))),
          h(
            'tbody',
            null,
            results.map(({ c, d }) =>
              h('tr', { dataset: { category: c.code } }, h('th', { scope: 'row' }, c.label), h('td', null, h('span', { class: `badge badge-${d.permit ? 'ok' : 'error'}` }, d.permit ? 'Permitted' : 'Denied'), ' ', d.words.replace(/^(Permitted|Denied)(: )?/, ''))),
            ),
          ),
        ),
      );
    });
  }

  async function refresh(): Promise<void> {
    const me = accounts.selected?.address ?? null;
    if (!chain.api) return;
    const api = chain.a;
    // Resource types, from the metadata.
    if (!anchorType.options.length) {
      const ty = api.registry.createType(api.tx.records.anchorRecord.meta.args[3]!.type.toString()) as unknown as { defKeys: string[] };
      const all = ty.defKeys;
      replace(
        anchorType,
        h('optgroup', { label: 'Common' }, COMMON_TYPES.filter((t) => all.includes(t)).map((t) => h('option', { value: t }, t))),
        h('optgroup', { label: 'All FHIR resource types' }, all.map((t) => h('option', { value: t }, t))),
      );
    }
    const allowSensitive = (api.consts.breakGlass.allowSensitive as unknown as { isTrue: boolean }).isTrue;
    if (btgCategoriesBox.dataset.sensitive !== String(allowSensitive)) {
      btgCategoriesBox.dataset.sensitive = String(allowSensitive);
      btgCategories = checkboxGroup('Which data', allowSensitive ? CATEGORIES : CATEGORIES.filter((c) => !c.sensitive), {
        checked: CATEGORIES.filter((c) => !c.sensitive).map((c) => c.code),
        columns: true,
        hint: allowSensitive ? undefined : 'Sensitive data stays closed to emergency access on this chain.',
      });
      replace(btgCategoriesBox, btgCategories.el);
    }

    const cred = me ? chain.practitioners.get(me) : undefined;
    renderIfChanged(credential, JSON.stringify([me, cred, chain.names.size]), () =>
      replace(
        credential,
        !me
          ? notice('info', 'Choose your account above (or connect your wallet).')
          : !cred
            ? notice('warn', 'This account is not a credentialed clinician: the chain will refuse its requests, records and emergency access.')
            : notice(
                cred.active ? 'info' : 'warn',
                `You are ${chain.practitionerWords(me)}${cred.active ? '' : ' (credential suspended)'}`,
                cred.breakGlass ? ', with the break-glass privilege.' : ', without the break-glass privilege.',
              ),
      ),
    );

    patientParts.hidden = !patient;
    if (!patient || !me) {
      replace(patientSummary);
      return;
    }
    const p = patient;
    const [recs, sessions, openId, consents] = await Promise.all([
      chain.rpc<RecordView[]>('records_of', [p, null, 100, null]),
      chain.rpc<SessionView[]>('breakGlass_sessionsOf', [p, null]),
      api.query.consent.openRequests(p, me),
      chain.rpc<unknown[]>('consent_consentsOf', [p, null]),
    ]);
    renderIfChanged(patientSummary, JSON.stringify([p, consents.length, recs.length, chain.names.size]), () =>
      replace(patientSummary, h('p', null, 'Patient: ', accountLabel(p), h('br'), h('span', { class: 'mono small break' }, p)), h('p', { class: 'hint' }, `${consents.length} consent${consents.length === 1 ? '' : 's'} on chain · ${recs.length} record${recs.length === 1 ? '' : 's'} anchored`)),
    );
    await Promise.all([refreshDecisions(), refreshAnchorDecision()]);

    // My open request
    const open = (openId as unknown as { isSome: boolean; unwrap(): { toString(): string } }).isSome ? Number((openId as unknown as { unwrap(): { toString(): string } }).unwrap().toString()) : null;
    let openJson: Record<string, unknown> | null = null;
    if (open !== null) {
      const r = await api.query.consent.requests(open);
      openJson = (r as unknown as { isSome: boolean }).isSome ? ((r as unknown as { unwrap(): { toJSON(): unknown } }).unwrap().toJSON() as Record<string, unknown>) : null;
    }
    renderIfChanged(openRequest, JSON.stringify([p, open, openJson]), () => {
      if (open === null || !openJson) return replace(openRequest);
      const scope = openJson.scope as { categories: string[]; actions: string[]; purposes: string[] };
      replace(
        openRequest,
        notice(
          'info',
          h('p', null, `Your request #${open} is waiting for the patient: to ${actionsWords(scope.actions)} their ${categoriesWords(scope.categories)} for ${purposesWords(scope.purposes)} ${periodWords(Number(openJson.start), openJson.end === null ? null : Number(openJson.end))}. It lapses ${dateWords(Number(openJson.expiresAt))}.`),
          actionButton('Cancel request', `cancel-${open}`, async () => {
            const r = await submit(() => chain.a.tx.consent.cancelRequest(open), { label: `Cancel request #${open}`, status: reqStatus });
            if (r.ok) await refresh();
          }, { class: 'secondary' }),
        ),
      );
    });

    // Records
    const live = recs.filter((r) => !r.erased_at && r.category);
    keyed(
      recordList,
      live.map((r) => ({
        key: r.id,
        sig: JSON.stringify(r),
        render: () => {
          const purpose = select(PURPOSES.map((x) => [x.code, x.label]));
          return h(
            'li',
            { class: 'item', dataset: { record: r.id } },
            h('p', { class: 'sentence' }, `${categoryLabel(r.category!)} · ${utf8(r.resource_type)} · version ${r.current}`),
            h('p', { class: 'meta mono small break' }, r.id),
            h('p', { class: 'meta' }, `Anchored ${dateWords(r.created_at)}`),
            h(
              'div',
              { class: 'inline-form' },
              field('Purpose of the read', purpose),
              actionButton('Log a read', `log-${r.id}`, async () => {
                const purposeCode = purpose.value;
                replace(recordOutcome);
                const res = await submit(() => chain.a.tx.records.logAccess(r.id, purposeCode), {
                  label: `Log a read of ${short(r.id)} (${categoryWords(r.category!)})`,
                  status: recordStatus,
                  ctx: { category: r.category!, purpose: purposeCode, action: 'Read' },
                });
                if (res.ok) {
                  const permitted = eventData(res.events, 'records', 'ReadLogged');
                  const denied = eventData(res.events, 'records', 'ReadDenied');
                  if (permitted) replace(recordOutcome, notice('ok', `Read logged: ${decisionWords({ Permit: permitted.reason }).words}.`));
                  else if (denied) replace(recordOutcome, notice('error', `The chain denied this read and keeps the attempt on record: ${decisionWords({ Deny: denied.reason }).words.replace(/^Denied: /, '')}.`));
                }
              }, { class: 'secondary', 'aria-label': `Log a read of record ${short(r.id)}` }),
              h('button', { type: 'button', class: 'secondary', onclick: () => { verifyRecord.value = r.id; verifyRecord.focus(); } }, 'Verify a file…'),
            ),
          );
        },
      })),
      () => emptyItem('No record anchored for this patient.'),
    );

    // My sessions on this patient
    const mine = sessions.filter((s) => s.practitioner === me);
    keyed(
      sessionList,
      mine.map((s) => ({
        key: String(s.id),
        sig: JSON.stringify(s),
        render: () =>
          h(
            'li',
            { class: 'item', dataset: { session: String(s.id) } },
            h('p', { class: 'sentence' }, `Your session #${s.id} on ${categoriesWords(s.categories)} for ${purposeWords(s.purpose)}, opened ${dateTimeWords(s.start)}.`),
            h('p', { class: 'meta' }, stateBadge(s.state), s.state === 'Open' ? ` Until ${dateTimeWords(s.end)}.` : ` Ended ${dateTimeWords(s.end)}; review due by ${dateTimeWords(s.review_due)}.`),
            s.state === 'Open'
              ? h('div', { class: 'button-row' }, actionButton('End session', `end-${s.id}`, async () => {
                  const r = await submit(() => chain.a.tx.breakGlass.endSession(s.id), { label: `End emergency session #${s.id}`, status: sessionStatus });
                  if (r.ok) await refresh();
                }, { class: 'secondary', 'aria-label': `End session #${s.id}` }))
              : null,
          ),
      })),
      () => emptyItem('You have no emergency session on this patient.'),
    );
  }

  return { id: 'clinician', title: 'Clinician', el, refresh };
}

function verificationNotice(v: unknown, name: string): HTMLElement {
  if (v === 'NoMatch') return notice('error', `${name} does not match any version of this record (or the salt is not the one used).`);
  if (v === 'UnknownRecord') return notice('error', 'No record has this id.');
  const o = v as Record<string, { version: number; current?: number }>;
  if (o?.Current) return notice('ok', `${name} matches version ${o.Current.version}, the current version of this record.`);
  if (o?.Superseded) return notice('warn', `${name} matches version ${o.Superseded.version}, an older version: the record is now at version ${o.Superseded.current}.`);
  return notice('info', 'The chain gave an answer this app does not know.');
}
