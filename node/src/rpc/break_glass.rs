//! `breakGlass_*` RPC methods: a patient's emergency sessions and the overdue reviews, answered
//! by the runtime's `BreakGlassApi` at the best block (or at `at`).

use super::{BlockHash, SuiteClient, SuiteRpc};
use consent_primitives::EmergencySessionView;
use consent_runtime::AccountId;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_break_glass_runtime_api::BreakGlassApi as BreakGlassRuntimeApi;

/// The break-glass pallet's RPC methods.
#[rpc(client, server)]
pub trait BreakGlassApi {
	/// The patient's emergency sessions not yet settled, oldest first, each with its state
	/// (`Open`, `AwaitingReview`, `Overdue`, `Contested`, `Justified`).
	#[method(name = "breakGlass_sessionsOf")]
	fn sessions_of(
		&self,
		patient: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<EmergencySessionView<AccountId>>>;

	/// Every session whose review window passed without a verdict, oldest first.
	#[method(name = "breakGlass_overdueReviews")]
	fn overdue_reviews(
		&self,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<EmergencySessionView<AccountId>>>;
}

impl<C: SuiteClient> BreakGlassApiServer for SuiteRpc<C> {
	fn sessions_of(
		&self,
		patient: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<EmergencySessionView<AccountId>>> {
		self.query(at, |api, at| api.sessions_of(at, patient))
	}

	fn overdue_reviews(
		&self,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<EmergencySessionView<AccountId>>> {
		self.query(at, |api, at| api.overdue_reviews(at))
	}
}
