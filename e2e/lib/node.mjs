// Starts a real consent-node on free loopback ports and connects a real @polkadot/api client.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** The node binary the scripts build; CONSENT_NODE overrides it. */
export function nodeBinary() {
  if (process.env.CONSENT_NODE) return process.env.CONSENT_NODE;
  const target = process.env.CARGO_TARGET_DIR ?? `${process.env.HOME}/.cache/consent-chain/target`;
  return `${target}/release/consent-node`;
}

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Run the node to completion (sub-commands, refused starts); resolves {code, output, stdout}. */
export function runNode(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d) => { output += d; stdout += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`node did not exit in ${timeoutMs} ms:\n${output}`)); }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, output, stdout }); });
  });
}

/**
 * Start `consent-node --dev --tmp` on free ports and wait until it serves RPC.
 * Returns { api, keyring, rpcPort, p2pPort, stop, logs() }; stop() always kills the node.
 */
export async function startDevNode({ extraArgs = [] } = {}) {
  await cryptoWaitReady();
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const args = ['--dev', '--tmp', '--rpc-port', String(rpcPort), '--port', String(p2pPort),
    '--no-prometheus', '--no-telemetry', '--no-mdns', ...extraArgs];
  const child = spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout.on('data', (d) => { logs += d; });
  child.stderr.on('data', (d) => { logs += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const api = await connect(`ws://127.0.0.1:${rpcPort}`, child);
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    return {
      api, keyring, rpcPort, p2pPort, pid: child.pid, logs: () => logs,
      stop: async () => { await api.disconnect().catch(() => {}); await stop(); },
    };
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n--- node output ---\n${logs.slice(-4000)}`);
  }
}

/** The WebSocket provider each client of `startDevNode` was made with. */
const providers = new WeakMap();

/**
 * Call one of the node's own RPC methods (`consent_*`, `records_*`, `breakGlass_*`) on the
 * provider `api` was made with, and return the JSON the node answered, as a gateway would read it.
 */
export function rpc(api, method, params) {
  const provider = providers.get(api);
  if (!provider) throw new Error('rpc(): not a client made by startDevNode');
  return provider.send(method, params);
}

async function connect(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`consent-node exited with ${child.exitCode}`);
    const provider = new WsProvider(url, false);
    try {
      await provider.connect();
      await waitFor(() => provider.isConnected, 2_000);
      const api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
      providers.set(api, provider);
      return api;
    } catch {
      await provider.disconnect().catch(() => {});
      await sleep(500);
    }
  }
  throw new Error(`no RPC at ${url} after ${timeoutMs} ms`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

/**
 * Sign and submit `tx` as `signer`; resolve once its block is finalized (or, with
 * `{ until: 'inBlock' }`, included in the best chain), with the events of the extrinsic. Rejects
 * with the decoded module error if the extrinsic failed.
 */
export function submitFinalized(api, tx, signer, { timeoutMs = 90_000, until = 'finalized', nonce } = {}) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    const timer = setTimeout(() => { unsub(); reject(new Error('not finalized in time')); }, timeoutMs);
    tx.signAndSend(signer, nonce === undefined ? {} : { nonce }, ({ status, events, dispatchError }) => {
      const done = until === 'inBlock' ? status.isInBlock : status.isFinalized;
      if (!done) return;
      clearTimeout(timer);
      unsub();
      if (dispatchError) {
        if (dispatchError.isModule) {
          const { section, name } = api.registry.findMetaError(dispatchError.asModule);
          reject(new Error(`${section}.${name}`));
        } else {
          reject(new Error(dispatchError.toString()));
        }
        return;
      }
      resolve({ events, blockHash: until === 'inBlock' ? status.asInBlock : status.asFinalized });
    }).then((u) => { unsub = u; }, (e) => { clearTimeout(timer); reject(e); });
  });
}

/** The events of a section/method among `events`. */
export function eventsOf(events, section, method) {
  return events.filter(({ event }) => event.section === section && event.method === method).map(({ event }) => event);
}

/** Sign, submit and wait for inclusion in the best chain (see `submitFinalized`). */
export const submitInBlock = (api, tx, signer, opts = {}) => submitFinalized(api, tx, signer, { ...opts, until: 'inBlock' });

/** The data categories that are not sensitive, by name, in the chain's order. */
export const NON_SENSITIVE = ['Demographics', 'Allergies', 'Medications', 'Conditions', 'Procedures',
  'Immunizations', 'LabResults', 'Imaging', 'VitalSigns', 'ClinicalNotes', 'Billing'];
