// Who accessed a patient's records: reads permitted and denied, and emergency sessions. From the
// audit service (FHIR AuditEvent) when one is configured and answers, else from the events the
// node still holds (a default node keeps a block's state, and so its events, for 256 blocks).
import type { EventRecord } from '@polkadot/types/interfaces';
import { chain, lowerKeys } from './chain';

export interface AccessEntry {
  at: number | null;
  block: number | null;
  kind: 'read' | 'denied' | 'session-opened' | 'session-ended' | 'session-reviewed' | 'session-contested';
  accessor?: string;
  recordId?: string;
  purpose?: string;
  reason?: unknown;
  sessionId?: number;
  verdict?: string;
  categories?: string[];
  /** Position of the event in its block. */
  idx?: number;
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

/** The audit service's FHIR AuditEvents of a patient, mapped to entries (best effort). */
export async function auditServiceEntries(baseUrl: string, patient: string): Promise<AccessEntry[]> {
  const url = `${baseUrl.replace(/\/$/, '')}/AuditEvent?patient=${encodeURIComponent(patient)}&_sort=-date&_count=200`;
  const response = await fetch(url, { headers: { Accept: 'application/fhir+json' } });
  if (!response.ok) throw new Error(`the audit service answered ${response.status}`);
  const bundle = (await response.json()) as { entry?: { resource?: Record<string, unknown> }[] };
  const entries: AccessEntry[] = [];
  for (const { resource } of bundle.entry ?? []) {
    if (!resource) continue;
    const r = resource as {
      recorded?: string;
      outcome?: { code?: { code?: string } } | string;
      agent?: { who?: { identifier?: { value?: string } } }[];
      entity?: { what?: { identifier?: { value?: string } } }[];
      purposeOfEvent?: { coding?: { code?: string }[] }[];
    };
    const outcome = typeof r.outcome === 'string' ? r.outcome : r.outcome?.code?.code;
    entries.push({
      at: r.recorded ? Date.parse(r.recorded) : null,
      block: null,
      kind: outcome && outcome !== '0' && outcome !== 'success' ? 'denied' : 'read',
      accessor: r.agent?.[0]?.who?.identifier?.value,
      recordId: r.entity?.[0]?.what?.identifier?.value,
      purpose: r.purposeOfEvent?.[0]?.coding?.[0]?.code,
    });
  }
  return entries;
}
