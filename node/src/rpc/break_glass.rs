//! `breakGlass_*` RPC methods: a patient's emergency sessions and the overdue reviews, answered
//! by the runtime's `BreakGlassApi` at the best block (or at `at`).

use super::consent::{runtime_error, BlockHash};
use consent_primitives::SessionView;
use consent_runtime::{opaque::Block, AccountId};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_break_glass_runtime_api::BreakGlassApi as BreakGlassRuntimeApi;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use std::sync::Arc;

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
	) -> RpcResult<Vec<SessionView<AccountId>>>;

	/// Every session whose review window passed without a verdict, oldest first.
	#[method(name = "breakGlass_overdueReviews")]
	fn overdue_reviews(&self, at: Option<BlockHash>) -> RpcResult<Vec<SessionView<AccountId>>>;
}

/// Serves [`BreakGlassApiServer`] from a client.
pub struct BreakGlassRpc<C> {
	client: Arc<C>,
}

impl<C> BreakGlassRpc<C> {
	/// A server over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> BreakGlassApiServer for BreakGlassRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: BreakGlassRuntimeApi<Block, AccountId>,
{
	fn sessions_of(
		&self,
		patient: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<SessionView<AccountId>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().sessions_of(at, patient).map_err(runtime_error)
	}

	fn overdue_reviews(&self, at: Option<BlockHash>) -> RpcResult<Vec<SessionView<AccountId>>> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		self.client.runtime_api().overdue_reviews(at).map_err(runtime_error)
	}
}
