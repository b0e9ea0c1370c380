//! The consortium: its council (pallet-collective, members kept by pallet-membership), the
//! validator set the council decides (pallet-consortium over pallet-session), and the peers it
//! authorizes (pallet-node-authorization).

use crate::{
	AccountId, Balances, BlockNumber, Consortium, Council, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin, SessionKeys, MINUTES,
};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, EitherOfDiverse},
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
	/// Organizations join and leave the council by its majority.
	type AddOrigin = CouncilMajority;
	type RemoveOrigin = CouncilMajority;
	type SwapOrigin = CouncilMajority;
	type ResetOrigin = CouncilMajority;
	type PrimeOrigin = CouncilMajority;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = ConstU32<64>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

impl pallet_consortium::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type ValidatorOrigin = CouncilMajority;
	type EnactOrigin = CouncilSupermajority;
	type MinValidators = ConstU32<1>;
	/// Aura's and GRANDPA's `MaxAuthorities`.
	type MaxValidators = ConstU32<32>;
	type WeightInfo = pallet_consortium::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Sessions of one minute: a validator-set decision is in force within two.
	pub const SessionPeriod: BlockNumber = MINUTES;
	pub const SessionOffset: BlockNumber = 0;
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
	/// Validators are admitted by the council, not by a deposit.
	type KeyDeposit = ConstU128<0>;
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
