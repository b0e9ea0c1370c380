//! Runtime API of the records pallet: verification of a digest, a record's version history and a
//! patient's records.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
use consent_primitives::{Digest, RecordId, RecordView, Verification, VersionView};

sp_api::decl_runtime_apis! {
	/// Queries of the records pallet.
	pub trait RecordsApi<AccountId> where AccountId: Codec {
		/// Whether `digest` is the current version of `record`, an older one (which), or none.
		fn verify(record: RecordId, digest: Digest) -> Verification;

		/// Every version of `record`, oldest first; `None` if there is no such record.
		fn history(record: RecordId) -> Option<Vec<VersionView<AccountId>>>;

		/// The patient's records in the order they were anchored, from position `from`, at most
		/// `limit` (capped by the pallet) of them.
		fn records_of(patient: AccountId, from: u32, limit: u32) -> Vec<RecordView<AccountId>>;
	}
}
