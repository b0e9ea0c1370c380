//! `consent_*` RPC methods: the access decision and a patient's consents, answered by the
//! runtime's `ConsentApi` at the best block (or at `at`).

// The access question has six parts, plus the block to answer at.
#![allow(clippy::too_many_arguments)]

use consent_primitives::{Action, ConsentView, DataCategory, Decision, Purpose, RecordId};
use consent_runtime::{opaque::Block, AccountId};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use pallet_consent_runtime_api::ConsentApi as ConsentRuntimeApi;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::traits::Block as BlockT;
use std::sync::Arc;

/// The hash of a block to answer at.
pub(super) type BlockHash = <Block as BlockT>::Hash;

/// The consent suite's RPC methods.
#[rpc(client, server)]
pub trait ConsentApi {
	/// May `accessor` perform `action` on `category` of `patient`'s data for `purpose`, now
	/// (optionally on one `record`)? Answers `{"Permit": reason}` or `{"Deny": reason}`.
	#[method(name = "consent_checkAccess")]
	fn check_access(
		&self,
		patient: AccountId,
		accessor: AccountId,
		category: DataCategory,
		action: Action,
		purpose: Purpose,
		record: Option<RecordId>,
		at: Option<BlockHash>,
	) -> RpcResult<Decision>;

	/// The patient's consents, by id.
	#[method(name = "consent_consentsOf")]
	fn consents_of(
		&self,
		patient: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ConsentView<AccountId>>>;

	/// The patient's consent version: it changes with every change of their consents or deny
	/// rules, so a gateway can tell when its cached decisions are stale.
	#[method(name = "consent_version")]
	fn consent_version(&self, patient: AccountId, at: Option<BlockHash>) -> RpcResult<u64>;
}

/// Serves [`ConsentApiServer`] from a client.
pub struct ConsentRpc<C> {
	client: Arc<C>,
}

impl<C> ConsentRpc<C> {
	/// A server over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

/// The JSON-RPC error code for a failed runtime call.
const RUNTIME_ERROR: i32 = 1;

/// A failed runtime call as a JSON-RPC error.
pub(super) fn runtime_error(e: impl std::fmt::Debug) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, "runtime call failed", Some(format!("{e:?}")))
}

impl<C> ConsentRpc<C>
where
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<BlockHash>) -> BlockHash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl<C> ConsentApiServer for ConsentRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ConsentRuntimeApi<Block, AccountId>,
{
	fn check_access(
		&self,
		patient: AccountId,
		accessor: AccountId,
		category: DataCategory,
		action: Action,
		purpose: Purpose,
		record: Option<RecordId>,
		at: Option<BlockHash>,
	) -> RpcResult<Decision> {
		self.client
			.runtime_api()
			.check_access(self.at(at), patient, accessor, category, action, purpose, record)
			.map_err(runtime_error)
	}

	fn consents_of(
		&self,
		patient: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ConsentView<AccountId>>> {
		self.client.runtime_api().consents_of(self.at(at), patient).map_err(runtime_error)
	}

	fn consent_version(&self, patient: AccountId, at: Option<BlockHash>) -> RpcResult<u64> {
		self.client.runtime_api().consent_version(self.at(at), patient).map_err(runtime_error)
	}
}
