//! # Consent Chain runtime
//!
//! The FRAME runtime of the Consent Chain: a permissioned chain for a healthcare consortium that
//! records who may see which part of a patient's health data. No health data is ever stored here,
//! only account ids, codes, hashes and decisions.
//!
//! - [`configs`]: the configuration of every pallet, including the [`configs::ProxyType`] through
//!   which a guardian or legal representative acts for a patient;
//! - [`apis`]: the runtime APIs served to the node and its RPC;
//! - [`genesis_config_presets`]: the `development` and `local_testnet` genesis presets.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-generated code is deep.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benches;

pub mod apis;
pub mod configs;
pub mod genesis_config_presets;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use configs::ProxyType;
pub use frame_support::weights::Weight;
pub use opaque::SessionKeys;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
pub use sp_runtime::{Perbill, Permill};

/// Opaque types for the node: it knows the block format, not the extrinsics inside.
pub mod opaque {
	use super::*;
	use sp_runtime::{generic, traits::Hash as HashT};

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;

	impl_opaque_keys! {
		/// The session keys of a validator: Aura for authoring, GRANDPA for finality.
		pub struct SessionKeys {
			/// Block authoring key.
			pub aura: Aura,
			/// Finality voting key.
			pub grandpa: Grandpa,
		}
	}
}

/// The runtime version. Bump `spec_version` with every runtime change that goes on chain.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("consent-chain"),
	impl_name: Cow::Borrowed("consent-chain"),
	authoring_version: 1,
	spec_version: 103,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// Target block time. Blocks are produced by Aura in slots of this length.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// Aura slot duration; one block per slot.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Time in blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// An hour in blocks.
pub const HOURS: BlockNumber = MINUTES * 60;
/// A day in blocks.
pub const DAYS: BlockNumber = HOURS * 24;

/// One unit of the chain's fee token (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a unit.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// A millionth of a unit.
pub const MICRO_UNIT: Balance = 1_000_000;
/// The minimum balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Signature of a transaction.
pub type Signature = MultiSignature;
/// An account id: the public key behind a signature.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A balance.
pub type Balance = u128;
/// A transaction index.
pub type Nonce = u32;
/// A hash.
pub type Hash = sp_core::H256;
/// A block number.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions every signed extrinsic carries, in order.
///
/// `CheckMetadataHash` lets wallets and Ledger sign against a metadata digest they can verify.
/// An enrolled patient's own consent calls are free (`#[pallet::feeless_if]`): `CountFreeCalls`
/// counts them against the hourly limit, and `SkipCheckIfFeeless` skips the fee for them (it is
/// `ChargeTransactionPayment` to a wallet). `NoteSigner` records who signed a proxied call, for
/// the consent events. `CountFreeCalls` and `NoteSigner` carry no data.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_enrolment::CountFreeCalls<Runtime>,
	pallet_skip_feeless_payment::SkipCheckIfFeeless<
		Runtime,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	pallet_consent::NoteSigner<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on runtime upgrade, each once (gated on its pallet's on-chain storage
/// version). Spec 103: consents keep when they were granted.
type Migrations = (pallet_consent::migrations::v4::MigrateV3ToV4<Runtime>,);

/// Executive: handles dispatch to the various pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(7)]
	pub type Utility = pallet_utility;
	#[runtime::pallet_index(8)]
	pub type Proxy = pallet_proxy;
	#[runtime::pallet_index(9)]
	pub type Multisig = pallet_multisig;
	#[runtime::pallet_index(15)]
	pub type SkipFeelessPayment = pallet_skip_feeless_payment;

	// The consortium. The validator set is built before the session that reads it.
	#[runtime::pallet_index(10)]
	pub type Council = pallet_collective<Instance1>;
	#[runtime::pallet_index(11)]
	pub type CouncilMembership = pallet_membership<Instance1>;
	#[runtime::pallet_index(12)]
	pub type Consortium = pallet_consortium;
	#[runtime::pallet_index(13)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(14)]
	pub type NodeAuthorization = pallet_node_authorization;

	// The consent suite.
	#[runtime::pallet_index(20)]
	pub type Registry = pallet_registry;
	#[runtime::pallet_index(21)]
	pub type Consent = pallet_consent;
	#[runtime::pallet_index(22)]
	pub type Records = pallet_records;
	#[runtime::pallet_index(23)]
	pub type BreakGlass = pallet_break_glass;
	#[runtime::pallet_index(24)]
	pub type Enrolment = pallet_enrolment;
}
