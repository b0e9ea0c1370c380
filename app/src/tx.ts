// Signing and sending, with the progress people see: "Waiting for your signature" → "In block
// #n" → "Finalized in #n", announced in an aria-live region; failures as sentences.
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { EventRecord, DispatchError, Hash } from '@polkadot/types/interfaces';
import type { ISubmittableResult } from '@polkadot/types/types';
import { accounts } from './accounts';
import { chain } from './chain';
import { h, replace } from './dom';
import { dispatchErrorSentence, thrownErrorSentence, type ErrorContext } from './errors';

export interface TxOptions {
  /** What the transaction does, in words: "Grant a consent to Dr Bob". */
  label: string;
  /** Where the progress is mirrored next to the form (a status line). */
  status?: HTMLElement;
  /** What the call is about, for precise error sentences. */
  ctx?: ErrorContext;
  /** Asked after a failure to make the sentence precise (e.g. the access decision's reason). */
  enrich?: () => Promise<Partial<ErrorContext>>;
  /** Sign as a guardian for this patient: the call goes through `proxy.proxy`. */
  actFor?: string | null;
}

export type TxResult =
  | { ok: true; events: EventRecord[]; blockHash: string; blockNumber: number }
  | { ok: false; error: string };

let activityList: HTMLOListElement | null = null;
let liveRegion: HTMLElement | null = null;

/** The activity panel: every transaction of this visit with its progress. */
export function activityPanel(): HTMLElement {
  // Scrolls when long: focusable, so a keyboard can scroll it too.
  activityList = h('ol', { class: 'activity-list', tabindex: '0', 'aria-labelledby': 'activity-h' });
  liveRegion = h('div', { class: 'visually-hidden', 'aria-live': 'polite', role: 'status', id: 'tx-live' });
  return h(
    'section',
    { class: 'activity', 'aria-labelledby': 'activity-h' },
    h('h2', { id: 'activity-h' }, 'Your transactions'),
    h('p', { class: 'hint empty-hint' }, 'Nothing sent yet. Each transaction you sign shows its progress here.'),
    activityList,
    liveRegion,
  );
}

type Step = 'sign' | 'sent' | 'inblock' | 'final' | 'failed';

class Progress {
  item: HTMLLIElement;
  private stateEl: HTMLSpanElement;
  constructor(private label: string, private inline?: HTMLElement) {
    this.stateEl = h('span', { class: 'tx-state' });
    this.item = h('li', { class: 'tx' }, h('span', { class: 'tx-label' }, label), ' ', this.stateEl);
    activityList?.prepend(this.item);
    activityList?.parentElement?.classList.add('has-items');
  }

  set(step: Step, text: string): void {
    this.item.dataset.step = step;
    replace(this.stateEl, text);
    if (this.inline) {
      // A finished transaction's line goes after a while (the activity panel keeps it), so that
      // it is not read as news about what the list shows later.
      const inline = this.inline as HTMLElement & { owner?: Progress };
      inline.owner = this;
      if (step === 'final') {
        setTimeout(() => {
          if (inline.owner === this) {
            replace(inline);
            delete inline.dataset.step;
          }
        }, 30_000);
      }
      this.inline.dataset.step = step;
      this.inline.setAttribute('role', step === 'failed' ? 'alert' : 'status');
      replace(this.inline, h('span', { class: 'tx-label' }, `${this.label}: `), text);
    }
    if (liveRegion) liveRegion.textContent = `${this.label}: ${text}`;
  }
}

/** Sign `tx` with the selected account and send it; resolves once it is in a block (or failed). */
export async function submit(build: () => SubmittableExtrinsic<'promise'>, opts: TxOptions): Promise<TxResult> {
  const progress = new Progress(opts.label, opts.status);
  const account = accounts.selected;
  if (!account) {
    const error = 'Choose the account to sign with first.';
    progress.set('failed', error);
    return { ok: false, error };
  }
  let tx: SubmittableExtrinsic<'promise'>;
  try {
    const api = chain.a;
    tx = build();
    if (opts.actFor && opts.actFor !== account.address) tx = api.tx.proxy.proxy(opts.actFor, null, tx);
  } catch (e) {
    const error = thrownErrorSentence(e);
    progress.set('failed', `Not sent: ${error}`);
    return { ok: false, error };
  }
  progress.set('sign', account.kind === 'dev' ? 'Signing with the development key…' : 'Waiting for your signature in your wallet…');

  const fail = async (err: DispatchError, where: string): Promise<string> => {
    let ctx = opts.ctx ?? {};
    if (opts.enrich) ctx = { ...ctx, ...(await opts.enrich().catch(() => ({}))) };
    const { sentence } = dispatchErrorSentence(chain.a, err, ctx);
    progress.set('failed', `Failed ${where}: ${sentence}`);
    return sentence;
  };

  return new Promise<TxResult>((resolve) => {
    let settled = false;
    let unsub: (() => void) | null = null;
    const done = (r: TxResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const onStatus = async (result: ISubmittableResult) => {
      const { status, events, dispatchError } = result;
      try {
        if (status.isReady || status.isBroadcast) {
          if (!settled) progress.set('sent', 'Sent; waiting for a block…');
        } else if (status.isInBlock) {
          const number = await blockNumber(status.asInBlock);
          const error = dispatchError ?? proxiedError(events);
          if (error) {
            const sentence = await fail(error, `in block #${number}`);
            done({ ok: false, error: sentence });
            unsub?.();
          } else {
            progress.set('inblock', `In block #${number}; waiting for finality…`);
            done({ ok: true, events, blockHash: status.asInBlock.toHex(), blockNumber: number });
          }
        } else if (status.isFinalized) {
          const number = await blockNumber(status.asFinalized);
          const error = dispatchError ?? proxiedError(events);
          if (error) {
            if (!settled) done({ ok: false, error: await fail(error, `in block #${number}`) });
          } else {
            progress.set('final', `Finalized in #${number}`);
            done({ ok: true, events, blockHash: status.asFinalized.toHex(), blockNumber: number });
          }
          unsub?.();
        } else if (status.isDropped || status.isInvalid || status.isUsurped || status.isFinalityTimeout) {
          const error = 'The node dropped this transaction. Try again.';
          progress.set('failed', error);
          done({ ok: false, error });
          unsub?.();
        }
      } catch (e) {
        console.error(e);
      }
    };
    accounts
      .signerFor(account)
      .then((s) => ('pair' in s ? tx.signAndSend(s.pair, onStatus) : tx.signAndSend(account.address, { signer: s.signer }, onStatus)))
      .then((u) => {
        unsub = u;
        if (settled) u();
      })
      .catch((e: unknown) => {
        const error = thrownErrorSentence(e);
        progress.set('failed', `Not sent: ${error}`);
        done({ ok: false, error });
      });
  });
}

async function blockNumber(hash: Hash): Promise<number> {
  try {
    return (await chain.a.rpc.chain.getHeader(hash)).number.toNumber();
  } catch {
    return chain.best;
  }
}

/** The error of a call made through a guardian's proxy, which the proxy's event carries. */
function proxiedError(events: EventRecord[]): DispatchError | null {
  for (const { event } of events) {
    if (event.section === 'proxy' && event.method === 'ProxyExecuted') {
      const result = event.data[0] as unknown as { isErr: boolean; asErr: DispatchError };
      if (result.isErr) return result.asErr;
    }
  }
  return null;
}

/** The data of the first event `section.method` among `events`, as JSON. */
export function eventData(events: EventRecord[], section: string, method: string): Record<string, unknown> | null {
  const record = events.find(({ event }) => event.section === section && event.method === method);
  if (!record) return null;
  const { event } = record;
  const names = (event.meta.fields ?? []).map((f) => (f.name.isSome ? f.name.unwrap().toString() : ''));
  const out: Record<string, unknown> = {};
  event.data.forEach((value, i) => {
    const key = (names[i] ?? String(i)).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[key] = value.toJSON();
  });
  return out;
}
