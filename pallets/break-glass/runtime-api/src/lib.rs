//! Runtime API of the break-glass pallet: a patient's emergency sessions and the sessions whose
//! review is overdue.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
use consent_primitives::EmergencySessionView;

sp_api::decl_runtime_apis! {
	/// Queries of the break-glass pallet.
	pub trait BreakGlassApi<AccountId> where AccountId: Codec {
		/// The patient's emergency sessions not yet settled, oldest first.
		fn sessions_of(patient: AccountId) -> Vec<EmergencySessionView<AccountId>>;

		/// Every session whose review window passed without a verdict, oldest first.
		fn overdue_reviews() -> Vec<EmergencySessionView<AccountId>>;
	}
}
