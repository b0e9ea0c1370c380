//! `consent_*` RPC methods: the access decision and a patient's consents, answered by the
//! runtime's `ConsentApi` at the best block (or at `at`).

use super::{BlockHash, SuiteClient, SuiteRpc};
use consent_primitives::{AccessQuery, ConsentView, Decision};
use consent_runtime::{opaque::Block, AccountId};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_consent_runtime_api::ConsentApi as ConsentRuntimeApi;
use sp_api::ApiExt;

/// The consent suite's RPC methods.
#[rpc(client, server)]
pub trait ConsentApi {
	/// What the access decision answers to `query` (a JSON object: `patient`, `accessor`,
	/// `category`, `action`, `purpose` and, for one record, `record`), now. Answers
	/// `{"Permit": reason}` or `{"Deny": reason}`.
	#[method(name = "consent_checkAccess")]
	fn check_access(
		&self,
		query: AccessQuery<AccountId>,
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

impl<C: SuiteClient> ConsentApiServer for SuiteRpc<C> {
	fn check_access(
		&self,
		query: AccessQuery<AccountId>,
		at: Option<BlockHash>,
	) -> RpcResult<Decision> {
		self.query(at, |api, at| {
			// A block of a runtime before version 2 of the API is asked in its own terms.
			if api.api_version::<dyn ConsentRuntimeApi<Block, AccountId>>(at)?.unwrap_or(1) < 2 {
				let AccessQuery { patient, accessor, category, action, purpose, record } = query;
				#[allow(deprecated)]
				return api.check_access_before_version_2(
					at, patient, accessor, category, action, purpose, record,
				);
			}
			api.check_access(at, query)
		})
	}

	fn consents_of(
		&self,
		patient: AccountId,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ConsentView<AccountId>>> {
		self.query(at, |api, at| api.consents_of(at, patient))
	}

	fn consent_version(&self, patient: AccountId, at: Option<BlockHash>) -> RpcResult<u64> {
		self.query(at, |api, at| api.consent_version(at, patient))
	}
}
