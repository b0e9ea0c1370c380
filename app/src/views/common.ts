// What the three views share: the view interface, pending-action tracking, small renderers.
import { accounts } from '../accounts';
import { chain, short } from '../chain';
import { h } from '../dom';
import { SESSION_STATES } from '../vocab';

export interface View {
  id: 'patient' | 'clinician' | 'auditor';
  title: string;
  el: HTMLElement;
  /** Re-read what the view shows (on a new block, an account change, a transaction). */
  refresh(): Promise<void>;
}

/** Settings that outlive a view: who the patient view acts for, the audit service. */
export const settings = {
  /** The patient a guardian acts for (calls go through `proxy.proxy`), or null. */
  actFor: null as string | null,
  auditUrl: '',
};

/** The account the patient view is about: the one acted for, or the signer. */
export function subject(): string | null {
  return settings.actFor ?? accounts.selected?.address ?? null;
}

/** Buttons whose transaction is under way, by key, so that a re-render keeps them disabled. */
const pending = new Set<string>();
/** Every button made for a key (a re-render makes a new one while the action still runs). */
const buttonsByKey = new Map<string, Set<HTMLButtonElement>>();

function setBusy(key: string, on: boolean): void {
  for (const b of buttonsByKey.get(key) ?? []) {
    if (!b.isConnected && !on) {
      buttonsByKey.get(key)!.delete(b);
      continue;
    }
    b.disabled = on;
    if (on) b.setAttribute('aria-busy', 'true');
    else b.removeAttribute('aria-busy');
  }
}

/** A button that runs `action` once at a time (disabled meanwhile, across re-renders). */
export function actionButton(label: string, key: string, action: () => Promise<unknown>, attrs: Record<string, unknown> = {}): HTMLButtonElement {
  const button = h('button', { type: 'button', ...attrs }, label);
  const set = buttonsByKey.get(key) ?? new Set<HTMLButtonElement>();
  for (const b of set) if (!b.isConnected) set.delete(b);
  set.add(button);
  buttonsByKey.set(key, set);
  button.disabled = pending.has(key);
  if (button.disabled) button.setAttribute('aria-busy', 'true');
  button.addEventListener('click', async () => {
    if (pending.has(key)) return;
    pending.add(key);
    setBusy(key, true);
    try {
      await action();
    } finally {
      pending.delete(key);
      setBusy(key, false);
    }
  });
  return button;
}

/** Run `action` with `button` disabled (form submit buttons). */
export async function busy<T>(button: HTMLButtonElement, action: () => Promise<T>): Promise<T> {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

export function stateBadge(state: string): HTMLElement {
  const s = SESSION_STATES[state] ?? { words: state, tone: 'info' as const };
  return h('span', { class: `badge badge-${s.tone}` }, s.words);
}

export function badge(text: string, tone: 'ok' | 'warn' | 'error' | 'info'): HTMLElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}

/** An account as "Name (5FHne…94ty)" with the full address in a title and for copying. */
export function accountLabel(address: string): HTMLElement {
  const name = chain.names.get(address);
  return h('span', { class: 'account', title: address }, name ? `${name} ` : '', h('span', { class: 'mono' }, short(address)));
}

export function empty(text: string): HTMLElement {
  return h('p', { class: 'empty' }, text);
}

/** Ask the chain for what the access decision says (consent_checkAccess). */
export function checkAccess(patient: string, accessor: string, category: string, action: string, purpose: string, record: string | null = null): Promise<unknown> {
  return chain.rpc('consent_checkAccess', [{ patient, accessor, category, action, purpose, record }, null]);
}

/** The Deny reason of the access decision, for error sentences. */
export async function denyReason(patient: string, accessor: string, category: string, action: string, purpose: string, record: string | null = null): Promise<unknown> {
  const d = (await checkAccess(patient, accessor, category, action, purpose, record)) as Record<string, unknown>;
  return d?.Deny ?? null;
}

/**
 * Render a list by key: an item whose data (its signature) did not change keeps its element, so
 * that a refresh on every block loses neither focus nor a half-filled form inside it.
 */
export function keyed(list: HTMLElement, items: { key: string; sig: string; render(): HTMLElement }[], emptyEl: () => HTMLElement): void {
  const old = new Map<string, HTMLElement>();
  for (const child of [...list.children] as HTMLElement[]) if (child.dataset.key) old.set(child.dataset.key, child);
  if (!items.length) {
    if (list.dataset.empty !== 'true') {
      list.replaceChildren(emptyEl());
      list.dataset.empty = 'true';
    }
    return;
  }
  list.dataset.empty = 'false';
  const next = items.map(({ key, sig, render }) => {
    const existing = old.get(key);
    if (existing && existing.dataset.sig === sig) return existing;
    const el = render();
    el.dataset.key = key;
    el.dataset.sig = sig;
    return el;
  });
  // Keep elements in place where possible (moving a focused element blurs it).
  next.forEach((el, i) => {
    if (list.children[i] !== el) list.insertBefore(el, list.children[i] ?? null);
  });
  while (list.children.length > next.length) list.lastElementChild!.remove();
}

/** Re-render `el` only when `sig` changed. */
export function renderIfChanged(el: HTMLElement, sig: string, render: () => void): void {
  if (el.dataset.sig === sig) return;
  el.dataset.sig = sig;
  render();
}

export function emptyItem(text: string): HTMLElement {
  return h('li', { class: 'empty' }, text);
}

/** An emergency session as the `breakGlass_sessionsOf` RPC returns it. */
export interface SessionView {
  id: number;
  patient: string;
  practitioner: string;
  organization: number;
  purpose: string;
  reason: string;
  justification_hash: string;
  categories: string[];
  start: number;
  end: number;
  review_due: number;
  state: string;
}
