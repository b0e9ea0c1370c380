// The audit service (consent-audit) against a real node, on SQLite and on PostgreSQL: a patient
// grants a consent, a clinician without one logs a read (denied), asks, the patient approves and the
// read is logged under that consent; a physician breaks the glass on another patient, ends the
// session and an auditor reviews it; hundreds of reads are logged in batches. The service, killed
// with SIGKILL at random moments while it ingests and restarted on the same database, then serves
// every one of those events exactly once as FHIR R5 that validates, to the callers allowed to see
// it and to nobody else.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringToU8a, u8aToHex } from '@polkadot/util';
import { startDevNode, submitInBlock as submit, eventsOf, sleep } from '../lib/node.mjs';
import {
  auditBinary, startAudit, auditStatus, login, challengeFor, postJson, fhirGet, searchAll, waitIngested,
  validateFhir, startPostgres, startSlowRpc, chainEvents, resourceOf, provenanceId, consentId,
} from '../lib/audit.mjs';

let node;
let api;
let alice; // council member (genesis): reads everything
let bob; // physician at Dev General Hospital, break-glass privilege, council member
let charlie; // nurse at Dev General Hospital, no consent from Dave at first
let dave; // patient
let eve; // patient whose glass is broken
let ferdie; // auditor at Dev General Hospital
let guardian; // Dave's guardian: a consent-management proxy of Dave, no funds, no role

/** What the scenario did, by id; `trail`: every event of blocks 1..`head` with its resource. */
const chain = {};
let trail;
let head;
let genesis;

const hash32 = (byte) => `0x${byte.repeat(32)}`;
const labs = (actions) => ({ categories: ['LabResults'], actions, purposes: ['TREAT'] });
const digest = (byte) => ({ algorithm: 'Sha256', hash: hash32(byte) });
const iso = (ms) => new Date(ms).toISOString();
const sorted = (ids) => [...ids].sort();
const blockNumber = async (blockHash) => (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
const mentions = (value, text) => JSON.stringify(value ?? null).includes(text);
/** The SS58 address an identifier reference names (`{identifier: {system, value}}`). */
const accountOf = (reference) => reference?.identifier?.value;
const codes = (concept) => [].concat(concept ?? []).flatMap((c) => c.coding ?? []).map((c) => c.code);
const asList = (x) => [].concat(x ?? []);

/** The resources of `kind` the chain's events call for (resourceOf), optionally filtered. */
const expected = (kind, filter = () => true) => trail.filter((e) => e.resource?.kind === kind && filter(e)).map((e) => e.resource.id);
const auditIds = (filter = () => true) => trail.filter((e) => e.resource?.type === 'AuditEvent' && filter(e)).map((e) => e.resource.id);
const trailEvent = (section, method, filter = () => true) => {
  const found = trail.filter((e) => e.event.section === section && e.event.method === method && filter(e.event.data));
  assert.equal(found.length, 1, `one ${section}.${method} in blocks 1..${head}, found ${found.length}`);
  return found[0];
};

function byId(resources, id, what) {
  const found = resources.filter((r) => r.id === id);
  assert.equal(found.length, 1, `${what}: one resource with id ${id}, got ids ${JSON.stringify(resources.map((r) => r.id))}`);
  return found[0];
}

function assertOperationOutcome(res, status, what) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 500)}`);
  assert.equal(res.body?.resourceType, 'OperationOutcome', `${what}: an OperationOutcome body, got ${res.text.slice(0, 500)}`);
  assert.ok((res.body.issue ?? []).length > 0, `${what}: the OperationOutcome names an issue`);
  return res.body;
}

/** Wait until the chain has finalized block `n`. */
async function finalized(n, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const number = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    if (number >= n) return number;
    assert.ok(Date.now() < deadline, `block ${n} was not finalized in ${timeoutMs} ms (finalized: ${number})`);
    await sleep(500);
  }
}

before(async () => {
  assert.ok(existsSync(auditBinary()), `no consent-audit binary at ${auditBinary()}: build it with scripts/build (or set CONSENT_AUDIT)`);
  node = await startDevNode();
  api = node.api;
  [alice, bob, charlie, dave, eve, ferdie, guardian] = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie', '//DavesGuardian']
    .map((uri) => node.keyring.addFromUri(uri));
  genesis = api.genesisHash.toHex();

  // Round 1: Dave consents to Bob, anchors a record of his own (A) and makes a guardian his
  // consent-management proxy; Charlie, with no consent,
  // asks Dave for access; Bob breaks the glass on Eve.
  const [own, asked, broke] = await Promise.all([
    submit(api, api.tx.utility.batchAll([
      api.tx.consent.grantConsent({ Practitioner: bob.address }, labs(['Read', 'Write']), [], null, null),
      api.tx.records.anchorRecord(dave.address, 'LabResults', 'TREAT', 'Observation', digest('a0'), null),
      api.tx.proxy.addProxy(guardian.address, 'ConsentManagement', 0),
    ]), dave),
    submit(api, api.tx.consent.requestAccess(dave.address, labs(['Read']), hash32('c1'), null, null), charlie),
    submit(api, api.tx.breakGlass.breakGlass(eve.address, 'ETREAT', 'Unconscious', hash32('e1'), null), bob),
  ]);
  chain.bobConsent = eventsOf(own.events, 'consent', 'ConsentGranted')[0].data.consentId.toNumber();
  chain.recordA = eventsOf(own.events, 'records', 'RecordAnchored')[0].data.recordId.toHex();
  chain.requestId = eventsOf(asked.events, 'consent', 'AccessRequested')[0].data.requestId.toNumber();
  chain.sessionId = eventsOf(broke.events, 'breakGlass', 'SessionOpened')[0].data.sessionId.toNumber();

  // Round 2: Charlie logs a read of A without consent (denied); Bob anchors a record for Dave (B)
  // under his consent and ends the emergency session.
  const [denied, bobs] = await Promise.all([
    submit(api, api.tx.records.logAccess(chain.recordA, 'TREAT'), charlie),
    submit(api, api.tx.utility.batchAll([
      api.tx.records.anchorRecord(dave.address, 'LabResults', 'TREAT', 'Observation', digest('b0'), null),
      api.tx.breakGlass.endSession(chain.sessionId),
    ]), bob),
  ]);
  const [denial] = eventsOf(denied.events, 'records', 'ReadDenied');
  assert.equal(denial?.data.reason.toString(), 'NoConsent', 'Charlie\'s first read is denied for want of consent');
  chain.recordB = eventsOf(bobs.events, 'records', 'RecordAnchored')[0].data.recordId.toHex();
  assert.equal(eventsOf(bobs.events, 'breakGlass', 'SessionEnded').length, 1, 'Bob ended the session');

  // Round 3: Dave approves Charlie's request; Ferdie reviews the session.
  const [approved, reviewed] = await Promise.all([
    submit(api, api.tx.consent.approveRequest(chain.requestId, null), dave),
    submit(api, api.tx.breakGlass.review(chain.sessionId, 'Justified', hash32('f3')), ferdie),
  ]);
  chain.charlieConsent = eventsOf(approved.events, 'consent', 'RequestApproved')[0].data.consentId.toNumber();
  assert.equal(eventsOf(reviewed.events, 'breakGlass', 'SessionReviewed').length, 1, 'Ferdie reviewed the session');

  // Round 4: Charlie reads B under the consent (logged).
  const permitted = await submit(api, api.tx.records.logAccess(chain.recordB, 'TREAT'), charlie);
  const [logged] = eventsOf(permitted.events, 'records', 'ReadLogged');
  assert.equal(logged?.data.reason.asConsent?.toNumber(), chain.charlieConsent, 'Charlie\'s second read is logged under the approved consent');

  // Then work for the service to ingest, over several blocks: Bob logs 150 reads of his own
  // (permitted), Ferdie 100 (denied), 30 and 20 a block.
  const batches = [];
  for (let round = 0; round < 5; round++) {
    batches.push(...await Promise.all([
      submit(api, api.tx.records.logAccessBatch(Array.from({ length: 30 }, (_, i) => (
        { recordId: i % 2 ? chain.recordA : chain.recordB, accessor: bob.address, purpose: 'TREAT' }))), bob),
      submit(api, api.tx.records.logAccessBatch(Array.from({ length: 20 }, () => (
        { recordId: chain.recordA, accessor: ferdie.address, purpose: 'TREAT' }))), ferdie),
    ]));
  }
  const batchEvents = batches.flatMap((b) => b.events);
  assert.equal(eventsOf(batchEvents, 'records', 'ReadLogged').length, 150, 'Bob\'s 150 reads are logged');
  assert.equal(eventsOf(batchEvents, 'records', 'ReadDenied').length, 100, 'Ferdie\'s 100 reads are denied');

  // Last, Dave erases record B (Bob's, for Dev General Hospital): the chain keeps its digest only.
  const erased = await submit(api, api.tx.records.eraseRecord(chain.recordB), dave);
  assert.equal(eventsOf(erased.events, 'records', 'RecordErased').length, 1, 'Dave erased record B');

  const lastBlock = Math.max(...await Promise.all([permitted, erased, ...batches].map((r) => blockNumber(r.blockHash))));
  head = await finalized(lastBlock);
  trail = (await chainEvents(api, 1, head)).map((e) => ({ ...e, resource: resourceOf(e) }));
  const timeOf = async (r) => { const n = await blockNumber(r.blockHash); return trail.find((e) => e.block === n).time; };
  chain.times = await Promise.all([own, denied, approved, permitted].map(timeOf));

  const isDave = (d) => d.patient.toString() === dave.address;
  chain.deniedRead = trailEvent('records', 'ReadDenied', (d) => d.accessor.toString() === charlie.address).resource.id;
  chain.loggedRead = trailEvent('records', 'ReadLogged', (d) => d.accessor.toString() === charlie.address).resource.id;
  chain.opened = trailEvent('breakGlass', 'SessionOpened').resource.id;
  chain.ended = trailEvent('breakGlass', 'SessionEnded').resource.id;
  chain.reviewed = trailEvent('breakGlass', 'SessionReviewed').resource.id;
  chain.reads = expected('read');
  chain.davesReads = expected('read', (e) => isDave(e.event.data));
  assert.equal(chain.reads.length, 252, 'the chain holds 252 logged reads (2 by Charlie, 150 by Bob, 100 by Ferdie)');
}, { timeout: 180_000 });

after(async () => { await node?.stop(); });

for (const kind of ['sqlite', 'postgres']) {
  describe(`consent-audit on ${kind}`, { timeout: 180_000 }, () => {
    let database;
    let cleanup;
    let audit;
    const tokens = new Map();

    /** The service caught up with the chain (started if the restart test did not leave one). */
    async function serving() {
      if (!audit) audit = await startAudit({ rpcPort: node.rpcPort, database, extraArgs: ['--poll-ms', '200'] });
      await waitIngested(audit.url, head, { logs: audit.logs });
      return audit.url;
    }
    async function token(pair) {
      if (!tokens.has(pair.address)) tokens.set(pair.address, await login(await serving(), pair));
      return tokens.get(pair.address);
    }

    before(async () => {
      if (kind === 'sqlite') {
        const dir = await mkdtemp(join(tmpdir(), 'consent-audit-sqlite-'));
        database = `sqlite:${dir}/audit.db`;
        cleanup = () => rm(dir, { recursive: true, force: true });
      } else {
        const pg = await startPostgres();
        database = pg.url;
        cleanup = pg.stop;
      }
    });
    after(async () => {
      if (audit) await audit.stop();
      await cleanup?.();
    });

    test('SIGKILLed at random moments while it ingests and restarted on the same database, it ends with every event exactly once', async (t) => {
      // Through a link that delays each RPC answer, a full ingest takes long enough (some
      // requests a block) to be interrupted at random.
      const slow = await startSlowRpc(node.rpcPort, 15);
      let durable = null; // the highest block a /status reported as ingested before a kill
      const kills = [];
      try {
        for (let i = 0; i < 5; i++) {
          const victim = await startAudit({ rpcPort: slow.port, database, extraArgs: ['--poll-ms', '200'] });
          let status = await auditStatus(victim.url);
          assert.equal(status.genesis, genesis, '/status names the chain by its genesis hash');
          if (durable !== null) {
            assert.ok(status.ingested !== null && status.ingested >= durable,
              `before SIGKILL #${i} the service reported block ${durable} ingested, after its restart ${status.ingested}: an ingested block was lost`);
          }
          // The first kill comes right after start-up, the next two at random while the first
          // blocks are still being fetched, the last two at random in a longer span that also
          // reaches past the first commit.
          const deadline = Date.now() + [0, 600, 600, 3_000, 3_000][i] * Math.random();
          while (Date.now() < deadline) {
            await sleep(5 + Math.random() * 10);
            status = await auditStatus(victim.url);
          }
          const exit = await victim.kill9();
          assert.equal(exit.signal, 'SIGKILL', `the service died of SIGKILL, not ${JSON.stringify(exit)}:\n${victim.logs().slice(-2000)}`);
          if (status.ingested !== null) durable = Math.max(durable ?? 0, status.ingested);
          kills.push({ ingested: status.ingested, finalized: status.finalized });
        }
      } finally {
        await slow.stop();
      }
      t.diagnostic(`SIGKILLed at (ingested/finalized) ${kills.map((k) => `${k.ingested}/${k.finalized}`).join(', ')}`);
      const midIngest = kills.filter((k) => k.ingested === null || k.ingested < Math.max(head, k.finalized ?? 0));
      assert.ok(midIngest.length >= 2, `at least two of the SIGKILLs came before ingest had caught up (the test's own premise): ${JSON.stringify(kills)}`);

      audit = await startAudit({ rpcPort: node.rpcPort, database, extraArgs: ['--poll-ms', '200'] });
      await waitIngested(audit.url, head, { logs: audit.logs });

      // Everything, as the council sees it, against what the chain's events call for.
      const council = await token(alice);
      const served = [];
      for (const [type, kinds] of [['AuditEvent', ['read', 'emergency']], ['Consent', ['consent', 'deny-rule']],
        ['Provenance', ['record']], ['Task', ['request']]]) {
        const { resources, bundles } = await searchAll(audit.url, `/fhir/${type}?_count=100`, council);
        served.push(...bundles);
        const ids = resources.map((r) => r.id);
        const twice = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
        assert.deepEqual(twice, [], `${type}: served more than once after the restarts`);
        const want = new Set(kinds.flatMap((k) => expected(k)));
        const missing = [...want].filter((id) => !ids.includes(id));
        const extra = ids.filter((id) => !want.has(id));
        assert.deepEqual({ missing, extra }, { missing: [], extra: [] },
          `${type}: the chain's events of blocks 1..${head} call for ${want.size}, the service serves ${ids.length}`);
      }
      const { resources: reads } = await searchAll(audit.url, `/fhir/AuditEvent?patient=${dave.address}&_count=100`, council);
      assert.equal(reads.filter((r) => codes(r.code).includes('read')).length, chain.reads.length,
        `ReadLogged + ReadDenied events on chain: ${chain.reads.length}; read AuditEvents served`);
      await validateFhir(served);
    });

    test('serves the consent, both reads, the emergency session, the request and the records as FHIR R5', async () => {
      const url = await serving();
      const served = [];
      const daves = await token(dave);

      // The consent Dave granted Bob, and the one his approval of Charlie's request created.
      const consents = await searchAll(url, `/fhir/Consent?patient=${dave.address}`, daves);
      served.push(...consents.bundles);
      const granted = byId(consents.resources, consentId(dave.address, chain.bobConsent), 'Dave\'s consents');
      assert.equal(granted.status, 'active', 'a granted, unrevoked consent is active');
      assert.equal(granted.decision, 'permit', 'a consent permits');
      assert.equal(accountOf(granted.subject), dave.address, 'Consent.subject: the patient');
      assert.ok(asList(granted.identifier).some((i) => i.system === `urn:consent-chain:${genesis}:consent` && i.value === `${dave.address}/${chain.bobConsent}`),
        `Consent.identifier urn:consent-chain:${genesis}:consent|${dave.address}/${chain.bobConsent}: ${JSON.stringify(granted.identifier)}`);
      const actors = (c) => asList(c.provision).flatMap((p) => asList(p.actor)).map((a) => accountOf(a.reference));
      assert.deepEqual(actors(granted), [bob.address], 'provision.actor: the grantee, Bob');
      assert.ok(mentions(granted.provision, '"TREAT"'), 'provision.purpose TREAT');
      const viaRequest = byId(consents.resources, consentId(dave.address, chain.charlieConsent), 'Dave\'s consents');
      assert.deepEqual(actors(viaRequest), [charlie.address], 'the approved request\'s consent names Charlie');
      assert.ok(viaRequest.sourceReference && (mentions(viaRequest.sourceReference, `request-${chain.requestId}`)
        || mentions(viaRequest.sourceReference, `:request`)), `Consent.sourceReference → the Task: ${JSON.stringify(viaRequest.sourceReference)}`);
      const single = await fhirGet(url, `/fhir/Consent/${consentId(dave.address, chain.bobConsent)}`, daves);
      assert.equal(single.status, 200, `GET Consent/${consentId(dave.address, chain.bobConsent)}: ${single.text.slice(0, 300)}`);
      assert.match(single.contentType, /^application\/fhir\+json/);
      assert.equal(single.body.id, consentId(dave.address, chain.bobConsent));
      served.push(single.body);

      // Charlie's two reads: denied without consent, then logged under the approved one.
      const charlies = await searchAll(url, `/fhir/AuditEvent?patient=${dave.address}&agent=${charlie.address}`, daves);
      served.push(...charlies.bundles);
      assert.deepEqual(sorted(charlies.resources.map((r) => r.id)), sorted([chain.deniedRead, chain.loggedRead]),
        'Charlie\'s reads of Dave\'s records: the denied one and the logged one');
      const denied = byId(charlies.resources, chain.deniedRead, 'Charlie\'s reads');
      const logged = byId(charlies.resources, chain.loggedRead, 'Charlie\'s reads');
      for (const read of [denied, logged]) {
        assert.equal(read.action, 'R', `${read.id}: action R`);
        assert.ok(codes(read.code).includes('read'), `${read.id}: code read`);
        assert.ok(codes(read.authorization).includes('TREAT'), `${read.id}: authorization TREAT`);
        assert.equal(accountOf(read.patient), dave.address, `${read.id}: patient Dave`);
        assert.ok(asList(read.agent).some((a) => accountOf(a.who) === charlie.address), `${read.id}: Charlie is an agent`);
        assert.ok(mentions(read.source, genesis), `${read.id}: source.observer names the chain`);
      }
      assert.equal(denied.outcome?.code?.code, '4', 'a denied read: outcome 4 (minor failure)');
      assert.ok(mentions(denied.outcome.detail, 'NoConsent'), `the deny reason in outcome.detail: ${JSON.stringify(denied.outcome)}`);
      assert.ok(mentions(denied.entity, chain.recordA.slice(2)), 'the denied read names record A');
      assert.equal(logged.outcome?.code?.code, '0', 'a permitted read: outcome 0 (success)');
      assert.ok(asList(logged.entity).some((e) => mentions(e.what, consentId(dave.address, chain.charlieConsent))
        || (mentions(e.what, ':consent"') && mentions(e.what, `"${chain.charlieConsent}"`))),
      `the logged read's entity names the consent that permitted it: ${JSON.stringify(logged.entity)}`);

      // Eve's emergency session, as she sees it: opened, ended, reviewed.
      const emergency = await searchAll(url, `/fhir/AuditEvent?patient=${eve.address}`, await token(eve));
      served.push(...emergency.bundles);
      assert.deepEqual(sorted(emergency.resources.map((r) => r.id)), sorted([chain.opened, chain.ended, chain.reviewed]),
        'the session opened, ended and reviewed, one AuditEvent each');
      for (const e of emergency.resources) {
        assert.ok(codes(e.authorization).includes('ETREAT'), `${e.id}: authorization ETREAT`);
        assert.ok(codes(e.category).includes('110113') || codes(e.code).includes('110113'), `${e.id}: DICOM 110113 Security Alert`);
        assert.equal(accountOf(e.patient), eve.address, `${e.id}: patient Eve`);
      }
      const opened = byId(emergency.resources, chain.opened, 'Eve\'s AuditEvents');
      assert.ok(asList(opened.agent).some((a) => accountOf(a.who) === bob.address), 'Bob opened the session');
      assert.ok(mentions(opened.entity, hash32('e1').slice(2)), 'the justification hash is in entity.detail');
      const reviewed = byId(emergency.resources, chain.reviewed, 'Eve\'s AuditEvents');
      assert.ok(asList(reviewed.agent).some((a) => accountOf(a.who) === ferdie.address), 'Ferdie reviewed the session');

      // Charlie's request, accepted.
      const task = await fhirGet(url, `/fhir/Task/request-${chain.requestId}`, daves);
      assert.equal(task.status, 200, `GET Task/request-${chain.requestId}: ${task.text.slice(0, 300)}`);
      served.push(task.body);
      assert.equal(task.body.status, 'accepted', 'an approved request is an accepted Task');
      assert.equal(task.body.intent, 'proposal');
      assert.equal(accountOf(task.body.for), dave.address, 'Task.for: Dave');
      assert.equal(accountOf(task.body.requester), charlie.address, 'Task.requester: Charlie');
      assert.ok(mentions(task.body.output, consentId(dave.address, chain.charlieConsent)) || mentions(task.body.output, ':consent"'),
        `Task.output → the consent: ${JSON.stringify(task.body.output)}`);
      const tasks = await searchAll(url, `/fhir/Task?patient=${dave.address}`, daves);
      served.push(...tasks.bundles);
      assert.deepEqual(tasks.resources.map((r) => r.id), [`request-${chain.requestId}`], 'Dave\'s Tasks: the one request');

      // Records A (Dave's own) and B (Bob's, for Dev General Hospital), anchored; B erased since.
      const provenance = await searchAll(url, `/fhir/Provenance?patient=${dave.address}`, daves);
      served.push(...provenance.bundles);
      const idOf = (record, version = 0) => provenanceId(record, version);
      assert.deepEqual(sorted(provenance.resources.map((r) => r.id)),
        sorted([idOf(chain.recordA), idOf(chain.recordB), idOf(chain.recordB, 1)]),
        'one Provenance per anchored record version, and one for the erasure');
      const a = byId(provenance.resources, idOf(chain.recordA), 'Dave\'s Provenance');
      assert.ok(codes(a.activity).includes('CREATE'), 'anchoring: activity CREATE');
      assert.ok(mentions(a.target, chain.recordA.slice(2)), 'Provenance.target: record A');
      assert.ok(asList(a.agent).some((x) => accountOf(x.who) === dave.address), `the author Dave: ${JSON.stringify(a.agent)}`);
      const b = byId(provenance.resources, idOf(chain.recordB), 'Dave\'s Provenance');
      assert.ok(codes(b.activity).includes('CREATE'), 'anchoring: activity CREATE');
      assert.ok(mentions(b.target, chain.recordB.slice(2)), 'Provenance.target: record B');
      assert.equal(accountOf(b.patient), dave.address, 'Provenance.patient: Dave');
      assert.ok(!mentions(b, bob.address) && !mentions(b, 'Dev General Hospital'),
        `erased, record B's anchor names neither its author nor the organization any more: ${JSON.stringify(b.agent)}`);
      const nullified = byId(provenance.resources, idOf(chain.recordB, 1), 'Dave\'s Provenance');
      assert.ok(codes(nullified.activity).includes('NULLIFY'), 'the erasure: activity NULLIFY');
      assert.ok(asList(nullified.agent).some((x) => accountOf(x.who) === dave.address), 'Dave erased it');
      assert.ok(mentions(b, hash32('b0').slice(2)), 'the digest is kept');

      await validateFhir(served);
    });

    test('a patient reads only their own trail; the auditor and the council read the trail of their organization and of all', async () => {
      const url = await serving();
      const served = [];
      const daves = await token(dave);
      for (const type of ['Consent', 'AuditEvent', 'Provenance', 'Task']) {
        const res = await fhirGet(url, `/fhir/${type}?patient=${eve.address}`, daves);
        served.push(assertOperationOutcome(res, 403, `Dave searching Eve's ${type}`));
      }
      const foreign = await fhirGet(url, `/fhir/AuditEvent/${chain.opened}`, daves);
      assert.ok([403, 404].includes(foreign.status), `Dave reading Eve's AuditEvent ${chain.opened}: 403 or 404, got ${foreign.status}`);
      served.push(assertOperationOutcome(foreign, foreign.status, `Dave reading Eve's AuditEvent ${chain.opened}`));

      const own = await searchAll(url, '/fhir/AuditEvent?_count=100', daves);
      served.push(...own.bundles);
      assert.deepEqual(sorted(own.resources.map((r) => r.id)), sorted(chain.davesReads),
        'a plain search by Dave: every read of his records, nothing of Eve');
      assert.ok(own.resources.every((r) => accountOf(r.patient) === dave.address), 'every AuditEvent Dave gets is his');
      const eves = await token(eve);
      const evesOwn = await searchAll(url, '/fhir/AuditEvent', eves);
      served.push(...evesOwn.bundles);
      assert.deepEqual(sorted(evesOwn.resources.map((r) => r.id)), sorted([chain.opened, chain.ended, chain.reviewed]),
        'a plain search by Eve: her emergency session only');
      const evesConsents = await searchAll(url, '/fhir/Consent', eves);
      served.push(...evesConsents.bundles);
      assert.deepEqual(evesConsents.resources.map((r) => r.id), [], 'Eve has no consent, and sees none of Dave\'s');

      // Ferdie audits Dev General Hospital, whose physician broke the glass; Alice is on the council.
      for (const [who, pair] of [['the auditor Ferdie', ferdie], ['the council member Alice', alice]]) {
        const res = await searchAll(url, `/fhir/AuditEvent?patient=${eve.address}`, await token(pair));
        served.push(...res.bundles);
        assert.deepEqual(sorted(res.resources.map((r) => r.id)), sorted([chain.opened, chain.ended, chain.reviewed]),
          `${who} reads Eve's emergency session`);
      }

      // Dave's guardian (his consent-management proxy, nothing else) reads Dave's trail, not Eve's.
      const guardians = await token(guardian);
      const forDave = await searchAll(url, `/fhir/AuditEvent?patient=${dave.address}`, guardians);
      served.push(...forDave.bundles);
      assert.deepEqual(sorted(forDave.resources.map((r) => r.id)), sorted(chain.davesReads),
        'the guardian reads every logged read of Dave\'s records');
      const guardiansOwn = await searchAll(url, '/fhir/Consent', guardians);
      assert.ok(guardiansOwn.resources.length >= 2 && guardiansOwn.resources.every((r) => accountOf(r.subject) === dave.address),
        'a plain Consent search by the guardian: Dave\'s consents, nobody else\'s');
      served.push(...guardiansOwn.bundles);
      served.push(assertOperationOutcome(await fhirGet(url, `/fhir/AuditEvent?patient=${eve.address}`, guardians), 403,
        'Dave\'s guardian searching Eve\'s AuditEvents'));
      await validateFhir(served);
    });

    test('no token, a forged token or a forged signature: 401; a malformed query: 400; each with an OperationOutcome', async () => {
      const url = await serving();
      const served = [];
      const path = `/fhir/AuditEvent?patient=${dave.address}`;
      served.push(assertOperationOutcome(await fhirGet(url, path), 401, 'no token'));
      served.push(assertOperationOutcome(await fhirGet(url, path, 'garbage'), 401, 'a garbage token'));
      const challenge = await challengeFor(url, dave.address);
      const forged = await postJson(url, '/auth/token',
        { account: dave.address, challenge, signature: u8aToHex(eve.sign(stringToU8a(challenge))) });
      served.push(assertOperationOutcome(forged, 401, 'Dave\'s challenge signed by Eve'));

      const daves = await token(dave);
      for (const query of [`patient=${dave.address}&bogus=1`, 'date=yesterday', 'date=ge2026-13-45', '_count=abc', 'outcome=banana']) {
        served.push(assertOperationOutcome(await fhirGet(url, `/fhir/AuditEvent?${query}`, daves), 400, `AuditEvent?${query}`));
      }
      await validateFhir(served);
    });

    test('metadata, and AuditEvent search by date, outcome, agent, with paging, match the chain', async () => {
      const url = await serving();
      const served = [];
      const metadata = await fhirGet(url, '/fhir/metadata');
      assert.equal(metadata.status, 200, `GET /fhir/metadata without a token: ${metadata.text.slice(0, 300)}`);
      assert.equal(metadata.body.resourceType, 'CapabilityStatement');
      assert.match(metadata.body.fhirVersion, /^5\.0/, 'FHIR R5');
      served.push(metadata.body);

      const council = await token(alice);
      const search = async (query) => {
        const res = await searchAll(url, `/fhir/AuditEvent?${query}`, council);
        served.push(...res.bundles);
        return res.resources.map((r) => r.id);
      };
      // Between rounds 1 and 4 of the scenario (midway between their blocks' times).
      const since = (chain.times[0] + chain.times[1]) / 2;
      const until = (chain.times[2] + chain.times[3]) / 2;
      const inPeriod = auditIds((e) => e.time >= since && e.time < until);
      assert.deepEqual(sorted(await search(`date=ge${iso(since)}&date=lt${iso(until)}&_count=100`)), sorted(inPeriod),
        'date=ge…&date=lt…: the events of rounds 2 and 3');
      const tomorrow = iso(Date.now() + 86_400_000).slice(0, 10);
      assert.deepEqual(await search(`date=ge${tomorrow}`), [], `date=ge${tomorrow}: nothing`);
      assert.deepEqual(sorted(await search('outcome=4&_count=100')), sorted(expected('read', (e) => e.event.method === 'ReadDenied')),
        'outcome=4: every denied read');
      const successes = await search('outcome=0&_count=100');
      for (const id of expected('read', (e) => e.event.method === 'ReadLogged')) assert.ok(successes.includes(id), `outcome=0 includes the logged read ${id}`);
      for (const id of expected('read', (e) => e.event.method === 'ReadDenied')) assert.ok(!successes.includes(id), `outcome=0 excludes the denied read ${id}`);
      assert.deepEqual(sorted(await search(`agent=${charlie.address}`)), sorted([chain.deniedRead, chain.loggedRead]), 'agent=Charlie');

      const paged = await searchAll(url, `/fhir/AuditEvent?patient=${dave.address}&_count=50`, council);
      served.push(...paged.bundles);
      assert.ok(paged.bundles.length >= Math.ceil(chain.davesReads.length / 50),
        `${chain.davesReads.length} reads at _count=50 take several pages, got ${paged.bundles.length}`);
      assert.ok(paged.bundles.every((b) => (b.entry ?? []).length <= 50), 'no page holds more than _count');
      const ids = paged.resources.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, 'no AuditEvent on two pages');
      assert.deepEqual(sorted(ids), sorted(chain.davesReads), 'the pages together: every read of Dave\'s records');
      await validateFhir(served);
    });

    test('$export: NDJSON of the period that validates', async () => {
      const url = await serving();
      const since = (chain.times[0] + chain.times[1]) / 2;
      const until = (chain.times[2] + chain.times[3]) / 2;
      const res = await fhirGet(url, `/fhir/$export?_type=AuditEvent,Consent&_since=${iso(since)}&_until=${iso(until)}`, await token(alice));
      assert.equal(res.status, 200, `$export: ${res.text.slice(0, 300)}`);
      assert.match(res.contentType, /^application\/fhir\+ndjson/, 'NDJSON');
      const resources = res.text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
      const ofType = (type) => resources.filter((r) => r.resourceType === type).map((r) => r.id);
      assert.deepEqual(resources.filter((r) => !['AuditEvent', 'Consent'].includes(r.resourceType)).map((r) => r.resourceType), [],
        'only the _type asked for');
      assert.deepEqual(sorted(ofType('AuditEvent')), sorted(auditIds((e) => e.time >= since && e.time < until)),
        'the AuditEvents of the period: Charlie\'s denied read, the session ended and reviewed');
      assert.ok(ofType('Consent').includes(consentId(dave.address, chain.charlieConsent)), 'the consent granted in the period');
      assert.ok(!ofType('Consent').includes(consentId(dave.address, chain.bobConsent)), 'not the consent granted (and unchanged) before it');
      await validateFhir(res.text);
    });
  });
}
