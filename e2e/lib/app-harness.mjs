/* global window */
// What the web app's browser test needs around the app: a build of app/, a static server for it,
// Debian's Chromium driven by puppeteer-core, and a test wallet injected into the page that
// implements the `injectedWeb3` interface and signs with dev keys, exactly as a wallet
// extension signs (so the app's signing path is the one real extensions take).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** Serve app/dist on a free loopback port; resolves { url, close }. */
export function serveApp() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST)) return void res.writeHead(403).end();
    const info = await stat(file).catch(() => null);
    if (!info || info.isDirectory()) file = join(DIST, 'index.html');
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
    });
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
 * Returns { page, signed } where `signed` lists the payloads signed so far.
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
        signer: { signPayload: (payload) => w.__consentTestWalletSign(payload) },
      }),
    };
  }, listed);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (process.env.APP_TEST_DEBUG) page.on('console', (m) => console.log(`[page ${width}px] ${m.type()}: ${m.text()}`));
  return { page, signed, errors };
}
