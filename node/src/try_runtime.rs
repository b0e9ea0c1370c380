//! `consent-node try-runtime`: a candidate runtime run against the state of a live chain before
//! anyone votes for it.
//!
//! Both commands download the state of one block over RPC into memory, put the candidate
//! runtime (built with `scripts/build-runtime --try-runtime`) in place of the chain's code, and
//! call its `TryRuntime` API in a wasm executor. Nothing is written to the chain.
//!
//! - `on-runtime-upgrade` runs the migrations as the block after an enactment would, with every
//!   migration's `pre_upgrade`/`post_upgrade` checks and every pallet's `try_state`; the weight
//!   must fit in one block; a second run must change nothing.
//! - `execute-block` re-executes a block on its parent's state with signature checks, then every
//!   pallet's `try_state` and a decode of every storage item, and compares the state root with
//!   the block's header.

use codec::{Decode, Encode};
use consent_runtime::opaque::Block;
use frame_remote_externalities::{Builder, Mode, OnlineConfig, RemoteExternalities};
use jsonrpsee::{
	core::client::ClientT,
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use sc_executor::{RuntimeVersion, WasmExecutor};
use sp_core::{
	storage::well_known_keys,
	traits::{CallContext, ReadRuntimeVersionExt},
	H256,
};
use sp_runtime::{
	generic::{DigestItem, SignedBlock},
	traits::{Block as BlockT, Header as HeaderT},
	StateVersion, Weight,
};
use sp_state_machine::{
	backend::{BackendRuntimeCode, TryPendingCode},
	Backend, OverlayedChanges, StateMachine,
};
use std::path::PathBuf;

/// The host functions of a production runtime: the ones the node's own executor offers, less
/// the benchmarking ones.
type Executor = WasmExecutor<sp_io::SubstrateHostFunctions>;
type Hashing = sp_runtime::traits::BlakeTwo256;

/// `consent-node try-runtime`.
#[derive(Debug, clap::Parser)]
pub struct TryRuntimeCmd {
	/// What to try.
	#[command(subcommand)]
	pub command: TryRuntimeSubcommand,

	/// WebSocket RPC endpoint of a node of the chain. The state is downloaded from it: a node
	/// keeps the state of its last 256 blocks unless it runs with `--state-pruning archive`.
	#[arg(long, default_value = "ws://127.0.0.1:9944", global = true)]
	pub uri: String,

	/// The candidate runtime: a wasm built with `scripts/build-runtime --try-runtime`.
	#[arg(long, global = true)]
	pub runtime: Option<PathBuf>,
}

/// The two trials.
#[derive(Debug, clap::Subcommand)]
pub enum TryRuntimeSubcommand {
	/// Run the candidate's migrations on the state of a block, as the first block after its
	/// enactment would, with every migration's pre- and post-upgrade checks and every pallet's
	/// `try_state`; then once more, which must change nothing.
	OnRuntimeUpgrade {
		/// The block whose state to migrate (default: the last finalized).
		#[arg(long)]
		at: Option<H256>,
	},
	/// Re-execute a block with the candidate on its parent's state: signatures checked, then
	/// every pallet's `try_state`, every storage item decoded, and the state root compared with
	/// the block's header. The candidate must be the runtime that made the block.
	ExecuteBlock {
		/// The block to execute (default: the last finalized).
		#[arg(long)]
		at: Option<H256>,
	},
}

/// The wire form of `frame_try_runtime::UpgradeCheckSelect` (the node is not built with
/// `try-runtime`, so the type itself is not compiled in).
#[derive(Encode)]
enum UpgradeCheckSelect {
	None,
	All,
}

/// The wire form of `frame_support::traits::TryStateSelect`, the variant used here (its index is
/// the runtime's).
#[derive(Encode)]
enum TryStateSelect {
	#[codec(index = 1)]
	All,
}

impl TryRuntimeCmd {
	/// Runs the trial; an `Err` names the check that failed.
	pub fn run(&self) -> sc_cli::Result<()> {
		let runtime = self.runtime.as_ref().ok_or(
			"--runtime: the candidate runtime, built with `scripts/build-runtime --try-runtime`",
		)?;
		// The runtime's own logs (migrations, `try_state`, the executive) and the download's.
		sc_cli::LoggerBuilder::new("").init()?;
		let code = std::fs::read(runtime)
			.map_err(|e| format!("cannot read the runtime {}: {e}", runtime.display()))?;
		let version = embedded_version(&code)?;
		let tokio = tokio::runtime::Builder::new_multi_thread()
			.enable_all()
			.build()
			.map_err(|e| format!("cannot start the async runtime: {e}"))?;
		tokio.block_on(async {
			let rpc = WsClientBuilder::default()
				.max_response_size(u32::MAX)
				.build(&self.uri)
				.await
				.map_err(|e| format!("cannot connect to {}: {e}", self.uri))?;
			let trial = Trial { rpc: &rpc, uri: &self.uri, code, candidate: &version };
			match &self.command {
				TryRuntimeSubcommand::OnRuntimeUpgrade { at } => {
					on_runtime_upgrade(trial, *at).await
				},
				TryRuntimeSubcommand::ExecuteBlock { at } => execute_block(trial, *at).await,
			}
		})
	}
}

/// The candidate's version, read from its wasm sections, and a refusal if it cannot be tried.
fn embedded_version(code: &[u8]) -> sc_cli::Result<RuntimeVersion> {
	let blob = sc_executor_common::runtime_blob::RuntimeBlob::uncompress_if_needed(code)
		.map_err(|e| format!("the runtime is not a valid wasm: {e}"))?;
	let version = sc_executor::read_embedded_version(&blob)
		.map_err(|e| format!("cannot read the runtime's version: {e}"))?
		.ok_or("the runtime has no embedded version")?;
	let try_runtime_api = sp_crypto_hashing::blake2_64(b"TryRuntime");
	if !version.apis.iter().any(|(id, _)| *id == try_runtime_api) {
		return Err("the runtime has no TryRuntime API: build it with \
			`scripts/build-runtime --try-runtime`"
			.into());
	}
	Ok(version)
}

async fn finalized_or(rpc: &WsClient, at: Option<H256>) -> sc_cli::Result<H256> {
	match at {
		Some(at) => Ok(at),
		None => rpc
			.request("chain_getFinalizedHead", rpc_params![])
			.await
			.map_err(|e| format!("chain_getFinalizedHead: {e}").into()),
	}
}

async fn chain_version(rpc: &WsClient, at: H256) -> sc_cli::Result<RuntimeVersion> {
	rpc.request("state_getRuntimeVersion", rpc_params![at])
		.await
		.map_err(|e| format!("state_getRuntimeVersion at {at:?}: {e}").into())
}

/// Every key and value of the chain's state at `at`, with `code` as the runtime.
async fn state_with_code(
	uri: &str,
	at: H256,
	code: Vec<u8>,
	state_version: StateVersion,
) -> sc_cli::Result<RemoteExternalities<Block>> {
	let mut ext = Builder::<Block>::new()
		.mode(Mode::Online(OnlineConfig {
			at: Some(at),
			transport_uris: vec![uri.to_owned()],
			..Default::default()
		}))
		.overwrite_state_version(state_version)
		.build()
		.await
		.map_err(|e| format!("cannot download the state at {at:?}: {e}"))?;
	ext.insert(well_known_keys::CODE.to_vec(), code);
	ext.commit_all()?;
	Ok(ext)
}

fn executor() -> Executor {
	Executor::builder().with_allow_missing_host_functions(false).build()
}

/// Calls `method` of the runtime in `ext`'s `:code`, on `ext`'s state plus `overlay`; the
/// call's changes stay in `overlay`.
fn call(
	ext: &RemoteExternalities<Block>,
	overlay: &mut OverlayedChanges<Hashing>,
	executor: &Executor,
	method: &str,
	data: &[u8],
) -> sc_cli::Result<Vec<u8>> {
	let backend = &ext.backend;
	let code = BackendRuntimeCode::new(backend, TryPendingCode::No);
	let runtime_code = code.runtime_code()?;
	let mut extensions = sp_externalities::Extensions::default();
	extensions.register(ReadRuntimeVersionExt::new(executor.clone()));
	let result = StateMachine::new(
		backend,
		overlay,
		executor,
		method,
		data,
		&mut extensions,
		&runtime_code,
		CallContext::Offchain,
	)
	.execute();
	result.map_err(|e| format!("{method} failed: {e}").into())
}

/// A candidate runtime and the chain it is tried against.
struct Trial<'a> {
	rpc: &'a WsClient,
	uri: &'a str,
	code: Vec<u8>,
	candidate: &'a RuntimeVersion,
}

fn describe(v: &RuntimeVersion) -> String {
	format!("{} spec {}", v.spec_name, v.spec_version)
}

async fn on_runtime_upgrade(trial: Trial<'_>, at: Option<H256>) -> sc_cli::Result<()> {
	let Trial { rpc, uri, code, candidate } = trial;
	let at = finalized_or(rpc, at).await?;
	let onchain = chain_version(rpc, at).await?;
	println!("chain at {at:?}: {}; candidate: {}", describe(&onchain), describe(candidate));
	if onchain.spec_name != candidate.spec_name {
		return Err(format!(
			"the candidate is a {} runtime, the chain runs {}: frame_system::set_code would \
			 refuse it",
			candidate.spec_name, onchain.spec_name
		)
		.into());
	}
	if candidate.spec_version <= onchain.spec_version {
		return Err(format!(
			"the candidate's spec_version {} is not above the chain's {}: frame_system::set_code \
			 would refuse it",
			candidate.spec_version, onchain.spec_version
		)
		.into());
	}

	let mut ext = state_with_code(uri, at, code, candidate.state_version()).await?;
	let keys = ext
		.backend
		.keys(Default::default())
		.map_err(|e| format!("cannot list the downloaded keys: {e}"))?
		.count();
	println!("state downloaded: {keys} keys, root {:?}", ext.backend.root());
	let executor = executor();

	let mut overlay = OverlayedChanges::default();
	let out = call(
		&ext,
		&mut overlay,
		&executor,
		"TryRuntime_on_runtime_upgrade",
		&UpgradeCheckSelect::All.encode(),
	)?;
	let (weight, max_block) = <(Weight, Weight)>::decode(&mut &out[..])
		.map_err(|e| format!("cannot decode the upgrade's weight: {e}"))?;
	let changed = overlay.changes().count();
	println!(
		"migrations passed their pre- and post-upgrade checks and every pallet's try_state; \
		 {changed} keys written"
	);
	println!(
		"weight: {} ps of a block's {} ps ({:.3} %), proof size {} bytes",
		weight.ref_time(),
		max_block.ref_time(),
		weight.ref_time() as f64 * 100.0 / max_block.ref_time() as f64,
		weight.proof_size(),
	);
	if weight.any_gt(max_block) {
		return Err("the migrations do not fit in one block: make them a multi-block migration \
			(pallet-migrations)"
			.into());
	}

	// Apply the first run, then run again: a migration that is not idempotent would run twice
	// if the upgrade were enacted twice or a migration were listed twice.
	let state_version = candidate.state_version();
	let changes = overlay
		.drain_storage_changes(&ext.backend, state_version)
		.map_err(|e| format!("cannot apply the upgrade's changes: {e}"))?;
	ext.backend.apply_transaction(changes.transaction_storage_root, changes.transaction);
	let migrated_root = *ext.backend.root();
	let mut overlay = OverlayedChanges::default();
	call(
		&ext,
		&mut overlay,
		&executor,
		"TryRuntime_on_runtime_upgrade",
		&UpgradeCheckSelect::None.encode(),
	)?;
	let (again, _) = overlay.storage_root(&ext.backend, state_version);
	if again != migrated_root {
		let keys: Vec<String> = overlay
			.changes()
			.map(|(k, _)| format!("0x{}", sp_core::hexdisplay::HexDisplay::from(k)))
			.collect();
		return Err(format!(
			"a second run of the migrations changed the state again (keys {}): a migration is \
			 not idempotent",
			keys.join(", ")
		)
		.into());
	}
	println!("a second run changed nothing");
	println!("on-runtime-upgrade: ok");
	Ok(())
}

async fn execute_block(trial: Trial<'_>, at: Option<H256>) -> sc_cli::Result<()> {
	let Trial { rpc, uri, code, candidate } = trial;
	let at = finalized_or(rpc, at).await?;
	let block: Option<SignedBlock<Block>> = rpc
		.request("chain_getBlock", rpc_params![at])
		.await
		.map_err(|e| format!("chain_getBlock {at:?}: {e}"))?;
	let (mut header, extrinsics) =
		block.ok_or_else(|| format!("no block {at:?}"))?.block.deconstruct();
	// The author's seal is not part of what the runtime executes: the node's import strips it too.
	if matches!(header.digest().logs().last(), Some(DigestItem::Seal(..))) {
		header.digest_mut().pop();
	}
	let block = Block::new(header.clone(), extrinsics);
	if header.number() == &0 {
		return Err(
			"the genesis block has no parent to execute it on: pick a later block with --at".into(),
		);
	}
	let onchain = chain_version(rpc, at).await?;
	println!(
		"block #{} {at:?}: {} extrinsics, made by {}; candidate: {}",
		header.number(),
		block.extrinsics().len(),
		describe(&onchain),
		describe(candidate)
	);
	if (&onchain.spec_name, onchain.spec_version) != (&candidate.spec_name, candidate.spec_version)
	{
		return Err(format!(
			"the block was made by {}, the candidate is {}: re-execute a block with the runtime \
			 that made it",
			describe(&onchain),
			describe(candidate)
		)
		.into());
	}

	let parent = *header.parent_hash();
	let chain_code: Option<sp_core::Bytes> = rpc
		.request(
			"state_getStorage",
			rpc_params![sp_core::Bytes(well_known_keys::CODE.to_vec()), parent],
		)
		.await
		.map_err(|e| format!("state_getStorage :code at {parent:?}: {e}"))?;
	let state_version = candidate.state_version();
	let ext = state_with_code(uri, parent, code, state_version).await?;
	let executor = executor();
	let mut overlay = OverlayedChanges::default();
	// The state root is checked here, not in the runtime: the candidate's `:code` differs from
	// the chain's, so the root is compared once the chain's code is put back.
	let data = (&block, false, true, TryStateSelect::All).encode();
	let out = call(&ext, &mut overlay, &executor, "TryRuntime_execute_block", &data)?;
	let weight = Weight::decode(&mut &out[..])
		.map_err(|e| format!("cannot decode the block's weight: {e}"))?;
	println!(
		"executed with signatures checked; every pallet's try_state and every storage item's \
		 decode passed; weight {} ps ref_time",
		weight.ref_time()
	);

	if overlay.storage(well_known_keys::CODE).is_none() {
		// The block did not set new code: the chain's code is what the header committed to.
		overlay.set_storage(well_known_keys::CODE.to_vec(), chain_code.map(|c| c.0));
	}
	let (root, _) = overlay.storage_root(&ext.backend, state_version);
	if root != *header.state_root() {
		return Err(format!(
			"state root {root:?} differs from the block's {:?}: the candidate does not compute \
			 what the chain computed",
			header.state_root()
		)
		.into());
	}
	println!("state root {root:?} equals the block's");
	println!("execute-block: ok");
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn refuses_what_is_not_a_runtime() {
		let err = embedded_version(b"not wasm").unwrap_err().to_string();
		assert!(err.contains("not a valid wasm"), "{err}");
	}

	#[test]
	fn refuses_a_runtime_without_the_try_runtime_api() {
		// The node's own runtime is built with benchmarks, not with `try-runtime`.
		let code = consent_runtime::WASM_BINARY.expect("the runtime wasm (not SKIP_WASM_BUILD)");
		let err = embedded_version(code).unwrap_err().to_string();
		assert!(err.contains("no TryRuntime API"), "{err}");
		assert!(err.contains("scripts/build-runtime --try-runtime"), "{err}");
	}

	#[test]
	fn check_selections_encode_as_the_runtime_decodes_them() {
		// frame_support::traits::{UpgradeCheckSelect, TryStateSelect}: variant indexes.
		assert_eq!(UpgradeCheckSelect::None.encode(), vec![0]);
		assert_eq!(UpgradeCheckSelect::All.encode(), vec![1]);
		assert_eq!(TryStateSelect::All.encode(), vec![1]);
	}
}
