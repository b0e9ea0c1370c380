//! Runtime API of the consent pallet: the one access decision and a patient's own view.

#![cfg_attr(not(feature = "std"), no_std)]
// The access question has six parts; the generated client methods add the block hash.
#![allow(clippy::too_many_arguments)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
use consent_primitives::{Action, ConsentView, DataCategory, Decision, Purpose, RecordId};

sp_api::decl_runtime_apis! {
	/// Queries of the consent pallet.
	pub trait ConsentApi<AccountId> where AccountId: Codec {
		/// May `accessor` perform `action` on `category` of `patient`'s data for `purpose`, now
		/// (optionally on one `record`)?
		fn check_access(
			patient: AccountId,
			accessor: AccountId,
			category: DataCategory,
			action: Action,
			purpose: Purpose,
			record: Option<RecordId>,
		) -> Decision;

		/// The patient's consents, by id.
		fn consents_of(patient: AccountId) -> Vec<ConsentView<AccountId>>;

		/// The patient's consent version: it changes with every change of their consents or
		/// deny rules.
		fn consent_version(patient: AccountId) -> u64;
	}
}
