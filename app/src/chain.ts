// The connection to a Consent Chain node: the API, the chain's own RPC methods, the registry of
// organizations and practitioners, and names for accounts.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
import { encodeAddress, decodeAddress } from '@polkadot/util-crypto';
import { ROLES, roleWords } from './vocab';

export interface Organization {
  id: number;
  name: string;
  active: boolean;
}

export interface Practitioner {
  account: string;
  organization: number;
  roles: string[];
  active: boolean;
  licenceExpiry: number;
  breakGlass: boolean;
}

export interface ChainInfo {
  name: string;
  dev: boolean;
  ss58: number;
  decimals: number;
  symbol: string;
}

type Listener = () => void;

/** Everything the views read about the chain, refreshed on every new block. */
class Chain {
  api: ApiPromise | null = null;
  provider: WsProvider | null = null;
  url = '';
  info: ChainInfo | null = null;
  best = 0;
  finalized = 0;
  organizations = new Map<number, Organization>();
  practitioners = new Map<string, Practitioner>();
  /** Names people gave accounts: wallet account names, dev account names. */
  names = new Map<string, string>();
  private listeners = new Map<string, Set<Listener>>();
  private unsubs: (() => void)[] = [];

  on(event: 'block' | 'finalized' | 'status' | 'registry', fn: Listener): () => void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
    return () => this.listeners.get(event)?.delete(fn);
  }

  emit(event: string): void {
    for (const fn of this.listeners.get(event) ?? []) {
      try {
        fn();
      } catch (e) {
        console.error(e);
      }
    }
  }

  status: 'idle' | 'connecting' | 'connected' | 'error' = 'idle';
  statusText = 'Not connected';

  private setStatus(status: Chain['status'], text: string): void {
    this.status = status;
    this.statusText = text;
    this.emit('status');
  }

  async connect(url: string): Promise<void> {
    await this.disconnect();
    this.url = url;
    this.setStatus('connecting', `Connecting to ${url}…`);
    const provider = new WsProvider(url, 2_500);
    this.provider = provider;
    provider.on('disconnected', () => {
      if (this.provider === provider) this.setStatus('connecting', `Connection to ${url} lost; reconnecting…`);
    });
    provider.on('connected', () => {
      if (this.provider === provider && this.api) this.setStatus('connected', `Connected to ${this.info?.name ?? url}`);
    });
    try {
      const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
      if (this.provider !== provider) {
        await api.disconnect();
        return;
      }
      this.api = api;
      const [name, chainType, props] = await Promise.all([
        api.rpc.system.chain(),
        api.rpc.system.chainType(),
        api.rpc.system.properties(),
      ]);
      const chainName = name.toString();
      const decimals = props.tokenDecimals.isSome ? Number(props.tokenDecimals.unwrap()[0]?.toString() ?? 12) : 12;
      const symbol = props.tokenSymbol.isSome ? (props.tokenSymbol.unwrap()[0]?.toString() ?? 'UNIT') : 'UNIT';
      const ss58 = props.ss58Format.isSome ? Number(props.ss58Format.unwrap().toString()) : 42;
      this.info = {
        name: chainName,
        dev: chainType.isDevelopment || /\bDevelopment\b/.test(chainName),
        ss58,
        decimals,
        symbol,
      };
      await this.loadRegistry();
      this.unsubs.push(
        (await api.rpc.chain.subscribeNewHeads((header) => {
          this.best = header.number.toNumber();
          this.emit('block');
        })) as unknown as () => void,
        (await api.rpc.chain.subscribeFinalizedHeads((header) => {
          this.finalized = header.number.toNumber();
          this.emit('finalized');
        })) as unknown as () => void,
      );
      this.setStatus('connected', `Connected to ${chainName}`);
    } catch (e) {
      if (this.provider === provider) {
        await provider.disconnect().catch(() => undefined);
        this.provider = null;
        this.api = null;
        this.setStatus('error', `Could not connect to ${url}: is a Consent Chain node running there? (${(e as Error).message})`);
      }
    }
  }

  async disconnect(): Promise<void> {
    for (const u of this.unsubs.splice(0)) u();
    const api = this.api;
    this.api = null;
    this.provider = null;
    this.info = null;
    if (api) await api.disconnect().catch(() => undefined);
  }

  /** The connected API, or an error that the UI shows. */
  get a(): ApiPromise {
    if (!this.api) throw new Error('Not connected to a node.');
    return this.api;
  }

  /** One of the node's own RPC methods (`consent_*`, `records_*`, `breakGlass_*`). */
  async rpc<T>(method: string, params: unknown[]): Promise<T> {
    if (!this.provider) throw new Error('Not connected to a node.');
    return (await this.provider.send(method, params)) as T;
  }

  /** Organizations and practitioners, from the registry's storage. */
  async loadRegistry(): Promise<void> {
    const api = this.a;
    const [orgs, prs] = await Promise.all([
      api.query.registry.organizations.entries(),
      api.query.registry.practitioners.entries(),
    ]);
    const organizations = new Map<number, Organization>();
    for (const [key, value] of orgs) {
      const id = Number((key.args[0] as Codec).toString());
      const org = (value as unknown as { unwrap(): Codec }).unwrap().toJSON() as Record<string, unknown>;
      organizations.set(id, {
        id,
        name: utf8(org.name) || `Organization ${id}`,
        active: String(org.status).toLowerCase() === 'active',
      });
    }
    const practitioners = new Map<string, Practitioner>();
    for (const [key, value] of prs) {
      const account = (key.args[0] as Codec).toString();
      const p = (value as unknown as { unwrap(): Codec }).unwrap().toJSON() as Record<string, unknown>;
      practitioners.set(account, {
        account,
        organization: Number(p.organization),
        roles: (p.roles as string[]) ?? [],
        active: String(p.status).toLowerCase() === 'active',
        licenceExpiry: Number(p.licenceExpiry),
        breakGlass: Boolean(p.breakGlass),
      });
    }
    this.organizations = organizations;
    this.practitioners = practitioners;
    this.emit('registry');
  }

  orgName(id: number): string {
    return this.organizations.get(id)?.name ?? `organization #${id}`;
  }

  /** The account in this chain's address format, or null if it is not an account. */
  normalize(address: string): string | null {
    const text = address.trim();
    if (!text) return null;
    try {
      return encodeAddress(decodeAddress(text), this.info?.ss58 ?? 42);
    } catch {
      return null;
    }
  }

  /** A name people gave the account, or its short form. */
  nameOf(address: string): string {
    return this.names.get(address) ?? short(address);
  }

  /** "Dr Bob at Dev General Hospital", "Nurse Charlie at …", or the account's short form. */
  practitionerWords(address: string): string {
    const p = this.practitioners.get(address);
    const name = this.names.get(address);
    if (!p) return name ? `${name} (${short(address)})` : `account ${short(address)}`;
    const title = titleOf(p.roles);
    const who = name ? `${title} ${name}` : `${title} ${short(address)}`;
    return `${who} at ${this.orgName(p.organization)}`;
  }

  /** Who a consent or a deny rule names, in words (sentence start). */
  granteeWords(grantee: unknown): string {
    const g = lowerKeys(grantee);
    if ('practitioner' in g) return this.practitionerWords(String(g.practitioner));
    if ('organization' in g) return `Everyone at ${this.orgName(Number(g.organization))}`;
    if ('role' in g) {
      const r = lowerKeys(g.role);
      const label = ROLES.find((x) => x.code === r.role)?.label ?? String(r.role);
      return `${label} at ${this.orgName(Number(r.organization))}`;
    }
    return 'Someone';
  }

  /** An amount of the chain's token: "50 UNIT". */
  amount(value: bigint | string | number): string {
    const decimals = this.info?.decimals ?? 12;
    const v = BigInt(value.toString());
    const unit = 10n ** BigInt(decimals);
    const whole = v / unit;
    const frac = (v % unit).toString().padStart(decimals, '0').replace(/0+$/, '').slice(0, 4);
    return `${whole.toLocaleString()}${frac ? `.${frac}` : ''} ${this.info?.symbol ?? 'UNIT'}`;
  }
}

export const chain = new Chain();

/** "5FHne…94ty". */
export function short(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

function titleOf(roles: string[]): string {
  if (roles.includes('Physician')) return 'Dr';
  const role = roles[0];
  if (!role) return 'Practitioner';
  const words = roleWords(role);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An object with its keys lower-cased (polkadot.js JSON is camelCase, the node's is PascalCase). */
export function lowerKeys(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Bytes (hex string or number array) as UTF-8 text. */
export function utf8(value: unknown): string {
  if (typeof value === 'string') {
    if (!value.startsWith('0x')) return value;
    const bytes = new Uint8Array((value.length - 2) / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(value.slice(2 + i * 2, 4 + i * 2), 16);
    return new TextDecoder().decode(bytes);
  }
  if (Array.isArray(value)) return new TextDecoder().decode(new Uint8Array(value as number[]));
  return '';
}
