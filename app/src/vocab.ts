// The chain's shared vocabulary in plain words: categories, actions, purposes, roles, reasons,
// verdicts, session states; and the sentences patients read.

export interface Term {
  /** The name the chain uses (metadata variant name / HL7 code). */
  code: string;
  /** Short words for sentences ("lab results"). */
  words: string;
  /** A label for a checkbox ("Lab results"). */
  label: string;
  /** An explanation shown under the label. */
  explain: string;
}

export interface CategoryTerm extends Term {
  sensitive: boolean;
}

export const CATEGORIES: CategoryTerm[] = [
  { code: 'Demographics', label: 'Personal details', words: 'personal details', explain: 'Name, date of birth, contact details.', sensitive: false },
  { code: 'Allergies', label: 'Allergies', words: 'allergies', explain: 'Allergies and intolerances.', sensitive: false },
  { code: 'Medications', label: 'Medications', words: 'medications', explain: 'Medicines you take and prescriptions.', sensitive: false },
  { code: 'Conditions', label: 'Conditions', words: 'conditions and diagnoses', explain: 'Health problems and diagnoses.', sensitive: false },
  { code: 'Procedures', label: 'Procedures', words: 'procedures', explain: 'Operations and other procedures you had.', sensitive: false },
  { code: 'Immunizations', label: 'Immunizations', words: 'immunizations', explain: 'Your vaccination history.', sensitive: false },
  { code: 'LabResults', label: 'Lab results', words: 'lab results', explain: 'Blood tests and other laboratory results.', sensitive: false },
  { code: 'Imaging', label: 'Imaging', words: 'imaging', explain: 'X-rays, scans and their reports.', sensitive: false },
  { code: 'VitalSigns', label: 'Vital signs', words: 'vital signs', explain: 'Blood pressure, pulse, temperature, weight.', sensitive: false },
  { code: 'ClinicalNotes', label: 'Clinical notes', words: 'clinical notes', explain: "Your clinicians' written notes.", sensitive: false },
  { code: 'Billing', label: 'Billing', words: 'billing and claims', explain: 'Invoices and insurance claims.', sensitive: false },
  { code: 'MentalHealth', label: 'Mental health', words: 'mental-health data', explain: 'Sensitive: mental-health care.', sensitive: true },
  { code: 'SubstanceUse', label: 'Substance use', words: 'substance-use records', explain: 'Sensitive: treatment for alcohol or drug use (42 CFR Part 2).', sensitive: true },
  { code: 'SexualHealth', label: 'Sexual health', words: 'sexual-health data', explain: 'Sensitive: sexual health.', sensitive: true },
  { code: 'Reproductive', label: 'Reproductive health', words: 'reproductive-health data', explain: 'Sensitive: pregnancy, fertility, contraception.', sensitive: true },
  { code: 'Genomics', label: 'Genomics', words: 'genomic data', explain: 'Sensitive: your DNA and genetic tests.', sensitive: true },
];

export const ACTIONS: Term[] = [
  { code: 'Read', label: 'Read', words: 'read', explain: 'See the data.' },
  { code: 'Write', label: 'Add records', words: 'add records to', explain: 'Anchor new records or new versions of records in these categories.' },
];

export const PURPOSES: Term[] = [
  { code: 'TREAT', label: 'Treatment', words: 'treatment', explain: 'Your care by this clinician or team.' },
  { code: 'ETREAT', label: 'Emergency treatment', words: 'emergency treatment', explain: 'Care in an emergency.' },
  { code: 'BTG', label: 'Break the glass', words: 'emergency ("break the glass") access', explain: 'Emergency access without your prior consent.' },
  { code: 'HPAYMT', label: 'Payment', words: 'payment of your care', explain: 'Billing and insurance of your care.' },
  { code: 'HOPERAT', label: 'Operations', words: 'running the organization', explain: 'Quality, planning and administration.' },
  { code: 'HRESCH', label: 'Research', words: 'research', explain: 'Medical research.' },
  { code: 'PUBHLTH', label: 'Public health', words: 'public health', explain: 'Reporting to public-health authorities.' },
  { code: 'PATRQT', label: 'At your request', words: 'your own request', explain: 'Something you asked for yourself.' },
];

export const ROLES: Term[] = [
  { code: 'Physician', label: 'Physicians', words: 'physician', explain: '' },
  { code: 'Nurse', label: 'Nurses', words: 'nurse', explain: '' },
  { code: 'Pharmacist', label: 'Pharmacists', words: 'pharmacist', explain: '' },
  { code: 'Researcher', label: 'Researchers', words: 'researcher', explain: '' },
  { code: 'Auditor', label: 'Auditors', words: 'auditor', explain: '' },
  { code: 'Technician', label: 'Technicians', words: 'technician', explain: '' },
  { code: 'Paramedic', label: 'Paramedics', words: 'paramedic', explain: '' },
  { code: 'Billing', label: 'Billing staff', words: 'billing officer', explain: '' },
];

export const EMERGENCY_REASONS: Term[] = [
  { code: 'Unconscious', label: 'The patient is unconscious', words: 'the patient was unconscious', explain: '' },
  { code: 'Incapacitated', label: 'The patient cannot consent (confused, sedated…)', words: 'the patient could not consent', explain: '' },
  { code: 'LifeThreatening', label: 'A life-threatening condition', words: 'a life-threatening condition', explain: '' },
  { code: 'CriticalCare', label: 'Resuscitation or critical care', words: 'resuscitation or critical care', explain: '' },
  { code: 'MassCasualty', label: 'A declared mass-casualty emergency', words: 'a mass-casualty emergency', explain: '' },
  { code: 'Other', label: 'Another reason (explain it below)', words: 'another reason', explain: '' },
];

export const VERDICTS: Term[] = [
  { code: 'Justified', label: 'Justified', words: 'justified', explain: "The emergency access was warranted. The bond goes back to the clinician once the patient's contest window has passed." },
  { code: 'Unjustified', label: 'Unjustified', words: 'unjustified', explain: 'The access was not warranted. The bond goes to the patient and the clinician loses the break-glass privilege until governance lifts the bar.' },
];

export const SESSION_STATES: Record<string, { words: string; tone: 'ok' | 'warn' | 'error' | 'info' }> = {
  Open: { words: 'Open now', tone: 'warn' },
  AwaitingReview: { words: 'Ended, awaiting review', tone: 'info' },
  Overdue: { words: 'Review overdue', tone: 'error' },
  Contested: { words: 'Contested: the council decides', tone: 'warn' },
  Justified: { words: 'Reviewed: justified', tone: 'ok' },
};

const DENY_WORDS: Record<string, string> = {
  NoConsent: 'no consent covers this',
  CredentialInvalid: "the accessor's credential is missing, suspended or expired",
  Expired: 'the consent that would cover this has expired',
  RecordOutOfScope: 'the consent covers other records, not this one',
  NotYetValid: 'the consent that would cover this has not started yet',
};

const byCode = <T extends Term>(list: T[]) => new Map(list.map((t) => [t.code, t]));
const CAT = byCode(CATEGORIES);
const PUR = byCode(PURPOSES);
const ROL = byCode(ROLES);
const REA = byCode(EMERGENCY_REASONS);

export const categoryWords = (code: string) => CAT.get(code)?.words ?? code;
export const categoryLabel = (code: string) => CAT.get(code)?.label ?? code;
export const purposeWords = (code: string) => PUR.get(code)?.words ?? code;
export const purposeLabel = (code: string) => PUR.get(code)?.label ?? code;
export const roleWords = (code: string) => ROL.get(code)?.words ?? code.toLowerCase();
const REASON_PHRASES: Record<string, [patient: string, staff: string]> = {
  Unconscious: ['because you were unconscious', 'because the patient was unconscious'],
  Incapacitated: ['because you could not consent', 'because the patient could not consent'],
  LifeThreatening: ['because of a life-threatening condition', 'because of a life-threatening condition'],
  CriticalCare: ['for resuscitation or critical care', 'for resuscitation or critical care'],
  MassCasualty: ['during a mass-casualty emergency', 'during a mass-casualty emergency'],
  Other: ['for another reason', 'for another reason (see the justification)'],
};
/** Why the glass was broken, as a phrase: "because you were unconscious" (to the patient). */
export const reasonWords = (code: string, to: 'patient' | 'staff' = 'staff') =>
  REASON_PHRASES[code]?.[to === 'patient' ? 0 : 1] ?? `because: ${REA.get(code)?.words ?? code}`;

/** "a, b and c". */
export function list(words: string[], conj = 'and'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conj} ${words[words.length - 1]}`;
}

/** The categories in words, in the chain's order; "all your everyday health data" for the 11. */
export function categoriesWords(codes: string[]): string {
  const everyday = CATEGORIES.filter((c) => !c.sensitive).map((c) => c.code);
  const set = new Set(codes);
  if (everyday.every((c) => set.has(c))) {
    const rest = CATEGORIES.filter((c) => c.sensitive && set.has(c.code)).map((c) => c.words);
    return list(['everyday health data (all kinds)', ...rest]);
  }
  return list(CATEGORIES.filter((c) => set.has(c.code)).map((c) => c.words));
}

export function actionsWords(codes: string[]): string {
  const set = new Set(codes);
  if (set.has('Read') && set.has('Write')) return 'read and add records to';
  return set.has('Write') ? 'add records to' : 'read';
}

export function purposesWords(codes: string[]): string {
  return list(PURPOSES.filter((p) => codes.includes(p.code)).map((p) => p.words), 'or');
}

/** A date as people read it, in their locale: "Dec 31, 2026" / "31 Dec 2026". */
export function dateWords(ms: number): string {
  return new Date(ms).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** Date and time: "Dec 31, 2026, 14:05". */
export function dateTimeWords(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A duration in words: "4 hours", "30 seconds", "3 days". */
export function durationWords(ms: number): string {
  const s = Math.round(ms / 1000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (s < 120) return plural(s, 'second');
  const m = Math.round(s / 60);
  if (m < 120) return plural(m, 'minute');
  const hrs = Math.round(m / 60);
  if (hrs < 72) return plural(hrs, 'hour');
  return plural(Math.round(hrs / 24), 'day');
}

/**
 * The period of a consent: `end` is exclusive on chain, so "until" names the last day it covers.
 */
export function periodWords(start: number, end: number | null | undefined, now = Date.now()): string {
  const parts: string[] = [];
  if (start > now) parts.push(`from ${dateWords(start)}`);
  if (end !== null && end !== undefined) parts.push(`${end <= now ? 'until it ended on' : 'until'} ${dateWords(end - 1)}`);
  else parts.push('with no end date');
  return parts.join(' ');
}

/**
 * An enum value as JSON, whatever its casing: "NoConsent", {"NoConsent": null} (the node),
 * {"noConsent": null} or {"consent": 3} (polkadot.js): its variant in lower case and its content.
 */
export function variantOf(value: unknown): [string, unknown] {
  if (typeof value === 'string') return [value.toLowerCase(), null];
  if (value && typeof value === 'object') {
    const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['', null];
    return [key.toLowerCase(), inner];
  }
  return ['', null];
}

const DENY_BY_VARIANT = Object.fromEntries(Object.entries(DENY_WORDS).map(([k, v]) => [k.toLowerCase(), v]));

/** Why access is denied, in words: "no consent covers this". */
export function denyReasonWords(reason: unknown): string {
  const [variant, inner] = variantOf(reason);
  if (variant === 'deniedbyrule') return `the patient refuses this (deny rule #${inner})`;
  return DENY_BY_VARIANT[variant] ?? 'denied';
}

/** Why access is permitted, in the patient's words: "your consent #3". */
export function permitReasonWords(reason: unknown): string {
  const [variant, inner] = variantOf(reason);
  if (variant === 'owner') return 'you';
  if (variant === 'delegate') return 'your guardian';
  if (variant === 'consent') return `your consent #${inner}`;
  if (variant === 'emergency') return `emergency session #${inner}`;
  return variant;
}

/** The access decision in words, for the clinician. */
export function decisionWords(decision: unknown): { permit: boolean; words: string } {
  const [variant, reason] = variantOf(decision);
  if (variant === 'permit') {
    const [why, inner] = variantOf(reason);
    if (why === 'owner') return { permit: true, words: 'Permitted: this is the patient' };
    if (why === 'delegate') return { permit: true, words: "Permitted: you are the patient's guardian" };
    if (why === 'consent') return { permit: true, words: `Permitted by the patient's consent #${inner}` };
    if (why === 'emergency') return { permit: true, words: `Permitted by your emergency session #${inner}` };
    return { permit: true, words: 'Permitted' };
  }
  return { permit: false, words: `Denied: ${denyReasonWords(reason)}` };
}
