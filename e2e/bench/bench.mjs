// The Consent Chain performance benchmark: consent grants against balance transfers on one fresh
// `consent-node --dev --tmp`, then records anchored by their patients, reads logged one by one
// and in gateway batches, the access-check latency as a patient's consents grow, the state a
// consent takes, the node's memory under each load, and the generated weights side by side.
//
// A real client: @polkadot/api over the node's WebSocket RPC. Extrinsics are signed ahead
// (immortal, nonces managed here) so that signing never paces the load; they are submitted with
// `author_submitExtrinsic` keeping at most WINDOW of them in the pool, and followed block by
// block until every one is finalized or declared dropped.
//
// Usage: node bench/bench.mjs --n 12000 [--sizes 1,100,10000] [--samples 2000]
//          [--batches B] [--weights DIR] [--json FILE] [--check]
// N transfers, N grants, N anchors, N single reads, and twice B batches of 256 reads (chart views,
// then scattered; by default enough for 16 N reads each).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startDevNode, sleep, rpc, NON_SENSITIVE } from '../lib/node.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
  return acc;
}, []));
const N = Number(args.n ?? 12_000);
const SIZES = (args.sizes ?? '1,100,10000').split(',').map(Number);
const SAMPLES = Number(args.samples ?? 2_000);
const WINDOW = Number(args.window ?? 4_000);
// Three grantee keys, 16 consents each: a patient's consents to an organization and to roles at
// it share one bound (MaxConsentsPerGrantee, 32) per organization, so organization + role = 32;
// the practitioner's 16 are under their own bound of 32.
const PER_PATIENT = 48;
const BATCH = 256; // MaxLogBatch: reads per log_access_batch
// Enough batches to fill blocks for a while (16 N reads): a load of two or three blocks measures
// the pipeline's edges, not its rate.
const BATCHES = Number(args.batches ?? Math.ceil((16 * N) / BATCH));
const UNIT = 10n ** 12n;

const progress = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** Peak and current resident memory of `pid` (kB), and a reset of the peak. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))[1]);
  return { peakKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}
function resetPeak(pid) {
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5'); return true; } catch { return false; }
}

/** Sign `calls` ([signer, tx]) immortally with nonces counted here. */
async function presign(api, calls) {
  const nonces = new Map();
  const opts = {
    blockHash: api.genesisHash, genesisHash: api.genesisHash, runtimeVersion: api.runtimeVersion,
    signedExtensions: api.registry.signedExtensions, era: api.registry.createType('ExtrinsicEra'),
  };
  const signed = [];
  for (const [pair, tx] of calls) {
    if (!nonces.has(pair.address)) nonces.set(pair.address, (await api.rpc.system.accountNextIndex(pair.address)).toNumber());
    const nonce = nonces.get(pair.address);
    nonces.set(pair.address, nonce + 1);
    tx.sign(pair, { ...opts, nonce });
    signed.push({ hex: tx.toHex(), hash: tx.hash.toHex() });
  }
  return signed;
}

/**
 * Submit `signed` with at most WINDOW outstanding, and follow the chain until each is finalized
 * (with `until: 'included'`: included in the best chain), or no block has included any for 10
 * blocks. Returns the counts and rates. `onIncluded`, if given, sees the events of each of ours
 * as it is included, and whether it succeeded.
 */
async function runLoad(api, signed, label, { onIncluded, until = 'finalized' } = {}) {
  const pending = new Map(signed.map((s) => [s.hash, s]));
  const included = new Map(); // hash -> { block, ok }
  const blocks = []; // { number, moment, ours }
  const finalizedAt = new Map();
  let rejected = 0;
  let inFlight = 0;
  let lastNumber = (await api.rpc.chain.getHeader()).number.toNumber();
  let finalizedNumber = (await api.rpc.chain.getFinalizedHead().then((h) => api.rpc.chain.getHeader(h))).number.toNumber();
  const start = Date.now();

  async function followBest() {
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let n = lastNumber + 1; n <= head; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      const [block, events, moment] = await Promise.all([
        api.rpc.chain.getBlock(hash), api.query.system.events.at(hash), api.query.timestamp.now.at(hash)]);
      const byIndex = new Map(); // extrinsic index -> its events
      for (const { phase, event } of events) {
        if (!phase.isApplyExtrinsic) continue;
        const index = phase.asApplyExtrinsic.toNumber();
        if (!byIndex.has(index)) byIndex.set(index, []);
        byIndex.get(index).push(event);
      }
      let ours = 0;
      block.block.extrinsics.forEach((ext, index) => {
        const h = ext.hash.toHex();
        if (!pending.has(h) || included.has(h)) return;
        const own = byIndex.get(index) ?? [];
        const failed = own.some((e) => e.section === 'system' && e.method === 'ExtrinsicFailed');
        included.set(h, { block: n, ok: !failed });
        onIncluded?.(own, !failed);
        inFlight--;
        ours++;
      });
      blocks.push({ number: n, moment: moment.toNumber(), ours });
    }
    lastNumber = Math.max(lastNumber, head);
    const fin = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    if (fin > finalizedNumber) {
      for (const [h, info] of included) if (info.block <= fin && !finalizedAt.has(h)) finalizedAt.set(h, Date.now());
      finalizedNumber = fin;
    }
  }

  let next = 0;
  let idleBlocks = 0;
  let lastIncluded = 0;
  let lastSeenBlock = lastNumber;
  const done = () => (until === 'included' ? included.size : finalizedAt.size) + rejected >= signed.length;
  while (!done()) {
    while (next < signed.length && inFlight < WINDOW) {
      const s = signed[next++];
      inFlight++;
      rpc(api, 'author_submitExtrinsic', [s.hex]).catch((e) => {
        if (/already imported|Temporarily banned/i.test(e.message)) return;
        rejected++;
        inFlight--;
        pending.delete(s.hash);
      });
    }
    await sleep(500);
    await followBest();
    if (lastNumber !== lastSeenBlock) {
      idleBlocks = included.size === lastIncluded ? idleBlocks + (lastNumber - lastSeenBlock) : 0;
      lastIncluded = included.size;
      lastSeenBlock = lastNumber;
      progress(`${label}: submitted ${next}/${signed.length}, included ${included.size}, finalized ${finalizedAt.size}, rejected ${rejected}, block #${lastNumber}`);
    }
    if (next === signed.length && idleBlocks >= 10) break;
  }
  const ourBlocks = blocks.filter((b) => b.ours > 0);
  const first = blocks.find((b) => b.ours > 0);
  const previous = first && blocks.find((b) => b.number === first.number - 1);
  const lastBlock = ourBlocks[ourBlocks.length - 1];
  // Included per second: on-chain time from the block before the first including block (when
  // the first ones could start to be included) to the last including block.
  const chainSeconds = first && lastBlock ? (lastBlock.moment - (previous?.moment ?? first.moment - 6000)) / 1000 : NaN;
  const lastFinal = Math.max(...finalizedAt.values());
  const failed = [...included.values()].filter((i) => !i.ok).length;
  return {
    submitted: signed.length,
    included: included.size,
    finalized: finalizedAt.size,
    failed,
    dropped: signed.length - included.size,
    rejectedBySubmit: rejected,
    includedPerSecond: included.size / chainSeconds,
    finalizedPerSecond: finalizedAt.size / ((lastFinal - start) / 1000),
    blocks: ourBlocks.length,
    peakPerBlock: Math.max(0, ...ourBlocks.map((b) => b.ours)),
    meanPerFullBlock: ourBlocks.length > 2 ? ourBlocks.slice(1, -1).reduce((a, b) => a + b.ours, 0) / (ourBlocks.length - 2) : ourBlocks.reduce((a, b) => a + b.ours, 0) / Math.max(1, ourBlocks.length),
    wallSeconds: (Date.now() - start) / 1000,
  };
}

/** Submit `txs` signed by `signer` in one batch_all and wait for inclusion. */
async function setupBatch(api, signer, txs) {
  for (let i = 0; i < txs.length; i += 500) {
    await new Promise((resolve, reject) => {
      api.tx.utility.batchAll(txs.slice(i, i + 500)).signAndSend(signer, ({ status, dispatchError }) => {
        if (dispatchError) reject(new Error(dispatchError.toString()));
        else if (status.isInBlock) resolve();
      }).catch(reject);
    });
  }
}

/** A salted commitment to a record's content (random here): unique per record. */
const digest = () => ({ algorithm: 'Sha256', hash: `0x${randomBytes(32).toString('hex')}` });

/** Add the reads logged among `events` (ReadLogged: permitted, ReadDenied: denied) to `into`. */
function tallyReads(events, into) {
  for (const e of events) {
    if (e.section !== 'records') continue;
    if (e.method === 'ReadLogged') into.permitted++;
    else if (e.method === 'ReadDenied') into.denied++;
  }
  return into;
}

const scope = (category) => ({ categories: [NON_SENSITIVE[category % NON_SENSITIVE.length]], actions: ['Read'], purposes: ['TREAT'] });

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p50/p95/p99 (ms) of consent_checkAccess for `patient` as seen by `accessor`. */
async function latency(api, patient, accessor) {
  const params = [{ patient, accessor, category: 'LabResults', action: 'Read', purpose: 'TREAT' }, null];
  for (let i = 0; i < 50; i++) await rpc(api, 'consent_checkAccess', params); // warm up
  const times = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = process.hrtime.bigint();
    await rpc(api, 'consent_checkAccess', params);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), decision: await rpc(api, 'consent_checkAccess', params) };
}

/** Bytes (keys + values) under the Consent pallet's storage, at the best block. */
async function consentStateBytes(api) {
  const prefix = api.query.consent.consents.keyPrefix().slice(0, 2 + 32); // twox128("Consent")
  let total = 0;
  let startKey = null;
  for (;;) {
    const keys = await rpc(api, 'state_getKeysPaged', [prefix, 1000, startKey, null]);
    if (keys.length === 0) break;
    const [{ changes }] = await rpc(api, 'state_queryStorageAt', [keys, null]);
    for (const [k, v] of changes) total += (k.length - 2) / 2 + (v ? (v.length - 2) / 2 : 0);
    startKey = keys[keys.length - 1];
    if (keys.length < 1000) break;
  }
  return total;
}

/** The worst-case ref_time (ps) of each benchmark in the CLI's JSON-template output. */
function loadWeights(dir) {
  if (!dir) return [];
  const READ = 8_000_000; const WRITE = 50_000_000; // ParityDbWeight, ps
  const out = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.rs'))) {
    const { pallet, benchmarks } = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
    for (const b of benchmarks) {
      const max = Object.fromEntries(b.ranges.map((r) => [r.name, r.max]));
      const sum = (base, slopes) => slopes.reduce((acc, c) => acc + c.slope * (max[c.name] ?? 0), base);
      const compute = sum(b.base_weight, b.component_weight);
      const reads = sum(b.base_reads, b.component_reads);
      const writes = sum(b.base_writes, b.component_writes);
      out.push({ pallet, call: b.name, computeUs: compute / 1e6, reads, writes, refTimeUs: (compute + reads * READ + writes * WRITE) / 1e6 });
    }
  }
  return out;
}

async function main() {
  progress(`starting consent-node --dev --tmp (N=${N} per load, ${BATCHES} batches of ${BATCH} reads, sizes ${SIZES.join('/')})`);
  const node = await startDevNode({ extraArgs: ['--pool-limit', String(4 * WINDOW), '--pool-kbytes', '204800', '--rpc-max-connections', '1000'] });
  const report = { date: new Date().toISOString(), n: N, window: WINDOW, batchSize: BATCH };
  try {
    const { api, keyring, pid } = node;
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob'); // physician at organization 0 (genesis)
    await sleep(3_000);
    report.idle = memory(pid);

    const patientCount = Math.ceil(N / PER_PATIENT);
    progress(`setup: funding ${patientCount} patients`);
    const patients = Array.from({ length: patientCount }, (_, i) => keyring.addFromUri(`//bench/patient/${i}`));
    await setupBatch(api, alice, patients.map((p) => api.tx.balances.transferKeepAlive(p.address, 1_000n * UNIT)));

    // Consent: each patient grants Bob, organization 0 and its physicians up to 16 consents each.
    const grantees = [{ Practitioner: bob.address }, { Organization: 0 }, { Role: { organization: 0, role: 'Physician' } }];
    const grantCalls = Array.from({ length: N }, (_, i) => {
      const patient = patients[Math.floor(i / PER_PATIENT)];
      const k = i % PER_PATIENT;
      return [patient, api.tx.consent.grantConsent(grantees[k % 3], scope(k % 11), [], null, null)];
    });
    const transferCalls = Array.from({ length: N }, (_, i) => [patients[i % patientCount], api.tx.balances.transferAllowDeath(alice.address, UNIT / 1000n)]);
    progress('signing the transfers');
    const transfers = await presign(api, transferCalls);
    resetPeak(pid);
    progress(`load 1: ${N} balance transfers`);
    report.transfers = await runLoad(api, transfers, 'transfers');
    report.transfers.memory = memory(pid);
    progress('signing the grants');
    const grants = await presign(api, grantCalls);
    report.resetPeakWorked = resetPeak(pid);
    progress(`load 2: ${N} consent grants`);
    const beforeBytes = await consentStateBytes(api);
    report.grants = await runLoad(api, grants, 'grants');
    report.grants.memory = memory(pid);
    const afterBytes = await consentStateBytes(api);
    report.stateBytesPerConsent = (afterBytes - beforeBytes) / report.grants.included;

    // Fraction of the limit: the normal class's ref_time over one grant's (with the base).
    const weights = api.consts.system.blockWeights;
    const normal = weights.perClass.normal;
    const info = await api.call.transactionPaymentApi.queryInfo(grantCalls[0][1].toU8a(), grantCalls[0][1].encodedLength);
    const grantWeight = info.weight.refTime.toBigInt() + normal.baseExtrinsic.refTime.toBigInt();
    report.maxGrantsPerBlock = Number(normal.maxTotal.unwrap().refTime.toBigInt() / grantWeight);
    report.grantRefTimeUs = Number(grantWeight) / 1e6;

    // Records: the patients anchor their own records (owner access), in the categories they
    // consented to Bob for (spread over the patients and the non-sensitive categories).
    const anchorCalls = Array.from({ length: N }, (_, i) => {
      const patient = patients[i % patientCount];
      return [patient, api.tx.records.anchorRecord(patient.address, NON_SENSITIVE[i % NON_SENSITIVE.length], 'TREAT', 'Observation', digest(), null)];
    });
    progress('signing the anchors');
    const anchors = await presign(api, anchorCalls);
    resetPeak(pid);
    progress(`load 3: ${N} records anchored by their patients`);
    const recordIds = [];
    const recordPatient = new Map();
    report.anchors = await runLoad(api, anchors, 'anchors', { onIncluded: (events, ok) => {
      if (!ok) return;
      for (const e of events) {
        if (e.section !== 'records' || e.method !== 'RecordAnchored') continue;
        recordIds.push(e.data.recordId.toHex());
        recordPatient.set(e.data.recordId.toHex(), e.data.patient.toString());
      }
    } });
    report.anchors.memory = memory(pid);
    report.anchors.records = recordIds.length;
    if (recordIds.length === 0) throw new Error('no record was anchored: there is nothing to read');

    // Reads logged one by one: Bob logs his reads of those records himself (records.logAccess).
    const readCalls = Array.from({ length: N }, (_, i) => [bob, api.tx.records.logAccess(recordIds[i % recordIds.length], 'TREAT')]);
    progress('signing the single reads');
    const reads = await presign(api, readCalls);
    resetPeak(pid);
    progress(`load 4: ${N} reads logged one by one (records.logAccess, signed by Bob)`);
    const single = { permitted: 0, denied: 0 };
    report.singleReads = await runLoad(api, reads, 'single reads', { onIncluded: (events, ok) => { if (ok) tallyReads(events, single); } });
    report.singleReads.memory = memory(pid);
    Object.assign(report.singleReads, single, { loggedReadsPerSecond: report.singleReads.finalizedPerSecond });

    // Reads logged in batches: the hospital's gateway logs Bob's reads, BATCH per extrinsic.
    const gateway = keyring.addFromUri('//bench/gateway');
    progress('setup: a gateway of organization 0 (funded and added by Alice, its admin)');
    await setupBatch(api, alice, [
      api.tx.balances.transferKeepAlive(gateway.address, 10_000n * UNIT),
      api.tx.registry.addGateway(0, gateway.address),
    ]).catch((e) => { throw new Error(`the gateway could not be added (registry.addGateway): ${e.message}`); });
    // Two orders of the same reads. Chart views: Bob opens a patient's chart and reads all of
    // their records, patient after patient (a batch asks a few (patient, accessor) pairs, and is
    // refunded to one decision's storage reads per pair). Scattered: consecutive reads are of
    // different patients (about 250 pairs a batch: the worst case the batch is charged for).
    const chartOrder = [...recordIds].sort((x, y) => recordPatient.get(x).localeCompare(recordPatient.get(y)));
    const batchLoad = async (label, order) => {
      const calls = Array.from({ length: BATCHES }, (_, b) => [gateway, api.tx.records.logAccessBatch(
        Array.from({ length: BATCH }, (_, j) => ({ recordId: order[(b * BATCH + j) % order.length], accessor: bob.address, purpose: 'TREAT' })))]);
      progress(`signing the batches (${label})`);
      const signed = await presign(api, calls);
      resetPeak(pid);
      progress(`load: ${BATCHES} batches of ${BATCH} reads, ${label} (records.logAccessBatch, signed by the gateway)`);
      // Every included batch is checked from its events: BATCH ReadLogged/ReadDenied and a
      // BatchLogged that counts BATCH reads.
      const batched = { permitted: 0, denied: 0, verifiedBatches: 0, wrongBatches: 0 };
      const load = await runLoad(api, signed, `batches (${label})`, { onIncluded: (events, ok) => {
        if (!ok) return;
        const { permitted, denied } = tallyReads(events, { permitted: 0, denied: 0 });
        const logged = events.find((e) => e.section === 'records' && e.method === 'BatchLogged');
        batched.permitted += permitted;
        batched.denied += denied;
        batched.verifiedBatches++;
        if (permitted + denied !== BATCH || logged?.data.reads.toNumber() !== BATCH) batched.wrongBatches++;
      } });
      load.memory = memory(pid);
      const pairs = calls.map(([, tx]) => new Set(tx.args[0].map((r) => recordPatient.get(r.recordId.toHex()))).size);
      return Object.assign(load, batched, {
        batchSize: BATCH,
        pairsPerBatch: pairs.reduce((n, k) => n + k, 0) / pairs.length,
        loggedReadsPerSecond: load.finalizedPerSecond * BATCH,
        includedReadsPerSecond: load.includedPerSecond * BATCH,
      });
    };
    report.batches = await batchLoad('chart views', chartOrder);
    report.scatteredBatches = await batchLoad('scattered', recordIds);
    const batchCalls = [[gateway, api.tx.records.logAccessBatch(Array.from({ length: BATCH }, (_, j) => ({ recordId: recordIds[j % recordIds.length], accessor: bob.address, purpose: 'TREAT' })))]];

    // The weight each loaded extrinsic declares on chain (with the extrinsic base), and how
    // many of it the normal class allows per block.
    report.declared = [];
    for (const [name, tx, perExtrinsic] of [
      ['balances.transferAllowDeath', transferCalls[0][1], 0], ['consent.grantConsent', grantCalls[0][1], 0],
      ['records.anchorRecord', anchorCalls[0][1], 0], ['records.logAccess', readCalls[0][1], 1],
      [`records.logAccessBatch (${BATCH} reads)`, batchCalls[0][1], BATCH]]) {
      const q = await api.call.transactionPaymentApi.queryInfo(tx.toU8a(), tx.encodedLength);
      const refTime = q.weight.refTime.toBigInt() + normal.baseExtrinsic.refTime.toBigInt();
      report.declared.push({ extrinsic: name, refTimeUs: Number(refTime) / 1e6, perBlock: Number(normal.maxTotal.unwrap().refTime.toBigInt() / refTime), reads: perExtrinsic });
    }

    // Access-check latency for patients holding 1, 100, ... consents. Each patient's first
    // consent names Bob for lab results; the others name other practitioners (at most 32 each,
    // the per-grantee bound), so the answer is the same and only the patient's size changes.
    // All sizes are set up in one load, followed to inclusion (the RPC answers at the best block).
    progress(`latency: patients with ${SIZES.join(', ')} consents`);
    const sized = SIZES.map((size) => ({
      size,
      patient: keyring.addFromUri(`//bench/sized/${size}`),
      others: Array.from({ length: Math.ceil((size - 1) / 32) }, (_, i) => keyring.addFromUri(`//bench/practitioner/${size}/${i}`)),
    }));
    await setupBatch(api, alice, sized.flatMap(({ patient, others }) => [
      api.tx.balances.transferKeepAlive(patient.address, 10_000n * UNIT),
      ...others.map((p) => api.tx.registry.registerPractitioner(0, p.address, ['Physician'], 4_102_444_800_000, `0x${'00'.repeat(32)}`, false)),
    ]));
    const sizedCalls = sized.flatMap(({ size, patient, others }) => [
      [patient, api.tx.consent.grantConsent({ Practitioner: bob.address }, scope(6), [], null, null)],
      ...Array.from({ length: size - 1 }, (_, i) => [patient, api.tx.consent.grantConsent({ Practitioner: others[Math.floor(i / 32)].address }, scope(i % 11), [], null, null)]),
    ]);
    await runLoad(api, await presign(api, sizedCalls), 'latency setup', { until: 'included' });
    report.latency = [];
    for (const { size, patient } of sized) {
      progress(`latency: a patient with ${size} consents`);
      const held = (await rpc(api, 'consent_consentsOf', [patient.address, null])).length;
      const result = await latency(api, patient.address, bob.address);
      report.latency.push({ consents: held, dropped: size - held, ...result });
    }
    report.weights = loadWeights(args.weights);
  } finally {
    await node.stop();
  }
  print(report);
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
  if (args.check) check(report);
}

/** The loads, by name, in the order they ran. */
const loads = (r) => [['balance transfers', r.transfers], ['consent grants', r.grants], ['records anchored', r.anchors],
  ['reads logged one by one', r.singleReads], [`reads logged in batches of ${r.batchSize}, chart views`, r.batches],
  [`reads logged in batches of ${r.batchSize}, scattered`, r.scatteredBatches]];

/** The generated weights the targets read. */
const TARGET_WEIGHTS = [['pallet_consent', 'check_access'], ['pallet_consent', 'grant_consent'], ['pallet_balances', 'transfer_allow_death']];

/** The worst-case ref_time of check_access before issue 16 (µs, ParityDB weights). */
const CHECK_ACCESS_BEFORE_US = 4_027.6;

/** For the smoke run: the numbers must come from a load that really happened. */
function check(r) {
  const problems = [];
  for (const [name, l] of loads(r)) {
    if (!(l.submitted > 0)) problems.push(`${name}: nothing submitted`);
    if (l.included !== l.submitted || l.finalized !== l.included) problems.push(`${name}: ${l.included}/${l.finalized} of ${l.submitted} included/finalized`);
    if (l.failed !== 0) problems.push(`${name}: ${l.failed} failed`);
    if (!(l.finalizedPerSecond > 0)) problems.push(`${name}: no finalized rate`);
  }
  for (const l of r.latency) {
    if (!l.decision?.Permit?.Consent && l.decision?.Permit?.Consent !== 0) problems.push(`latency at ${l.consents}: ${JSON.stringify(l.decision)}`);
  }
  if (r.anchors.records !== r.anchors.included) problems.push(`anchors: ${r.anchors.records} RecordAnchored events for ${r.anchors.included} included`);
  const s = r.singleReads;
  if (s.permitted + s.denied !== s.included) problems.push(`single reads: ${s.permitted + s.denied} reads logged by ${s.included} extrinsics`);
  for (const [name, b] of [['chart-view batches', r.batches], ['scattered batches', r.scatteredBatches]]) {
    if (b.verifiedBatches !== b.included || b.wrongBatches !== 0) {
      problems.push(`${name}: ${b.wrongBatches} of ${b.verifiedBatches} checked did not log ${b.batchSize} reads (${b.included} included)`);
    }
    if (b.permitted + b.denied !== b.included * b.batchSize) problems.push(`${name}: ${b.permitted + b.denied} reads logged by ${b.included} batches of ${b.batchSize}`);
  }
  if (!(r.stateBytesPerConsent > 0)) problems.push('no state measured');
  if (r.weights.length === 0) problems.push('no weights read');
  for (const [pallet, call] of TARGET_WEIGHTS) {
    if (r.weights.length && !r.weights.some((x) => x.pallet === pallet && x.call === call)) problems.push(`no generated weight for ${pallet}::${call}`);
  }
  if (problems.length) {
    process.stderr.write(`bench check failed:\n  ${problems.join('\n  ')}\n`);
    process.exit(1);
  }
}

function print(r) {
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const t = r.transfers; const g = r.grants; const a = r.anchors; const s = r.singleReads; const b = r.batches;
  const lat1 = r.latency[0]; const latN = r.latency[r.latency.length - 1];
  const w = (pallet, call) => r.weights.find((x) => x.pallet === pallet && x.call === call);
  const wGrant = w('pallet_consent', 'grant_consent'); const wTransfer = w('pallet_balances', 'transfer_allow_death');
  const wCheck = w('pallet_consent', 'check_access');
  const mark = (ok) => (ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');
  const ratio = (x, y) => (x !== undefined && y ? x / y : undefined);
  const lines = [
    `Consent Chain benchmark, ${r.date}, N=${r.n} per load (batches: ${r.batches.submitted} of ${r.batchSize} reads), submission window ${r.window}`,
    '',
    '| load | submitted | included | finalized | dropped | failed | included/s | finalized/s | peak/block | mean/block | node peak RSS | node RSS after |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...loads(r).map(([name, l]) => `| ${name} | ${l.submitted} | ${l.included} | ${l.finalized} | ${l.dropped} | ${l.failed} | ${f(l.includedPerSecond)} | ${f(l.finalizedPerSecond)} | ${l.peakPerBlock} | ${f(l.meanPerFullBlock)} | ${f(l.memory.peakKb / 1024)} MiB | ${f(l.memory.rssKb / 1024)} MiB |`),
    '',
    `records anchored per second (anchor_record, finalized): ${f(a.finalizedPerSecond)} (${a.records} RecordAnchored events)`,
    `logged reads per second, single (log_access, finalized): ${f(s.loggedReadsPerSecond)} (${s.permitted} permitted, ${s.denied} denied)`,
    ...[['chart views', b], ['scattered', r.scatteredBatches]].map(([label, x]) =>
      `logged reads per second, batched, ${label} (log_access_batch, ${f(x.pairsPerBatch)} (patient, accessor) pairs a batch, finalized): ${f(x.loggedReadsPerSecond)} = ${f(x.finalizedPerSecond, 2)} batches/s x ${x.batchSize}`
      + ` (${x.verifiedBatches} batches checked from their events, ${x.wrongBatches} not logging ${x.batchSize} reads; ${x.permitted} permitted, ${x.denied} denied);`
      + ` ${f(ratio(x.loggedReadsPerSecond, t.finalizedPerSecond))} x the finalized transfers/s`),
    `idle node RSS before the loads: ${f(r.idle.rssKb / 1024)} MiB${r.resetPeakWorked ? '' : ' (peak could not be reset between loads: each peak includes the loads before it)'}`,
    `grant weight with the extrinsic base: ${f(r.grantRefTimeUs)} µs ref_time; the normal class allows ${r.maxGrantsPerBlock} grants per block`,
    `state per consent (Consent pallet keys + values): ${f(r.stateBytesPerConsent)} bytes`,
    '',
    '| consents held by the patient | p50 ms | p95 ms | p99 ms | decision |',
    '| ---: | ---: | ---: | ---: | --- |',
    ...r.latency.map((l) => `| ${l.consents} | ${f(l.p50, 3)} | ${f(l.p95, 3)} | ${f(l.p99, 3)} | ${JSON.stringify(l.decision)} |`),
    '',
  ];
  const wCount = w('pallet_enrolment', 'count_free_call');
  if (wGrant && wCount) {
    lines.push(`grant_consent weight: paid by the patient ${f(wGrant.refTimeUs)} µs ref_time plus the fee; free for an enrolled patient ${f(wGrant.refTimeUs + wCount.refTimeUs)} µs (+ ${f(wCount.refTimeUs)} µs for the free-call count: ${wCount.reads} reads, ${wCount.writes} write), no fee`, '');
  }
  if (r.declared?.length) {
    const dTransfer = r.declared[0];
    lines.push('| declared on chain (with the extrinsic base) | ref_time µs | x transfer | per block (normal class) | µs per read |', '| --- | ---: | ---: | ---: | ---: |');
    for (const d of r.declared) {
      lines.push(`| ${d.extrinsic} | ${f(d.refTimeUs)} | ${f(d.refTimeUs / dTransfer.refTimeUs, 2)} | ${d.perBlock}${d.reads > 1 ? ` (${d.perBlock * d.reads} reads)` : ''} | ${d.reads ? f(d.refTimeUs / d.reads) : ''} |`);
    }
    lines.push('');
  }
  if (r.weights.length) {
    lines.push('| generated weight (worst case) | compute µs | reads | writes | ref_time µs (ParityDB) | x transfer_allow_death |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const x of r.weights.sort((p, q) => p.pallet.localeCompare(q.pallet) || p.call.localeCompare(q.call))) {
      lines.push(`| ${x.pallet}::${x.call} | ${f(x.computeUs)} | ${x.reads} | ${x.writes} | ${f(x.refTimeUs)} | ${wTransfer ? f(x.refTimeUs / wTransfer.refTimeUs, 2) : 'n/a'} |`);
    }
    lines.push('');
  }
  const all = loads(r).map(([, l]) => l);
  const targets = [
    [`worst-case check_access ref_time <= 1/10 of ${CHECK_ACCESS_BEFORE_US} µs (µs)`, wCheck?.refTimeUs, (x) => x <= CHECK_ACCESS_BEFORE_US / 10],
    ['worst-case check_access storage reads <= 12', wCheck?.reads, (x) => x <= 12],
    [`p99 checkAccess RPC at ${latN.consents} consents <= 1.1 x at ${lat1.consents}`, ratio(latN.p99, lat1.p99), (x) => x <= 1.1],
    [`p99 checkAccess RPC at ${latN.consents} consents <= 2 ms`, latN.p99, (x) => x <= 2],
    ['batched logged reads/s (chart views) >= 10 x finalized transfers/s (both finalized)', ratio(b.loggedReadsPerSecond, t.finalizedPerSecond), (x) => x >= 10],
    ['weight of grant_consent <= 2.0 x transfer_allow_death', ratio(wGrant?.refTimeUs, wTransfer?.refTimeUs), (x) => x <= 2.0],
    ['finalized grants/s >= 0.9 x finalized transfers/s', ratio(g.finalizedPerSecond, t.finalizedPerSecond), (x) => x >= 0.9],
    ['measured grants per block >= 50% of the weight limit', ratio(g.peakPerBlock, r.maxGrantsPerBlock), (x) => x >= 0.5],
    ['state per consent <= 200 bytes', r.stateBytesPerConsent, (x) => x <= 200],
    ['peak RSS under grants <= 1.5 x under transfers', ratio(g.memory.peakKb, t.memory.peakKb), (x) => x <= 1.5],
    ['no extrinsic dropped or failed, in any load', all.reduce((n, l) => n + l.dropped + l.failed, 0), (x) => x === 0],
  ];
  lines.push('| target | measured | |', '| --- | ---: | --- |');
  for (const [name, value, ok] of targets) lines.push(`| ${name} | ${value === undefined ? 'n/a' : f(value, 3)} | ${mark(value === undefined ? undefined : ok(value))} |`);
  r.targets = targets.map(([name, value, ok]) => ({ name, value, met: value === undefined ? null : ok(value) }));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
