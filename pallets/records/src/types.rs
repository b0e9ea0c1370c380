//! Stored types of the records pallet.

use codec::{Decode, Encode, MaxEncodedLen};
use consent_primitives::{DataCategory, Digest, Moment, OrgId, VersionIndex};
use frame_support::{
	traits::{ConstU32, Get},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// The longest FHIR resource type name accepted (R5's longest is 36 characters).
pub const MAX_RESOURCE_TYPE_LEN: u32 = 64;

/// A FHIR resource type name, e.g. `Observation` or `DiagnosticReport`.
pub type ResourceType = BoundedVec<u8, ConstU32<MAX_RESOURCE_TYPE_LEN>>;

/// Whether `name` has the shape of a FHIR resource type: an upper-case ASCII letter, then ASCII
/// letters and digits.
pub fn is_resource_type(name: &[u8]) -> bool {
	match name.split_first() {
		Some((first, rest)) => {
			first.is_ascii_uppercase() && rest.iter().all(|b| b.is_ascii_alphanumeric())
		},
		None => false,
	}
}

/// Whether `locator` is acceptable: not empty, and not a readable `scheme://` address (a locator
/// is meant to be ciphertext or a hash, so that it can carry no PHI).
pub fn is_opaque_locator(locator: &[u8]) -> bool {
	if locator.is_empty() {
		return false;
	}
	let scheme_len = locator
		.iter()
		.take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
		.count();
	!(scheme_len > 0 && locator[scheme_len..].starts_with(b"://"))
}

/// What erasure removes from a record: everything that says what it is about.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo)]
pub struct RecordMeta {
	/// The data category.
	pub category: DataCategory,
	/// The FHIR resource type.
	pub resource_type: ResourceType,
}

/// An anchored record. Its versions are stored apart, keyed by (record, version).
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
pub struct Record<AccountId>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The patient the record is about.
	pub patient: AccountId,
	/// Category and resource type; `None` once erased.
	pub meta: Option<RecordMeta>,
	/// The current version; versions `0..=current` exist.
	pub current: VersionIndex,
	/// When the record was first anchored (ms).
	pub created_at: Moment,
	/// When the patient erased it (ms).
	pub erased_at: Option<Moment>,
}

/// One version of a record.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(MaxLocatorLen))]
pub struct Version<AccountId, Ticket, MaxLocatorLen: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Ticket: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The salted commitment.
	pub digest: Digest,
	/// Who anchored it; they paid its deposit.
	pub author: AccountId,
	/// The author's organization, if the author is a credentialed practitioner.
	pub organization: Option<OrgId>,
	/// When it was anchored (ms).
	pub anchored_at: Moment,
	/// The version it superseded (`None` for the first).
	pub supersedes: Option<VersionIndex>,
	/// Opaque (encrypted or hashed) locator; removed on erasure.
	pub locator: Option<BoundedVec<u8, MaxLocatorLen>>,
	/// The author's deposit; released on erasure.
	pub deposit: Option<Ticket>,
}
