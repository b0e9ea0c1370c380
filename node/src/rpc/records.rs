//! `records_*` RPC methods: verification of a digest, a record's history and a patient's
//! records, answered by the runtime's `RecordsApi` at the best block (or at `at`).

use super::{BlockHash, SuiteClient, SuiteRpc};
use consent_primitives::{Digest, RecordId, RecordView, Verification, VersionView};
use consent_runtime::AccountId;
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_records_runtime_api::RecordsApi as RecordsRuntimeApi;

/// The default page size of `records_of`.
const DEFAULT_PAGE: u32 = 50;

/// The records pallet's RPC methods.
#[rpc(client, server)]
pub trait RecordsApi {
	/// Whether `digest` (`{"algorithm": "Sha256" | "Blake2b256", "hash": "0x…"}`) is the current
	/// version of `record`, an older one, or none: `{"Current": {"version": n}}`,
	/// `{"Superseded": {"version": n, "current": m}}`, `"NoMatch"` or `"UnknownRecord"`.
	#[method(name = "records_verify")]
	fn verify(
		&self,
		record: RecordId,
		digest: Digest,
		at: Option<BlockHash>,
	) -> RpcResult<Verification>;

	/// Every version of `record`, oldest first, or `null` if there is no such record.
	#[method(name = "records_history")]
	fn history(
		&self,
		record: RecordId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<Vec<VersionView<AccountId>>>>;

	/// The patient's records in anchoring order: `limit` (default 50, at most 100) from position
	/// `from` (default 0).
	#[method(name = "records_of")]
	fn records_of(
		&self,
		patient: AccountId,
		from: Option<u32>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<RecordView<AccountId>>>;
}

impl<C: SuiteClient> RecordsApiServer for SuiteRpc<C> {
	fn verify(
		&self,
		record: RecordId,
		digest: Digest,
		at: Option<BlockHash>,
	) -> RpcResult<Verification> {
		self.query(at, |api, at| api.verify(at, record, digest))
	}

	fn history(
		&self,
		record: RecordId,
		at: Option<BlockHash>,
	) -> RpcResult<Option<Vec<VersionView<AccountId>>>> {
		self.query(at, |api, at| api.history(at, record))
	}

	fn records_of(
		&self,
		patient: AccountId,
		from: Option<u32>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<RecordView<AccountId>>> {
		self.query(at, |api, at| {
			api.records_of(at, patient, from.unwrap_or(0), limit.unwrap_or(DEFAULT_PAGE))
		})
	}
}
