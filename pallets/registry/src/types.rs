//! Stored types of the registry.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use consent_primitives::{Moment, OrgId, RoleSet};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::H256;

/// An organization admitted at genesis (ids 0, 1, ... in the order given).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisOrganization<AccountId> {
	/// Its public name.
	pub name: alloc::string::String,
	/// Its admin accounts.
	pub admins: alloc::vec::Vec<AccountId>,
}

/// A practitioner credentialed at genesis.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisPractitioner<AccountId> {
	/// The practitioner's account.
	pub account: AccountId,
	/// The organization (by genesis id).
	pub organization: OrgId,
	/// Roles, by name.
	pub roles: RoleSet,
	/// End of the licence, in ms since the epoch.
	pub licence_expiry: Moment,
	/// Whether they may break the glass.
	pub break_glass: bool,
}

/// Whether an organization takes part in the consortium.
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
)]
pub enum OrgStatus {
	/// Its practitioners' credentials may be valid.
	Active,
	/// None of its practitioners' credentials is valid.
	Suspended,
}

/// A consortium member.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(MaxAdmins, MaxNameLength))]
pub struct Organization<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxAdmins: Get<u32>,
	MaxNameLength: Get<u32>,
> {
	/// The public name patients read (UTF-8; unique in the consortium).
	pub name: BoundedVec<u8, MaxNameLength>,
	/// Active or suspended.
	pub status: OrgStatus,
	/// The accounts that credential its practitioners.
	pub admins: BoundedVec<AccountId, MaxAdmins>,
	/// How many practitioners it credentials.
	pub practitioners: u32,
}

/// The state of a practitioner's credential.
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
)]
pub enum CredentialState {
	/// In force (while the licence is unexpired and the organization active).
	Active,
	/// Suspended by an admin.
	Suspended,
}

/// A practitioner's credential.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo)]
pub struct Practitioner {
	/// The organization that credentials the practitioner.
	pub organization: OrgId,
	/// Roles within the organization.
	pub roles: RoleSet,
	/// End of the licence, in ms since the epoch.
	pub licence_expiry: Moment,
	/// Hash of the licence document kept off chain.
	pub licence_hash: H256,
	/// Active or suspended.
	pub status: CredentialState,
	/// May open emergency sessions.
	pub break_glass: bool,
}

impl Practitioner {
	/// Whether the credential itself (not its organization) is valid at `now`.
	pub fn is_valid_at(&self, now: Moment) -> bool {
		self.status == CredentialState::Active && now < self.licence_expiry
	}
}
