// A runtime upgrade on the four-validator network: the two releases' runtimes scripts/test names,
// a chain spec whose genesis runs the older one, a snapshot of the consent suite's state to hold
// the newer one to, and a watch on every node's block heights while the code changes under them.
import { readFileSync, writeFileSync } from 'node:fs';
import { WsProvider } from '@polkadot/api';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { stringToU8a, u8aToHex, u8aToU8a } from '@polkadot/util';
import { blake2AsHex, xxhashAsHex } from '@polkadot/util-crypto';
import { call } from './network.mjs';
import { runNode, sleep } from './node.mjs';

/** The storage key of the runtime code. */
export const CODE_KEY = u8aToHex(stringToU8a(':code'));

/**
 * A runtime a release ships: the bytes of its `*.compact.compressed.wasm` (what `:code` holds and
 * what the extrinsic carries), their blake2-256 computed here (what the council authorizes), and
 * the hash scripts/build-runtime published next to the file (`<path>.blake2_256`), for the test to
 * compare: the motion must name the bytes the test then submits.
 */
export function readRuntime(path) {
  const code = new Uint8Array(readFileSync(path));
  const published = readFileSync(`${path}.blake2_256`, 'utf8').trim();
  return { path, code, hash: blake2AsHex(code, 256), published };
}

/**
 * The previous and next releases' runtimes, from CONSENT_RUNTIME_PREVIOUS and
 * CONSENT_RUNTIME_NEXT, and the next one built with its `TryRuntime` API (CONSENT_RUNTIME_NEXT_TRY,
 * `scripts/build-runtime --try-runtime`), which `consent-node try-runtime` runs against the live
 * state before the council votes. Without them the upgrade cannot be tested, and a test that
 * passes without testing it would say it was: throw.
 */
export function runtimesFromEnv() {
  const names = ['CONSENT_RUNTIME_PREVIOUS', 'CONSENT_RUNTIME_NEXT', 'CONSENT_RUNTIME_NEXT_TRY'];
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not set: run the network test through scripts/test, which builds `
      + 'the runtimes, or set them to the paths of *.compact.compressed.wasm files that scripts/build-runtime printed '
      + '(each with its .blake2_256 next to it; the last one built with --try-runtime)');
  }
  const [previous, next, nextTry] = names.map((name) => readRuntime(process.env[name]));
  return { previous, next, nextTry };
}

/**
 * `consent-node try-runtime <command> --uri <url> --runtime <path> [--at <hash>]`: the candidate
 * runtime against the live state. Resolves {code, stdout, output}; `output` holds the logs too.
 */
export function tryRuntime(command, { url, runtime, at }) {
  const args = ['try-runtime', command, '--uri', url, '--runtime', runtime, ...(at ? ['--at', at] : [])];
  return runNode(args, { timeoutMs: 300_000 });
}

/**
 * Build the `local` chain spec with `code` as its genesis runtime, in `dir`, and return the path
 * of the raw spec the nodes run. The plain spec keeps the node's `local` preset (the genesis
 * patch: validators, council, organizations); building it raw runs that patch through `code`'s
 * own genesis builder, so the genesis state is the one that runtime makes of it (a field of the
 * patch it does not know fails the build here, not the network later).
 */
export async function chainSpecWithRuntime(dir, code) {
  const build = async (args) => {
    const { code: exit, stdout, output } = await runNode(['build-spec', ...args, '--disable-default-bootnode'], { timeoutMs: 180_000 });
    if (exit !== 0) throw new Error(`consent-node build-spec ${args.join(' ')} failed (${exit}):\n${output.slice(-3000)}`);
    return JSON.parse(stdout);
  };
  const plain = await build(['--chain', 'local']);
  const genesis = plain.genesis?.runtimeGenesis;
  if (typeof genesis?.code !== 'string' || !genesis.patch) {
    throw new Error(`the plain local spec has no genesis.runtimeGenesis.{code,patch}: ${Object.keys(plain.genesis ?? {})}`);
  }
  genesis.code = u8aToHex(code);
  const plainPath = `${dir}/local-plain.json`;
  writeFileSync(plainPath, JSON.stringify(plain, null, 1));
  const raw = await build(['--chain', plainPath, '--raw']);
  if (raw.genesis?.raw?.top?.[CODE_KEY] !== genesis.code) throw new Error('the raw spec does not hold the given runtime as :code');
  const rawPath = `${dir}/local-raw.json`;
  writeFileSync(rawPath, JSON.stringify(raw));
  return rawPath;
}

/**
 * Sign `tx` as `signer`, submit it and resolve with the hash of the block that includes it,
 * watching its status only. The client's own result (submitInBlock) reads the block's events
 * through its registries, which it switches to the new runtime's metadata in the same moment: for
 * the upgrade block it can decode the events with the new runtime's types, fail, and report none.
 * Read them with `eventsOfBlock`.
 */
export async function submitWatchingStatus(api, tx, signer, { timeoutMs = 180_000 } = {}) {
  await tx.signAsync(signer);
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    const timer = setTimeout(() => { unsub(); reject(new Error('not in a block in time')); }, timeoutMs);
    const settle = (fn, value) => { clearTimeout(timer); unsub(); fn(value); };
    api.rpc.author.submitAndWatchExtrinsic(tx, (status) => {
      if (status.isInBlock) settle(resolve, status.asInBlock);
      else if (status.isDropped || status.isInvalid || status.isUsurped) settle(reject, new Error(`the extrinsic was ${status.type}`));
    }).then((u) => { unsub = u; }, (e) => settle(reject, e));
  });
}

/**
 * The events of block `blockHash` on the node at `url`, and its number, decoded with the metadata
 * of the runtime that wrote them: the one of its parent, which for an upgrade block is the old
 * runtime (the new code is in the block's own state).
 */
export async function eventsOfBlock(url, blockHash) {
  const header = await call(url, 'chain_getHeader', [blockHash]);
  const registry = new TypeRegistry();
  // Events only: the transaction extensions this registry does not know are no concern here.
  registry.setMetadata(new Metadata(registry, await call(url, 'state_getMetadata', [header.parentHash])), undefined, undefined, true);
  const key = xxhashAsHex('System', 128) + xxhashAsHex('Events', 128).slice(2);
  const records = registry.createType('Vec<FrameSystemEventRecord>', await call(url, 'state_getStorage', [key, blockHash]));
  return { number: parseInt(header.number, 16), events: records.map(({ event }) => event) };
}

/**
 * The storage version of `pallet` (its name in the runtime) at `blockHash`, read raw (a u16,
 * little-endian, under twox128(pallet) ++ twox128(":__STORAGE_VERSION__:")) so that it means the
 * same under both runtimes' metadata; `null` if none is stored.
 */
export async function storageVersion(api, pallet, blockHash) {
  const key = xxhashAsHex(pallet, 128) + xxhashAsHex(':__STORAGE_VERSION__:', 128).slice(2);
  const stored = await (blockHash ? api.rpc.state.getStorage(key, blockHash) : api.rpc.state.getStorage(key));
  if (stored.isNone) return null;
  const bytes = u8aToU8a(stored.unwrap());
  if (bytes.length !== 2) throw new Error(`${pallet}: a storage version of ${bytes.length} bytes`);
  return bytes[0] | (bytes[1] << 8);
}

/**
 * Everything `pallets` store, plus `extra` items ([pallet, item] pairs), and the account data of
 * `accounts`, at `blockHash`, as JSON: { storage: { 'pallet.item': { keyHex: value } },
 * accounts: { address: data } }. Maps are read whole (every entry), plain values under their key;
 * all through `api.at`, so each read decodes with the metadata of the runtime of that block.
 */
export async function snapshotState(api, blockHash, { pallets, extra = [], accounts = [] }) {
  const at = await api.at(blockHash);
  const items = [];
  for (const pallet of pallets) {
    if (!at.query[pallet]) throw new Error(`the runtime at ${blockHash} has no pallet ${pallet}`);
    for (const item of Object.keys(at.query[pallet])) items.push([pallet, item]);
  }
  for (const [pallet, item] of extra) {
    if (!at.query[pallet]?.[item]) throw new Error(`the runtime at ${blockHash} has no ${pallet}.${item}`);
    items.push([pallet, item]);
  }
  const storage = {};
  for (const [pallet, item] of items) {
    const entry = at.query[pallet][item];
    const values = {};
    if (entry.creator.meta.type.isMap) {
      for (const [key, value] of await entry.entries()) values[key.toHex()] = value.toJSON();
    } else {
      values[entry.key()] = (await entry()).toJSON();
    }
    storage[`${pallet}.${item}`] = values;
  }
  const data = {};
  for (const who of accounts) data[who] = (await at.query.system.account(who)).data.toJSON();
  return { blockHash: blockHash.toString(), storage, accounts: data };
}

/**
 * Poll the best and finalized heights of every node every `everyMs` over one WebSocket per node
 * (connected first, so that the first rounds are not counted as silence), until stop():
 * { samples (one list per node of { t, best, finalized } or { t, error }), latest(i), stop() }.
 * A node that does not answer within `answerMs` is recorded as an error for that round, and the
 * watch goes on.
 */
export async function watchHeights(nodes, { everyMs = 1_000, answerMs = 5_000 } = {}) {
  const providers = nodes.map((n) => new WsProvider(n.rpcUrl, 1_000));
  await Promise.all(providers.map((p) => p.isReady));
  const samples = nodes.map(() => []);
  let stopped = false;
  const withTimeout = (promise) => Promise.race([promise,
    sleep(answerMs).then(() => { throw new Error(`no answer in ${answerMs} ms`); })]);
  const sample = async (provider) => {
    const best = await provider.send('chain_getHeader', []);
    const finalizedHash = await provider.send('chain_getFinalizedHead', []);
    const finalized = await provider.send('chain_getHeader', [finalizedHash]);
    return { best: parseInt(best.number, 16), finalized: parseInt(finalized.number, 16) };
  };
  const loop = (async () => {
    while (!stopped) {
      const t = Date.now();
      await Promise.all(providers.map(async (provider, i) => {
        try {
          samples[i].push({ t, ...(await withTimeout(sample(provider))) });
        } catch (e) {
          samples[i].push({ t, error: e.message });
        }
      }));
      await sleep(Math.max(0, everyMs - (Date.now() - t)));
    }
  })();
  let stopping = null;
  return {
    samples,
    latest: (i) => samples[i].findLast((s) => s.error === undefined),
    // Once: a test stops the watch to judge it, and again in its `finally`.
    stop: () => {
      stopping ??= (async () => {
        stopped = true;
        await loop;
        await Promise.all(providers.map((p) => p.disconnect().catch(() => {})));
        return samples;
      })();
      return stopping;
    },
  };
}

/**
 * The longest time (ms) one node's samples went without a new best block: from the first sample,
 * between the samples where the best height rose, and up to the last sample. A round the node did
 * not answer counts as no new block.
 */
export function longestStall(samples) {
  const answered = samples.filter((s) => s.error === undefined);
  if (answered.length === 0) return Infinity;
  let longest = 0;
  let since = samples[0].t;
  let best = answered[0].best;
  for (const s of answered) {
    if (s.best > best) {
      longest = Math.max(longest, s.t - since);
      since = s.t;
      best = s.best;
    }
  }
  return Math.max(longest, samples[samples.length - 1].t - since);
}
