//! The vocabulary of emergency ("break-glass") access: why the glass was broken, what a reviewer
//! decided, and an emergency session as clients see it.

use crate::{CategorySet, Moment, OrgId, Purpose, SessionId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::H256;

/// Why a clinician broke the glass (the consortium's coded reasons; the free text stays off chain
/// and only its hash is recorded).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub enum EmergencyReason {
	/// The patient is unconscious.
	Unconscious,
	/// The patient is conscious but unable to consent (confusion, sedation, ...).
	Incapacitated,
	/// A life-threatening condition that cannot wait for consent.
	LifeThreatening,
	/// Resuscitation or critical care in progress.
	CriticalCare,
	/// A declared mass-casualty or public-health emergency.
	MassCasualty,
	/// Another reason, explained in the justification.
	Other,
}

/// A reviewer's verdict on an emergency session.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub enum Verdict {
	/// The access was justified: the bond goes back to the practitioner.
	Justified,
	/// The access was not justified: the bond is slashed and the privilege withdrawn.
	Unjustified,
}

/// Where an emergency session stands.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub enum EmergencySessionState {
	/// Permitting access until its end.
	Open,
	/// Ended (early or by expiry), waiting for a review.
	AwaitingReview,
	/// Ended, and the review window passed without a verdict.
	Overdue,
	/// Contested by the patient: only the governance origin may decide.
	Contested,
	/// An auditor found it justified; the patient may still contest until `contest_until`.
	Justified,
}

/// An emergency session, as clients see it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
pub struct EmergencySessionView<AccountId> {
	/// The session id.
	pub id: SessionId,
	/// The patient.
	pub patient: AccountId,
	/// The practitioner who broke the glass.
	pub practitioner: AccountId,
	/// The practitioner's organization.
	pub organization: OrgId,
	/// ETREAT or BTG.
	pub purpose: Purpose,
	/// The coded reason.
	pub reason: EmergencyReason,
	/// Hash of the free-text justification kept off chain.
	pub justification_hash: H256,
	/// The categories the session covers.
	pub categories: CategorySet,
	/// When it opened (ms).
	pub start: Moment,
	/// When it ends or ended (ms).
	pub end: Moment,
	/// The review is due by (ms).
	pub review_due: Moment,
	/// Where it stands now.
	pub state: EmergencySessionState,
}
