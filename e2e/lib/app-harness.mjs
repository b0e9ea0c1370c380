/* global window */
// What the web app's browser test needs around the app: a build of app/, the app's own server,
// Debian's Chromium driven by puppeteer-core, and a test wallet injected into the page that
// implements the `injectedWeb3` interface and signs with dev keys, exactly as a wallet
// extension signs (so the app's signing path is the one real extensions take).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import puppeteer from 'puppeteer-core';

export const APP_DIR = fileURLToPath(new URL('../../app/', import.meta.url));
const DIST = join(APP_DIR, 'dist');

function run(cmd, args, cwd, timeoutMs = 300_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} ${args.join(' ')} timed out:\n${output}`)); }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}

function newestMtime(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Build app/ unless dist/ is newer than its sources (installing its packages if missing). */
export async function buildApp() {
  if (!existsSync(join(APP_DIR, 'node_modules'))) {
    await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], APP_DIR);
  }
  const sources = ['src', 'index.html', 'package.json', 'package-lock.json', 'vite.config.ts', 'tsconfig.json']
    .map((p) => join(APP_DIR, p)).filter(existsSync);
  const built = existsSync(join(DIST, 'index.html')) ? newestMtime(DIST) : 0;
  if (built < Math.max(...sources.map(newestMtime))) await run('npm', ['run', 'build'], APP_DIR);
}

/**
 * Serve app/dist with the app's own server (`app/serve.mjs`, the one `scripts/run` starts) on a
 * free loopback port; resolves { url, close }.
 */
export function serveApp() {
  const child = spawn(process.execPath, [join(APP_DIR, 'serve.mjs'), '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`app/serve.mjs printed no URL in 30 s:\n${output}`)); }, 30_000);
    const read = (d) => {
      output += d;
      const url = output.match(/http:\/\/127\.0\.0\.1:\d+\//)?.[0];
      if (!url) return;
      clearTimeout(timer);
      child.stdout.off('data', read);
      resolve({
        url,
        close: () => new Promise((r) => {
          if (child.exitCode !== null) return r();
          child.once('exit', () => r());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3_000).unref(); // open keep-alive connections
        }),
      });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (d) => { output += d; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`app/serve.mjs exited with ${code}:\n${output}`)); });
  });
}

/** Debian's Chromium (CHROMIUM overrides), headless, no sandbox (the tests run as root). */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: install Debian's chromium package (or set CHROMIUM)`);
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--lang=en-US', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    protocolTimeout: 180_000,
  });
}

/**
 * A page with the test wallet: `window.injectedWeb3['consent-test-wallet']` lists `accounts`
 * ({ pair, name }) and signs payloads in this process with their keys, as the polkadot.js
 * extension does: `createType('ExtrinsicPayload', payload, { version }).sign(pair)`.
 * It signs messages too (`signRaw`, as a sign-in asks), as the extension does: the bytes wrapped
 * in `<Bytes>…</Bytes>`, signed with the key.
 * Returns { page, signed, signedRaw, errors }: the payloads signed so far, the raw messages signed
 * so far ({ address, data, type } as the page asked), and uncaught errors in the page.
 */
export async function walletPage(browser, api, accounts, { width = 1280, height = 800, mobile = false } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1 });
  const signed = [];
  const pairs = new Map(accounts.map(({ pair }) => [pair.address, pair]));
  let id = 0;
  await page.exposeFunction('__consentTestWalletSign', (payload) => {
    const pair = pairs.get(payload.address);
    if (!pair) throw new Error(`the test wallet holds no key for ${payload.address}`);
    const { signature } = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(pair);
    signed.push(payload);
    id += 1;
    return { id, signature };
  });
  const signedRaw = [];
  await page.exposeFunction('__consentTestWalletSignRaw', (raw) => {
    const pair = pairs.get(raw.address);
    if (!pair) throw new Error(`the test wallet holds no key for ${raw.address}`);
    if (raw.type !== 'bytes') throw new Error(`the test wallet signs bytes, not ${raw.type}`);
    const signature = u8aToHex(pair.sign(u8aWrapBytes(hexToU8a(raw.data))));
    signedRaw.push(raw);
    id += 1;
    return { id, signature };
  });
  const listed = accounts.map(({ pair, name }) => ({ address: pair.address, name, type: 'sr25519' }));
  await page.evaluateOnNewDocument((list) => {
    const w = window;
    w.injectedWeb3 = w.injectedWeb3 ?? {};
    w.injectedWeb3['consent-test-wallet'] = {
      version: '1.0.0',
      enable: async () => ({
        accounts: {
          get: async () => list,
          subscribe: (cb) => { cb(list); return () => {}; },
        },
        signer: {
          signPayload: (payload) => w.__consentTestWalletSign(payload),
          signRaw: (raw) => w.__consentTestWalletSignRaw(raw),
        },
      }),
    };
  }, listed);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (process.env.APP_TEST_DEBUG) page.on('console', (m) => console.log(`[page ${width}px] ${m.type()}: ${m.text()}`));
  return { page, signed, signedRaw, errors };
}
