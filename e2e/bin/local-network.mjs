// `scripts/local-network`: the four `local` validators until Ctrl-C, and (unless `auditPort` is
// `off`) the audit service following the first of them, which then keeps the state of every block
// (`--state-pruning archive`: the service reads each finalized block's events from its state).
//   node bin/local-network.mjs ROOT P2P_BASE RPC_BASE [AUDIT_PORT|off]
// The audit service's binary: CONSENT_AUDIT (scripts/local-network sets it). Its trail (SQLite)
// lives in the first validator's base path, with the chain it records.
import { spawn } from 'node:child_process';
import { startNetwork, untilReady, heights, until } from '../lib/network.mjs';

const [root, p2pBase, rpcBase, auditArg = 'off'] = process.argv.slice(2);
const withAudit = auditArg !== 'off';
const log = (msg) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const net = await startNetwork({ root, p2pBase: Number(p2pBase), rpcBase: Number(rpcBase), log,
  archive: withAudit ? ['alice'] : [] });
const followed = net.nodes[0];
let audit = null;
let auditProcess = null; // { child, exited } from the moment it is spawned
let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  const a = auditProcess;
  if (a && a.child.exitCode === null && a.child.signalCode === null) {
    log('stopping the audit service');
    a.child.kill('SIGTERM');
    const timer = setTimeout(() => a.child.kill('SIGKILL'), 15_000);
    await a.exited;
    clearTimeout(timer);
  }
  log('stopping the validators');
  await net.stopAll();
  process.exit(code);
};
process.on('SIGINT', () => stop());
process.on('SIGTERM', () => stop());
try {
  await untilReady(net.nodes);
} catch (e) {
  log(`${e.message}; last lines of each node:`);
  for (const n of net.nodes) log(`--- ${n.name}\n${n.logs().split('\n').slice(-15).join('\n')}`);
  if (/Incompatible pruning modes/.test(followed.logs())) {
    log(`${followed.name}'s database (${followed.basePath}) was made without --state-pruning archive, which the audit ` +
      `service needs: remove ${followed.basePath} (it syncs anew from the others) or start with AUDIT=0`);
  }
  await stop(1);
}

/**
 * `consent-audit serve` following `node`'s RPC, its SQLite trail in the node's base path, on
 * 127.0.0.1:`port`; resolves { url, child, exited, logs() } once it prints its address.
 */
async function startAudit(node, port) {
  const binary = process.env.CONSENT_AUDIT;
  if (!binary) throw new Error('CONSENT_AUDIT (the consent-audit binary) is not set');
  const database = `sqlite:${node.basePath}/audit.db`;
  const args = ['serve', '--node', `http://127.0.0.1:${node.rpcPort}`, '--database', database,
    '--listen', `127.0.0.1:${port}`];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => { output = (output + d).slice(-200_000); };
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', () => resolve({ code: null, signal: null })); // it never ran (no such binary)
  });
  auditProcess = { child, exited };
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('consent-audit did not print "listening on" in 60 s')), 60_000);
    child.stdout.on('data', (d) => {
      keep(d);
      const m = /consent-audit listening on (http:\/\/\S+)/.exec(output);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.stderr.on('data', keep);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`consent-audit exited (code ${code}, signal ${signal})`)); });
  }).catch((e) => {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n$ ${binary} ${args.join(' ')}\n${output.slice(-3000)}`);
  });
  log(`started consent-audit (pid ${child.pid}) following ${node.name}, trail in ${database}`);
  return { url, child, exited, database, logs: () => output };
}

const { best, finalized } = await heights(followed.rpcUrl);
if (withAudit) {
  try {
    audit = await startAudit(followed, Number(auditArg));
    let status = {};
    await until('the audit service catching up', async () => {
      status = await (await fetch(`${audit.url}/status`)).json();
      return status.ingested !== null && status.ingested >= finalized;
    }, { timeoutMs: 60_000 }).catch((e) => log(`${e.message}: /status ${JSON.stringify(status)}`));
    audit.exited.then(({ code, signal }) => {
      if (!stopping) log(`consent-audit exited (code ${code}, signal ${signal}); its last lines:\n${audit.logs().split('\n').slice(-15).join('\n')}`);
    });
  } catch (e) {
    log(`the audit service did not start: ${e.message}`);
    await stop(1);
  }
}
log(`the consortium is up: best #${best}, finalized #${finalized}`);
for (const n of net.nodes) log(`  ${n.name.padEnd(8)} rpc ${n.rpcUrl}  p2p /ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${n.peerId}  base ${n.basePath}${n.archive ? '  (archive)' : ''}`);
if (audit) log(`  ${'audit'.padEnd(8)} ${audit.url}/fhir (FHIR R5; ${audit.url}/status)  following ${followed.name}, trail ${audit.database}`);
log(`Ctrl-C stops ${audit ? 'them and the audit service' : 'them'}; their base paths are kept.`);
setInterval(() => {}, 1 << 30);
