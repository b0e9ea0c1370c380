//! What the service keeps: one row per chain object, in plain values (SS58 addresses, the chain's
//! own names for categories, actions and purposes, hex hashes, milliseconds since the epoch).
//!
//! Rows are written by `ingest` inside the transaction that moves the cursor, read back by `db`,
//! and turned into FHIR R5 resources by `fhir`.

use serde::{Deserialize, Serialize};

/// Where a row comes from on chain: the event that created (or last changed) it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
	/// Block number.
	pub block: u64,
	/// Block hash, `0x`-prefixed hex.
	pub block_hash: String,
	/// Index of the extrinsic in the block, if the event came from one.
	pub extrinsic: Option<u32>,
	/// Index of the event in the block.
	pub event_index: u32,
	/// The block's timestamp (ms since the epoch): FHIR `recorded`, `date`, `authoredOn`.
	pub recorded_at: u64,
}

/// Who a consent or a deny rule names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum GranteeRow {
	/// One practitioner account (SS58).
	Practitioner { account: String },
	/// Every practitioner of an organization.
	Organization { organization: u32, name: Option<String> },
	/// Every practitioner with `role` (e.g. `Physician`) at an organization.
	Role { organization: u32, name: Option<String>, role: String },
}

/// A consent (`decision` permit) or a deny rule (`decision` deny).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentKind {
	Consent,
	DenyRule,
}

impl ConsentKind {
	/// The id prefix and identifier kind: `consent` or `deny-rule`.
	pub fn as_str(self) -> &'static str {
		match self {
			Self::Consent => "consent",
			Self::DenyRule => "deny-rule",
		}
	}
}

/// How a consent or deny rule stopped applying.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndedHow {
	/// Revoked by the patient or a delegate (`ConsentRevoked`).
	Revoked,
	/// Removed after its end by anyone (`ConsentReaped`).
	Reaped,
	/// A deny rule removed (`DenyRuleRemoved`).
	Removed,
}

/// A consent or a deny rule as the chain granted it, and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRow {
	pub kind: ConsentKind,
	/// The consent id or rule id (separate counters on chain).
	pub id: u64,
	/// SS58 of the patient.
	pub patient: String,
	/// SS58 of the account that signed: the patient, or a delegate (guardian) acting for them.
	pub signer: String,
	/// Who it names; `None` for a deny rule against everyone.
	pub grantee: Option<GranteeRow>,
	/// Category names, e.g. `LabResults`, `MentalHealth`.
	pub categories: Vec<String>,
	/// Action names: `Read`, `Write` (empty for a deny rule: it denies every action).
	pub actions: Vec<String>,
	/// Purpose codes: `TREAT`, `ETREAT`, `BTG`, `HPAYMT`, `HOPERAT`, `HRESCH`, `PUBHLTH`, `PATRQT`.
	pub purposes: Vec<String>,
	/// Record ids (`0x` hex) the consent is limited to; empty = every record of the categories.
	pub records: Vec<String>,
	/// Validity period (ms); `None` for deny rules.
	pub start: Option<u64>,
	pub end: Option<u64>,
	/// When and how it stopped applying, if it did (period end alone is computed at read time).
	pub ended_at: Option<u64>,
	pub ended_how: Option<EndedHow>,
	/// The access request whose approval created this consent.
	pub request_id: Option<u64>,
	/// The grant (or rule) event.
	pub evidence: Evidence,
}

/// What an `AuditEvent` row records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditKind {
	/// A logged read, permitted (`ReadLogged`) or denied (`ReadDenied`).
	Read,
	/// Break-glass session opened.
	SessionOpened,
	/// Session ended (by the practitioner, the patient, or expiry).
	SessionEnded,
	/// An auditor (or the council) gave a verdict.
	SessionReviewed,
	/// The patient contested the session.
	SessionContested,
	/// The practitioner's bond was slashed after an unjustified verdict.
	BondSlashed,
	/// The review window passed without a verdict.
	ReviewOverdue,
}

impl AuditKind {
	pub fn as_str(self) -> &'static str {
		match self {
			Self::Read => "read",
			Self::SessionOpened => "session-opened",
			Self::SessionEnded => "session-ended",
			Self::SessionReviewed => "session-reviewed",
			Self::SessionContested => "session-contested",
			Self::BondSlashed => "bond-slashed",
			Self::ReviewOverdue => "review-overdue",
		}
	}
}

/// The emergency session an emergency `AuditEvent` is about, as it was opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionInfo {
	pub session_id: u64,
	/// SS58 of the practitioner who opened it.
	#[serde(default)]
	pub practitioner: String,
	/// `ETREAT` or `BTG`.
	pub purpose: String,
	/// Emergency reason name, e.g. `Unconscious`.
	pub reason: String,
	/// BLAKE2-256 of the free-text justification (the text never reaches the chain).
	pub justification_hash: String,
	/// Categories the session covers.
	pub categories: Vec<String>,
	/// Session end (ms).
	pub end: u64,
}

/// One `AuditEvent`: a logged read or an emergency-session event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
	/// `<block>-<event index>`.
	pub id: String,
	pub kind: AuditKind,
	/// SS58 of the patient.
	pub patient: String,
	/// SS58 of the human agent: the reader, the session's practitioner, who ended it, the
	/// reviewer (absent when the council reviewed), the patient who contested.
	pub agent: Option<String>,
	/// The agent's organization (id and on-chain name), where known.
	pub organization: Option<u32>,
	pub organization_name: Option<String>,
	/// Read: the record (`0x` hex) and its category name.
	pub record_id: Option<String>,
	pub category: Option<String>,
	/// Purpose code of the read or of the session.
	pub purpose: Option<String>,
	/// `true`: permitted / success. `false`: denied (reads), unjustified (reviews), slashed.
	pub success: bool,
	/// Read permitted: `Owner`, `Delegate`, `Consent`, `Emergency`; read denied: `DeniedByRule`,
	/// `NoConsent`, `CredentialInvalid`, `Expired`, `RecordOutOfScope`, `NotYetValid`; review:
	/// `Justified`, `Unjustified`; otherwise empty.
	pub reason: String,
	/// The consent that permitted the read, or the deny rule that refused it.
	pub consent_id: Option<u64>,
	pub rule_id: Option<u64>,
	/// Emergency session: the read's session, or the session the event is about.
	pub session: Option<SessionInfo>,
	/// Review: BLAKE2-256 of the reviewer's notes; reviewer kind (`Auditor` or `Council`).
	pub notes_hash: Option<String>,
	pub reviewer_kind: Option<String>,
	/// Review overdue: the due moment (ms).
	pub due: Option<u64>,
	pub evidence: Evidence,
}

impl AuditRow {
	/// The FHIR `AuditEvent.outcome.code` (`audit-event-outcome`): `0` success, `4` minor
	/// failure (a denied read, an unjustified verdict, an overdue review), `8` serious failure
	/// (a slashed bond).
	pub fn outcome_code(&self) -> &'static str {
		match (self.success, self.kind) {
			(true, _) => "0",
			(false, AuditKind::BondSlashed) => "8",
			(false, _) => "4",
		}
	}
}

/// What a `Provenance` row records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activity {
	/// `RecordAnchored`: version 0.
	Create,
	/// `RecordAmended`: version n > 0.
	Update,
	/// `RecordErased`: the tombstone (version = number of versions before it).
	Nullify,
}

impl Activity {
	pub fn as_str(self) -> &'static str {
		match self {
			Self::Create => "CREATE",
			Self::Update => "UPDATE",
			Self::Nullify => "NULLIFY",
		}
	}
}

/// One `Provenance`: a record version anchored, amended or erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceRow {
	/// Record id, `0x` hex.
	pub record_id: String,
	/// Version index (0 = the anchor).
	pub version: u32,
	pub activity: Activity,
	/// SS58 of the patient.
	pub patient: String,
	/// SS58 of the author (absent for an erasure: the patient acts).
	pub author: Option<String>,
	/// The author's organization (id and name), if the author was a practitioner.
	pub organization: Option<u32>,
	pub organization_name: Option<String>,
	/// Category name of the record.
	pub category: Option<String>,
	/// `Sha256` or `Blake2b256`, and the digest (`0x` hex). Kept after erasure.
	pub digest_algorithm: Option<String>,
	pub digest: Option<String>,
	/// The record was erased since: its author, organization and category are gone from this
	/// row as they are from the chain's state (the digest and the block stay).
	#[serde(default)]
	pub erased: bool,
	pub evidence: Evidence,
}

/// Where an access request stands (`Task.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskStatus {
	Requested,
	Accepted,
	Rejected,
	Cancelled,
	Failed,
}

impl TaskStatus {
	/// The FHIR `Task.status` code.
	pub fn as_str(self) -> &'static str {
		match self {
			Self::Requested => "requested",
			Self::Accepted => "accepted",
			Self::Rejected => "rejected",
			Self::Cancelled => "cancelled",
			Self::Failed => "failed",
		}
	}

	pub fn parse(s: &str) -> Option<Self> {
		[Self::Requested, Self::Accepted, Self::Rejected, Self::Cancelled, Self::Failed]
			.into_iter()
			.find(|t| t.as_str() == s)
	}
}

/// One `Task`: an access request and its fate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRow {
	pub request_id: u64,
	pub patient: String,
	pub requester: String,
	pub requester_organization: Option<u32>,
	pub requester_organization_name: Option<String>,
	pub categories: Vec<String>,
	pub actions: Vec<String>,
	pub purposes: Vec<String>,
	pub justification_hash: String,
	/// When the request lapses if nobody answers (ms).
	pub expires_at: u64,
	pub status: TaskStatus,
	/// The consent created by approving it.
	pub consent_id: Option<u64>,
	/// When the status last changed (ms), if it did.
	pub status_changed_at: Option<u64>,
	/// The request event.
	pub evidence: Evidence,
}

/// What every FHIR mapping needs besides the row.
#[derive(Clone, Debug)]
pub struct Context {
	/// Genesis hash, `0x` hex: names the chain in identifier systems and the observer Device.
	pub genesis: String,
	/// Base URL of the FHIR endpoint, e.g. `http://127.0.0.1:8090/fhir` (for `fullUrl`, links).
	pub base_url: String,
	/// Now (ms): a consent past its end is `inactive`.
	pub now: u64,
}
