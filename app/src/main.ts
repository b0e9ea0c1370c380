// Consent Chain web app: connects to a node, lists the wallet's accounts (and on a development
// chain the dev accounts), and shows the patient's, the clinician's and the auditor's screens.
import './style.css';
import { accountKey, accounts } from './accounts';
import { chain, short } from './chain';
import { field, h, replace } from './dom';
import { nodeHistory } from './history';
import { activityPanel } from './tx';
import { auditorView } from './views/auditor';
import { clinicianView } from './views/clinician';
import { settings, type View } from './views/common';
import { patientView } from './views/patient';

const params = new URLSearchParams(location.search);
const DEFAULT_NODE = 'ws://127.0.0.1:9944';
const nodeUrl = params.get('node') ?? localStorage.getItem('consent-chain.node') ?? DEFAULT_NODE;
settings.auditUrl = params.get('audit') ?? localStorage.getItem('consent-chain.audit') ?? '';

const app = document.getElementById('app')!;

// --- Header: the node -----------------------------------------------------------------------
const nodeInput = h('input', { type: 'url', value: nodeUrl, spellcheck: 'false', autocomplete: 'off', class: 'mono' });
const connectButton = h('button', { type: 'submit', class: 'secondary' }, 'Connect');
const nodeForm = h('form', { class: 'node-form', 'aria-label': 'Node' }, field('Node', nodeInput), connectButton);
const connStatus = h('p', { class: 'conn-status', role: 'status' });
nodeForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const url = nodeInput.value.trim();
  if (!/^wss?:\/\//.test(url)) {
    replace(connStatus, h('span', { class: 'dot dot-error' }), 'The node address starts with ws:// or wss://.');
    return;
  }
  localStorage.setItem('consent-chain.node', url);
  void connect(url);
});
const header = h(
  'header',
  { class: 'topbar' },
  h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '✓'), h('span', null, 'Consent Chain')),
  nodeForm,
  connStatus,
);

// --- Development banner ---------------------------------------------------------------------
const devBanner = h(
  'div',
  { class: 'dev-banner', role: 'note', hidden: true },
  h('strong', null, 'Development chain. '),
  'The development accounts (Alice, Bob, Charlie, Dave, Eve, Ferdie) sign here in the page with keys everybody knows. Never use them, or this chain, for real health data.',
);

// --- Accounts -------------------------------------------------------------------------------
const accountSelect = h('select', { id: 'account-select' });
const walletButton = h('button', { type: 'button', class: 'secondary' }, 'Connect wallet');
const walletStatus = h('p', { class: 'hint', 'aria-live': 'polite' });
const accountBar = h(
  'section',
  { class: 'account-bar', 'aria-label': 'Your account' },
  h('div', { class: 'field' }, h('label', { for: 'account-select' }, 'Signing account'), accountSelect),
  h('div', { class: 'wallet' }, walletButton, walletStatus),
);
walletButton.addEventListener('click', async () => {
  walletButton.disabled = true;
  await accounts.connectWallet();
  localStorage.setItem('consent-chain.wallet', 'yes');
  walletButton.disabled = false;
});
accountSelect.addEventListener('change', () => accounts.select(accountSelect.value));

function renderAccounts(): void {
  const current = accounts.selected ? accountKey(accounts.selected) : '';
  const bySource = new Map<string, typeof accounts.wallet>();
  for (const a of accounts.wallet) bySource.set(a.source, [...(bySource.get(a.source) ?? []), a]);
  replace(
    accountSelect,
    h('option', { value: '' }, accounts.all.length ? 'Choose an account…' : 'No account yet: connect your wallet'),
    [...bySource].map(([source, list]) =>
      h('optgroup', { label: `Wallet: ${source}` }, list.map((a) => h('option', { value: accountKey(a) }, `${a.name} (${short(a.address)})`))),
    ),
    accounts.dev.length
      ? h('optgroup', { label: 'Development accounts (public keys, never for real data)' }, accounts.dev.map((a) => h('option', { value: accountKey(a) }, `${a.name} (development)`)))
      : null,
  );
  accountSelect.value = current;
  walletStatus.textContent = accounts.walletStatus;
}
accounts.onChange(() => {
  renderAccounts();
  settings.actFor = null;
  scheduleRefresh();
});

// --- Views ----------------------------------------------------------------------------------
const views: View[] = [patientView(), clinicianView(), auditorView()];
const tabs = views.map((v, i) =>
  h('button', { type: 'button', role: 'tab', id: `tab-${v.id}`, 'aria-controls': `panel-${v.id}`, 'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1' }, v.title),
);
const tablist = h('div', { role: 'tablist', 'aria-label': 'Screens', class: 'tabs' }, tabs);
const panels = views.map((v, i) => h('section', { role: 'tabpanel', id: `panel-${v.id}`, 'aria-labelledby': `tab-${v.id}`, hidden: i !== 0, class: 'panel' }, v.el));
let current: View = views[0]!;

function show(id: string, focus = false): void {
  const index = Math.max(0, views.findIndex((v) => v.id === id));
  current = views[index]!;
  tabs.forEach((t, i) => {
    t.setAttribute('aria-selected', String(i === index));
    t.tabIndex = i === index ? 0 : -1;
  });
  panels.forEach((p, i) => (p.hidden = i !== index));
  if (focus) tabs[index]!.focus();
  const url = new URL(location.href);
  url.searchParams.set('view', current.id);
  history.replaceState(null, '', url);
  scheduleRefresh();
}
tabs.forEach((t, i) => {
  t.addEventListener('click', () => show(views[i]!.id));
  t.addEventListener('keydown', (e) => {
    const n = views.length;
    const target = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (target >= 0) {
      e.preventDefault();
      show(views[target]!.id, true);
    }
  });
});

// --- Footer ---------------------------------------------------------------------------------
const auditInput = h('input', { type: 'url', value: settings.auditUrl, placeholder: 'https://audit.example-hospital.org/fhir', spellcheck: 'false', class: 'mono' });
auditInput.addEventListener('change', () => {
  settings.auditUrl = auditInput.value.trim();
  localStorage.setItem('consent-chain.audit', settings.auditUrl);
  scheduleRefresh();
});
const footer = h(
  'footer',
  { class: 'footer' },
  h('p', null, 'No health data goes on chain: only accounts, codes, dates, hashes and decisions. Files and free text are hashed in this browser and never leave it. Everything on chain is visible to every member of the consortium.'),
  h('details', null, h('summary', null, 'Settings'), field('Audit service (FHIR) address', auditInput, 'Where the full access history is kept. Empty: the app reads the recent history from the node.')),
);

const main = h('main', { id: 'main', tabindex: '-1' }, tablist, panels);
replace(app, header, devBanner, accountBar, main, activityPanel(), footer);

// --- Refresh on every block, one at a time --------------------------------------------------
let refreshing = false;
let dirty = false;
async function refreshNow(): Promise<void> {
  if (refreshing) {
    dirty = true;
    return;
  }
  refreshing = true;
  try {
    do {
      dirty = false;
      if (chain.api) await current.refresh().catch((e: unknown) => console.error(e));
    } while (dirty);
  } finally {
    refreshing = false;
  }
}
function scheduleRefresh(): void {
  void refreshNow();
}

function renderStatus(): void {
  const tone = chain.status === 'connected' ? 'ok' : chain.status === 'error' ? 'error' : 'warn';
  replace(
    connStatus,
    h('span', { class: `dot dot-${tone}`, 'aria-hidden': 'true' }),
    chain.statusText,
    chain.status === 'connected' ? ` · block #${chain.best} (finalized #${chain.finalized})` : '',
  );
}
chain.on('status', renderStatus);
chain.on('finalized', renderStatus);
chain.on('block', () => {
  renderStatus();
  scheduleRefresh();
});
chain.on('registry', scheduleRefresh);
let registryBlock = 0;
chain.on('block', () => {
  // Credentials change rarely; re-read the registry every ten blocks.
  if (chain.best - registryBlock >= 10) {
    registryBlock = chain.best;
    void chain.loadRegistry().catch(() => undefined);
  }
});

async function connect(url: string): Promise<void> {
  connectButton.disabled = true;
  nodeHistory.reset();
  await chain.connect(url);
  connectButton.disabled = false;
  devBanner.hidden = !chain.info?.dev;
  document.body.classList.toggle('dev', Boolean(chain.info?.dev));
  await accounts.loadDev(Boolean(chain.info?.dev));
  if (localStorage.getItem('consent-chain.wallet') === 'yes' && accounts.wallet.length === 0) await accounts.connectWallet();
  renderAccounts();
  scheduleRefresh();
}

renderStatus();
renderAccounts();
show(params.get('view') ?? 'patient');
void connect(nodeUrl);
