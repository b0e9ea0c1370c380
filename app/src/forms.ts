// Form pieces shared by the views: checkbox groups with explanations, dates, the grantee picker,
// account fields, and the error summary that stops a form before anything is signed.
import { chain } from './chain';
import { field, h, replace, select, uid } from './dom';
import { ROLES, type Term } from './vocab';

export interface CheckboxGroup {
  el: HTMLFieldSetElement;
  values(): string[];
  set(values: string[]): void;
  /** Show only these codes (the rest hidden and unchecked). */
  limit(codes: string[] | null): void;
}

/** A fieldset of checkboxes, each with its label and explanation. */
export function checkboxGroup(
  legend: string,
  terms: (Term & { sensitive?: boolean })[],
  opts: { checked?: string[]; name?: string; hint?: string; columns?: boolean } = {},
): CheckboxGroup {
  const name = opts.name ?? uid('cb');
  const boxes = new Map<string, { input: HTMLInputElement; row: HTMLElement }>();
  const rows = terms.map((t) => {
    const input = h('input', { type: 'checkbox', name, value: t.code, id: uid(name) });
    input.checked = opts.checked?.includes(t.code) ?? false;
    const explainId = `${input.id}-x`;
    if (t.explain) input.setAttribute('aria-describedby', explainId);
    const row = h(
      'div',
      { class: `check${t.sensitive ? ' sensitive' : ''}` },
      input,
      h(
        'label',
        { for: input.id },
        h('span', { class: 'check-head' }, h('span', { class: 'check-label' }, t.label), t.sensitive ? h('span', { class: 'tag tag-sensitive' }, 'sensitive') : null),
        t.explain ? h('span', { class: 'check-explain', id: explainId }, t.explain) : null,
      ),
    );
    boxes.set(t.code, { input, row });
    return row;
  });
  const el = h(
    'fieldset',
    { class: `checks${opts.columns ? ' checks-columns' : ''}` },
    h('legend', null, legend),
    opts.hint ? h('p', { class: 'hint' }, opts.hint) : null,
    h('div', { class: 'check-grid' }, rows),
  );
  return {
    el,
    values: () => terms.map((t) => t.code).filter((c) => boxes.get(c)!.input.checked && !boxes.get(c)!.row.hidden),
    set: (values) => boxes.forEach(({ input }, code) => (input.checked = values.includes(code))),
    limit: (codes) =>
      boxes.forEach(({ input, row }, code) => {
        const shown = !codes || codes.includes(code);
        row.hidden = !shown;
        if (!shown) input.checked = false;
      }),
  };
}

/** Today as yyyy-mm-dd in local time (what <input type=date> takes). */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight at the start of `date` (yyyy-mm-dd). */
export function startOfDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d!).getTime();
}

/** Local midnight at the end of `date`: the first moment the period no longer covers. */
export function endOfDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y!, m! - 1, d! + 1).getTime();
}

export interface Period {
  el: HTMLElement;
  /** Validation errors, and the moments to send (start null = now). */
  read(): { errors: string[]; start: number | null; end: number | null };
  reset(): void;
}

/** Start and end dates with a date picker; end optional. */
export function periodFields(opts: { startLabel?: string; endLabel?: string; endHint?: string } = {}): Period {
  const start = h('input', { type: 'date', value: isoDate(Date.now()), min: isoDate(Date.now()) });
  const end = h('input', { type: 'date', min: isoDate(Date.now()) });
  start.addEventListener('change', () => {
    if (start.value) end.min = start.value;
  });
  const el = h(
    'div',
    { class: 'row' },
    field(opts.startLabel ?? 'From', start, 'The first day it covers.'),
    field(opts.endLabel ?? 'Until (optional)', end, opts.endHint ?? 'The last day it covers. Leave empty for no end date.'),
  );
  return {
    el,
    reset() {
      start.value = isoDate(Date.now());
      end.value = '';
      start.removeAttribute('aria-invalid');
      end.removeAttribute('aria-invalid');
    },
    read() {
      const errors: string[] = [];
      const today = isoDate(Date.now());
      if (!start.value) errors.push('Choose a start date.');
      const s = start.value && start.value > today ? startOfDay(start.value) : null;
      let e: number | null = null;
      if (end.value) {
        e = endOfDay(end.value);
        if (start.value && end.value < start.value) errors.push('The end date comes before the start date.');
        else if (end.value < today) errors.push('The end date is already past.');
      }
      start.setAttribute('aria-invalid', String(!start.value));
      end.setAttribute('aria-invalid', String(errors.some((x) => x.includes('end date'))));
      return { errors, start: s, end: e };
    },
  };
}

/** The list of problems that stopped a form (nothing is signed or sent). */
export function showErrors(box: HTMLElement, errors: string[]): boolean {
  if (errors.length === 0) {
    box.hidden = true;
    replace(box);
    return true;
  }
  box.hidden = false;
  replace(
    box,
    h('p', { class: 'errors-title' }, errors.length === 1 ? 'Please fix this first; nothing was sent:' : 'Please fix these first; nothing was sent:'),
    h('ul', null, errors.map((e) => h('li', null, e))),
  );
  box.focus();
  return false;
}

export function errorBox(): HTMLDivElement {
  return h('div', { class: 'form-errors', role: 'alert', tabindex: '-1', hidden: true });
}

/** A status line where a form's transaction shows its progress. */
export function statusLine(): HTMLParagraphElement {
  return h('p', { class: 'tx-inline', 'aria-live': 'polite' });
}

export interface GranteePicker {
  el: HTMLElement;
  /** The grantee as the chain takes it, or an error; `null` grantee = everyone (deny rules). */
  read(): { error?: string; grantee: Record<string, unknown> | null; words: string };
  refresh(): void;
}

/** Who: a practitioner, a whole organization, or a role at an organization (or everyone). */
export function granteePicker(opts: { allowEveryone?: boolean; legend?: string } = {}): GranteePicker {
  const name = uid('gk');
  const kinds: [string, string][] = [
    ['practitioner', 'A clinician'],
    ['organization', 'A whole organization'],
    ['role', 'A role at an organization'],
  ];
  if (opts.allowEveryone) kinds.unshift(['everyone', 'Everyone']);
  const radios = kinds.map(([value, label], i) => {
    const input = h('input', { type: 'radio', name, value, id: uid(name) });
    input.checked = i === 0;
    return h('div', { class: 'radio' }, input, h('label', { for: input.id }, label));
  });
  const org = select([]);
  const practitioner = select([]);
  const role = select(ROLES.map((r) => [r.code, r.label]));
  const orgField = field('Organization', org);
  const practitionerField = field('Clinician', practitioner, 'Clinicians the registry credentials at this organization.');
  const roleField = field('Role', role);
  const el = h(
    'div',
    { class: 'grantee' },
    h('fieldset', { class: 'radios' }, h('legend', null, opts.legend ?? 'Who'), h('div', { class: 'radio-row' }, radios)),
    h('div', { class: 'row' }, orgField, practitionerField, roleField),
  );
  const kind = () => (el.querySelector(`input[name="${name}"]:checked`) as HTMLInputElement | null)?.value ?? 'practitioner';
  const sync = () => {
    const k = kind();
    orgField.hidden = k === 'everyone';
    practitionerField.hidden = k !== 'practitioner';
    roleField.hidden = k !== 'role';
  };
  const fillPractitioners = () => {
    const orgId = Number(org.value);
    const current = practitioner.value;
    const list = [...chain.practitioners.values()]
      .filter((p) => p.organization === orgId && p.active)
      .sort((a, b) => chain.practitionerWords(a.account).localeCompare(chain.practitionerWords(b.account)));
    replace(
      practitioner,
      h('option', { value: '' }, list.length ? 'Choose a clinician…' : 'No clinician registered'),
      list.map((p) => h('option', { value: p.account }, chain.practitionerWords(p.account).replace(/ at .*$/, ''))),
    );
    if (list.some((p) => p.account === current)) practitioner.value = current;
  };
  const refresh = () => {
    const current = org.value;
    const orgs = [...chain.organizations.values()].filter((o) => o.active);
    replace(org, orgs.map((o) => h('option', { value: String(o.id) }, o.name)));
    if (orgs.some((o) => String(o.id) === current)) org.value = current;
    fillPractitioners();
  };
  el.addEventListener('change', (e) => {
    if (e.target === org) fillPractitioners();
    sync();
  });
  refresh();
  sync();
  return {
    el,
    refresh,
    read() {
      const k = kind();
      if (k === 'everyone') return { grantee: null, words: 'Nobody' };
      if (org.value === '') return { error: 'Choose an organization.', grantee: null, words: '' };
      const orgId = Number(org.value);
      if (k === 'organization') {
        const grantee = { Organization: orgId };
        return { grantee, words: chain.granteeWords(grantee) };
      }
      if (k === 'role') {
        const grantee = { Role: { organization: orgId, role: role.value } };
        return { grantee, words: chain.granteeWords(grantee) };
      }
      if (!practitioner.value) return { error: 'Choose a clinician.', grantee: null, words: '' };
      const grantee = { Practitioner: practitioner.value };
      return { grantee, words: chain.granteeWords(grantee) };
    },
  };
}

/** A field for an account (pasted); `read()` answers the normalized address or an error. */
export function accountField(label: string, hint?: string): { el: HTMLElement; input: HTMLInputElement; read(): string | null } {
  const input = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'mono', placeholder: '5…' });
  return {
    el: field(label, input, hint),
    input,
    read: () => {
      const a = chain.normalize(input.value);
      input.setAttribute('aria-invalid', String(!a));
      return a;
    },
  };
}
