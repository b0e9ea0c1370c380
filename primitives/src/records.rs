//! The vocabulary of anchored records: digests, versions, and what verification answers.
//!
//! A record's content and location stay in the hospital's own systems. The chain keeps a
//! [`Digest`] of each version: a *salted commitment* `H(salt ‖ content)` computed off chain with a
//! per-record random salt of at least 128 bits that never goes on chain. Without the salt a digest
//! says nothing about the content, and once the salt is destroyed (erasure) it cannot be linked to
//! it again, while the chain of digests keeps its integrity.

use crate::{DataCategory, Moment, OrgId, RecordId};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::H256;

/// The index of a version in a record's history: 0 is the first anchor.
pub type VersionIndex = u32;

/// The hash function a digest was computed with.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub enum DigestAlgorithm {
	/// SHA-256 (FIPS 180-4), what most hospital systems already compute.
	Sha256,
	/// BLAKE2b with a 256-bit output (RFC 7693), Substrate's own hash.
	Blake2b256,
}

/// A salted commitment to one version of a record, tagged with its algorithm.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub struct Digest {
	/// The hash function.
	pub algorithm: DigestAlgorithm,
	/// `H(salt ‖ content)`.
	pub hash: H256,
}

/// What `verify(record, digest)` answers.
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
pub enum Verification {
	/// The digest is the record's current version.
	Current {
		/// The current version.
		version: VersionIndex,
	},
	/// The digest is an older version, superseded since.
	Superseded {
		/// The version the digest was anchored as.
		version: VersionIndex,
		/// The record's current version.
		current: VersionIndex,
	},
	/// The record exists but no version has this digest.
	NoMatch,
	/// No record has this id.
	UnknownRecord,
}

/// One version of a record, as clients see it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
pub struct VersionView<AccountId> {
	/// The version's index.
	pub version: VersionIndex,
	/// The digest anchored.
	pub digest: Digest,
	/// Who anchored it.
	pub author: AccountId,
	/// The author's organization, if the author is a practitioner.
	pub organization: Option<OrgId>,
	/// When it was anchored (ms).
	pub anchored_at: Moment,
	/// The version it superseded.
	pub supersedes: Option<VersionIndex>,
	/// The opaque (encrypted or hashed) locator, unless erased or never given.
	pub locator: Option<Vec<u8>>,
}

/// A record, as clients see it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
pub struct RecordView<AccountId> {
	/// The record id.
	pub id: RecordId,
	/// The patient the record is about.
	pub patient: AccountId,
	/// The data category; `None` once erased.
	pub category: Option<DataCategory>,
	/// The FHIR resource type (e.g. `Observation`); `None` once erased.
	pub resource_type: Option<Vec<u8>>,
	/// The current version.
	pub current: VersionIndex,
	/// When the record was first anchored (ms).
	pub created_at: Moment,
	/// When the patient erased it (ms), if they did.
	pub erased_at: Option<Moment>,
}
