// scripts/docker-test's fault test of docker/compose.yaml (+ docker/test/compose.test.yaml): the
// four `local` validators in containers, a load of consent grants through Alice's published RPC
// (127.0.0.1 only), and the faults: two validators stopped one after the other and started again,
// a 3 | 1 and a 2 | 2 partition of the compose network, all four containers recreated from their volumes.
// Every other node is read inside its own container (bash /dev/tcp to its 127.0.0.1:9944), so all
// traffic stays on the containers' networks and 127.0.0.1. The audit service (consent-audit,
// following Alice's finalized blocks, its port published on 127.0.0.1 only) is read throughout: it
// keeps up with finality through the faults, its own restart, Alice's and the recreate, and its
// trail holds every consent the chain holds. Prints "docker-test: N passed, M failed".
// Env: COMPOSE_JSON (the compose command, as a JSON array), PROJECT, CONSENT_IMAGE,
// CONSENT_AUDIT_IMAGE, KEEP=1 (no teardown).
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// @polkadot/api from the e2e client's locked install (this file lives outside that package).
const modules = new URL('../../e2e/node_modules/', import.meta.url);
const { ApiPromise, WsProvider } = await import(new URL('@polkadot/api/index.js', modules));
const { Keyring } = await import(new URL('@polkadot/keyring/index.js', modules));
const { cryptoWaitReady } = await import(new URL('@polkadot/util-crypto/index.js', modules));
const { stringToU8a, u8aToHex } = await import(new URL('@polkadot/util/index.js', modules));

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE = JSON.parse(process.env.COMPOSE_JSON ?? '["docker", "compose"]');
const PROJECT = process.env.PROJECT ?? 'consent-docker-test';
const FILES = ['-f', 'docker/compose.yaml', '-f', 'docker/test/compose.test.yaml'];
const NAMES = ['alice', 'bob', 'charlie', 'dave'];
const sh = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const secs = (since = t0) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const say = (msg) => process.stdout.write(`# [${secs().padStart(5)}] ${msg}\n`);

const results = [];
function check(ok, what) {
  results.push({ ok: !!ok, what });
  process.stdout.write(`${ok ? 'ok' : 'not ok'} ${results.length} - ${what}\n`);
  return !!ok;
}

async function run(cmd, args, opts = {}) {
  const { stdout } = await sh(cmd, args, { cwd: ROOT, maxBuffer: 64 << 20, ...opts });
  return stdout.trim();
}
let rpcPort;
let auditPort;
const compose = (...args) => run(COMPOSE[0], [...COMPOSE.slice(1), '-p', PROJECT, ...FILES, ...args],
  { env: { ...process.env, CONSENT_RPC_PORT: String(rpcPort), CONSENT_AUDIT_PORT: String(auditPort) } });
const docker = (...args) => run('docker', args);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

// JSON-RPC over HTTP inside a container, to the node's own 127.0.0.1:9944.
const RPC_SH = `exec 3<>/dev/tcp/127.0.0.1/9944 || exit 7
printf 'POST / HTTP/1.0\\r\\nHost: localhost:9944\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n%s' "\${#1}" "$1" >&3
timeout 10 cat <&3`;
const ids = {};
async function rpc(name, method, params = []) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const out = await run('docker', ['exec', ids[name], 'bash', '-c', RPC_SH, 'rpc', body], { timeout: 20_000 });
  const json = JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4));
  if (json.error) throw new Error(`${name} ${method}: ${JSON.stringify(json.error)}`);
  return json.result;
}
async function heights(name) {
  const [best, finalizedHash] = await Promise.all([rpc(name, 'chain_getHeader'), rpc(name, 'chain_getFinalizedHead')]);
  const finalized = await rpc(name, 'chain_getHeader', [finalizedHash]);
  const h = { best: parseInt(best.number, 16), finalized: parseInt(finalized.number, 16), finalizedHash };
  h.bestHash = await rpc(name, 'chain_getBlockHash', [h.best]);
  noteFinalized(name, h.finalized, finalizedHash);
  return h;
}
const all = (names, f) => Promise.all(names.map(f));

// The audit service, through its port published on 127.0.0.1. GET `path` (with a bearer token if
// any): { status, body (parsed JSON, or the text), text }.
async function auditGet(path, token, init = {}) {
  const headers = { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(/^https?:/.test(path) ? path : `http://127.0.0.1:${auditPort}${path}`,
    { headers, signal: AbortSignal.timeout(10_000), ...init });
  const text = await res.text();
  let body = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body, text };
}
async function auditStatus() {
  const res = await auditGet('/status');
  if (res.status !== 200) throw new Error(`GET /status: ${res.status} ${res.text}`);
  return res.body;
}
// Until the service has ingested block `number` (and says no ingest error); resolves the last /status.
async function auditReaches(what, number, timeoutMs = 90_000) {
  let last = null;
  await until(`the audit service ingesting #${number} (${what})`, async () => {
    last = await auditStatus();
    return last.ingestError === null && last.ingested !== null && last.ingested >= number;
  }, timeoutMs, 1_000);
  return last ?? { ingested: null, ingestError: 'no answer' };
}
// A bearer token for `pair` (sr25519): the service's challenge, signed.
async function auditLogin(pair) {
  const post = (path, body) => auditGet(path, null, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const { body: { challenge } } = await post('/auth/challenge', { account: pair.address });
  const res = await post('/auth/token', { account: pair.address, challenge, signature: u8aToHex(pair.sign(stringToU8a(challenge))) });
  if (res.status !== 200) throw new Error(`POST /auth/token: ${res.status} ${res.text}`);
  return res.body.access_token;
}
// Every resource of a search, following the Bundles' next links (absolute: the --public-url).
async function auditSearch(path, token) {
  const found = [];
  for (let next = path, pages = 0; next; pages++) {
    if (pages > 100) throw new Error(`more than 100 pages for ${path}`);
    const res = await auditGet(next, token);
    if (res.status !== 200 || res.body.resourceType !== 'Bundle') throw new Error(`GET ${next}: ${res.status} ${res.text.slice(0, 500)}`);
    for (const e of res.body.entry ?? []) found.push(e.resource);
    next = (res.body.link ?? []).find((l) => l.relation === 'next')?.url;
  }
  return found;
}
// /status as the sampler saw it: ingested must never go back, and no ingest error ever.
const auditSeen = [];
const fmt = (hs, names) => names.map((n, i) => `${n} #${hs[i].best}/#${hs[i].finalized}`).join(', ');

// Every finalized block any node reported: number -> hash -> nodes. Two hashes at one number would
// be conflicting finalized blocks.
const finalizedSeen = new Map();
function noteFinalized(name, number, hash) {
  if (!finalizedSeen.has(number)) finalizedSeen.set(number, new Map());
  const byHash = finalizedSeen.get(number);
  if (!byHash.has(hash)) byHash.set(hash, new Set());
  byHash.get(hash).add(name);
}
// Sample every node every 2 s in the background (what a node finalizes while cut off counts too).
let sampling = true;
const down = new Set();
const sampler = (async () => {
  while (sampling) {
    await Promise.all(NAMES.filter((n) => !down.has(n)).map((n) => heights(n).catch(() => {})));
    if (ids.audit) {
      await auditStatus().then((st) => auditSeen.push({ at: Date.now(), ingested: st.ingested, error: st.ingestError }), () => {});
    }
    await sleep(2_000);
  }
})();

async function until(what, cond, timeoutMs = 180_000, everyMs = 2_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try { if (await cond()) return true; } catch (e) { last = e; }
    if (Date.now() > deadline) {
      say(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (${last.message})` : ''}`);
      return false;
    }
    await sleep(everyMs);
  }
}

let api;
let keepLoad = false;
const grants = [];
let phase = 'all up';
async function connectApi() {
  const provider = new WsProvider(`ws://127.0.0.1:${rpcPort}`, 1_000);
  api = await ApiPromise.create({ provider, noInitWarn: true });
}

// The load: grants to the four organizations' roles, round robin over six patients, one every
// 400 ms through Alice's node, immortal (an era's birth block could be on a fork that loses) and
// with explicit nonces. Each is followed to finalization.
const NON_SENSITIVE = ['Demographics', 'Allergies', 'Medications', 'Conditions', 'Procedures',
  'Immunizations', 'LabResults', 'Imaging', 'VitalSigns', 'ClinicalNotes', 'Billing'];
const ROLES = ['Physician', 'Nurse', 'Pharmacist', 'Researcher', 'Auditor', 'Technician', 'Paramedic', 'Billing'];
async function load(patients) {
  const nonces = await Promise.all(patients.map(async (p) => (await api.rpc.system.accountNextIndex(p.address)).toNumber()));
  for (let i = 0; keepLoad; i++) {
    const who = i % patients.length;
    const k = Math.floor(i / patients.length);
    const grantee = { Role: { organization: k % 4, role: ROLES[Math.floor(k / 4) % 8] } };
    const tx = api.tx.consent.grantConsent(grantee, { categories: [NON_SENSITIVE[i % NON_SENSITIVE.length]], actions: ['Read'], purposes: ['TREAT'] }, [], null, null);
    const entry = { patient: who, phase, finalized: false, failed: null, hash: null };
    grants.push(entry);
    tx.signAndSend(patients[who], { nonce: nonces[who]++, era: 0 }, ({ status, dispatchError }) => {
      if (dispatchError) entry.failed = dispatchError.toString();
      if (status.isFinalized) entry.finalized = true;
      if (status.isRetracted) entry.retracted = true;
      if (status.isDropped || status.isInvalid || status.isUsurped) entry.failed = status.type;
    }).then(() => { entry.hash = tx.hash.toHex(); }, (e) => { entry.failed = e.message; });
    await sleep(400);
  }
}

async function containerIds() {
  for (const n of [...NAMES, 'audit']) ids[n] = await compose('ps', '-q', n);
}
async function networks(name) {
  return JSON.parse(await docker('inspect', '-f', '{{json .NetworkSettings.Networks}}', ids[name]));
}
// Partitions: a container leaves the pair networks (ab, ac, ...: docker/test/compose.test.yaml)
// that join it to the other side, and comes back to each with its old address.
const cutFrom = {};
async function cut(name, pairs) {
  const nets = await networks(name);
  cutFrom[name] = [];
  for (const pair of pairs) {
    const full = Object.keys(nets).find((k) => k.endsWith(`_${pair}`));
    cutFrom[name].push({ full, ip: nets[full].IPAddress });
    await docker('network', 'disconnect', full, ids[name]);
  }
}
async function heal(name) {
  for (const { full, ip } of cutFrom[name]) await docker('network', 'connect', '--ip', ip, '--alias', name, full, ids[name]);
}
// Whether `name` has the block `hash` (a block of the other side of a partition it must not have).
const knows = async (name, hash) => (await rpc(name, 'chain_getHeader', [hash])) !== null;
const peers = async (name) => (await rpc(name, 'system_health')).peers;

async function ready(names, minPeers) {
  return until(`${names.join(', ')} peered (${minPeers}+) and finalizing`, async () => {
    const ps = await all(names, peers);
    if (!ps.every((p) => p >= minPeers)) return false;
    return (await heights(names[0])).finalized >= 1;
  }, 180_000);
}

let failedHard = null;
async function main() {
  await cryptoWaitReady();
  rpcPort = await freePort();
  auditPort = await freePort();
  const keyring = new Keyring({ type: 'sr25519' });
  const patients = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((s) => keyring.addFromUri(s));

  say(`compose up (project ${PROJECT}, Alice's RPC on 127.0.0.1:${rpcPort}, the audit service on 127.0.0.1:${auditPort})`);
  await compose('down', '-v', '--remove-orphans').catch(() => {});
  let t = Date.now();
  await compose('up', '-d', '--no-build');
  await containerIds();
  if (!check(await ready(NAMES, 3), 'the four validators peer and finalize')) throw new Error('network did not start');
  say(`network up and finalizing in ${secs(t)}; charlie's networks: ${Object.keys(await networks('charlie')).join(', ')}`);
  const users = await all(['alice', 'audit'], (n) => docker('inspect', '-f', '{{.Config.User}}', ids[n]));
  check(users.every((u) => u === 'consent'), `the containers run as user consent (node: ${users[0]}, audit service: ${users[1]})`);
  const withAudit = [...NAMES, 'audit'];
  await until('healthcheck healthy', async () => (await all(withAudit, async (n) => docker('inspect', '-f', '{{.State.Health.Status}}', ids[n]))).every((s) => s === 'healthy'), 90_000, 3_000);
  const health = await all(withAudit, (n) => docker('inspect', '-f', '{{.State.Health.Status}}', ids[n]));
  check(health.slice(0, 4).every((s) => s === 'healthy'), `the healthcheck (GET /health on 9944) reports healthy: ${health.slice(0, 4).join(', ')}`);
  check(health[4] === 'healthy', `audit: the healthcheck (GET /status on 8090, no ingest error) reports healthy: ${health[4]}`);

  // --- the audit service follows Alice's finality from genesis (Alice is an archive node).
  const genesis = await rpc('alice', 'chain_getBlockHash', [0]);
  const finalizedNow = (await heights('alice')).finalized;
  const st = await auditReaches('at the start', finalizedNow, 60_000);
  const auditStart = st.ingested;
  check(st.genesis === genesis && st.database === 'sqlite' && st.ingestError === null && st.ingested >= finalizedNow,
    `audit: /status ingests Alice's finalized chain: ingested #${st.ingested}, finalized #${st.finalized} (alice #${finalizedNow}), ${st.database}, genesis ${st.genesis === genesis ? 'matches' : `${st.genesis} is not ${genesis}`}`);
  const meta = await auditGet('/fhir/metadata');
  check(meta.status === 200 && meta.body.resourceType === 'CapabilityStatement' && meta.body.fhirVersion === '5.0.0',
    `audit: /fhir/metadata is a CapabilityStatement of FHIR ${meta.body.fhirVersion} (HTTP ${meta.status})`);
  const anon = await auditGet('/fhir/AuditEvent');
  check(anon.status === 401 && anon.body.resourceType === 'OperationOutcome',
    `audit: GET /fhir/AuditEvent without a token is refused: HTTP ${anon.status}, ${anon.body.resourceType}`);

  await connectApi();
  keepLoad = true;
  const loadDone = load(patients);
  await sleep(12_000);

  // --- one stopped: 3 of 4 GRANDPA voters remain, above two thirds.
  phase = 'dave stopped';
  t = Date.now();
  await docker('stop', '-t', '30', ids.dave); down.add('dave');
  say(`dave stopped (${secs(t)})`);
  // Meanwhile the audit service's container restarts (SIGTERM, then a new process on its volume),
  // while grants are being finalized.
  const beforeRestart = await auditStatus();
  await docker('restart', '-t', '10', ids.audit);
  const resumedAt = await auditReaches('after its restart', beforeRestart.ingested, 30_000);
  say(`audit service restarted: ingested #${beforeRestart.ingested} before, #${resumedAt.ingested} after`);
  // Three finalized blocks past the stop, however slow the (shared, loaded) machine makes the slots:
  // a fixed 30 s window saw only two blocks authored on a busy CI run.
  let a = await heights('alice');
  const goesOn = await until('finality with three of four', async () => (await heights('alice')).finalized >= a.finalized + 3, 150_000, 3_000);
  let b = await heights('alice');
  say(`one stopped: alice best #${a.best} -> #${b.best}, finalized #${a.finalized} -> #${b.finalized} (in ${secs(t)})`);
  check(goesOn && b.finalized >= a.finalized + 3, 'one validator stopped: finality continues');
  const afterRestart = await auditReaches('after its restart, on with finality', b.finalized, 30_000);
  check(resumedAt.ingested >= beforeRestart.ingested && resumedAt.ingestError === null && afterRestart.ingested >= b.finalized,
    `audit: its container restarted, it resumes from its cursor (#${beforeRestart.ingested} before, #${resumedAt.ingested} at once after, no error) and goes on to #${afterRestart.ingested}`);

  // --- two stopped: 2 of 4 voters, no finality; Alice and Bob keep authoring in their slots.
  phase = 'charlie and dave stopped';
  const charlieBefore = await heights('charlie');
  await docker('stop', '-t', '30', ids.charlie); down.add('charlie');
  await sleep(12_000); // rounds under way may still conclude
  a = await heights('alice');
  await sleep(30_000);
  b = await heights('alice');
  say(`two stopped: alice best #${a.best} -> #${b.best}, finalized #${a.finalized} -> #${b.finalized}`);
  check(b.best >= a.best + 2, 'two validators stopped: blocks continue');
  check(b.finalized === a.finalized, 'two validators stopped: finality stalls');

  // --- both start from their volumes.
  phase = 'charlie and dave restarting';
  t = Date.now();
  await docker('start', ids.charlie, ids.dave); down.delete('charlie'); down.delete('dave');
  await until('charlie answers', async () => (await heights('charlie')).best >= 0, 60_000, 1_000);
  const charlieAfter = await heights('charlie');
  say(`charlie started at #${charlieAfter.best} (had #${charlieBefore.best} before the stop)`);
  check(charlieAfter.best >= charlieBefore.best, 'a restarted container keeps its blocks (volume)');
  const stalled = b.finalized;
  const resumed = await until('finality resumes', async () => (await heights('alice')).finalized >= stalled + 2);
  const tResume = secs(t);
  const target = (await heights('alice')).finalized;
  const caught = await until('charlie and dave catch up', async () => (await all(['charlie', 'dave'], heights)).every((h) => h.finalized >= target));
  check(resumed, `both started: finality resumes (in ${tResume})`);
  check(caught, `both started: they catch up to finalized #${target} (in ${secs(t)})`);

  // --- 3 | 1: Bob cut off. Alice, Charlie and Dave are 3 of 4 and keep finalizing.
  phase = '3 | 1 partition';
  await cut('bob', ['ab', 'bc', 'bd']);
  t = Date.now();
  say('3 | 1: bob disconnected from ab, bc, bd (all his networks)');
  await sleep(6_000);
  a = await heights('alice');
  const bobCut = await heights('bob');
  // Three finalized blocks on the side of three, however long the loaded machine takes (not a
  // fixed window), and at least one slot of Bob's in the meantime.
  const threeGoOn = await until('finality with three of four (3 | 1)', async () => (await heights('alice')).finalized >= a.finalized + 3, 150_000, 3_000);
  await until('bob authors while cut off', async () => (await heights('bob')).best > bobCut.best, 60_000, 3_000);
  b = await heights('alice');
  const bobLater = await heights('bob');
  say(`3 | 1: alice #${a.best}/#${a.finalized} -> #${b.best}/#${b.finalized}; bob #${bobCut.best}/#${bobCut.finalized} -> #${bobLater.best}/#${bobLater.finalized}`);
  check(threeGoOn && b.finalized >= a.finalized + 3, `3 | 1: the side of three keeps finalizing (in ${secs(t)})`);
  check(bobLater.finalized <= bobCut.finalized + 1, '3 | 1: the cut-off validator finalizes nothing new');
  check(bobLater.best > bobCut.best && !(await knows('alice', bobLater.bestHash)), '3 | 1: bob authors a fork of his own that the others never see');
  await heal('bob');
  t = Date.now();
  const target31 = (await heights('alice')).finalized;
  const bobCaught = await until('bob catches up', async () => {
    const [h, ha] = await all(['bob', 'alice'], heights);
    return h.finalized >= target31 && (await rpc('alice', 'chain_getBlockHash', [h.finalized])) === h.finalizedHash && ha.finalized > target31;
  });
  check(bobCaught, `3 | 1 healed: bob catches up to finalized #${target31} on the same chain (in ${secs(t)})`);

  // --- 2 | 2: Charlie and Dave cut from Alice and Bob; the pairs ab and cd stay.
  phase = '2 | 2 partition';
  await cut('charlie', ['ac', 'bc']);
  await cut('dave', ['ad', 'bd']);
  say('2 | 2: charlie disconnected from ac, bc and dave from ad, bd (ab and cd stay)');
  await sleep(12_000); // rounds under way may still conclude
  const atCut = await all(NAMES, heights);
  await sleep(36_000);
  const later = await all(NAMES, heights);
  say(`2 | 2: ${fmt(atCut, NAMES)} -> ${fmt(later, NAMES)}`);
  check(later.every((h, i) => h.finalized === atCut[i].finalized), '2 | 2: no side finalizes');
  check(later[0].best > atCut[0].best && later[2].best > atCut[2].best, '2 | 2: both sides keep authoring');
  const [ab, cd] = [later[0].bestHash, later[2].bestHash];
  const pairs = await until('each side shares its fork', async () => (await knows('bob', ab)) && (await knows('dave', cd)), 12_000, 1_000);
  const apart = !(await knows('charlie', ab)) && !(await knows('dave', ab)) && !(await knows('alice', cd)) && !(await knows('bob', cd));
  check(pairs && apart, '2 | 2: two sides of two, on two forks (alice and bob share one, charlie and dave the other)');
  t = Date.now();
  await heal('charlie');
  await heal('dave');
  say('2 | 2 healed: charlie and dave reconnected with their old addresses');
  phase = 'after the partitions';
  const stalled22 = Math.max(...later.map((h) => h.finalized));
  const resumed22 = await until('finality resumes on all four', async () => (await all(NAMES, heights)).every((h) => h.finalized >= stalled22 + 2));
  const hs = await all(NAMES, heights);
  const common = Math.min(...hs.map((h) => h.finalized));
  const hashes = await all(NAMES, (n) => rpc(n, 'chain_getBlockHash', [common]));
  check(resumed22, `2 | 2 healed: finality resumes (in ${secs(t)}): ${fmt(hs, NAMES)}`);
  check(new Set(hashes).size === 1, `2 | 2 healed: the four agree on finalized #${common} (one chain)`);
  const kept = (await rpc('alice', 'chain_getBlockHash', [later[0].best])) === ab ? 'alice and bob' : (await rpc('alice', 'chain_getBlockHash', [later[2].best])) === cd ? 'charlie and dave' : 'neither side';
  say(`2 | 2 healed: the chain kept is the fork of ${kept}`);

  // --- the load stops; every grant is finalized exactly once.
  keepLoad = false;
  await loadDone;
  t = Date.now();
  await until('every grant finalized or failed', () => grants.every((g) => g.finalized || g.failed), 180_000, 1_000);
  const failed = grants.filter((g) => g.failed);
  const finalizedGrants = grants.filter((g) => g.finalized && !g.failed);
  say(`grants: ${grants.length} submitted, ${finalizedGrants.length} finalized (${grants.filter((g) => g.retracted).length} of them retracted by a reorg first), ${failed.length} failed${failed.length ? ` (${[...new Set(failed.map((g) => g.failed))].join(', ')})` : ''}`);
  const head = await api.rpc.chain.getFinalizedHead();
  const headNumber = (await api.rpc.chain.getHeader(head)).number.toNumber();
  const inBlocks = new Map();
  let events = 0;
  for (let n = 1; n <= headNumber; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const [block, evs] = await Promise.all([api.rpc.chain.getBlock(hash), api.query.system.events.at(hash)]);
    for (const ext of block.block.extrinsics) {
      const h = ext.hash.toHex();
      inBlocks.set(h, (inBlocks.get(h) ?? 0) + 1);
    }
    events += evs.filter(({ event }) => event.section === 'consent' && event.method === 'ConsentGranted').length;
  }
  const once = grants.filter((g) => g.hash && inBlocks.get(g.hash) === 1).length;
  const counted = await all(patients, async (p) => (await rpc('alice', 'consent_consentsOf', [p.address, head.toHex()])).length);
  const onChain = counted.reduce((x, y) => x + y, 0);
  const byPhase = {};
  for (const g of grants) byPhase[g.phase] = (byPhase[g.phase] ?? 0) + 1;
  say(`finalized chain #1..#${headNumber}: ${once} of ${grants.length} grants found exactly once, ${events} ConsentGranted events, ${onChain} consents on chain; submitted per phase: ${JSON.stringify(byPhase)}`);
  check(failed.length === 0 && grants.length > 100, `all ${grants.length} grants submitted during the faults are finalized, none failed`);
  check(once === grants.length && events === grants.length && onChain === grants.length, 'each grant is in the finalized chain exactly once');
  const conflicts = [...finalizedSeen].filter(([, byHash]) => byHash.size > 1);
  let canonicalMismatch = 0;
  for (const [number, byHash] of finalizedSeen) {
    if (number > headNumber) continue;
    const canonical = (await api.rpc.chain.getBlockHash(number)).toHex();
    if (!byHash.has(canonical) || byHash.size > 1) canonicalMismatch++;
  }
  check(conflicts.length === 0 && canonicalMismatch === 0,
    `no conflicting finalized blocks: ${finalizedSeen.size} finalized heights sampled on the four nodes, all on one chain`);

  // --- the audit trail after the faults: caught up, and holding every consent of the chain.
  t = Date.now();
  const caughtUp = await auditReaches('after the faults', headNumber);
  check(caughtUp.ingested >= headNumber && caughtUp.ingested > auditStart,
    `audit: after the faults it catches up with finalized #${headNumber}: ingested #${auditStart} -> #${caughtUp.ingested} (in ${secs(t)})`);
  const inTrail = await all(patients, async (p) => (await auditSearch(`/fhir/Consent?patient=${p.address}&_count=100`, await auditLogin(p))).length);
  check(inTrail.every((n, i) => n === counted[i]),
    `audit: the trail holds each patient's consents as the chain does (${inTrail.join(' + ')} = ${inTrail.reduce((x, y) => x + y, 0)} Consent resources, ${onChain} on chain)`);

  // --- Alice (the node it follows) restarts: the service waits for her and follows on.
  await api.disconnect();
  api = null;
  const aliceBefore = await heights('alice');
  t = Date.now();
  down.add('alice');
  await docker('restart', '-t', '30', ids.alice);
  down.delete('alice');
  const followsOn = await auditReaches('after alice restarted', aliceBefore.finalized + 2, 120_000);
  check(followsOn.ingested >= aliceBefore.finalized + 2 && followsOn.ingestError === null,
    `audit: alice restarted, the service follows her on: ingested #${followsOn.ingested} (alice had finalized #${aliceBefore.finalized}; in ${secs(t)})`);

  // Nothing left the containers' networks: the pair networks are internal (no route out), and the
  // NAT rule of Alice's rpc network (the only one with a way out) has counted no packet.
  const left = await egressPackets().catch(() => null);
  if (left === null) say('egress not checked (no iptables, or no MASQUERADE rule for the rpc network)');
  else check(left === 0, `no packet left the containers' networks (NAT counter of Alice's rpc network: ${left})`);

  // --- all four containers removed and created anew: only the named volumes carry the chain and
  // the grants over.
  phase = 'recreate';
  const before = await all(NAMES, heights);
  const oldIds = { ...ids };
  t = Date.now();
  sampling = false;
  await sampler;
  const seen = auditSeen.filter((x) => x.ingested !== null);
  const wentBack = seen.filter((x, i) => i > 0 && x.ingested < seen[i - 1].ingested).length;
  const errors = auditSeen.filter((x) => x.error !== null);
  check(seen.length > 20 && wentBack === 0 && errors.length === 0,
    `audit: over ${seen.length} samples of /status during the faults, ingested only grew (#${seen[0]?.ingested} -> #${seen.at(-1)?.ingested}) and no ingest error${errors.length ? ` (${errors[0].error})` : ''}`);
  const auditBefore = await auditStatus();
  await compose('down', '-t', '30');
  await compose('up', '-d', '--no-build');
  await containerIds();
  say(`compose down, then up: five new containers in ${secs(t)}`);
  check(NAMES.every((n) => ids[n] && ids[n] !== oldIds[n]), 'recreate: every container is new (the old ones were removed)');
  await until('all four answer', async () => (await all(NAMES, heights)).length === 4, 120_000, 1_000);
  const after = await all(NAMES, heights);
  check(after.every((h, i) => h.best >= before[i].best), `recreate: each new container resumes from its volume (${fmt(before, NAMES)} before, ${fmt(after, NAMES)} after)`);
  const restartFinal = Math.max(...before.map((h) => h.finalized));
  const again = await until('finality after the recreate', async () => (await heights('alice')).finalized > restartFinal + 1);
  check(again, `recreate: finality continues (in ${secs(t)})`);
  const recount = await all(patients, async (p) => (await rpc('dave', 'consent_consentsOf', [p.address, null])).length);
  check(recount.reduce((x, y) => x + y, 0) === onChain, `recreate: the ${onChain} consents granted before are all still there`);
  const aliceNow = (await heights('alice')).finalized;
  const auditAfter = await auditReaches('after the recreate', aliceNow, 60_000);
  check(ids.audit !== oldIds.audit && auditAfter.ingested >= auditBefore.ingested && auditAfter.ingested >= aliceNow,
    `recreate: the new audit container resumes from its volume (ingested #${auditBefore.ingested} before) and follows on to #${auditAfter.ingested}`);
}

async function egressPackets() {
  const nets = await networks('alice');
  const rpcNet = Object.keys(nets).find((k) => k.endsWith('_rpc'));
  const subnet = await docker('network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', rpcNet);
  const rules = await run('iptables', ['-t', 'nat', '-L', 'POSTROUTING', '-v', '-n', '-x']);
  const rule = rules.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[2] === 'MASQUERADE' && f[7] === subnet);
  return rule ? Number(rule[0]) : null;
}

try {
  await main();
} catch (e) {
  failedHard = e;
  check(false, `the test ran to the end: ${e.stack}`);
} finally {
  keepLoad = false;
  sampling = false;
  await api?.disconnect().catch(() => {});
  if (failedHard || results.some((r) => !r.ok)) {
    for (const n of [...NAMES, 'audit']) {
      if (!ids[n]) continue;
      const logs = await sh('docker', ['logs', '--tail', '25', ids[n]]).then(({ stdout, stderr }) => stdout + stderr, (e) => e.message);
      process.stdout.write(`--- last lines of ${n} ---\n${logs}\n`);
    }
  }
  if (process.env.KEEP !== '1') {
    const t = Date.now();
    await compose('down', '-v', '--remove-orphans').catch((e) => say(`compose down failed: ${e.message}`));
    say(`compose down -v (containers, networks, volumes removed) in ${secs(t)}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  say(`fault test took ${secs()}`);
  process.stdout.write(`docker-test: ${results.length - failed} passed, ${failed} failed\n`);
  process.exit(failed ? 1 : 0);
}
