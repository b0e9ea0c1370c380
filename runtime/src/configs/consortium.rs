//! The consortium: its council (pallet-collective, members kept by pallet-membership), the
//! validator set the council decides (pallet-consortium over pallet-session), and the peers it
//! authorizes (pallet-node-authorization).
//!
//! Governance cannot be escalated: root-level power (council membership, `consortium.enact`,
//! hence runtime upgrades) takes two thirds of the council, so a simple majority can neither
//! enact root calls nor reshape the council until it is two thirds; the validator set never
//! shrinks below three; a runtime upgrade is enacted as the hash of its code, never as the code.
//! No account outside the council writes consortium state for free: session keys cost a
//! deposit, and peers are authorized by the council, not claimed.

use crate::{
	AccountId, Balance, Balances, BlockNumber, Consortium, Council, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeOrigin, SessionKeys, MINUTES,
};
use frame_support::{
	parameter_types,
	traits::{ConstU32, Contains, EitherOfDiverse},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::ConvertInto, Perbill};

/// The council's collective instance.
pub type CouncilCollective = pallet_collective::Instance1;

/// More than half of the council (or root, in `development`).
pub type CouncilMajority = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionMoreThan<AccountId, CouncilCollective, 1, 2>,
>;

/// At least two thirds of the council (or root, in `development`).
pub type CouncilSupermajority = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;

parameter_types! {
	/// A motion stays open for a week.
	pub const CouncilMotionDuration: BlockNumber = 7 * 24 * 60 * MINUTES;
	pub MaxProposalWeight: Weight = Perbill::from_percent(50) * super::RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = ConstU32<100>;
	type MaxMembers = ConstU32<64>;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Membership is kept by pallet-membership; only root may bypass it.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = CouncilMajority;
	type KillOrigin = CouncilMajority;
	type Consideration = ();
}

impl pallet_membership::Config<pallet_membership::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Organizations join and leave the council by two thirds of it, as root calls are enacted:
	/// a majority that could choose the members (or the prime, whose vote counts for those who
	/// abstain) would make itself two thirds.
	type AddOrigin = CouncilSupermajority;
	type RemoveOrigin = CouncilSupermajority;
	type SwapOrigin = CouncilSupermajority;
	type ResetOrigin = CouncilSupermajority;
	type PrimeOrigin = CouncilSupermajority;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = ConstU32<64>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

/// What `consortium.enact` may dispatch as root: anything but a runtime upgrade by blob. An
/// upgrade is a motion to `system.authorizeUpgrade(code_hash)`, after which anyone submits the
/// code with `system.applyAuthorizedUpgrade(code)`; the motion carries 32 bytes, not megabytes,
/// and the code is checked against the hash the council voted on.
pub struct NoUpgradeByBlob;

impl Contains<RuntimeCall> for NoUpgradeByBlob {
	fn contains(call: &RuntimeCall) -> bool {
		!writes_code(call)
	}
}

/// Whether `call`, or a call it wraps, writes the runtime code (`:code`) itself. Root bypasses
/// every origin filter, so the calls that dispatch others as root (batches, `dispatchAs`, sudo,
/// `enact`) are searched too; decoding bounds their depth.
fn writes_code(call: &RuntimeCall) -> bool {
	use frame_system::Call as System;
	use pallet_utility::Call as Utility;
	const CODE: &[u8] = sp_core::storage::well_known_keys::CODE;
	match call {
		RuntimeCall::System(System::set_code { .. } | System::set_code_without_checks { .. }) => {
			true
		},
		RuntimeCall::System(System::set_storage { items }) => {
			items.iter().any(|(key, _)| key == CODE)
		},
		RuntimeCall::System(System::kill_storage { keys }) => keys.iter().any(|key| key == CODE),
		RuntimeCall::System(System::kill_prefix { prefix, .. }) => CODE.starts_with(prefix),
		RuntimeCall::Utility(
			Utility::batch { calls }
			| Utility::batch_all { calls }
			| Utility::force_batch { calls },
		) => calls.iter().any(writes_code),
		RuntimeCall::Utility(
			Utility::as_derivative { call, .. }
			| Utility::dispatch_as { call, .. }
			| Utility::dispatch_as_fallible { call, .. }
			| Utility::with_weight { call, .. },
		) => writes_code(call),
		RuntimeCall::Utility(Utility::if_else { main, fallback }) => {
			writes_code(main) || writes_code(fallback)
		},
		RuntimeCall::Sudo(
			pallet_sudo::Call::sudo { call }
			| pallet_sudo::Call::sudo_unchecked_weight { call, .. }
			| pallet_sudo::Call::sudo_as { call, .. },
		) => writes_code(call),
		RuntimeCall::Consortium(pallet_consortium::Call::enact { call }) => writes_code(call),
		_ => false,
	}
}

/// The runtime's `BaseCallFilter`, which every origin but root passes through: it refuses
/// `nodeAuthorization.claimNode`, which would let any account write an owner for any peer id,
/// free and without bound. Peers are authorized by the council (`addWellKnownNode`, which also
/// names the node's owner); the owner may still transfer the node, change its connections, or
/// remove a claim made before this rule.
pub struct ConsortiumCallFilter;

impl Contains<RuntimeCall> for ConsortiumCallFilter {
	fn contains(call: &RuntimeCall) -> bool {
		!matches!(
			call,
			RuntimeCall::NodeAuthorization(pallet_node_authorization::Call::claim_node { .. })
		)
	}
}

/// The validator set never shrinks below three, the floor for a consortium chain. Below
/// it one operator authors half the blocks (two validators) or all of them (one); with three, no
/// operator authors more than a third, none can finalize alone, and block production goes on
/// with one validator down (GRANDPA, which needs more than two thirds, resumes when it returns).
/// Finality that survives a lost validator takes four, which is what the `local` consortium runs.
pub const MIN_VALIDATORS: u32 = 3;

impl pallet_consortium::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type ValidatorOrigin = CouncilMajority;
	type EnactOrigin = CouncilSupermajority;
	type CallFilter = NoUpgradeByBlob;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	/// Aura's and GRANDPA's `MaxAuthorities`.
	type MaxValidators = ConstU32<32>;
	type WeightInfo = pallet_consortium::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Sessions of one minute: a validator-set decision is in force within two.
	pub const SessionPeriod: BlockNumber = MINUTES;
	pub const SessionOffset: BlockNumber = 0;
	/// Registering session keys stores three items (the 64 bytes of keys, and for each of the
	/// two keys its 32-byte owner under a 36-byte key id), priced like every other deposit.
	pub const SessionKeyDeposit: Balance = super::deposit(3, 64 + 2 * (36 + 32));
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = Consortium;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Validators are admitted by the council; any account may register keys beforehand, so the
	/// keys are paid by a deposit, held until `session.purgeKeys`. Genesis keys hold none.
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_node_authorization::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type MaxWellKnownNodes = ConstU32<64>;
	type MaxPeerIdLength = ConstU32<128>;
	type AddOrigin = CouncilMajority;
	type RemoveOrigin = CouncilMajority;
	type SwapOrigin = CouncilMajority;
	type ResetOrigin = CouncilMajority;
	type WeightInfo = ();
}
