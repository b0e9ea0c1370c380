// Chain errors in sentences: every error of the consent suite's pallets (and the common ones of
// proxy, balances and the transaction pool), never a module index. An error the table lacks is
// explained by the documentation the metadata carries.
import type { ApiPromise } from '@polkadot/api';
import type { DispatchError } from '@polkadot/types/interfaces';
import { categoryWords, purposeWords, variantOf } from './vocab';

/** What the failed call was about, to make the sentence precise. */
export interface ErrorContext {
  category?: string;
  purpose?: string;
  action?: 'Read' | 'Write';
  /** The access decision's Deny reason, when the app asked for it after the failure. */
  denyReason?: unknown;
}

type Sentence = string | ((ctx: ErrorContext) => string);

const scopeOf = (ctx: ErrorContext) =>
  `${ctx.category ? categoryWords(ctx.category) : 'this data'}${ctx.purpose ? ` for ${purposeWords(ctx.purpose)}` : ''}`;

function accessDenied(ctx: ErrorContext): string {
  const what = scopeOf(ctx);
  const [key] = variantOf(ctx.denyReason);
  switch (key) {
    case 'deniedbyrule':
      return `The patient refuses you their ${what}: a deny rule of theirs beats every consent.`;
    case 'credentialinvalid':
      return 'Your practitioner credential is missing, suspended or expired, so the chain refuses access.';
    case 'expired':
      return `Your consent for ${what} has expired.`;
    case 'notyetvalid':
      return `Your consent for ${what} has not started yet.`;
    case 'recordoutofscope':
      return `Your consent for ${what} names other records, not this one.`;
    default:
      if (ctx.action === 'Write' && ctx.purpose && !['ETREAT', 'BTG'].includes(ctx.purpose))
        return `You have no consent to add records of ${what}.`;
      return `You have no consent for ${what}.`;
  }
}

export const ERRORS: Record<string, Sentence> = {
  // consent
  'consent.NotFound': 'This consent is not one of yours (or no longer exists).',
  'consent.AlreadyRevoked': 'This consent was already revoked.',
  'consent.EmptyScope': 'Choose at least one kind of data, one action and one purpose.',
  'consent.InvalidPeriod': 'The end date must come after the start date.',
  'consent.PeriodInPast': 'The end date is already past.',
  'consent.UnknownGrantee': 'The chain does not know this practitioner, or the organization is not active.',
  'consent.TooManyConsents': 'You hold as many consents as allowed (in all, or for this grantee). Revoke one first.',
  'consent.TooManyDenyRules': 'You have as many deny rules as allowed. Remove one first.',
  'consent.RuleNotFound': 'This deny rule is not one of yours (or was already removed).',
  'consent.RequestNotFound': 'This access request no longer exists: it was answered, cancelled or has lapsed.',
  'consent.TooManyRequests': 'This patient already has as many pending requests as allowed. Try again later.',
  'consent.TooManyOpenRequests': 'You have as many pending requests as allowed. Cancel one first.',
  'consent.NotPatient': 'Only the patient (or their guardian) may answer this request.',
  'consent.NotRequester': 'Only the clinician who asked may cancel this request.',
  'consent.RequestExpired': 'This request has lapsed; it can no longer be approved.',
  'consent.NotExpired': 'This item has not expired yet.',
  'consent.CredentialInvalid': 'Your practitioner credential is missing, suspended or expired.',
  'consent.ScopeExceedsRequest': 'You can only approve what was asked, or less.',
  'consent.SelfRequest': 'You cannot ask yourself for access.',
  'consent.RequestAlreadyOpen': 'You already have a pending request to this patient. Cancel it first, or wait for an answer.',
  'consent.EmergencyOptOutNotAllowed': 'This chain does not let patients refuse emergency access with a deny rule.',
  'consent.DuplicateCategory': 'A kind of data is listed twice.',
  'consent.DuplicateAction': 'An action is listed twice.',
  'consent.DuplicatePurpose': 'A purpose is listed twice.',
  'consent.Overflow': 'The chain ran out of identifiers for this. Contact your organization.',
  // records
  'records.NotFound': 'No record has this id.',
  'records.Erased': 'The patient erased this record; it takes no more versions or reads.',
  'records.AccessDenied': accessDenied,
  'records.NotPatient': 'Only the patient may erase a record.',
  'records.NotAuthorsOrganization': "Only the patient, or a clinician of the record author's organization, may amend this record.",
  'records.TooManyVersions': 'This record has as many versions as allowed.',
  'records.TooManyVersionsByAuthor': 'You added as many versions of this record as one author may.',
  'records.TooManyRecords': 'This patient has as many records as allowed.',
  'records.TooManyRecordsByAuthor': 'You anchored as many records of this patient as one author may.',
  'records.InvalidLocator': 'The locator is malformed: a sealed locator needs ciphertext.',
  'records.DuplicateDigest': 'This exact file (with this salt) is already a version of the record.',
  'records.Overflow': 'The chain ran out of identifiers for this. Contact your organization.',
  'records.EmptyBatch': 'Log at least one read.',
  'records.NotGateway': 'Only a gateway of an organization may log reads for someone else.',
  'records.NotGatewaysPractitioner': "A gateway may only log reads of its own organization's clinicians.",
  // break-glass
  'breakGlass.CredentialInvalid': 'Your practitioner credential is missing, suspended or expired.',
  'breakGlass.NoPrivilege': 'You do not hold the break-glass privilege. Ask your organization.',
  'breakGlass.InvalidPurpose': 'Emergency access must be for emergency treatment or break-the-glass.',
  'breakGlass.EmptyScope': 'Choose at least one kind of data.',
  'breakGlass.DuplicateCategory': 'A kind of data is listed twice.',
  'breakGlass.SensitiveNotAllowed': 'This chain does not allow emergency access to sensitive data (mental health, substance use, sexual and reproductive health, genomics).',
  'breakGlass.OptedOut': 'This patient has opted out of emergency access.',
  'breakGlass.OptOutNotAllowed': 'This chain does not let patients opt out of emergency access.',
  'breakGlass.SelfAccess': 'You cannot break the glass on yourself.',
  'breakGlass.AlreadyOpen': 'You already have an open emergency session for this patient.',
  'breakGlass.TooManyConcurrent': 'This patient is under as many open emergency sessions as allowed.',
  'breakGlass.TooManyWrites': 'This emergency session has anchored as many records as a session may.',
  'breakGlass.RateLimited': 'You opened as many emergency sessions as allowed for now. Try again later.',
  'breakGlass.NotFound': 'No such emergency session (it may be settled already).',
  'breakGlass.NotParticipant': "Only the session's clinician or its patient may end it.",
  'breakGlass.AlreadyEnded': 'This session has already ended.',
  'breakGlass.NotAuditor': "You are not an auditor of this session's organization.",
  'breakGlass.SelfReview': 'You cannot review your own emergency session.',
  'breakGlass.NeedsGovernance': 'The patient contested this session: only the council may decide it.',
  'breakGlass.AlreadyReviewed': 'An auditor already gave a verdict on this session.',
  'breakGlass.NotPatient': 'Only the patient (or their guardian) may contest a session.',
  'breakGlass.AlreadyContested': 'You already contested this session.',
  'breakGlass.ContestClosed': 'The time to contest this session has passed.',
  'breakGlass.NotSettleable': 'This session cannot be settled yet.',
  'breakGlass.NotOverdue': 'This review is not overdue.',
  'breakGlass.AlreadyReported': 'This overdue review was already reported.',
  'breakGlass.InvalidDuration': 'A session duration must be positive and within the maximum.',
  'breakGlass.Overflow': 'The chain ran out of identifiers for this. Contact your organization.',
  // registry
  'registry.OrganizationNotFound': 'No organization has this id.',
  'registry.EmptyName': 'A name must not be empty.',
  'registry.InvalidName': 'A name must be plain text without leading or trailing spaces.',
  'registry.NameTaken': 'Another organization has this name.',
  'registry.DuplicateRole': 'A role is listed twice.',
  'registry.OrganizationSuspended': 'The organization is suspended.',
  'registry.OrganizationNotSuspended': 'The organization is not suspended.',
  'registry.OrganizationNotEmpty': 'The organization still credentials clinicians.',
  'registry.NoAdmins': 'An organization needs at least one admin.',
  'registry.DuplicateAdmin': 'An admin is listed twice.',
  'registry.NotAdmin': "You are not an admin of this clinician's organization.",
  'registry.PractitionerNotFound': 'This account is not a registered clinician.',
  'registry.AlreadyRegistered': 'This account already holds a credential.',
  'registry.TooManyPractitioners': 'The organization has as many clinicians as allowed.',
  'registry.NoRoles': 'A clinician needs at least one role.',
  'registry.LicenceExpired': 'The licence expiry must be in the future.',
  'registry.NotActive': 'The credential is not active.',
  'registry.NotSuspended': 'The credential is not suspended.',
  'registry.Unchanged': 'Nothing to change: it already has this value.',
  'registry.PrivilegeBarred': 'The break-glass privilege was withdrawn after an unjustified session; only the council can lift the bar.',
  'registry.NotBarred': 'This account is not barred from the break-glass privilege.',
  'registry.Overflow': 'The chain ran out of identifiers for this.',
  'registry.AlreadyGateway': 'This account is already a gateway.',
  'registry.NotGateway': 'This account is not a gateway.',
  // enrolment
  'enrolment.NotAdmin': 'You are not an admin of this organization.',
  'enrolment.OrganizationInactive': 'The organization is unknown or suspended.',
  'enrolment.AlreadyEnrolled': 'This account is already enrolled.',
  'enrolment.NotEnrolled': 'This account is not enrolled.',
  // proxy (guardians)
  'proxy.TooMany': 'You have as many guardians as allowed.',
  'proxy.NotFound': 'This account is not your guardian (or was already removed).',
  'proxy.NotProxy': 'You are not a guardian of this patient (or your appointment has ended).',
  'proxy.Unproxyable': 'A guardian may not make this call.',
  'proxy.Duplicate': 'This account is already your guardian.',
  'proxy.NoPermission': 'A guardian may not make this call.',
  'proxy.Unannounced': 'This call must be announced first.',
  'proxy.NoSelfProxy': 'You cannot be your own guardian.',
  'system.CallFiltered': 'A guardian may not make this call, or the appointment has ended.',
  // balances and holds
  'balances.InsufficientBalance': 'Your account does not hold enough funds for this.',
  'balances.Expendability': 'This would leave your account below its minimum balance.',
  'balances.TooManyHolds': 'Your account has too many deposits held at once.',
};

/** The sentence for a module error. */
export function moduleErrorSentence(section: string, name: string, docs: string[], ctx: ErrorContext = {}): string {
  const entry = ERRORS[`${section}.${name}`];
  if (typeof entry === 'function') return entry(ctx);
  if (entry) return entry;
  const doc = docs.join(' ').trim();
  if (doc) return doc.endsWith('.') ? doc : `${doc}.`;
  return `The chain refused this (${humanize(name)}).`;
}

const TOKEN: Record<string, string> = {
  FundsUnavailable: 'Your account does not hold enough funds for the deposit this needs.',
  OnlyProvider: 'This would remove your account.',
  BelowMinimum: 'The amount is below the minimum balance.',
  CannotCreate: 'The account cannot be created.',
  UnknownAsset: 'Unknown asset.',
  Frozen: 'The funds are frozen.',
  Unsupported: 'Not supported.',
  CannotCreateHold: 'Your account cannot hold a deposit: it holds no funds.',
  NotExpendable: 'This would leave your account below its minimum balance.',
  Blocked: 'The account is blocked.',
};

/** The sentence for a failed extrinsic's DispatchError. */
export function dispatchErrorSentence(api: ApiPromise, err: DispatchError, ctx: ErrorContext = {}): { key: string; sentence: string } {
  if (err.isModule) {
    try {
      const meta = api.registry.findMetaError(err.asModule);
      return { key: `${meta.section}.${meta.name}`, sentence: moduleErrorSentence(meta.section, meta.name, meta.docs, ctx) };
    } catch {
      return { key: 'module', sentence: 'The chain refused this for a reason this app does not know.' };
    }
  }
  if (err.isBadOrigin) return { key: 'BadOrigin', sentence: 'This account may not make this call.' };
  if (err.isToken) {
    const t = err.asToken.type;
    return { key: `Token.${t}`, sentence: TOKEN[t] ?? 'Your account cannot pay for this.' };
  }
  if (err.isCannotLookup) return { key: 'CannotLookup', sentence: 'An account in this call could not be found.' };
  if (err.isExhausted) return { key: 'Exhausted', sentence: 'The block is full. Try again in a moment.' };
  return { key: err.type, sentence: `The chain refused this (${humanize(err.type)}).` };
}

/** The sentence for an error thrown before the extrinsic reached a block (wallet, pool). */
export function thrownErrorSentence(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/cancel|reject|denied by the user|user denied/i.test(message)) return 'You cancelled the signature; nothing was sent.';
  if (/Custom error: 42/.test(message))
    return 'You have used all your free transactions for this hour. Try again when the hour turns.';
  if (/Inability to pay some fees|balance too low|Payment/i.test(message))
    return 'Your account cannot pay the fee for this transaction. An organization can enrol you so that your consent calls are free.';
  if (/Transaction is outdated|Stale/i.test(message)) return 'This transaction was already sent (its nonce is used). Try again.';
  if (/Priority is too low|already imported/i.test(message)) return 'A transaction of yours is already waiting. Wait for it, then try again.';
  if (/Transaction has a bad signature/i.test(message)) return 'The wallet signed something else than what the chain expected. Try again, or update your wallet.';
  if (/Not connected/i.test(message)) return 'Not connected to a node.';
  if (/disconnected|WebSocket is not connected/i.test(message)) return 'The connection to the node was lost. It reconnects by itself; try again in a moment.';
  return message.replace(/^\d+: /, '');
}

function humanize(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
