// The auditor's screen: the organization's emergency sessions to review (overdue first, then
// awaiting review), and a verdict with notes hashed in the browser.
import { accounts } from '../accounts';
import { chain, short } from '../chain';
import { card, h, notice, replace, uid } from '../dom';
import { errorBox, showErrors, statusLine } from '../forms';
import { textHash } from '../hash';
import { submit } from '../tx';
import { VERDICTS, categoriesWords, dateTimeWords, durationWords, purposeWords, reasonWords } from '../vocab';
import { accountLabel, actionButton, busy, emptyItem, keyed, renderIfChanged, stateBadge, type SessionView, type View } from './common';


const ORDER: Record<string, number> = { Overdue: 0, AwaitingReview: 1, Open: 2, Contested: 3, Justified: 4 };

export function auditorView(): View {
  const el = h('div', { class: 'view' });
  const who = h('div');
  const queue = h('ul', { class: 'items' });
  const queueStatus = statusLine();
  const counts = h('p', { class: 'lede', 'aria-live': 'polite' });
  const queueCard = card('Review queue', counts, queue, queueStatus);
  el.append(who, queueCard);

  function reviewForm(s: SessionView): HTMLElement {
    const name = uid('verdict');
    const radios = VERDICTS.map((v) => {
      const input = h('input', { type: 'radio', name, value: v.code, id: uid(name) });
      return h('div', { class: 'check' }, input, h('label', { for: input.id }, h('span', { class: 'check-label' }, v.label), h('span', { class: 'check-explain' }, v.explain)));
    });
    const notes = h('textarea', { rows: '3', id: uid('notes') });
    const errors = errorBox();
    const button = h('button', { type: 'submit' }, 'Give verdict');
    const form = h(
      'form',
      { class: 'stack review-form', novalidate: true, 'aria-label': `Review session #${s.id}` },
      h('fieldset', { class: 'checks' }, h('legend', null, 'Verdict'), radios),
      h('div', { class: 'field' }, h('label', { for: notes.id }, 'Your notes'), notes, h('p', { class: 'hint' }, 'Stay in this browser: only their fingerprint goes on chain. Keep them in your case file.')),
      errors,
      h('div', { class: 'button-row' }, button),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const verdict = (form.querySelector(`input[name="${name}"]:checked`) as HTMLInputElement | null)?.value;
      const problems: string[] = [];
      if (!verdict) problems.push('Choose a verdict.');
      if (!notes.value.trim()) problems.push('Write your notes (only their fingerprint goes on chain).');
      if (!showErrors(errors, problems) || !verdict) return;
      const hash = textHash(notes.value.trim());
      void busy(button, async () => {
        const r = await submit(() => chain.a.tx.breakGlass.review(s.id, verdict, hash), {
          label: `Review session #${s.id}: ${verdict.toLowerCase()}`,
          status: queueStatus,
        });
        if (r.ok) await refresh();
      });
    });
    return form;
  }

  function item(s: SessionView, me: string, reported: boolean): HTMLElement {
    const now = Date.now();
    const own = s.practitioner === me;
    const sentence = `${chain.practitionerWords(s.practitioner)} broke the glass on ${chain.names.get(s.patient) ?? `patient ${short(s.patient)}`} on ${dateTimeWords(s.start)}, for ${purposeWords(s.purpose)} ${reasonWords(s.reason)}, on their ${categoriesWords(s.categories)}.`;
    const timing =
      s.state === 'Open'
        ? `Open until ${dateTimeWords(s.end)} (a verdict ends it at once).`
        : s.state === 'Justified'
          ? `Ended ${dateTimeWords(s.end)}. Found justified: the bond goes back to the clinician once the patient's contest window has passed.`
          : s.state === 'Overdue'
          ? `Ended ${dateTimeWords(s.end)}; the review was due ${dateTimeWords(s.review_due)}, ${durationWords(now - s.review_due)} ago.`
          : `Ended ${dateTimeWords(s.end)}; review due by ${dateTimeWords(s.review_due)}.`;
    const reviewable = !own && ['Open', 'AwaitingReview', 'Overdue'].includes(s.state);
    const details = reviewable ? h('details', { class: 'review' }, h('summary', null, `Review session #${s.id}`), reviewForm(s)) : null;
    return h(
      'li',
      { class: `item${s.state === 'Overdue' ? ' overdue' : ''}`, dataset: { session: String(s.id) } },
      h('p', { class: 'meta' }, stateBadge(s.state), ` Session #${s.id}`),
      h('p', { class: 'sentence' }, sentence),
      h('p', { class: 'meta' }, timing),
      h('p', { class: 'meta small' }, 'Justification fingerprint: ', h('span', { class: 'mono break' }, s.justification_hash), '. Ask the clinician for the text and check it hashes to this.'),
      own ? h('p', { class: 'meta' }, 'This is your own session: another auditor must review it.') : null,
      s.state === 'Contested' ? h('p', { class: 'meta' }, 'The patient contested it: only the consortium council may decide.') : null,
      s.state === 'Overdue' && !reported
        ? h('div', { class: 'button-row' }, actionButton('Flag as overdue', `overdue-${s.id}`, async () => {
            const r = await submit(() => chain.a.tx.breakGlass.reportOverdue(s.id), { label: `Flag session #${s.id} as overdue`, status: queueStatus });
            if (r.ok) await refresh();
          }, { class: 'secondary' }))
        : null,
      details,
    );
  }

  async function refresh(): Promise<void> {
    if (!chain.api) return;
    const api = chain.a;
    const me = accounts.selected?.address ?? null;
    const cred = me ? chain.practitioners.get(me) : undefined;
    const auditor = cred && cred.roles.includes('Auditor');
    renderIfChanged(who, JSON.stringify([me, cred, chain.names.size]), () =>
      replace(
        who,
        !me
          ? notice('info', 'Choose your account above (or connect your wallet).')
          : !auditor
            ? notice('warn', 'This account is not an auditor of any organization: it can see no review queue. Auditors are clinicians with the Auditor role.')
            : notice('info', 'You review for ', h('strong', null, chain.orgName(cred.organization)), ' as ', accountLabel(me), '.'),
      ),
    );
    queueCard.hidden = !auditor;
    if (!auditor || !me || !cred) return;

    // Every unsettled session; their states from the node's breakGlass_sessionsOf.
    const entries = await api.query.breakGlass.sessions.entries();
    const ours = entries
      .map(([key, value]) => ({ id: Number(key.args[0]!.toString()), json: (value as unknown as { unwrap(): { toJSON(): unknown } }).unwrap().toJSON() as Record<string, unknown> }))
      .filter((s) => Number(s.json.organization) === cred.organization);
    const reported = new Map(ours.map((s) => [s.id, Boolean(s.json.overdueReported)]));
    const patients = [...new Set(ours.map((s) => String(s.json.patient)))];
    const views = (await Promise.all(patients.map((p) => chain.rpc<SessionView[]>('breakGlass_sessionsOf', [p, null])))).flat().filter((s) => s.organization === cred.organization);
    views.sort((a, b) => (ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9) || a.review_due - b.review_due || a.id - b.id);
    const overdue = views.filter((s) => s.state === 'Overdue').length;
    const awaiting = views.filter((s) => s.state === 'AwaitingReview').length;
    const open = views.filter((s) => s.state === 'Open').length;
    counts.textContent = `${chain.orgName(cred.organization)}: ${overdue} overdue, ${awaiting} awaiting review, ${open} open.`;
    keyed(
      queue,
      views.map((s) => ({ key: String(s.id), sig: JSON.stringify([s, reported.get(s.id), me, chain.names.size]), render: () => item(s, me, reported.get(s.id) ?? false) })),
      () => emptyItem('Nothing to review: no emergency session of your organization is waiting.'),
    );
  }

  return { id: 'auditor', title: 'Auditor', el, refresh };
}
