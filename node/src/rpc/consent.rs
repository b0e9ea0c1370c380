//! `consent_*` RPC methods: the access decision and a patient's consents, answered by the
//! runtime's `ConsentApi` at the best block (or at `at`).

// The access question has six parts, plus the block to answer at.
#![allow(clippy::too_many_arguments)]

use super::{BlockHash, SuiteClient, SuiteRpc};
use consent_primitives::{Action, ConsentView, DataCategory, Decision, Purpose, RecordId};
use consent_runtime::AccountId;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_consent_runtime_api::ConsentApi as ConsentRuntimeApi;

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

impl<C: SuiteClient> ConsentApiServer for SuiteRpc<C> {
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
		self.query(at, |api, at| {
			api.check_access(at, patient, accessor, category, action, purpose, record)
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
