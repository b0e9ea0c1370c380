// Who accessed a patient's records: reads permitted and denied, and emergency sessions. From the
// audit service (FHIR AuditEvent) when one is configured and answers, else from the events the
// node still holds (a default node keeps a block's state, and so its events, for 256 blocks).
import type { EventRecord } from '@polkadot/types/interfaces';
import type { Account } from './accounts';
import { AuditError, auditEndpoints, auditGet } from './audit';
import { chain, lowerKeys } from './chain';

export interface AccessEntry {
  at: number | null;
  block: number | null;
  kind: 'read' | 'denied' | 'session-opened' | 'session-ended' | 'session-reviewed' | 'session-contested' | 'bond-slashed' | 'review-overdue';
  accessor?: string;
  /** The accessor's organization, by name (the audit service says it). */
  organization?: string;
  recordId?: string;
  /** The record's category (the audit service says it; else the app looks it up). */
  category?: string;
  purpose?: string;
  reason?: unknown;
  sessionId?: number;
  verdict?: string;
  categories?: string[];
  /** Position of the event in its block. */
  idx?: number;
  /** Who reviewed an emergency session: an auditor or the council. */
  reviewer?: 'auditor' | 'council';
}

interface BlockEvents {
  number: number;
  at: number | null;
  entries: (AccessEntry & { patient: string })[];
}

const RELEVANT = new Set(['records.ReadLogged', 'records.ReadDenied', 'breakGlass.SessionOpened', 'breakGlass.SessionEnded', 'breakGlass.SessionReviewed', 'breakGlass.SessionContested']);

/** Scans blocks once, then only the new ones. */
class NodeHistory {
  private blocks = new Map<number, BlockEvents>();
  private oldest: number | null = null;
  private reachedStart = false;
  private sessionPatients = new Map<number, string>();
  private scanning: Promise<void> | null = null;
  limitNote = '';
  /** Whether a first scan has completed. */
  scanned = false;

  private generation = 0;

  reset(): void {
    this.generation += 1;
    this.scanning = null;
    this.scanned = false;
    this.blocks.clear();
    this.oldest = null;
    this.reachedStart = false;
    this.sessionPatients.clear();
  }

  /** Scan up to `depth` blocks back from the best block (new blocks first). */
  async scan(depth = 256): Promise<void> {
    if (this.scanning) return this.scanning;
    const scan: Promise<void> = this.doScan(depth).finally(() => {
      if (this.scanning === scan) this.scanning = null;
    });
    this.scanning = scan;
    return scan;
  }

  private async doScan(depth: number): Promise<void> {
    const generation = this.generation;
    const api = chain.a;
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const from = Math.max(0, best - depth + 1);
    const todo: number[] = [];
    for (let n = best; n >= from; n--) if (!this.blocks.has(n)) todo.push(n);
    // Oldest first, so that sessions are known before the events that name them.
    todo.reverse();
    const batch = 12;
    for (let i = 0; i < todo.length; i += batch) {
      const numbers = todo.slice(i, i + batch);
      const results = await Promise.all(numbers.map((n) => this.readBlock(n).catch(() => null)));
      if (generation !== this.generation) return;
      results.forEach((r, j) => {
        if (r) this.blocks.set(numbers[j]!, r);
      });
    }
    for (const n of this.blocks.keys()) if (n < from) this.blocks.delete(n);
    this.oldest = this.blocks.size ? Math.min(...this.blocks.keys()) : null;
    this.reachedStart = this.oldest === 0 || this.oldest === 1;
    this.scanned = true;
    this.limitNote = this.reachedStart ? '' : `Showing the last ${this.blocks.size} blocks the node still holds. The audit service keeps the full trail.`;
  }

  private async readBlock(n: number): Promise<BlockEvents> {
    const api = chain.a;
    const hash = await api.rpc.chain.getBlockHash(n);
    const records = (await api.query.system.events.at(hash)) as unknown as EventRecord[];
    const entries: BlockEvents['entries'] = [];
    for (const [idx, { event }] of [...records].entries()) {
      const key = `${event.section}.${event.method}`;
      if (!RELEVANT.has(key)) continue;
      const names = (event.meta.fields ?? []).map((f) => (f.name.isSome ? f.name.unwrap().toString() : ''));
      const d: Record<string, unknown> = {};
      event.data.forEach((v, i) => (d[names[i] ?? String(i)] = v.toJSON()));
      switch (key) {
        case 'records.ReadLogged':
        case 'records.ReadDenied':
          entries.push({
            patient: String(d.patient),
            at: null,
            block: n,
            idx,
            kind: key === 'records.ReadLogged' ? 'read' : 'denied',
            accessor: String(d.accessor),
            recordId: String(d.record_id),
            purpose: String(d.purpose),
            reason: d.reason,
          });
          break;
        case 'breakGlass.SessionOpened':
          this.sessionPatients.set(Number(d.session_id), String(d.patient));
          entries.push({
            patient: String(d.patient),
            at: null,
            block: n,
            idx,
            kind: 'session-opened',
            accessor: String(d.practitioner),
            sessionId: Number(d.session_id),
            purpose: String(d.purpose),
            reason: d.reason,
            categories: (d.categories as string[]) ?? [],
          });
          break;
        default: {
          const sessionId = Number(d.session_id);
          const patient = String(d.patient ?? this.sessionPatients.get(sessionId) ?? '');
          const reviewer = lowerKeys(d.reviewer);
          entries.push({
            patient,
            at: null,
            block: n,
            idx,
            kind: key === 'breakGlass.SessionEnded' ? 'session-ended' : key === 'breakGlass.SessionReviewed' ? 'session-reviewed' : 'session-contested',
            sessionId,
            accessor: key === 'breakGlass.SessionEnded' ? String(d.ended_by) : reviewer.auditor ? String(reviewer.auditor) : undefined,
            verdict: d.verdict ? String(d.verdict) : undefined,
          });
        }
      }
    }
    let at: number | null = null;
    if (entries.length) {
      at = Number(((await api.query.timestamp.now.at(hash)) as unknown as { toString(): string }).toString());
      entries.forEach((e) => (e.at = at));
    }
    return { number: n, at, entries };
  }

  /** The patient's entries, newest first. */
  entriesOf(patient: string): AccessEntry[] {
    const out: AccessEntry[] = [];
    const sessions = new Set<number>();
    const sorted = [...this.blocks.values()].sort((a, b) => a.number - b.number);
    for (const b of sorted) {
      for (const e of b.entries) {
        if (e.kind === 'session-opened' && e.patient === patient) sessions.add(e.sessionId!);
        const mine = e.patient === patient || (e.sessionId !== undefined && sessions.has(e.sessionId) && !e.patient);
        if (mine) {
          const { patient: _p, ...entry } = e;
          void _p;
          out.push(entry);
        }
      }
    }
    return out.reverse();
  }
}

export const nodeHistory = new NodeHistory();

// --- The audit service ---------------------------------------------------------------------

/** The parts of an R5 AuditEvent the app reads (as the audit service serves it). */
interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
interface Identifier {
  system?: string;
  value?: string;
}
interface AuditEventR5 {
  resourceType?: string;
  id?: string;
  recorded?: string;
  code?: { coding?: Coding[] };
  outcome?: { code?: Coding; detail?: { coding?: Coding[] }[] };
  authorization?: { coding?: Coding[] }[];
  agent?: { who?: { type?: string; display?: string; identifier?: Identifier } }[];
  entity?: {
    what?: { identifier?: Identifier };
    detail?: { type?: { text?: string; coding?: Coding[] }; valueString?: string; valueCodeableConcept?: { coding?: Coding[] } }[];
  }[];
  extension?: { url?: string; extension?: { url?: string; valueInteger64?: string | number; valueUnsignedInt?: number }[] }[];
}

const PEOPLE = new Set(['Practitioner', 'Patient', 'RelatedPerson']);
const KINDS = new Set<AccessEntry['kind']>(['session-opened', 'session-ended', 'session-reviewed', 'session-contested', 'bond-slashed', 'review-overdue']);

/** One of the app's entries from an AuditEvent, or null if it is not one the app knows. */
export function entryOfAuditEvent(r: AuditEventR5): AccessEntry | null {
  if (r.resourceType !== 'AuditEvent') return null;
  const code = r.code?.coding?.[0]?.code ?? '';
  const outcome = r.outcome?.code?.code ?? '';
  const why = r.outcome?.detail?.[0]?.coding?.[0]?.code;
  let kind: AccessEntry['kind'];
  if (code === 'read') kind = outcome === '0' ? 'read' : 'denied';
  else if (KINDS.has(code as AccessEntry['kind'])) kind = code as AccessEntry['kind'];
  else return null;

  const entity = (suffix: string) => r.entity?.find((e) => e.what?.identifier?.system?.endsWith(`:${suffix}`));
  const details = (e: ReturnType<typeof entity>, name: string) =>
    (e?.detail ?? [])
      .filter((d) => (d.type?.text ?? d.type?.coding?.[0]?.code) === name)
      .map((d) => d.valueString ?? d.valueCodeableConcept?.coding?.[0]?.code)
      .filter((v): v is string => typeof v === 'string' && v !== '');
  const record = entity('record');
  const session = entity('session');
  // A session or deny rule is identified by its number; a consent by `<patient>/<number>`.
  const idOf = (e: ReturnType<typeof entity>) => {
    const m = /(?:^|\/)(\d+)$/.exec(e?.what?.identifier?.value ?? '');
    return m ? Number(m[1]) : undefined;
  };
  const sessionId = idOf(session);

  const [human, ...others] = r.agent ?? [];
  const who = human?.who;
  const accessor = who && PEOPLE.has(who.type ?? '') && who.identifier?.value ? (chain.normalize(who.identifier.value) ?? who.identifier.value) : undefined;
  const organization = others.find((a) => a.who?.type === 'Organization')?.who?.display;

  const block = r.extension?.find((x) => x.url?.endsWith(':block'))?.extension;
  const part = (name: string) => {
    const p = block?.find((x) => x.url === name);
    const v = p?.valueInteger64 ?? p?.valueUnsignedInt;
    return v === undefined ? undefined : Number(v);
  };
  const [idBlock, idEvent] = (r.id ?? '').split('-').map(Number);
  const at = r.recorded ? Date.parse(r.recorded) : NaN;

  const entry: AccessEntry = {
    at: Number.isFinite(at) ? at : null,
    block: part('number') ?? (Number.isFinite(idBlock) ? idBlock! : null),
    idx: part('event') ?? (Number.isFinite(idEvent) ? idEvent : undefined),
    kind,
    accessor,
    organization,
    purpose: r.authorization?.[0]?.coding?.[0]?.code,
    sessionId,
  };
  if (kind === 'read' || kind === 'denied') {
    entry.recordId = record?.what?.identifier?.value;
    entry.category = details(record, 'category')[0];
    // The reason as the node says it, so that the same words describe it.
    if (why === 'Consent' && idOf(entity('consent')) !== undefined) entry.reason = { consent: idOf(entity('consent')) };
    else if (why === 'Emergency' && sessionId !== undefined) entry.reason = { emergency: sessionId };
    else if (why === 'DeniedByRule' && idOf(entity('deny-rule')) !== undefined) entry.reason = { deniedByRule: idOf(entity('deny-rule')) };
    else entry.reason = why;
  } else {
    entry.categories = details(session, 'category');
    if (kind === 'session-opened') entry.reason = details(session, 'reason')[0];
    if (kind === 'session-reviewed') {
      entry.verdict = why;
      const reviewer = details(session, 'reviewer')[0];
      entry.reviewer = reviewer === 'Council' || who?.display === 'Consortium council' ? 'council' : 'auditor';
    }
    if (kind === 'bond-slashed' || kind === 'review-overdue') {
      // The practitioner did not act: the chain did, about them.
      const practitioner = details(session, 'practitioner')[0];
      entry.accessor = accessor ?? (practitioner ? (chain.normalize(practitioner) ?? practitioner) : undefined);
    }
  }
  return entry;
}

export interface AuditTrail {
  entries: AccessEntry[];
  /** Whether there are older entries than those read (the cap was reached). */
  more: boolean;
  /** The service's FHIR base. */
  fhir: string;
}

/** At most this many entries are read (newest first), in pages of PAGE. */
export const TRAIL_CAP = 1000;
const PAGE = 200;

/** A failure, kept for a while so that a service that is down is not asked on every block. */
let lastFailure: { key: string; at: number; error: Error } | null = null;
const RETRY_MS = 20_000;

/**
 * The patient's trail from the audit service, newest first: every read (permitted or denied) and
 * every emergency-session event, as far back as the chain goes, up to TRAIL_CAP entries. Reads
 * as `account` (the patient, or their guardian); see `auditGet` for signing in and `mayAsk`.
 */
export async function auditServiceEntries(setting: string, patient: string, account: Account, { mayAsk = false } = {}): Promise<AuditTrail> {
  const { fhir } = auditEndpoints(setting);
  const key = `${fhir} ${account.address} ${patient}`;
  if (!mayAsk && lastFailure?.key === key && Date.now() - lastFailure.at < RETRY_MS) throw lastFailure.error;
  const search = `${fhir}/AuditEvent`;
  let url: string | null = `${search}?patient=${encodeURIComponent(patient)}&_sort=-date&_count=${PAGE}`;
  const seen = new Set<string>();
  const entries: AccessEntry[] = [];
  let more = false;
  try {
    while (url) {
      if (entries.length >= TRAIL_CAP) {
        more = true;
        break;
      }
      seen.add(url);
      const bundle = (await auditGet(setting, url, account, { mayAsk })) as { resourceType?: string; entry?: { resource?: AuditEventR5 }[]; link?: { relation?: string; url?: string }[] } | null;
      if (bundle?.resourceType !== 'Bundle') throw new AuditError(`The audit service at ${auditEndpoints(setting).root} answered something else than a FHIR Bundle.`);
      for (const { resource } of bundle.entry ?? []) {
        const entry = resource ? entryOfAuditEvent(resource) : null;
        if (entry) entries.push(entry);
      }
      // Follow the next page at the configured address only (the token goes nowhere else): the
      // link's query (its cursor) on this service's search URL.
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      let nextUrl: string | null = null;
      if (next) {
        try {
          nextUrl = `${search}${new URL(next, search).search}`;
        } catch {
          nextUrl = null;
        }
      }
      url = nextUrl && !seen.has(nextUrl) ? nextUrl : null;
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    if (!(error instanceof AuditError && error.needsSignIn)) lastFailure = { key, at: Date.now(), error };
    throw error;
  }
  if (lastFailure?.key === key) lastFailure = null;
  return { entries: entries.slice(0, TRAIL_CAP), more, fhir };
}
