// A local consortium: the four validators of the `local` chain (Alice, Bob, Charlie and Dave, one
// per organization) on loopback ports, each with its own base path, its own keystore and a fixed
// node key, so that their peer ids are the ones the chain authorizes at genesis. The chain is the
// node's own `local`, or a spec file made from it (another release's runtime at genesis).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { nodeBinary, runNode, sleep } from './node.mjs';

/** The four validators. Node keys are fixed so that the peer ids match the `local` genesis. */
export const VALIDATORS = [
  { name: 'alice', seed: '//Alice', nodeKey: '0000000000000000000000000000000000000000000000000000000000000001', peerId: '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp' },
  { name: 'bob', seed: '//Bob', nodeKey: '0000000000000000000000000000000000000000000000000000000000000002', peerId: '12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD' },
  { name: 'charlie', seed: '//Charlie', nodeKey: '0000000000000000000000000000000000000000000000000000000000000003', peerId: '12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x' },
  { name: 'dave', seed: '//Dave', nodeKey: '0000000000000000000000000000000000000000000000000000000000000004', peerId: '12D3KooWSsChzF81YDUKpe9Uk5AHV5oqAaXAcWNSPYgoLauUk4st' },
];

/** Put a validator's Aura (sr25519) and GRANDPA (ed25519) keys into its keystore. */
async function insertKeys(v, basePath, chain) {
  for (const [scheme, type] of [['Sr25519', 'aura'], ['Ed25519', 'gran']]) {
    const { code, output } = await runNode(['key', 'insert', '--base-path', basePath, '--chain', chain,
      '--scheme', scheme, '--suri', v.seed, '--key-type', type]);
    if (code !== 0) throw new Error(`key insert failed for ${v.name}: ${output}`);
  }
}

/**
 * Start the four validators under `root` (a directory), P2P ports from `p2pBase`, RPC ports from
 * `rpcBase`. `chain`: `local`, or the path of a chain spec of the same validators (the keystores
 * are made for it: a keystore lives under the chain's id). `archive`: the names of the validators
 * that keep the state of every block (`--state-pruning archive`, as the node an audit service
 * follows must; none by default). Returns { nodes, chain, stopAll }; each node has start(),
 * kill(signal), rpcUrl, logs().
 */
export async function startNetwork({ root, chain = 'local', p2pBase = 30333, rpcBase = 9944, archive = [], log = () => {} }) {
  const nodes = VALIDATORS.map((v, i) => ({
    ...v,
    basePath: `${root}/${v.name}`,
    p2pPort: p2pBase + i,
    rpcPort: rpcBase + i,
    rpcUrl: `ws://127.0.0.1:${rpcBase + i}`,
    archive: archive.includes(v.name),
  }));
  const bootnodes = nodes.map((n) => `/ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${n.peerId}`);
  for (const n of nodes) {
    mkdirSync(n.basePath, { recursive: true });
    await insertKeys(n, n.basePath, chain);
    let output = '';
    n.logs = () => output;
    n.start = () => {
      const args = ['--chain', chain, '--validator', '--name', n.name, '--base-path', n.basePath,
        '--node-key', n.nodeKey, '--rpc-port', String(n.rpcPort),
        '--no-prometheus', '--no-telemetry', '--no-mdns', '--listen-addr', `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
        '--bootnodes', ...bootnodes.filter((b) => !b.endsWith(n.peerId))];
      if (n.archive) args.push('--state-pruning', 'archive');
      n.child = spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
      n.child.stdout.on('data', (d) => { output += d; });
      n.child.stderr.on('data', (d) => { output = (output + d).slice(-200_000); });
      n.exited = new Promise((resolve) => n.child.on('exit', resolve));
      log(`started ${n.name} (pid ${n.child.pid}) rpc ${n.rpcUrl} p2p ${n.p2pPort}`);
    };
    n.kill = async (signal = 'SIGKILL') => {
      if (n.child && n.child.exitCode === null && n.child.signalCode === null) {
        n.child.kill(signal);
        const timer = setTimeout(() => n.child.kill('SIGKILL'), 15_000);
        await n.exited;
        clearTimeout(timer);
        log(`stopped ${n.name} (${signal})`);
      }
    };
    n.start();
  }
  const stopAll = async () => { await Promise.all(nodes.map((n) => n.kill('SIGINT'))); };
  return { nodes, chain, stopAll };
}

/** A JSON-RPC call over a short-lived WebSocket (for nodes that come and go). */
export async function call(url, method, params = []) {
  const provider = new WsProvider(url, false);
  try {
    await provider.connect();
    for (let i = 0; i < 40 && !provider.isConnected; i++) await sleep(50);
    return await provider.send(method, params);
  } finally {
    await provider.disconnect().catch(() => {});
  }
}

/** Best and finalized block numbers of the node at `url`. */
export async function heights(url) {
  const best = await call(url, 'chain_getHeader');
  const finalizedHash = await call(url, 'chain_getFinalizedHead');
  const finalized = await call(url, 'chain_getHeader', [finalizedHash]);
  return { best: parseInt(best.number, 16), finalized: parseInt(finalized.number, 16) };
}

/** Wait until `cond()` is true (polling every `everyMs`), or throw `what` after `timeoutMs`. */
export async function until(what, cond, { timeoutMs = 120_000, everyMs = 1_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (e) {
      if (/exited with/.test(e.message)) throw e; // a node died: no point in waiting
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Wait until every node has `peers` peers and the chain has finalized a block. */
export async function untilReady(nodes, { peers = nodes.length - 1, timeoutMs = 300_000 } = {}) {
  let seen = 'no answer yet';
  try {
    await until('peering', async () => {
      const dead = nodes.find((n) => n.child.exitCode !== null);
      if (dead) throw new Error(`${dead.name} exited with ${dead.child.exitCode}:\n${dead.logs().slice(-3000)}`);
      const health = await Promise.all(nodes.map((n) => call(n.rpcUrl, 'system_health').catch(() => ({ peers: -1 }))));
      seen = nodes.map((n, i) => `${n.name} ${health[i].peers}`).join(', ');
      return health.every((h) => h.peers >= peers);
    }, { timeoutMs });
  } catch (e) {
    const tails = nodes.map((n) => `--- ${n.name}\n${n.logs().slice(-1500)}`).join('\n');
    throw new Error(`${e.message} (peers: ${seen})\n${tails}`);
  }
  await until('finality', async () => (await heights(nodes[0].rpcUrl)).finalized >= 1, { timeoutMs });
}

/** A connected @polkadot/api client. */
export async function connect(url) {
  return ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
}
