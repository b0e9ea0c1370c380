//! Stored types of the break-glass pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use consent_primitives::{CategorySet, EmergencyReason, Moment, OrgId, Purpose};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound,
	PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_core::H256;

/// Who gave a verdict.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo,
)]
pub enum Reviewer<AccountId> {
	/// An auditor of the practitioner's organization.
	Auditor(AccountId),
	/// The governance origin (the consortium council).
	Governance,
}

/// The review of a session that is not settled yet.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo,
)]
pub enum Review<AccountId> {
	/// No verdict yet.
	Pending,
	/// An auditor found it justified at `at`; the bond is released once the contest window has
	/// passed without a contest.
	Justified {
		/// The auditor.
		auditor: AccountId,
		/// When (ms).
		at: Moment,
	},
}

/// An emergency session, from the moment the glass is broken until it is settled.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
pub struct EmergencySession<AccountId, Balance>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The patient.
	pub patient: AccountId,
	/// The practitioner who broke the glass.
	pub practitioner: AccountId,
	/// The practitioner's organization when they did.
	pub organization: OrgId,
	/// ETREAT or BTG.
	pub purpose: Purpose,
	/// The coded reason.
	pub reason: EmergencyReason,
	/// Hash of the free-text justification kept off chain.
	pub justification_hash: H256,
	/// The categories covered.
	pub categories: CategorySet,
	/// When the glass was broken (ms).
	pub start: Moment,
	/// When access ends (ms): `start + duration`, or earlier if ended or reviewed.
	pub end: Moment,
	/// The bond held from the practitioner.
	pub bond: Balance,
	/// The review so far.
	pub review: Review<AccountId>,
	/// The patient contested the session: only the governance origin may decide.
	pub contested: bool,
	/// An overdue review was already reported.
	pub overdue_reported: bool,
	/// How many new records the session anchored (at most `MaxWritesPerSession`).
	pub writes: u32,
}

/// A patient's break-glass preferences.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(MaxContacts))]
pub struct PatientPolicy<AccountId, MaxContacts: Get<u32>, Ticket>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Ticket: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The patient refuses break-glass access (only where the runtime allows opting out).
	pub opted_out: bool,
	/// Accounts to notify when the glass is broken (named in the event).
	pub contacts: BoundedVec<AccountId, MaxContacts>,
	/// The patient's deposit for this item.
	pub deposit: Ticket,
}

/// What a patient chooses in their [`PatientPolicy`]: everything but the deposit.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, DefaultNoBound)]
pub struct PolicyChoices<AccountId, MaxContacts: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The patient refuses break-glass access.
	pub opted_out: bool,
	/// Accounts to notify when the glass is broken.
	pub contacts: BoundedVec<AccountId, MaxContacts>,
}

impl<AccountId, MaxContacts: Get<u32>> PolicyChoices<AccountId, MaxContacts>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Whether these are the choices of a patient who never set any (nothing to store).
	pub fn is_default(&self) -> bool {
		!self.opted_out && self.contacts.is_empty()
	}
}
