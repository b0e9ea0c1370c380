// The patient's screen: consents in plain words, grant and revoke, access requests, who
// accessed the records, deny rules, emergency contacts and opt-out, guardians.
import type { Codec } from '@polkadot/types/types';
import { accounts } from '../accounts';
import { chain, lowerKeys, short, utf8 } from '../chain';
import { card, field, h, notice, replace } from '../dom';
import {
  accountField,
  checkboxGroup,
  endOfDay,
  errorBox,
  granteePicker,
  isoDate,
  periodFields,
  showErrors,
  statusLine,
} from '../forms';
import { AuditError, auditEndpoints, signIn, signsSilently } from '../audit';
import { auditServiceEntries, nodeHistory, type AccessEntry } from '../history';
import { accountQr } from '../qr';
import { submit } from '../tx';
import { ACTIONS, CATEGORIES, PURPOSES, actionsWords, categoriesWords, categoryLabel, categoryWords, dateTimeWords, dateWords, denyReasonWords, durationWords, periodWords, permitReasonWords, purposesWords, purposeWords, reasonWords } from '../vocab';
import { accountLabel, actionButton, badge, busy, empty, emptyItem, keyed, renderIfChanged, settings, stateBadge, subject, type SessionView, type View } from './common';

interface ConsentView {
  id: number;
  grantee: unknown;
  categories: string[];
  actions: string[];
  purposes: string[];
  records: string[];
  start: number;
  end: number | null;
  active: boolean;
  granted_by: string | null;
}


/** " · granted Dec 1, 2026, 02:04 by your guardian Carol": when (if the chain kept it) and by whom. */
function grantedWords(at: number | null, by: string | null): string {
  if (at === null && !by) return '';
  return ` · granted${at === null ? '' : ` ${dateTimeWords(at)}`}${by ? ` by your guardian ${chain.nameOf(by)}` : ''}`;
}

interface RecordView {
  id: string;
  category: string | null;
  resource_type: unknown;
  current: number;
  created_at: number;
  erased_at: number | null;
}

/** The sentence a patient reads for a consent. */
export function consentSentence(c: Pick<ConsentView, 'grantee' | 'categories' | 'actions' | 'purposes' | 'start' | 'end' | 'records'>): string {
  const records = c.records.length ? ` (only ${c.records.length === 1 ? 'one chosen record' : `${c.records.length} chosen records`})` : '';
  return `${chain.granteeWords(c.grantee)} may ${actionsWords(c.actions)} your ${categoriesWords(c.categories)}${records} for ${purposesWords(c.purposes)} ${periodWords(c.start, c.end)}.`;
}

export function patientView(): View {
  const el = h('div', { class: 'view' });

  // --- You ------------------------------------------------------------------------------------
  const youBody = h('div');
  const qrBox = h('div', { class: 'qr-box', hidden: true });
  const qrButton = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false' }, 'Show my account as a QR code');
  qrButton.addEventListener('click', () => {
    const show = qrBox.hidden;
    qrBox.hidden = !show;
    qrButton.setAttribute('aria-expanded', String(show));
    qrButton.textContent = show ? 'Hide the QR code' : 'Show my account as a QR code';
    const who = subject();
    if (show && who) replace(qrBox, accountQr(who, chain.a.genesisHash.toHex(), `QR code of the account ${who}`), h('p', { class: 'hint' }, 'A clinician scans this to find you. It holds only your account, no health data.'));
  });
  const actFor = accountField('Act for a patient as their guardian', "Paste the patient's account. What you sign then goes through your guardian appointment.");
  const actStatus = h('div');
  const actButton = h('button', { type: 'submit', class: 'secondary' }, 'Act for this patient');
  const actForm = h('form', { class: 'inline-form' }, actFor.el, actButton);
  actForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = actFor.read();
    if (!a) {
      replace(actStatus, notice('error', 'That is not an account address.'));
      return;
    }
    settings.actFor = a === accounts.selected?.address ? null : a;
    replace(actStatus);
    void refresh();
  });
  const you = card('You', youBody, h('div', { class: 'button-row' }, qrButton), qrBox, h('details', { class: 'guardian-details' }, h('summary', null, 'Acting for someone else (guardian)'), actForm, actStatus));

  // --- Consents -------------------------------------------------------------------------------
  const consentList = h('ul', { class: 'items', 'aria-live': 'polite' });
  const consentStatus = statusLine();
  const consents = card('Your consents', h('p', { class: 'lede' }, 'Who may see which part of your health data, and why.'), consentList, consentStatus);

  // --- Grant ----------------------------------------------------------------------------------
  const grantee = granteePicker({ legend: 'Who may access your data' });
  const grantCategories = checkboxGroup('Which data', CATEGORIES, { hint: 'Sensitive data is shared only if you tick it here.', columns: true });
  const grantActions = checkboxGroup('What they may do', ACTIONS, { checked: ['Read'] });
  const grantPurposes = checkboxGroup('For which purposes', PURPOSES, { checked: ['TREAT'], columns: true });
  const grantPeriod = periodFields();
  const grantRecordsBox = h('div', { class: 'record-choices' });
  const grantRecords = h('details', null, h('summary', null, 'Only some records (optional)'), grantRecordsBox);
  const grantErrors = errorBox();
  const grantStatus = statusLine();
  const grantButton = h('button', { type: 'submit' }, 'Grant consent');
  const grantPreview = h('p', { class: 'preview', 'aria-live': 'polite' });
  const grantForm = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': 'Grant a consent' },
    grantee.el,
    grantCategories.el,
    h('div', { class: 'row' }, grantActions.el),
    grantPurposes.el,
    grantPeriod.el,
    grantRecords,
    grantPreview,
    grantErrors,
    h('div', { class: 'button-row' }, grantButton),
    grantStatus,
  );
  const readGrant = () => {
    const errors: string[] = [];
    const g = grantee.read();
    if (g.error) errors.push(g.error);
    const categories = grantCategories.values();
    const actions = grantActions.values();
    const purposes = grantPurposes.values();
    if (!categories.length) errors.push('Choose at least one kind of data.');
    if (!actions.length) errors.push('Choose what they may do: read, add records, or both.');
    if (!purposes.length) errors.push('Choose at least one purpose.');
    const period = grantPeriod.read();
    errors.push(...period.errors);
    const records = [...grantRecordsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
    return { ...period, errors, grantee: g.grantee, categories, actions, purposes, records };
  };
  grantForm.addEventListener('change', () => {
    const g = readGrant();
    if (g.grantee && g.categories.length && g.actions.length && g.purposes.length && !g.errors.length) {
      grantPreview.textContent = `You are about to consent: ${consentSentence({ ...g, start: g.start ?? Date.now() })}`;
    } else grantPreview.textContent = '';
  });
  grantForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const g = readGrant();
    if (!showErrors(grantErrors, g.errors) || !g.grantee) return;
    const words = chain.granteeWords(g.grantee);
    void busy(grantButton, async () => {
      const r = await submit(
        () => chain.a.tx.consent.grantConsent(g.grantee, { categories: g.categories, actions: g.actions, purposes: g.purposes }, g.records, g.start, g.end),
        { label: `Grant a consent to ${words}`, status: grantStatus, actFor: settings.actFor },
      );
      if (r.ok) {
        grantPreview.textContent = '';
        grantCategories.set([]);
        grantActions.set(['Read']);
        grantPurposes.set(['TREAT']);
        grantPeriod.reset();
        grantRecordsBox.querySelectorAll<HTMLInputElement>('input:checked').forEach((i) => (i.checked = false));
        await refresh();
      }
    });
  });
  const grant = card('Grant a consent', grantForm);

  // --- Requests -------------------------------------------------------------------------------
  const requestList = h('ul', { class: 'items' });
  const requestStatus = statusLine();
  const requests = card('Access requests', h('p', { class: 'lede' }, 'Clinicians who ask for access. Approve, approve less, or deny.'), requestList, requestStatus);

  // --- History --------------------------------------------------------------------------------
  const sessionList = h('ul', { class: 'items' });
  const sessionStatus = statusLine();
  const historyList = h('ul', { class: 'items history' });
  const historyNote = h('p', { class: 'hint history-source' });
  // Signing in to the audit service: a wallet asks its owner, so only when they click.
  const signInButton = h('button', { type: 'button', class: 'secondary' }, 'Sign in to the audit service');
  const signInStatus = statusLine();
  const signInRow = h('div', { class: 'button-row', hidden: true }, signInButton);
  signInButton.addEventListener('click', () => {
    const account = accounts.selected;
    const who = subject();
    if (!account || !who || !settings.auditUrl) return;
    void busy(signInButton, async () => {
      signInStatus.textContent = signsSilently(account) ? 'Signing in with the development key…' : 'Waiting for your signature in your wallet (a one-time sign-in text, not a transaction)…';
      try {
        await signIn(settings.auditUrl, account);
        signInStatus.textContent = '';
        await renderHistory(who, { mayAsk: true });
      } catch (e) {
        signInStatus.textContent = e instanceof AuditError ? e.message : `The sign-in failed: ${(e as Error).message}`;
      }
    });
  });
  const olderButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show older entries');
  olderButton.addEventListener('click', () => {
    historyShown += HISTORY_PAGE;
    const who = subject();
    if (who) void renderHistory(who);
  });
  const history = card(
    'Who accessed your records',
    h('h3', null, 'Emergency sessions'),
    sessionList,
    sessionStatus,
    h('h3', null, 'Reads and attempts'),
    historyNote,
    signInRow,
    signInStatus,
    historyList,
    h('div', { class: 'button-row' }, olderButton),
  );
  const HISTORY_PAGE = 100;
  let historyShown = HISTORY_PAGE;
  let historyOf = '';

  // --- Deny rules -----------------------------------------------------------------------------
  const ruleList = h('ul', { class: 'items' });
  const ruleStatus = statusLine();
  const ruleGrantee = granteePicker({ allowEveryone: true, legend: 'Whom the rule refuses' });
  const emergencyPurposes = () => (chain.a.consts.consent.allowEmergencyOptOut as unknown as { isTrue: boolean }).isTrue;
  const rulePurposesBox = h('div');
  let rulePurposes = checkboxGroup('For which purposes', PURPOSES, { columns: true });
  replace(rulePurposesBox, rulePurposes.el);
  const ruleCategories = checkboxGroup('Which data', CATEGORIES, { columns: true });
  const ruleErrors = errorBox();
  const ruleButton = h('button', { type: 'submit' }, 'Add deny rule');
  const ruleForm = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Add a deny rule' }, ruleGrantee.el, ruleCategories.el, rulePurposesBox, ruleErrors, h('div', { class: 'button-row' }, ruleButton));
  ruleForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const g = ruleGrantee.read();
    const categories = ruleCategories.values();
    const purposes = rulePurposes.values();
    const errors: string[] = [];
    if (g.error) errors.push(g.error);
    if (!categories.length) errors.push('Choose at least one kind of data.');
    if (!purposes.length) errors.push('Choose at least one purpose.');
    if (!showErrors(ruleErrors, errors)) return;
    void busy(ruleButton, async () => {
      const r = await submit(() => chain.a.tx.consent.addDenyRule(g.grantee, categories, purposes), {
        label: `Refuse ${categoriesWords(categories)} for ${purposesWords(purposes)}`,
        status: ruleStatus,
        actFor: settings.actFor,
      });
      if (r.ok) await refresh();
    });
  });
  const rules = card(
    'Deny rules',
    h('p', { class: 'lede' }, 'A deny rule beats every consent: what it refuses, nobody gets, whatever else you signed.'),
    ruleList,
    h('details', null, h('summary', null, 'Add a deny rule'), ruleForm),
    ruleStatus,
  );

  // --- Emergency ------------------------------------------------------------------------------
  const emergencyBody = h('div');
  const contactField = accountField('Add an emergency contact', 'Their account. They are named when a clinician breaks the glass on you.');
  const contactButton = h('button', { type: 'submit', class: 'secondary' }, 'Add contact');
  const contactForm = h('form', { class: 'inline-form', novalidate: true }, contactField.el, contactButton);
  const contactErrors = errorBox();
  const emergencyStatus = statusLine();
  let contacts: string[] = [];
  let optedOut = false;
  contactForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = contactField.read();
    const errors = !a ? ['That is not an account address.'] : contacts.includes(a) ? ['This account is already a contact.'] : [];
    if (!showErrors(contactErrors, errors) || !a) return;
    void busy(contactButton, async () => {
      const r = await submit(() => chain.a.tx.breakGlass.setEmergencyContacts([...contacts, a]), {
        label: `Add ${chain.nameOf(a)} as an emergency contact`,
        status: emergencyStatus,
        actFor: settings.actFor,
      });
      if (r.ok) {
        contactField.input.value = '';
        await refresh();
      }
    });
  });
  const emergency = card('Emergency access', emergencyBody, contactForm, contactErrors, emergencyStatus);

  // --- Guardians ------------------------------------------------------------------------------
  const guardianList = h('ul', { class: 'items' });
  const guardianField = accountField('Guardian account', 'A parent, a legal representative: they may manage your consents and records for you, nothing else (no transfers).');
  const guardianUntil = h('input', { type: 'date', min: isoDate(Date.now() + 86_400_000) });
  const guardianErrors = errorBox();
  const guardianStatus = statusLine();
  const guardianButton = h('button', { type: 'submit' }, 'Appoint guardian');
  const guardianNote = h('p', { class: 'hint' });
  const guardianForm = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': 'Appoint a guardian' },
    h('div', { class: 'row' }, guardianField.el, field('Until (optional)', guardianUntil, "The last day of the appointment (a minor's majority, the end of a court order). Empty: until you remove it.")),
    guardianNote,
    guardianErrors,
    h('div', { class: 'button-row' }, guardianButton),
  );
  guardianForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = guardianField.read();
    const errors: string[] = [];
    if (!a) errors.push('Enter the guardian\'s account.');
    else if (a === subject()) errors.push('You cannot be your own guardian.');
    if (guardianUntil.value && guardianUntil.value <= isoDate(Date.now())) errors.push('The end of the appointment must be a future day.');
    if (!showErrors(guardianErrors, errors) || !a) return;
    const type = guardianUntil.value ? { ConsentManagementUntil: endOfDay(guardianUntil.value) } : 'ConsentManagement';
    void busy(guardianButton, async () => {
      const r = await submit(() => chain.a.tx.proxy.addProxy(a, type, 0), {
        label: `Appoint ${chain.nameOf(a)} as your guardian`,
        status: guardianStatus,
      });
      if (r.ok) {
        guardianField.input.value = '';
        guardianUntil.value = '';
        await refresh();
      }
    });
  });
  const guardians = card('Guardians', h('p', { class: 'lede' }, 'People who may manage your consents for you.'), guardianList, guardianStatus, h('details', null, h('summary', null, 'Appoint a guardian'), guardianForm));

  const nav = h(
    'nav',
    { class: 'jump', 'aria-label': 'Patient sections' },
    h('ul', null, [
      ['Consents', consents],
      ['Grant', grant],
      ['Requests', requests],
      ['Access history', history],
      ['Deny rules', rules],
      ['Emergency', emergency],
      ['Guardians', guardians],
    ].map(([label, section]) => {
      const s = section as HTMLElement;
      s.id = `patient-${String(label).toLowerCase().replace(/\s+/g, '-')}`;
      return h('li', null, h('a', { href: `#${s.id}` }, label as string));
    })),
  );
  const body = h('div', { class: 'view-body' }, you, nav, consents, grant, requests, history, rules, emergency, guardians);
  const placeholder = h('div');
  el.append(placeholder, body);

  let recordCategories = new Map<string, string>();

  async function refresh(): Promise<void> {
    const who = subject();
    if (!who || !chain.api) {
      body.hidden = true;
      replace(placeholder, notice('info', 'Choose an account above (or connect your wallet) to see your consents.'));
      return;
    }
    body.hidden = false;
    replace(placeholder);
    const api = chain.a;
    grantee.refresh();
    ruleGrantee.refresh();
    const allowOptOut = emergencyPurposes();
    if ((rulePurposes.el.dataset.optout ?? '') !== String(allowOptOut)) {
      rulePurposes = checkboxGroup('For which purposes', allowOptOut ? PURPOSES : PURPOSES.filter((p) => !['ETREAT', 'BTG'].includes(p.code)), {
        columns: true,
        hint: allowOptOut ? 'Ticking emergency treatment or break-the-glass refuses emergency access too.' : undefined,
      });
      rulePurposes.el.dataset.optout = String(allowOptOut);
      replace(rulePurposesBox, rulePurposes.el);
    }

    const [consentViews, stored, sessions, records, openReqs, ruleData, policy, proxies, enrolment, account] = await Promise.all([
      chain.rpc<ConsentView[]>('consent_consentsOf', [who, null]),
      // When each was granted: the stored consent keeps it (the view of its terms does not).
      api.query.consent.consents.entries(who),
      chain.rpc<SessionView[]>('breakGlass_sessionsOf', [who, null]),
      chain.rpc<RecordView[]>('records_of', [who, null, 100, null]),
      api.query.consent.openRequests.entries(who),
      api.query.consent.denyRules(who),
      api.query.breakGlass.policies(who),
      api.query.proxy.proxies(who),
      api.query.enrolment.enrolments(who),
      api.query.system.account(who),
    ]);
    recordCategories = new Map(records.map((r) => [r.id, r.category ?? '']));

    // You
    const acting = settings.actFor;
    const enrol = (enrolment as unknown as { isSome: boolean; unwrap(): Codec }).isSome
      ? (lowerKeys((enrolment as unknown as { unwrap(): Codec }).unwrap().toJSON()) as { organization: number; active: boolean })
      : null;
    const free = BigInt(((account.toJSON() as { data: { free: string | number } }).data.free ?? 0).toString());
    renderIfChanged(youBody, JSON.stringify([who, acting, enrol, free.toString(), chain.names.size]), () => replace(
      youBody,
      acting
        ? notice('warn', 'You are acting for ', accountLabel(acting), ' as their guardian. What you sign goes through your appointment. ', actionButtonStop())
        : null,
      h('p', null, 'Account: ', accountLabel(who), h('br'), h('span', { class: 'mono small break' }, who)),
      enrol
        ? h('p', null, enrol.active ? `Enrolled by ${chain.orgName(enrol.organization)}: your consent calls are free (up to ${api.consts.enrolment.freeCallsPerWindow.toString()} an hour) and your deposits are covered.` : `Your enrolment by ${chain.orgName(enrol.organization)} has ended.`)
        : h('p', null, free > 0n ? `Balance: ${chain.amount(free)}.` : 'This account holds no tokens and is not enrolled: ask your hospital to enrol you so that your consent calls are free.'),
    ));

    // Consents
    const grantedAt = new Map(
      stored.map(([key, value]) => {
        const at = lowerKeys((value as unknown as Codec).toJSON()).grantedat;
        return [Number(key.args[1].toString()), typeof at === 'number' ? at : null];
      }),
    );
    const names = `${chain.names.size}:${settings.actFor ?? ''}`;
    keyed(
      consentList,
      consentViews.map((c) => ({ key: String(c.id), sig: JSON.stringify(c) + (grantedAt.get(c.id) ?? '') + names, render: () => {
            const now = Date.now();
            const state = c.active ? badge('In force', 'ok') : c.start > now ? badge('Not started yet', 'info') : badge('Ended', 'warn');
            return h(
              'li',
              { class: 'item', dataset: { consent: String(c.id) } },
              h('p', { class: 'sentence' }, consentSentence(c)),
              h(
                'p',
                { class: 'meta' },
                state,
                ` Consent #${c.id}`,
                grantedWords(grantedAt.get(c.id) ?? null, c.granted_by),
              ),
              h(
                'div',
                { class: 'button-row' },
                actionButton('Revoke', `revoke-${who}-${c.id}`, async () => {
                  const r = await submit(() => chain.a.tx.consent.revokeConsent(c.id), {
                    label: `Revoke consent #${c.id} (${chain.granteeWords(c.grantee)})`,
                    status: consentStatus,
                    actFor: settings.actFor,
                  });
                  if (r.ok) await refresh();
                }, { class: 'danger', 'aria-label': `Revoke consent #${c.id}: ${consentSentence(c)}` }),
              ),
            );
          } })),
      () => emptyItem('You have granted no consent. Nobody but you (and emergency access, reviewed) can see your data.'),
    );

    // Optional records in the grant form
    const live = records.filter((r) => !r.erased_at && r.category);
    const checked = new Set([...grantRecordsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value));
    renderIfChanged(grantRecordsBox, JSON.stringify(live.map((r) => r.id)), () => replace(
      grantRecordsBox,
      live.length
        ? [
            h('p', { class: 'hint' }, 'Leave all unticked to cover every record in the chosen categories.'),
            live.map((r) => {
              const id = `rec-${r.id}`;
              const input = h('input', { type: 'checkbox', id, value: r.id });
              input.checked = checked.has(r.id);
              return h('div', { class: 'check' }, input, h('label', { for: id }, h('span', { class: 'check-label' }, `${categoryLabel(r.category!)} · ${utf8(r.resource_type)}`), h('span', { class: 'check-explain' }, `Anchored ${dateWords(r.created_at)} · ${short(r.id)}`)));
            }),
          ]
        : empty('You have no anchored records yet.'),
    ));

    // Requests
    const reqs = (
      await Promise.all(
        openReqs.map(async ([, idCodec]) => {
          const id = Number((idCodec as unknown as { unwrap(): Codec }).unwrap().toString());
          const r = await api.query.consent.requests(id);
          const json = (r as unknown as { isSome: boolean; unwrap(): Codec }).isSome ? (r as unknown as { unwrap(): Codec }).unwrap().toJSON() : null;
          return json ? { id, ...(json as Record<string, unknown>) } : null;
        }),
      )
    ).filter(Boolean) as ({ id: number } & Record<string, unknown>)[];
    reqs.sort((a, b) => a.id - b.id);
    keyed(requestList, reqs.map((r) => ({ key: String(r.id), sig: JSON.stringify(r) + names, render: () => requestItem(r) })), () => emptyItem('No pending request.'));

    // Deny rules
    const ruleJson = (ruleData.toJSON() as [number, Record<string, unknown>][]) ?? [];
    keyed(
      ruleList,
      ruleJson.map(([id, rule]) => ({ key: String(id), sig: JSON.stringify(rule) + names, render: () => {
            const who2 = rule.grantee ? chain.granteeWords(rule.grantee) : 'Nobody';
            const sentence = rule.grantee
              ? `${who2} may never use your ${categoriesWords(rule.categories as string[])} for ${purposesWords(rule.purposes as string[])}.`
              : `Nobody may use your ${categoriesWords(rule.categories as string[])} for ${purposesWords(rule.purposes as string[])}.`;
            return h(
              'li',
              { class: 'item' },
              h('p', { class: 'sentence' }, sentence),
              h('p', { class: 'meta' }, `Deny rule #${id}`),
              h('div', { class: 'button-row' }, actionButton('Remove rule', `rule-${who}-${id}`, async () => {
                const r = await submit(() => chain.a.tx.consent.removeDenyRule(id), { label: `Remove deny rule #${id}`, status: ruleStatus, actFor: settings.actFor });
                if (r.ok) await refresh();
              }, { class: 'secondary', 'aria-label': `Remove deny rule #${id}: ${sentence}` })),
            );
          } })),
      () => emptyItem('No deny rule.'),
    );

    // Emergency access
    const pol = (policy as unknown as { isSome: boolean; unwrap(): Codec }).isSome ? (lowerKeys((policy as unknown as { unwrap(): Codec }).unwrap().toJSON()) as { optedout: boolean; contacts: string[] }) : null;
    contacts = pol?.contacts ?? [];
    optedOut = pol?.optedout ?? false;
    const allowBtgOptOut = (api.consts.breakGlass.allowOptOut as unknown as { isTrue: boolean }).isTrue;
    const duration = Number((await api.query.breakGlass.sessionDuration()).toString());
    renderIfChanged(emergencyBody, JSON.stringify([contacts, optedOut, allowBtgOptOut, duration, names]), () => replace(
      emergencyBody,
      h('p', null, `In an emergency, a credentialed clinician with the break-glass privilege may open a session on your ${categoriesWords(CATEGORIES.filter((c) => !c.sensitive).map((c) => c.code))} for ${durationWords(duration)}. Every session is reviewed by an auditor, and you see it here.`),
      h('h3', null, 'Emergency contacts'),
      contacts.length
        ? h('ul', { class: 'items compact' }, contacts.map((c) => h('li', { class: 'item row-item' }, accountLabel(c), actionButton('Remove', `contact-${who}-${c}`, async () => {
            const r = await submit(() => chain.a.tx.breakGlass.setEmergencyContacts(contacts.filter((x) => x !== c)), { label: `Remove ${chain.nameOf(c)} from your emergency contacts`, status: emergencyStatus, actFor: settings.actFor });
            if (r.ok) await refresh();
          }, { class: 'secondary', 'aria-label': `Remove emergency contact ${chain.nameOf(c)}` }))))
        : empty('No emergency contact.'),
      h('h3', null, 'Opting out'),
      allowBtgOptOut
        ? h(
            'div',
            null,
            h('p', null, optedOut ? 'You have opted out: no clinician can break the glass on you, even to save your life.' : 'You have not opted out: emergency access is possible, under review.'),
            actionButton(optedOut ? 'Allow emergency access again' : 'Opt out of emergency access', `optout-${who}`, async () => {
              if (!optedOut && !window.confirm('Opt out of emergency access? In an emergency no clinician could see your data without your consent, even to save your life.')) return;
              const r = await submit(() => chain.a.tx.breakGlass.setOptOut(!optedOut), { label: optedOut ? 'Allow emergency access again' : 'Opt out of emergency access', status: emergencyStatus, actFor: settings.actFor });
              if (r.ok) await refresh();
            }, { class: optedOut ? 'secondary' : 'danger' }),
          )
        : h('p', null, 'This chain does not let patients opt out of emergency access.'),
    ));

    // Guardians
    const [defs] = proxies.toJSON() as [{ delegate: string; proxyType: unknown; delay: number }[], unknown];
    const defCodecs = (proxies as unknown as [{ delegate: Codec; proxyType: Codec; delay: Codec }[]])[0];
    const guardiansNow = (defs ?? []).map((d, i) => ({ ...d, codec: defCodecs[i]! })).filter((d) => {
      const t = typeof d.proxyType === 'string' ? d.proxyType : Object.keys(d.proxyType as object)[0] ?? '';
      return t.toLowerCase().startsWith('consentmanagement');
    });
    keyed(
      guardianList,
      guardiansNow.map((g) => ({ key: g.delegate, sig: JSON.stringify([g.delegate, g.proxyType, g.delay]) + names, render: () => {
            const until = typeof g.proxyType === 'object' ? Number(Object.values(g.proxyType as object)[0]) : null;
            const ended = until !== null && until <= Date.now();
            return h(
              'li',
              { class: 'item' },
              h('p', { class: 'sentence' }, accountLabel(g.delegate), ` may manage your consents and records for you ${until === null ? 'until you remove them' : ended ? `(ended ${dateWords(until - 1)})` : `until ${dateWords(until - 1)}`}.`),
              acting ? null : h('div', { class: 'button-row' }, actionButton('Remove guardian', `guardian-${who}-${g.delegate}`, async () => {
                const r = await submit(() => chain.a.tx.proxy.removeProxy(g.delegate, g.codec.proxyType, g.codec.delay), { label: `Remove ${chain.nameOf(g.delegate)} as your guardian`, status: guardianStatus });
                if (r.ok) await refresh();
              }, { class: 'secondary', 'aria-label': `Remove guardian ${chain.nameOf(g.delegate)}` })),
            );
          } })),
      () => emptyItem('No guardian.'),
    );
    guardianForm.hidden = Boolean(acting);
    const deposit = BigInt(api.consts.proxy.proxyDepositBase.toString()) + BigInt(api.consts.proxy.proxyDepositFactor.toString());
    guardianNote.textContent = `Appointing a guardian holds a deposit of about ${chain.amount(deposit)} from your account until you remove them${free < deposit ? ': your account does not hold that much, so ask your hospital or a relative for a small transfer first' : ''}.`;

    // Sessions and history
    keyed(sessionList, sessions.map((s) => ({ key: String(s.id), sig: JSON.stringify(s) + names, render: () => sessionItem(s) })), () => emptyItem('No emergency session on your data is waiting for settlement.'));
    await renderHistory(who);
  }

  function actionButtonStop(): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'secondary small-button' }, 'Stop acting for them');
    b.addEventListener('click', () => {
      settings.actFor = null;
      actFor.input.value = '';
      void refresh();
    });
    return b;
  }

  function requestItem(r: { id: number } & Record<string, unknown>): HTMLElement {
    const scope = r.scope as { categories: string[]; actions: string[]; purposes: string[] };
    const requester = String(r.requester);
    const start = Number(r.start);
    const end = r.end === null || r.end === undefined ? null : Number(r.end);
    const expires = Number(r.expiresAt);
    const sentence = `${chain.practitionerWords(requester)} asks to ${actionsWords(scope.actions)} your ${categoriesWords(scope.categories)} for ${purposesWords(scope.purposes)} ${periodWords(start, end)}.`;
    const narrowBox = h('div', { hidden: true, class: 'narrow' });
    const narrowCats = checkboxGroup('Which data', CATEGORIES.filter((c) => scope.categories.includes(c.code)), { checked: scope.categories });
    const narrowActs = checkboxGroup('What they may do', ACTIONS.filter((a) => scope.actions.includes(a.code)), { checked: scope.actions });
    const narrowPurps = checkboxGroup('For which purposes', PURPOSES.filter((p) => scope.purposes.includes(p.code)), { checked: scope.purposes });
    const narrowErrors = errorBox();
    const narrowButton = h('button', { type: 'submit' }, 'Approve the narrower consent');
    const narrowForm = h('form', { class: 'stack', novalidate: true, 'aria-label': `Approve less than request #${r.id}` }, h('p', { class: 'hint' }, 'Untick what you do not want to share.'), narrowCats.el, narrowActs.el, narrowPurps.el, narrowErrors, narrowButton);
    narrowBox.append(narrowForm);
    narrowForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const categories = narrowCats.values();
      const actions = narrowActs.values();
      const purposes = narrowPurps.values();
      const errors: string[] = [];
      if (!categories.length) errors.push('Keep at least one kind of data (or deny the request).');
      if (!actions.length) errors.push('Keep at least one action.');
      if (!purposes.length) errors.push('Keep at least one purpose.');
      if (!showErrors(narrowErrors, errors)) return;
      void busy(narrowButton, async () => {
        const res = await submit(() => chain.a.tx.consent.approveRequest(r.id, { categories, actions, purposes }), {
          label: `Approve request #${r.id} in part (${chain.nameOf(requester)})`,
          status: requestStatus,
          actFor: settings.actFor,
        });
        if (res.ok) await refresh();
      });
    });
    const narrowToggle = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false' }, 'Narrow…');
    narrowToggle.addEventListener('click', () => {
      narrowBox.hidden = !narrowBox.hidden;
      narrowToggle.setAttribute('aria-expanded', String(!narrowBox.hidden));
    });
    return h(
      'li',
      { class: 'item', dataset: { request: String(r.id) } },
      h('p', { class: 'sentence' }, sentence),
      h('p', { class: 'meta' }, `Request #${r.id} · lapses ${dateWords(expires)} · their reason stays with them; its fingerprint is `, h('span', { class: 'mono' }, short(String(r.justificationHash)))),
      h(
        'div',
        { class: 'button-row' },
        actionButton('Approve', `approve-${r.id}`, async () => {
          const res = await submit(() => chain.a.tx.consent.approveRequest(r.id, null), {
            label: `Approve request #${r.id} (${chain.nameOf(requester)})`,
            status: requestStatus,
            actFor: settings.actFor,
          });
          if (res.ok) await refresh();
        }, { 'aria-label': `Approve request #${r.id}: ${sentence}` }),
        narrowToggle,
        actionButton('Deny', `deny-${r.id}`, async () => {
          const res = await submit(() => chain.a.tx.consent.denyRequest(r.id), {
            label: `Deny request #${r.id} (${chain.nameOf(requester)})`,
            status: requestStatus,
            actFor: settings.actFor,
          });
          if (res.ok) await refresh();
        }, { class: 'danger', 'aria-label': `Deny request #${r.id}` }),
      ),
      narrowBox,
    );
  }

  function sessionItem(s: SessionView): HTMLElement {
    const sentence = `${chain.practitionerWords(s.practitioner)} broke the glass on ${dateTimeWords(s.start)} for ${purposeWords(s.purpose)} ${reasonWords(s.reason, 'patient')}, on your ${categoriesWords(s.categories)}.`;
    const timing = s.state === 'Open' ? `Open until ${dateTimeWords(s.end)}.` : `Ended ${dateTimeWords(s.end)}. Review due by ${dateTimeWords(s.review_due)}.`;
    const canContest = ['Open', 'AwaitingReview', 'Overdue', 'Justified'].includes(s.state);
    return h(
      'li',
      { class: 'item', dataset: { session: String(s.id) } },
      h('p', { class: 'sentence' }, sentence),
      h('p', { class: 'meta' }, stateBadge(s.state), ` Session #${s.id}. ${timing}`),
      h(
        'div',
        { class: 'button-row' },
        s.state === 'Open' && !settings.actFor
          ? actionButton('End it now', `end-${s.id}`, async () => {
              const r = await submit(() => chain.a.tx.breakGlass.endSession(s.id), { label: `End emergency session #${s.id}`, status: sessionStatus });
              if (r.ok) await refresh();
            }, { class: 'secondary', 'aria-label': `End it now: emergency session #${s.id}` })
          : null,
        canContest
          ? actionButton('Contest', `contest-${s.id}`, async () => {
              if (!window.confirm('Contest this emergency session? It ends at once if still open, and the consortium council decides whether it was justified.')) return;
              const r = await submit(() => chain.a.tx.breakGlass.contest(s.id), { label: `Contest emergency session #${s.id}`, status: sessionStatus, actFor: settings.actFor });
              if (r.ok) await refresh();
            }, { class: 'danger', 'aria-label': `Contest emergency session #${s.id}` })
          : null,
      ),
    );
  }

  /**
   * Who accessed the records: the full trail from the audit service when one is set (signing in
   * as the account that signs here, the patient or their guardian), else what the node holds.
   */
  async function renderHistory(who: string, { mayAsk = false } = {}): Promise<void> {
    if (historyOf !== who) {
      historyOf = who;
      historyShown = HISTORY_PAGE;
      signInStatus.textContent = '';
    }
    const account = accounts.selected;
    let entries: AccessEntry[] | null = null;
    let note = '';
    let askSignIn = false;
    if (settings.auditUrl && account) {
      const { fhir } = auditEndpoints(settings.auditUrl);
      try {
        const trail = await auditServiceEntries(settings.auditUrl, who, account, { mayAsk });
        if (subject() !== who) return;
        entries = trail.entries;
        const as = account.address === who ? '' : `, signed in as ${chain.nameOf(account.address)} (guardian)`;
        const count = `${entries.length}${trail.more ? ' most recent' : ''} entr${entries.length === 1 ? 'y' : 'ies'}`;
        note = `From the audit service at ${fhir}${as}: the full trail since the chain started, ${count}.`;
      } catch (e) {
        if (subject() !== who) return;
        const error = e instanceof Error ? e : new Error(String(e));
        askSignIn = error instanceof AuditError && error.needsSignIn;
        note = `${error.message} `;
      }
    }
    signInRow.hidden = !askSignIn;
    if (!entries) {
      // The first scan reads up to 256 blocks: show the rest of the screen meanwhile.
      const scan = nodeHistory.scan();
      if (!nodeHistory.scanned) {
        historyNote.textContent = `${note}${note ? 'Meanwhile, reading' : 'Reading'} the recent blocks the node holds…`;
        void scan.then(() => (subject() === who ? renderHistory(who) : undefined)).catch(() => undefined);
        return;
      }
      await scan;
      if (subject() !== who) return;
      entries = nodeHistory.entriesOf(who);
      const limit = nodeHistory.limitNote;
      if (!note) note = limit || 'From the node: every block since the chain started.';
      else note += limit ? `Meanwhile, ${limit.charAt(0).toLowerCase()}${limit.slice(1)}` : 'Meanwhile, from the node: every block since the chain started.';
    }
    historyNote.textContent = note;
    const shown = entries.slice(0, historyShown);
    olderButton.hidden = entries.length <= shown.length;
    keyed(
      historyList,
      shown.map((e, i) => ({ key: e.block !== null && e.idx !== undefined ? `${e.block}-${e.idx}` : `entry-${i}`, sig: JSON.stringify(e) + chain.names.size + chain.practitioners.size, render: () => historyItem(e) })),
      () => emptyItem('Nobody has read or tried to read your records.'),
    );
  }

  /** Who acted, in words: "Dr Bob at Dev General Hospital", "you", or the account and its organization. */
  function accessorWords(e: AccessEntry): string {
    if (!e.accessor) return 'Someone';
    if (e.accessor === subject()) return 'You';
    if (chain.practitioners.has(e.accessor) || !e.organization) return chain.practitionerWords(e.accessor);
    return `${chain.practitionerWords(e.accessor)} at ${e.organization}`;
  }

  function historyItem(e: AccessEntry): HTMLElement {
    const when = [e.at ? dateTimeWords(e.at) : '', e.block !== null ? `block #${e.block}` : ''].filter(Boolean).join(' · ');
    const who = accessorWords(e);
    const cat = e.category ?? (e.recordId ? recordCategories.get(e.recordId) : undefined);
    const what = cat ? `a record of your ${categoryWords(cat)}` : 'one of your records';
    const session = `emergency session #${e.sessionId}`;
    let text = '';
    let tone: 'ok' | 'warn' | 'error' | 'info' = 'info';
    switch (e.kind) {
      case 'read':
        text = `${who} read ${what} for ${purposeWords(e.purpose ?? '')}: permitted by ${permitReasonWords(e.reason)}.`;
        tone = 'ok';
        break;
      case 'denied':
        text = `${who} tried to read ${what} for ${purposeWords(e.purpose ?? '')}: denied, ${denyReasonWords(e.reason)}.`;
        tone = 'error';
        break;
      case 'session-opened':
        text = `${who} broke the glass (session #${e.sessionId}) for ${purposeWords(e.purpose ?? '')} ${reasonWords(String(e.reason), 'patient')}${e.categories?.length ? `, on your ${categoriesWords(e.categories)}` : ''}.`;
        tone = 'warn';
        break;
      case 'session-ended':
        text = e.accessor ? `Emergency session #${e.sessionId} was ended by ${who === 'You' ? 'you' : who}.` : `Emergency session #${e.sessionId} ended when its time ran out.`;
        break;
      case 'session-reviewed': {
        const by = e.reviewer === 'council' || !e.accessor ? 'the consortium council' : who;
        text = `Emergency session #${e.sessionId} was reviewed by ${by}: ${String(e.verdict ?? 'no verdict').toLowerCase()}.`;
        tone = e.verdict === 'Justified' ? 'ok' : 'warn';
        break;
      }
      case 'session-contested':
        text = `Emergency session #${e.sessionId} was contested${e.accessor ? ` by ${who === 'You' ? 'you' : who}` : ''}: the consortium council decides.`;
        tone = 'warn';
        break;
      case 'bond-slashed':
        text = `${e.accessor ? `${who}'s` : 'The clinician\'s'} bond for ${session} was slashed after the unjustified verdict, and goes to you.`;
        tone = 'error';
        break;
      case 'review-overdue':
        text = `The review of ${session} is overdue: no auditor reviewed it in time.`;
        tone = 'error';
        break;
    }
    return h('li', { class: `item history-${tone}` }, h('p', { class: 'meta' }, when), h('p', { class: 'sentence' }, text));
  }

  return { id: 'patient', title: 'Patient', el, refresh };
}


