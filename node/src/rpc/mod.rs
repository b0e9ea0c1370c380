//! The node's JSON-RPC methods beyond the standard ones: system (account nonce), transaction
//! payment, and the consent suite's queries (`consent_*`, `records_*`,
//! `breakGlass_*`).

mod break_glass;
mod consent;
mod records;

use consent_runtime::{opaque::Block, AccountId, Balance, Nonce};
use jsonrpsee::{core::RpcResult, types::error::ErrorObject, RpcModule};
use sc_transaction_pool_api::TransactionPool;
use sp_api::{ApiError, ApiRef, ProvideRuntimeApi};
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_runtime::traits::Block as BlockT;
use std::sync::Arc;

pub use break_glass::BreakGlassApiServer;
pub use consent::ConsentApiServer;
pub use records::RecordsApiServer;

/// The hash of a block to answer at.
pub type BlockHash = <Block as BlockT>::Hash;

/// The JSON-RPC error code for a failed runtime call.
const RUNTIME_ERROR: i32 = 1;

/// The runtime APIs the consent suite's RPC methods call.
pub trait SuiteRuntimeApi:
	pallet_consent_runtime_api::ConsentApi<Block, AccountId>
	+ pallet_records_runtime_api::RecordsApi<Block, AccountId>
	+ pallet_break_glass_runtime_api::BreakGlassApi<Block, AccountId>
{
}

impl<A> SuiteRuntimeApi for A where
	A: pallet_consent_runtime_api::ConsentApi<Block, AccountId>
		+ pallet_records_runtime_api::RecordsApi<Block, AccountId>
		+ pallet_break_glass_runtime_api::BreakGlassApi<Block, AccountId>
{
}

/// A client the consent suite's RPC methods can answer from: its runtime has the suite's APIs.
pub trait SuiteClient:
	ProvideRuntimeApi<Block, Api: SuiteRuntimeApi> + HeaderBackend<Block> + Send + Sync + 'static
{
}

impl<C> SuiteClient for C
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: SuiteRuntimeApi,
{
}

/// Serves the consent suite's RPC methods (`consent_*`, `records_*`, `breakGlass_*`) from a
/// client: each is a runtime API call at the block `at`, or at the best block.
pub struct SuiteRpc<C> {
	client: Arc<C>,
}

impl<C> SuiteRpc<C> {
	/// A server over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> SuiteRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	/// Run `query` against the runtime API at `at` (default: the best block); a failed runtime
	/// call becomes a JSON-RPC error carrying its message.
	fn query<R>(
		&self,
		at: Option<BlockHash>,
		query: impl FnOnce(ApiRef<'_, C::Api>, BlockHash) -> Result<R, ApiError>,
	) -> RpcResult<R> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		query(self.client.runtime_api(), at).map_err(|e| {
			ErrorObject::owned(RUNTIME_ERROR, "runtime call failed", Some(format!("{e:?}")))
		})
	}
}

/// What the RPC methods need.
pub struct FullDeps<C, P> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
}

/// Every RPC method of the node, merged into one module.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: SuiteClient + HeaderMetadata<Block, Error = BlockChainError>,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(ConsentApiServer::into_rpc(SuiteRpc::new(client.clone())))?;
	module.merge(RecordsApiServer::into_rpc(SuiteRpc::new(client.clone())))?;
	module.merge(BreakGlassApiServer::into_rpc(SuiteRpc::new(client)))?;

	Ok(module)
}
