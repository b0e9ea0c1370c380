// The Consent Chain performance benchmark: consent grants against balance transfers on one fresh
// `consent-node --dev --tmp`, the access-check latency as a patient's consents grow, the state a
// consent takes, the node's memory, and the generated weights side by side.
//
// A real client: @polkadot/api over the node's WebSocket RPC. Extrinsics are signed ahead
// (immortal, nonces managed here) so that signing never paces the load; they are submitted with
// `author_submitExtrinsic` keeping at most WINDOW of them in the pool, and followed block by
// block until every one is finalized or declared dropped.
//
// Usage: node bench/bench.mjs --n 12000 [--sizes 1,100,10000] [--samples 2000]
//          [--weights DIR] [--json FILE]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { startDevNode, sleep, rpc, NON_SENSITIVE } from '../lib/node.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
  return acc;
}, []));
const N = Number(args.n ?? 12_000);
const SIZES = (args.sizes ?? '1,100,10000').split(',').map(Number);
const SAMPLES = Number(args.samples ?? 2_000);
const WINDOW = Number(args.window ?? 4_000);
const PER_PATIENT = 90; // three grantee keys, 30 consents each: under MaxConsentsPerGrantee (32)
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
 * (or no block has included any for 10 blocks). Returns the counts and rates.
 */
async function runLoad(api, signed, label) {
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
      let ours = 0;
      block.block.extrinsics.forEach((ext, index) => {
        const h = ext.hash.toHex();
        if (!pending.has(h) || included.has(h)) return;
        const failed = events.some(({ phase, event }) => phase.isApplyExtrinsic
          && phase.asApplyExtrinsic.toNumber() === index && event.section === 'system' && event.method === 'ExtrinsicFailed');
        included.set(h, { block: n, ok: !failed });
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
  while (finalizedAt.size + rejected < signed.length) {
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

const scope = (category) => ({ categories: [NON_SENSITIVE[category % NON_SENSITIVE.length]], actions: ['Read'], purposes: ['TREAT'] });

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p50/p95/p99 (ms) of consent_checkAccess for `patient` as seen by `accessor`. */
async function latency(api, patient, accessor) {
  const params = [patient, accessor, 'LabResults', 'Read', 'TREAT', null, null];
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
  progress(`starting consent-node --dev --tmp (N=${N} per load, sizes ${SIZES.join('/')})`);
  const node = await startDevNode({ extraArgs: ['--pool-limit', String(4 * WINDOW), '--pool-kbytes', '204800', '--rpc-max-connections', '1000'] });
  const report = { date: new Date().toISOString(), n: N, window: WINDOW };
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

    // Consent: each patient grants Bob, organization 0 and its physicians up to 30 consents each.
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

    // Access-check latency for patients holding 1, 100, ... consents. Each patient's first
    // consent names Bob for lab results; the others name other practitioners (at most 32 each,
    // the per-grantee bound), so the answer is the same and only the patient's size changes.
    report.latency = [];
    for (const size of SIZES) {
      const patient = keyring.addFromUri(`//bench/sized/${size}`);
      progress(`latency: a patient with ${size} consents`);
      const others = Array.from({ length: Math.ceil((size - 1) / 32) }, (_, i) => keyring.addFromUri(`//bench/practitioner/${size}/${i}`));
      await setupBatch(api, alice, [
        api.tx.balances.transferKeepAlive(patient.address, 10_000n * UNIT),
        ...others.map((p) => api.tx.registry.registerPractitioner(0, p.address, ['Physician'], 4_102_444_800_000, `0x${'00'.repeat(32)}`, false)),
      ]);
      const calls = [[patient, api.tx.consent.grantConsent({ Practitioner: bob.address }, scope(6), [], null, null)]];
      for (let i = 0; i < size - 1; i++) {
        calls.push([patient, api.tx.consent.grantConsent({ Practitioner: others[Math.floor(i / 32)].address }, scope(i % 11), [], null, null)]);
      }
      const load = await runLoad(api, await presign(api, calls), `${size} consents`);
      const held = (await rpc(api, 'consent_consentsOf', [patient.address, null])).length;
      const result = await latency(api, patient.address, bob.address);
      report.latency.push({ consents: held, dropped: load.dropped, ...result });
    }
    report.weights = loadWeights(args.weights);
  } finally {
    await node.stop();
  }
  print(report);
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
  if (args.check) check(report);
}

/** For the smoke run: the numbers must come from a load that really happened. */
function check(r) {
  const problems = [];
  for (const [name, l] of [['transfers', r.transfers], ['grants', r.grants]]) {
    if (l.included !== l.submitted || l.finalized !== l.included) problems.push(`${name}: ${l.included}/${l.finalized} of ${l.submitted} included/finalized`);
    if (l.failed !== 0) problems.push(`${name}: ${l.failed} failed`);
    if (!(l.finalizedPerSecond > 0)) problems.push(`${name}: no finalized rate`);
  }
  for (const l of r.latency) {
    if (!l.decision?.Permit?.Consent && l.decision?.Permit?.Consent !== 0) problems.push(`latency at ${l.consents}: ${JSON.stringify(l.decision)}`);
  }
  if (!(r.stateBytesPerConsent > 0)) problems.push('no state measured');
  if (r.weights.length === 0) problems.push('no weights read');
  if (problems.length) {
    process.stderr.write(`bench check failed:\n  ${problems.join('\n  ')}\n`);
    process.exit(1);
  }
}

function print(r) {
  const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  const t = r.transfers; const g = r.grants;
  const lat1 = r.latency[0]; const latN = r.latency[r.latency.length - 1];
  const w = (pallet, call) => r.weights.find((x) => x.pallet === pallet && x.call === call);
  const wGrant = w('pallet_consent', 'grant_consent'); const wTransfer = w('pallet_balances', 'transfer_allow_death');
  const mark = (ok) => (ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');
  const lines = [
    `Consent Chain benchmark, ${r.date}, N=${r.n} per load, submission window ${r.window}`,
    '',
    '| load | submitted | included | finalized | dropped | failed | included/s | finalized/s | peak/block | mean/block | node peak RSS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[['balance transfers', t], ['consent grants', g]].map(([name, l]) => `| ${name} | ${l.submitted} | ${l.included} | ${l.finalized} | ${l.dropped} | ${l.failed} | ${f(l.includedPerSecond)} | ${f(l.finalizedPerSecond)} | ${l.peakPerBlock} | ${f(l.meanPerFullBlock)} | ${f(l.memory.peakKb / 1024)} MiB |`),
    '',
    `idle node RSS before the loads: ${f(r.idle.rssKb / 1024)} MiB${r.resetPeakWorked ? '' : ' (peak could not be reset between loads: the grant peak includes the transfer load)'}`,
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
  if (r.weights.length) {
    lines.push('| generated weight (worst case) | compute µs | reads | writes | ref_time µs (ParityDB) |', '| --- | ---: | ---: | ---: | ---: |');
    for (const x of r.weights.sort((a, b) => a.pallet.localeCompare(b.pallet) || a.call.localeCompare(b.call))) {
      lines.push(`| ${x.pallet}::${x.call} | ${f(x.computeUs)} | ${x.reads} | ${x.writes} | ${f(x.refTimeUs)} |`);
    }
    lines.push('');
  }
  const ratio = (a, b) => (a && b ? a / b : undefined);
  const targets = [
    ['weight of grant_consent <= 1.0 x transfer_allow_death', ratio(wGrant?.refTimeUs, wTransfer?.refTimeUs), (x) => x <= 1.0],
    ['finalized grants/s >= 0.9 x finalized transfers/s', ratio(g.finalizedPerSecond, t.finalizedPerSecond), (x) => x >= 0.9],
    ['measured grants per block >= 50% of the weight limit', ratio(g.peakPerBlock, r.maxGrantsPerBlock), (x) => x >= 0.5],
    ['p99 checkAccess at the largest size <= 1.1 x at 1 consent', ratio(latN.p99, lat1.p99), (x) => x <= 1.1],
    ['p99 checkAccess at the largest size <= 2 ms', latN.p99, (x) => x <= 2],
    ['state per consent <= 200 bytes', r.stateBytesPerConsent, (x) => x <= 200],
    ['peak RSS under grants <= 1.5 x under transfers', ratio(g.memory.peakKb, t.memory.peakKb), (x) => x <= 1.5],
    ['no extrinsic dropped', t.dropped + g.dropped, (x) => x === 0],
  ];
  lines.push('| target | measured | |', '| --- | ---: | --- |');
  for (const [name, value, ok] of targets) lines.push(`| ${name} | ${value === undefined ? 'n/a' : f(value, 3)} | ${mark(value === undefined ? undefined : ok(value))} |`);
  r.targets = targets.map(([name, value, ok]) => ({ name, value, met: value === undefined ? null : ok(value) }));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
