// The client side of the audit service's contract: start `consent-audit serve` against a node and
// a database (SQLite, or a throwaway PostgreSQL from scripts/postgres), log in with an account's
// sr25519 key, read its FHIR R5 API, validate what it serves with the pinned FHIR validator, and
// say from the chain's own events which resources it must serve.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringToU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { freePort, sleep } from './node.mjs';

/** The repository's root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = `${process.env.HOME}/.cache/consent-chain`;
/** The FHIR validator (audit/fhir-validate) and its venv (scripts/setup makes it); overridable. */
export const FHIR_PYTHON = process.env.FHIR_PYTHON ?? `${CACHE}/fhir-venv/bin/python`;
export const FHIR_VALIDATE = process.env.FHIR_VALIDATE ?? join(ROOT, 'audit/fhir-validate/validate.py');

/** The audit service binary the scripts build; CONSENT_AUDIT overrides it. */
export function auditBinary() {
  if (process.env.CONSENT_AUDIT) return process.env.CONSENT_AUDIT;
  const target = process.env.CARGO_TARGET_DIR ?? `${CACHE}/target`;
  return `${target}/release/consent-audit`;
}

/** Keeps the last `max` characters of a stream's output. */
function tail(max = 200_000) {
  let text = '';
  return { add: (d) => { text += d; if (text.length > max) text = text.slice(-max); }, get: () => text };
}

/**
 * Start `consent-audit serve` on a free loopback port against the node's RPC on `rpcPort` and
 * `database` (`sqlite:<path>` or `postgres://…`), and wait for its `listening on` line.
 * Returns { url, stop(), kill9(), logs(), process, exited }: stop() sends SIGTERM and waits
 * (SIGKILL after 15 s), kill9() sends SIGKILL at once and waits; both resolve { code, signal }.
 */
export async function startAudit({ rpcPort, database, extraArgs = [], timeoutMs = 60_000 }) {
  const binary = auditBinary();
  if (!existsSync(binary)) {
    throw new Error(`no consent-audit binary at ${binary}: build it (scripts/build) or set CONSENT_AUDIT`);
  }
  const args = ['serve', '--node', `http://127.0.0.1:${rpcPort}`, '--database', database,
    '--listen', '127.0.0.1:0', ...extraArgs];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tail();
  let stdout = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output.add(d);
      stdout += d;
      const m = /consent-audit listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d) => output.add(d));
    child.on('error', reject);
    exited.then(({ code, signal }) => reject(new Error(`consent-audit exited (code ${code}, signal ${signal}) before listening`)));
  });
  const wait = async (signal, graceMs) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = graceMs ? setTimeout(() => child.kill('SIGKILL'), graceMs) : null;
      const result = await exited;
      if (timer) clearTimeout(timer);
      return result;
    }
    return exited;
  };
  let timer;
  try {
    const url = await Promise.race([listening, new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`consent-audit did not print "listening on" in ${timeoutMs} ms`)), timeoutMs);
    })]);
    return {
      url, process: child, exited, logs: () => output.get(),
      stop: () => wait('SIGTERM', 15_000),
      kill9: () => wait('SIGKILL', 0),
    };
  } catch (e) {
    await wait('SIGKILL', 0);
    throw new Error(`${e.message}\n$ ${binary} ${args.join(' ')}\n--- consent-audit output ---\n${output.get().slice(-4000)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Read a response: JSON (FHIR or not) parsed, anything else (NDJSON) as text. */
async function read(response) {
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  let body = text;
  if (/json/.test(contentType) && !/ndjson/.test(contentType)) {
    try { body = JSON.parse(text); } catch { body = text; }
  }
  return { status: response.status, body, contentType, text };
}

/** POST `body` as JSON to `url` + `path`; resolves { status, body, contentType, text }. */
export async function postJson(url, path, body) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return read(response);
}

/** The challenge the service gives `account` to sign. */
export async function challengeFor(url, account) {
  const res = await postJson(url, '/auth/challenge', { account });
  assert.equal(res.status, 200, `POST /auth/challenge for ${account}: ${res.status} ${res.text}`);
  assert.equal(typeof res.body.challenge, 'string', `a challenge string: ${res.text}`);
  return res.body.challenge;
}

/** Log in as `pair` (sr25519): sign the service's challenge, return the bearer token. */
export async function login(url, pair) {
  const challenge = await challengeFor(url, pair.address);
  const signature = u8aToHex(pair.sign(stringToU8a(challenge)));
  const res = await postJson(url, '/auth/token', { account: pair.address, challenge, signature });
  assert.equal(res.status, 200, `POST /auth/token for ${pair.address}: ${res.status} ${res.text}`);
  assert.equal(res.body.token_type, 'Bearer', `token_type Bearer: ${res.text}`);
  assert.ok(typeof res.body.access_token === 'string' && res.body.access_token.length > 0, `an access_token: ${res.text}`);
  return res.body.access_token;
}

/**
 * GET `path` (relative to the service, e.g. `/fhir/Consent?patient=…`, or an absolute URL such as
 * a Bundle's next link) with the bearer `token` if any; resolves { status, body, contentType, text }.
 */
export async function fhirGet(url, path, token) {
  const headers = { accept: 'application/fhir+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(/^https?:/.test(path) ? path : `${url}${path}`, { headers });
  return read(response);
}

/**
 * Run a FHIR search and follow the Bundles' `next` links to the end. Resolves
 * { resources, bundles }: every entry's resource, in order, and every page as served.
 */
export async function searchAll(url, path, token, { maxPages = 200 } = {}) {
  const bundles = [];
  const resources = [];
  const visited = new Set();
  let next = path;
  while (next) {
    assert.ok(bundles.length < maxPages, `more than ${maxPages} pages for ${path}`);
    assert.ok(!visited.has(next), `the next link loops back to ${next}`);
    visited.add(next);
    const res = await fhirGet(url, next, token);
    assert.equal(res.status, 200, `GET ${next}: expected 200, got ${res.status} ${res.text.slice(0, 1000)}`);
    assert.match(res.contentType, /^application\/fhir\+json/, `GET ${next}: content-type ${res.contentType}`);
    assert.equal(res.body.resourceType, 'Bundle', `GET ${next}: a Bundle`);
    assert.equal(res.body.type, 'searchset', `GET ${next}: a searchset Bundle`);
    bundles.push(res.body);
    for (const entry of res.body.entry ?? []) resources.push(entry.resource);
    next = (res.body.link ?? []).find((l) => l.relation === 'next')?.url;
  }
  return { resources, bundles };
}

/**
 * A slow link to the node: an HTTP proxy to its RPC on `rpcPort` that forwards each request
 * `delayMs` late, so that ingest lasts long enough to be interrupted. Resolves { port, stop() }.
 */
export async function startSlowRpc(rpcPort, delayMs) {
  const server = createServer((req, res) => {
    res.on('error', () => {});
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      await sleep(delayMs);
      const upstream = request({ host: '127.0.0.1', port: rpcPort, method: req.method, path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${rpcPort}` } }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** GET /status (no auth). */
export async function auditStatus(url) {
  const res = await fhirGet(url, '/status');
  assert.equal(res.status, 200, `GET /status: ${res.status} ${res.text}`);
  return res.body;
}

/**
 * Wait until the service has ingested block `blockNumber`; resolves its /status. `logs`: the
 * service's output, quoted if it does not get there in time.
 */
export async function waitIngested(url, blockNumber, { timeoutMs = 120_000, logs } = {}) {
  const deadline = Date.now() + timeoutMs;
  let status;
  for (;;) {
    try {
      status = await auditStatus(url);
      if (status.ingested !== null && status.ingested >= blockNumber) return status;
    } catch (e) {
      status = { error: e.message };
    }
    if (Date.now() > deadline) {
      throw new Error(`the audit service did not ingest block ${blockNumber} in ${timeoutMs} ms; last /status: ${JSON.stringify(status)}` +
        (logs ? `\n--- consent-audit output ---\n${logs().slice(-4000)}` : ''));
    }
    await sleep(200);
  }
}

/**
 * Validate FHIR R5 JSON with the pinned validator (audit/fhir-validate/validate.py): a resource,
 * a Bundle, an array of them, or NDJSON text. Asserts that every resource is valid; resolves the
 * validator's lines (`ok Type/id`).
 */
export function validateFhir(input) {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  // AUDIT_DUMP=<file>: keep every validated payload, one per line, to read what the service serves.
  if (process.env.AUDIT_DUMP) appendFileSync(process.env.AUDIT_DUMP, `${text.trim()}\n`);
  if (!existsSync(FHIR_PYTHON)) throw new Error(`no FHIR validator venv at ${FHIR_PYTHON}: run scripts/setup`);
  return new Promise((resolve, reject) => {
    const child = spawn(FHIR_PYTHON, [FHIR_VALIDATE, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const lines = stdout.split('\n').filter((l) => l.trim() !== '');
      try {
        const invalid = lines.filter((l) => !l.startsWith('ok '));
        assert.equal(code, 0, `FHIR R5 validation failed (exit ${code}):\n${invalid.slice(0, 40).join('\n')}\n${stderr.slice(-2000)}`);
        assert.ok(lines.length > 0, `the validator printed nothing: ${stderr.slice(-2000)}`);
        resolve(lines);
      } catch (e) {
        reject(e);
      }
    });
    child.stdin.on('error', () => {}); // an early exit is reported by the exit code
    child.stdin.end(text);
  });
}

const runScript = (args) => new Promise((resolve, reject) => {
  execFile(join(ROOT, 'scripts/postgres'), args, { timeout: 120_000 }, (error, stdout, stderr) => {
    if (error) reject(new Error(`scripts/postgres ${args.join(' ')} failed: ${error.message}\n${stderr}`));
    else resolve(stdout);
  });
});

/** A throwaway PostgreSQL server (scripts/postgres) on a free port: { url, dir, stop() }. */
export async function startPostgres() {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'consent-audit-pg-'));
    const port = await freePort();
    try {
      const url = (await runScript(['start', dir, String(port)])).trim();
      assert.match(url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/audit$/, `scripts/postgres printed ${url}`);
      return { url, dir, stop: () => runScript(['stop', dir]) };
    } catch (e) {
      lastError = e; // most likely the port was taken in between: try another
      await runScript(['stop', dir]).catch(() => {});
    }
  }
  throw lastError;
}

/** Every event of blocks `from`..`to`, with its block, its index in the block and the block's time. */
export async function chainEvents(api, from, to) {
  const numbers = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  const blocks = [];
  for (let i = 0; i < numbers.length; i += 16) {
    blocks.push(...await Promise.all(numbers.slice(i, i + 16).map(async (block) => {
      const hash = await api.rpc.chain.getBlockHash(block);
      const at = await api.at(hash);
      const [records, now] = await Promise.all([at.query.system.events(), at.query.timestamp.now()]);
      return records.map(({ event }, index) => ({ block, index, hash: hash.toHex(), time: now.toNumber(), event }));
    })));
  }
  return blocks.flat();
}

/**
 * The Provenance id of a record version: the record id (32 bytes) in lower-case RFC 4648 base32
 * without padding (52 characters), then `-v<version>`; a FHIR id has at most 64 characters, so
 * the hex form (`record-<hex>-v<n>`, 74) cannot be one.
 */
export function provenanceId(recordId, version) {
  return `${base32(Buffer.from(recordId.replace(/^0x/, ''), 'hex'))}-v${version}`;
}

/**
 * The Consent id of a patient's consent: consent ids count per patient, so the id names the
 * patient by the first 10 bytes of their account in base32: `consent-<16 digits>-<id>`.
 */
export function consentId(patient, id) {
  return `consent-${base32(decodeAddress(patient).slice(0, 10))}-${id}`;
}

/** Lower-case RFC 4648 base32 without padding. */
function base32(bytes) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

const READS = ['ReadLogged', 'ReadDenied'];
const EMERGENCY = ['SessionOpened', 'SessionEnded', 'SessionReviewed', 'SessionContested', 'BondSlashed', 'ReviewOverdue'];

/**
 * The resource the contract makes of a chain event, or null: { type, id, kind } with kind
 * `read` or `emergency` (AuditEvent `<block>-<event index>`), `consent` / `deny-rule`
 * (Consent), `request` (Task `request-<id>`), `record` (Provenance, see provenanceId).
 */
export function resourceOf({ block, index, event }) {
  const { section, method, data } = event;
  if (section === 'records' && READS.includes(method)) return { type: 'AuditEvent', id: `${block}-${index}`, kind: 'read' };
  if (section === 'breakGlass' && EMERGENCY.includes(method)) return { type: 'AuditEvent', id: `${block}-${index}`, kind: 'emergency' };
  if (section === 'consent' && method === 'ConsentGranted') return { type: 'Consent', id: consentId(data.patient.toString(), data.consentId), kind: 'consent' };
  if (section === 'consent' && method === 'DenyRuleAdded') return { type: 'Consent', id: `deny-rule-${data.ruleId}`, kind: 'deny-rule' };
  if (section === 'consent' && method === 'AccessRequested') return { type: 'Task', id: `request-${data.requestId}`, kind: 'request' };
  const record = (version) => ({ type: 'Provenance', id: provenanceId(data.recordId.toHex(), version), kind: 'record' });
  if (section === 'records' && method === 'RecordAnchored') return record(0);
  if (section === 'records' && method === 'RecordAmended') return record(data.version.toNumber());
  if (section === 'records' && method === 'RecordErased') return record(data.versions.toNumber());
  return null;
}
