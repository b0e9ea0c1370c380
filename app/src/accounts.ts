// The accounts people sign with: their wallet extensions' (polkadot.js extension, Talisman,
// SubWallet, anything that injects `injectedWeb3`), and on a development chain the well-known
// dev accounts, whose keys are public and sign here in the page.
import { web3Accounts, web3Enable, web3FromSource } from '@polkadot/extension-dapp';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Signer } from '@polkadot/api/types';
import { stringToHex, stringToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { chain } from './chain';

export interface Account {
  address: string;
  name: string;
  /** The extension's name, or "dev". */
  source: string;
  kind: 'wallet' | 'dev';
}

export const DEV_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

type Listener = () => void;

class Accounts {
  wallet: Account[] = [];
  dev: Account[] = [];
  extensions: string[] = [];
  walletStatus = 'No wallet connected yet.';
  selected: Account | null = null;
  private pairs = new Map<string, KeyringPair>();
  private listeners = new Set<Listener>();

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }

  get all(): Account[] {
    return [...this.wallet, ...this.dev];
  }

  /** Ask the wallet extensions for access and list their accounts. */
  async connectWallet(): Promise<void> {
    this.walletStatus = 'Asking your wallet extensions for access…';
    this.emit();
    try {
      const injected = await web3Enable('Consent Chain');
      this.extensions = injected.map((e) => e.name);
      if (injected.length === 0) {
        this.walletStatus =
          'No wallet extension answered. Install the polkadot.js extension, Talisman or SubWallet, allow this site, and try again.';
        this.wallet = [];
      } else {
        const found = await web3Accounts({ ss58Format: chain.info?.ss58 ?? 42 });
        this.wallet = found.map((a) => ({
          address: chain.normalize(a.address) ?? a.address,
          name: a.meta.name ?? 'Wallet account',
          source: a.meta.source,
          kind: 'wallet' as const,
        }));
        this.walletStatus = this.wallet.length
          ? `${this.wallet.length} account${this.wallet.length === 1 ? '' : 's'} from ${injected.map((e) => e.name).join(', ')}.`
          : `${injected.map((e) => e.name).join(', ')} shared no account with this site.`;
      }
    } catch (e) {
      this.walletStatus = `The wallet could not be reached: ${(e as Error).message}`;
    }
    this.refreshNames();
    if (!this.selected && this.wallet[0]) this.selected = this.wallet[0];
    this.emit();
  }

  /** On a development chain: the dev accounts, signing in the page. */
  async loadDev(enabled: boolean): Promise<void> {
    this.pairs.clear();
    this.dev = [];
    if (enabled) {
      await cryptoWaitReady();
      const keyring = new Keyring({ type: 'sr25519', ss58Format: chain.info?.ss58 ?? 42 });
      for (const name of DEV_NAMES) {
        const pair = keyring.addFromUri(`//${name}`, { name });
        this.pairs.set(pair.address, pair);
        this.dev.push({ address: pair.address, name, source: 'dev', kind: 'dev' });
      }
    }
    if (this.selected?.kind === 'dev' && !enabled) this.selected = null;
    this.refreshNames();
    this.emit();
  }

  private refreshNames(): void {
    chain.names.clear();
    for (const a of this.dev) chain.names.set(a.address, a.name);
    for (const a of this.wallet) if (!chain.names.has(a.address)) chain.names.set(a.address, a.name);
  }

  select(key: string): void {
    this.selected = this.all.find((a) => accountKey(a) === key) ?? null;
    this.emit();
  }

  /** What signs for `account`: a dev key pair, or the wallet's signer. */
  async signerFor(account: Account): Promise<{ pair: KeyringPair } | { signer: Signer }> {
    if (account.kind === 'dev') {
      const pair = this.pairs.get(account.address);
      if (!pair) throw new Error('This development account is not available on this chain.');
      return { pair };
    }
    const injector = await web3FromSource(account.source);
    if (!injector.signer?.signPayload) throw new Error(`${account.source} cannot sign transactions.`);
    return { signer: injector.signer as Signer };
  }

  /**
   * Sign a text message (a sign-in challenge) as `account`, the way wallets sign messages: the
   * text wrapped in `<Bytes>…</Bytes>`, so that it can never be taken for a transaction. A wallet
   * shows the text and asks; a dev key pair signs here. Resolves the signature as 0x hex.
   */
  async signMessage(account: Account, text: string): Promise<string> {
    if (account.kind === 'dev') {
      const pair = this.pairs.get(account.address);
      if (!pair) throw new Error('This development account is not available on this chain.');
      return u8aToHex(pair.sign(u8aWrapBytes(stringToU8a(text))));
    }
    const injector = await web3FromSource(account.source);
    if (!injector.signer?.signRaw) throw new Error(`${account.source} cannot sign messages, so it cannot sign you in.`);
    const { signature } = await injector.signer.signRaw({ address: account.address, data: stringToHex(text), type: 'bytes' });
    return signature;
  }
}

export const accounts = new Accounts();

export const accountKey = (a: Account) => `${a.source}:${a.address}`;
