// Signing in to the audit service (consent-audit) and reading its FHIR API. The account proves
// itself by signing the service's one-time challenge (with the wallet, which shows the text and
// asks, or on a development chain with the dev key), gets a bearer token for a while (15 minutes
// by default), and every read carries it. Tokens are kept per service and account until they
// expire. Failures become sentences (the service's OperationOutcome diagnostics), never raw JSON.
import { accounts, type Account } from './accounts';
import { thrownErrorSentence } from './errors';

/** A sign-in: the bearer token and what the service said the account may read. */
export interface AuditSignIn {
  token: string;
  /** When the token lapses (ms since 1970). */
  expires: number;
  account: string;
  council: boolean;
  auditorOf: number | null;
}

/** A failure to show as is. `needsSignIn`: reading needs a sign-in the app may not start by itself. */
export class AuditError extends Error {
  constructor(
    message: string,
    readonly status = 0,
    readonly needsSignIn = false,
  ) {
    super(message);
    this.name = 'AuditError';
  }
}

/** The service's root and its FHIR base, from the setting (the FHIR base, or the root). */
export function auditEndpoints(setting: string): { root: string; fhir: string } {
  const root = setting.trim().replace(/\/+$/, '').replace(/\/fhir$/, '');
  return { root, fhir: `${root}/fhir` };
}

/** Stop using a token this long before it lapses. */
const MARGIN_MS = 30_000;
const TIMEOUT_MS = 15_000;

const signIns = new Map<string, AuditSignIn>();
const signingIn = new Map<string, Promise<AuditSignIn>>();
const keyOf = (root: string, address: string) => `${root}\n${address}`;

/** The valid sign-in of `account` at the service, if any. */
export function currentSignIn(setting: string, account: Account): AuditSignIn | null {
  const key = keyOf(auditEndpoints(setting).root, account.address);
  const s = signIns.get(key);
  if (s && s.expires - MARGIN_MS > Date.now()) return s;
  signIns.delete(key);
  return null;
}

/** A dev key signs without asking anyone: the app may sign in with it whenever it needs to. */
export const signsSilently = (account: Account) => account.kind === 'dev';

/** "The token is unknown or has expired: sign in again." from an OperationOutcome. */
function outcomeSentence(body: unknown): string | null {
  const o = body as { resourceType?: string; issue?: { diagnostics?: string; details?: { text?: string } }[] } | null;
  if (!o || o.resourceType !== 'OperationOutcome') return null;
  const text = (o.issue?.[0]?.diagnostics ?? o.issue?.[0]?.details?.text ?? '').trim();
  if (!text) return null;
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

interface Answer {
  status: number;
  body: unknown;
}

/** One HTTP exchange with the service; only a failure to reach it throws. */
async function exchange(root: string, url: string, init: RequestInit): Promise<Answer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: controller.signal, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new AuditError(
      controller.signal.aborted
        ? `The audit service at ${root} did not answer within ${TIMEOUT_MS / 1000} seconds.`
        : `The audit service at ${root} could not be reached (is it running, and does it allow this page's address?).`,
    );
  } finally {
    clearTimeout(timer);
  }
  const text = await response.text().catch(() => '');
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

function refused(root: string, answer: Answer): AuditError {
  const sentence = outcomeSentence(answer.body) ?? `It answered with HTTP status ${answer.status}.`;
  return new AuditError(`The audit service at ${root} refused: ${sentence}`, answer.status);
}

async function postJson(root: string, path: string, payload: unknown): Promise<Answer> {
  return exchange(root, `${root}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(payload),
  });
}

/**
 * Sign in to the service as `account`: ask for a challenge, have it signed (the wallet asks its
 * owner), exchange the signature for a token. One sign-in at a time per service and account.
 */
export function signIn(setting: string, account: Account): Promise<AuditSignIn> {
  const { root } = auditEndpoints(setting);
  const key = keyOf(root, account.address);
  const running = signingIn.get(key);
  if (running) return running;
  const attempt = (async () => {
    const asked = await postJson(root, '/auth/challenge', { account: account.address });
    const challenge = (asked.body as { challenge?: unknown } | null)?.challenge;
    if (asked.status !== 200 || typeof challenge !== 'string') throw refused(root, asked);
    let signature: string;
    try {
      signature = await accounts.signMessage(account, challenge);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/cancel|reject|denied/i.test(message)) throw new AuditError('You did not sign the sign-in request, so the audit service cannot show you the trail.', 0, true);
      throw new AuditError(`The sign-in request could not be signed: ${thrownErrorSentence(e)}`, 0, true);
    }
    const answer = await postJson(root, '/auth/token', { account: account.address, challenge, signature });
    const t = answer.body as { access_token?: unknown; expires_in?: unknown; account?: unknown; council?: unknown; auditorOf?: unknown } | null;
    if (answer.status !== 200 || typeof t?.access_token !== 'string') throw refused(root, answer);
    const s: AuditSignIn = {
      token: t.access_token,
      expires: Date.now() + (typeof t.expires_in === 'number' ? t.expires_in : 900) * 1000,
      account: typeof t.account === 'string' ? t.account : account.address,
      council: t.council === true,
      auditorOf: typeof t.auditorOf === 'number' ? t.auditorOf : null,
    };
    signIns.set(key, s);
    return s;
  })();
  signingIn.set(key, attempt);
  void attempt.then(
    () => signingIn.delete(key),
    () => signingIn.delete(key),
  );
  return attempt;
}

/** Forget the sign-in of `account` at the service. */
export function signOut(setting: string, account: Account): void {
  signIns.delete(keyOf(auditEndpoints(setting).root, account.address));
}

const answering = new Map<string, number>();

/**
 * Whether the service answers at all (its CapabilityStatement, which needs no sign-in), so that
 * a screen can tell "sign in" from "the service is down" before anyone signs. A yes is kept for
 * a minute. Throws an AuditError saying why not.
 */
export async function checkAnswers(setting: string): Promise<void> {
  const { root, fhir } = auditEndpoints(setting);
  if ((answering.get(root) ?? 0) > Date.now() - 60_000) return;
  const answer = await exchange(root, `${fhir}/metadata`, { headers: { Accept: 'application/fhir+json' } });
  const body = answer.body as { resourceType?: string } | null;
  if (answer.status !== 200 || body?.resourceType !== 'CapabilityStatement') {
    throw answer.status === 200 ? new AuditError(`The address ${fhir} is not the FHIR endpoint of an audit service.`) : refused(root, answer);
  }
  answering.set(root, Date.now());
}

/**
 * GET `url` (under the service's FHIR base) as `account`, with its bearer token. Signs in first
 * if needed, and once more if the service no longer knows the token (401), when allowed: always
 * with a dev key, with a wallet only if `mayAsk` (the person just asked for it), so that the
 * wallet never pops up by itself. Resolves the JSON body.
 */
export async function auditGet(setting: string, url: string, account: Account, { mayAsk = false } = {}): Promise<unknown> {
  const { root, fhir } = auditEndpoints(setting);
  if (!url.startsWith(`${fhir}/`)) throw new AuditError(`Not a URL of the audit service at ${root}.`);
  const canSign = mayAsk || signsSilently(account);
  const needSignIn = (expired: boolean) =>
    new AuditError(
      expired
        ? 'Your sign-in to the audit service has ended. Sign in again to see the full trail.'
        : 'Sign in to the audit service (your wallet asks you to sign a one-time text) to see the full trail.',
      401,
      true,
    );
  let session = currentSignIn(setting, account);
  if (!session) {
    if (!canSign) {
      await checkAnswers(setting);
      throw needSignIn(false);
    }
    session = await signIn(setting, account);
  }
  const get = (token: string) => exchange(root, url, { headers: { Accept: 'application/fhir+json', Authorization: `Bearer ${token}` } });
  let answer = await get(session.token);
  if (answer.status === 401) {
    signOut(setting, account);
    if (!canSign) throw needSignIn(true);
    // The one retry: the token lapsed, or the service restarted and forgot it.
    session = await signIn(setting, account);
    answer = await get(session.token);
  }
  if (answer.status !== 200) throw refused(root, answer);
  return answer.body;
}
