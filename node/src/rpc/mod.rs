//! The node's JSON-RPC methods beyond the standard ones: system (account nonce), transaction
//! payment, and the consent suite's queries (`consent_*`, `records_*`,
//! `breakGlass_*`).

mod break_glass;
mod consent;
mod records;

use consent_runtime::{opaque::Block, AccountId, Balance, Nonce};
use jsonrpsee::RpcModule;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use std::sync::Arc;

pub use break_glass::{BreakGlassApiServer, BreakGlassRpc};
pub use consent::{ConsentApiServer, ConsentRpc};
pub use records::{RecordsApiServer, RecordsRpc};

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
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
		+ pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
		+ pallet_consent_runtime_api::ConsentApi<Block, AccountId>
		+ pallet_records_runtime_api::RecordsApi<Block, AccountId>
		+ pallet_break_glass_runtime_api::BreakGlassApi<Block, AccountId>
		+ BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(ConsentRpc::new(client.clone()).into_rpc())?;
	module.merge(RecordsRpc::new(client.clone()).into_rpc())?;
	module.merge(BreakGlassRpc::new(client).into_rpc())?;

	Ok(module)
}
