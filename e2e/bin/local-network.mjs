// `scripts/local-network`: the four `local` validators until Ctrl-C.
import { startNetwork, untilReady, heights } from '../lib/network.mjs';

const [root, p2pBase, rpcBase] = process.argv.slice(2);
const log = (msg) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const net = await startNetwork({ root, p2pBase: Number(p2pBase), rpcBase: Number(rpcBase), log });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  log('stopping the validators');
  await net.stopAll();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
try {
  await untilReady(net.nodes);
} catch (e) {
  log(`${e.message}; last lines of each node:`);
  for (const n of net.nodes) log(`--- ${n.name}\n${n.logs().split('\n').slice(-15).join('\n')}`);
  await stop();
}
const { best, finalized } = await heights(net.nodes[0].rpcUrl);
log(`the consortium is up: best #${best}, finalized #${finalized}`);
for (const n of net.nodes) log(`  ${n.name.padEnd(8)} rpc ${n.rpcUrl}  p2p /ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${n.peerId}  base ${n.basePath}`);
log('Ctrl-C stops them; their base paths are kept.');
setInterval(() => {}, 1 << 30);
