//! Runtime API of the consent pallet: the one access decision and a patient's own view.

#![cfg_attr(not(feature = "std"), no_std)]
// Version 1 of the access question had six parts; the generated client methods add the block
// hash.
#![allow(clippy::too_many_arguments)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
use consent_primitives::{
	AccessQuery, Action, ConsentView, DataCategory, Decision, Purpose, RecordId,
};

sp_api::decl_runtime_apis! {
	/// Queries of the consent pallet.
	///
	/// Version 2 asks the access question as one [`AccessQuery`]; version 1 took its six parts
	/// as arguments (kept so that a node can still answer at blocks of a runtime before it).
	#[api_version(2)]
	pub trait ConsentApi<AccountId> where AccountId: Codec {
		/// What the access decision answers to `query`, now.
		fn check_access(query: AccessQuery<AccountId>) -> Decision;

		/// The access decision, before version 2.
		#[changed_in(2)]
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
