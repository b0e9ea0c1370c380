// Hashing in the browser: free-text justifications and files never leave it; only their hashes
// go on chain. A file's digest is a salted commitment H(salt ‖ content) with 32 random bytes of
// salt that the author keeps (downloaded), never on chain.
import { u8aConcat, u8aToHex, hexToU8a, isHex, stringToU8a } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a } from '@polkadot/util-crypto';

export type Algorithm = 'Blake2b256' | 'Sha256';

/** BLAKE2b-256 of the UTF-8 text (the chain's H256 justification / notes hash). */
export function textHash(text: string): string {
  return blake2AsHex(stringToU8a(text), 256);
}

export function randomSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** H(salt ‖ content) as 0x-hex. */
export async function commitment(algorithm: Algorithm, salt: Uint8Array, content: Uint8Array): Promise<string> {
  const data = u8aConcat(salt, content);
  if (algorithm === 'Blake2b256') return u8aToHex(blake2AsU8a(data, 256));
  return u8aToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(data))));
}

export async function readFile(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

/** What the author keeps with the file: everything needed to verify it later. */
export interface SaltFile {
  kind: 'consent-chain-record-salt';
  file: string;
  algorithm: Algorithm;
  salt: string;
  digest: string;
  recordId?: string;
  patient?: string;
}

export function saltFile(s: Omit<SaltFile, 'kind'>): string {
  return JSON.stringify({ kind: 'consent-chain-record-salt', ...s }, null, 2);
}

/** A salt from pasted hex or from a salt file's JSON. */
export function parseSalt(text: string): { salt: Uint8Array; algorithm?: Algorithm; recordId?: string } | null {
  const t = text.trim();
  if (!t) return null;
  if (t.startsWith('{')) {
    try {
      const json = JSON.parse(t) as Partial<SaltFile>;
      if (json.salt && isHex(json.salt)) {
        return { salt: hexToU8a(json.salt), algorithm: json.algorithm, recordId: json.recordId };
      }
    } catch {
      return null;
    }
    return null;
  }
  const hex = t.startsWith('0x') ? t : `0x${t}`;
  return isHex(hex) && hex.length > 2 ? { salt: hexToU8a(hex) } : null;
}
