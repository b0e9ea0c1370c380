//! The consent suite: registry, consent, records and break-glass, wired together through the traits of
//! `consent-primitives`.

use super::{deposit, ProxyType};
use crate::{AccountId, Balances, Registry, Runtime, RuntimeEvent, RuntimeHoldReason, Timestamp};
use consent_primitives::{DelegateCheck, Moment};
use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstBool, ConstU32, ConstU64, LinearStoragePrice},
};

impl pallet_registry::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// The consortium council by majority (or root, in `development`).
	type GovernanceOrigin = super::consortium::CouncilMajority;
	type Time = Timestamp;
	type MaxAdmins = ConstU32<8>;
	type MaxPractitionersPerOrg = ConstU32<100_000>;
	type WeightInfo = pallet_registry::weights::SubstrateWeight<Runtime>;
}

/// A patient's delegates are the accounts they appointed as consent-management (or `Any`)
/// proxies, without announcement delay.
pub struct ProxyDelegates;

impl DelegateCheck<AccountId> for ProxyDelegates {
	fn is_delegate(patient: &AccountId, delegate: &AccountId) -> bool {
		pallet_proxy::Pallet::<Runtime>::find_proxy(
			patient,
			delegate,
			Some(ProxyType::ConsentManagement),
		)
		.is_ok_and(|def| def.delay == 0)
	}
}

parameter_types! {
	pub const ConsentHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Consent(pallet_consent::HoldReason::StorageDeposit);
	pub const ItemDepositBase: crate::Balance = deposit(1, 0);
	pub const ItemDepositPerByte: crate::Balance = deposit(0, 1);
	/// Unanswered access requests lapse after seven days.
	pub const RequestTtl: Moment = 7 * 24 * 60 * 60 * 1000;
}

parameter_types! {
	pub const RecordHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Records(pallet_records::HoldReason::RecordDeposit);
}

impl pallet_records::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = HoldConsideration<
		AccountId,
		Balances,
		RecordHoldReason,
		LinearStoragePrice<ItemDepositBase, ItemDepositPerByte, crate::Balance>,
	>;
	type Time = Timestamp;
	type Access = crate::Consent;
	type Credentials = Registry;
	type MaxVersions = ConstU32<64>;
	type MaxRecordsPerPatient = ConstU32<100_000>;
	/// Room for an AES-GCM-sealed object key or a multihash, not for a document.
	type MaxLocatorLen = ConstU32<256>;
	type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ConsentBenchmarkHelper;
}

parameter_types! {
	pub const BreakGlassHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::BreakGlass(pallet_break_glass::HoldReason::PolicyDeposit);
	/// A practitioner stakes this much on every emergency session.
	pub const BreakGlassBond: crate::Balance = 50 * crate::UNIT;
	/// Slashed bonds go to the patient whose data was accessed.
	pub const SlashToPatient: Option<AccountId> = None;
}

const HOUR: Moment = 60 * 60 * 1000;

impl pallet_break_glass::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = HoldConsideration<
		AccountId,
		Balances,
		BreakGlassHoldReason,
		LinearStoragePrice<ItemDepositBase, ItemDepositPerByte, crate::Balance>,
	>;
	type Time = Timestamp;
	type Credentials = Registry;
	/// The consortium council by majority (or root, in `development`).
	type GovernanceOrigin = super::consortium::CouncilMajority;
	type Bond = BreakGlassBond;
	type SlashBeneficiary = SlashToPatient;
	type DefaultDuration = ConstU64<{ 4 * HOUR }>;
	type MaxDuration = ConstU64<{ 12 * HOUR }>;
	type ReviewWindow = ConstU64<{ 72 * HOUR }>;
	type ContestWindow = ConstU64<{ 30 * 24 * HOUR }>;
	type MaxConcurrentPerPatient = ConstU32<3>;
	type MaxSessionsPerPatient = ConstU32<32>;
	type MaxSessionsPerWindow = ConstU32<10>;
	type RateWindow = ConstU64<{ 24 * HOUR }>;
	/// Mental health, substance use, sexual and reproductive health and genomics stay closed
	/// even in an emergency (42 CFR Part 2 and its kin); a consent is needed for them.
	type AllowSensitive = ConstBool<false>;
	/// A patient may record an advance refusal of emergency access.
	type AllowOptOut = ConstBool<true>;
	type MaxContacts = ConstU32<4>;
	type WeightInfo = pallet_break_glass::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ConsentBenchmarkHelper;
}

impl pallet_consent::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = HoldConsideration<
		AccountId,
		Balances,
		ConsentHoldReason,
		LinearStoragePrice<ItemDepositBase, ItemDepositPerByte, crate::Balance>,
	>;
	type Time = Timestamp;
	type Credentials = Registry;
	type Emergency = crate::BreakGlass;
	type Delegates = ProxyDelegates;
	type MaxConsentsPerPatient = ConstU32<10_000>;
	type MaxConsentsPerGrantee = ConstU32<32>;
	type MaxRecordsPerConsent = ConstU32<16>;
	type MaxDenyRules = ConstU32<16>;
	type MaxPendingPerPatient = ConstU32<32>;
	type MaxPendingPerRequester = ConstU32<256>;
	type RequestTtl = RequestTtl;
	type WeightInfo = pallet_consent::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ConsentBenchmarkHelper;
}

/// Sets up credentials and time for the consent pallet's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct ConsentBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl consent_primitives::BenchmarkHelper<AccountId> for ConsentBenchmarkHelper {
	fn credential(who: &AccountId) {
		use consent_primitives::RoleSet;
		let org = Registry::do_admit(
			sp_core::H256::repeat_byte(0xbe),
			alloc::vec![who.clone()].try_into().expect("one admin fits"),
		)
		.expect("benchmark organization admitted");
		Registry::do_register(
			org,
			who.clone(),
			RoleSet::all(),
			Moment::MAX,
			sp_core::H256::zero(),
			true,
		)
		.expect("benchmark practitioner registered");
	}

	fn set_time(now: Moment) {
		pallet_timestamp::Now::<Runtime>::put(now);
	}

	fn colleague(of: &AccountId, who: &AccountId) {
		use consent_primitives::CredentialInspect;
		let organization = <Registry as CredentialInspect<AccountId>>::credential(of, 0)
			.expect("benchmark practitioner registered")
			.organization;
		Registry::do_register(
			organization,
			who.clone(),
			consent_primitives::RoleSet::all(),
			Moment::MAX,
			sp_core::H256::zero(),
			false,
		)
		.expect("benchmark colleague registered");
	}
}
