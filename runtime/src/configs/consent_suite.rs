//! The consent suite: registry, consent, records and break-glass, wired together through the traits of
//! `consent-primitives`.

use super::deposit;
use crate::{AccountId, Balances, Registry, Runtime, RuntimeHoldReason, Timestamp};
use consent_primitives::{DelegateCheck, Moment};
use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstBool, ConstU32, ConstU64, LinearStoragePrice},
};

impl pallet_registry::Config for Runtime {
	/// The consortium council by majority (or root, in `development`).
	type GovernanceOrigin = super::consortium::CouncilMajority;
	type Time = Timestamp;
	type MaxAdmins = ConstU32<8>;
	type MaxPractitionersPerOrg = ConstU32<100_000>;
	/// Room for the longest legal names of hospitals ("The University of Texas M. D. Anderson
	/// Cancer Center" is 56 bytes), in any script.
	type MaxNameLength = ConstU32<128>;
	type WeightInfo = pallet_registry::weights::SubstrateWeight<Runtime>;
}

/// A patient's delegates are the accounts they appointed as consent-management proxies, without
/// announcement delay, whose appointment has not ended.
pub struct ProxyDelegates;

impl DelegateCheck<AccountId> for ProxyDelegates {
	fn is_delegate(patient: &AccountId, delegate: &AccountId) -> bool {
		use frame_support::traits::Time;
		let now = Timestamp::now();
		pallet_proxy::Proxies::<Runtime>::get(patient).0.iter().any(|def| {
			def.delegate == *delegate && def.delay == 0 && def.proxy_type.manages_consents_at(now)
		})
	}
}

parameter_types! {
	pub const ConsentHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Consent(pallet_consent::HoldReason::StorageDeposit);
	pub const ItemDepositBase: crate::Balance = deposit(1, 0);
	pub const ItemDepositPerByte: crate::Balance = deposit(0, 1);
	/// Unanswered access requests lapse after seven days.
	pub const RequestTtl: Moment = 7 * 24 * 60 * 60 * 1000;
	/// Patients may opt out of emergency access: by the break-glass opt-out, or by a deny rule
	/// that names ETREAT or BTG. One constant, so the two pallets cannot disagree.
	pub const AllowEmergencyOptOut: bool = true;
}

/// A storage deposit held from the item's owner under `Reason`: a base per item and a price per
/// byte of its largest encoding.
pub type ItemDeposit<Reason> = HoldConsideration<
	AccountId,
	Balances,
	Reason,
	LinearStoragePrice<ItemDepositBase, ItemDepositPerByte, crate::Balance>,
>;

parameter_types! {
	pub const RecordHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Records(pallet_records::HoldReason::RecordDeposit);
}

impl pallet_records::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = ItemDeposit<RecordHoldReason>;
	type Time = Timestamp;
	type Access = crate::Consent;
	type Credentials = Registry;
	type MaxVersions = ConstU32<64>;
	/// A quarter of a record's history: an author can amend often, never fill the chain alone.
	type MaxVersionsPerAuthor = ConstU32<16>;
	/// Live records; erasing frees a slot.
	type MaxRecordsPerPatient = ConstU32<100_000>;
	/// One practitioner (or one emergency session's author) anchors at most 1% of a patient's
	/// capacity.
	type MaxRecordsPerAuthor = ConstU32<1_000>;
	/// A gateway's batch: 256 reads of 65 bytes (16.6 KB), each with its access decision.
	type MaxLogBatch = ConstU32<256>;
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

/// An hour of wall-clock time, in ms (periods here are moments, not blocks: see `HOURS`).
const HOUR_MS: Moment = 60 * 60 * 1000;

impl pallet_break_glass::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	/// A patient's policy (contacts, opt-out) is one item of an enrolled patient's sponsored
	/// quota; otherwise the patient holds its deposit.
	type Deposit = pallet_enrolment::SponsoredDeposit<Runtime, ItemDeposit<BreakGlassHoldReason>>;
	type Time = Timestamp;
	type Credentials = Registry;
	type Sponsorship = crate::Enrolment;
	/// The consortium council by majority (or root, in `development`).
	type GovernanceOrigin = super::consortium::CouncilMajority;
	type Bond = BreakGlassBond;
	type SlashBeneficiary = SlashToPatient;
	type DefaultDuration = ConstU64<{ 4 * HOUR_MS }>;
	type MaxDuration = ConstU64<{ 12 * HOUR_MS }>;
	type ReviewWindow = ConstU64<{ 72 * HOUR_MS }>;
	type ContestWindow = ConstU64<{ 30 * 24 * HOUR_MS }>;
	type MaxConcurrentPerPatient = ConstU32<8>;
	type MaxWritesPerSession = ConstU32<16>;
	type MaxSessionsPerWindow = ConstU32<10>;
	type RateWindow = ConstU64<{ 24 * HOUR_MS }>;
	/// Mental health, substance use, sexual and reproductive health and genomics stay closed
	/// even in an emergency (42 CFR Part 2 and its kin); a consent is needed for them.
	type AllowSensitive = ConstBool<false>;
	/// A patient may record an advance refusal of emergency access.
	type AllowOptOut = AllowEmergencyOptOut;
	type MaxContacts = ConstU32<4>;
	type WeightInfo = pallet_break_glass::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ConsentBenchmarkHelper;
}

impl pallet_consent::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	/// Consents and deny rules of an enrolled patient are covered by the organization's
	/// deposit, up to the enrolment's quota; beyond it, or without an enrolment, the patient holds
	/// the deposit.
	type Deposit = pallet_enrolment::SponsoredDeposit<Runtime, ItemDeposit<ConsentHoldReason>>;
	type Time = Timestamp;
	type Credentials = Registry;
	type Emergency = crate::BreakGlass;
	type Delegates = ProxyDelegates;
	type Sponsorship = crate::Enrolment;
	type DelegatedCalls = ProxiedCalls;
	type MaxConsentsPerPatient = ConstU32<10_000>;
	type MaxConsentsPerGrantee = ConstU32<32>;
	type MaxRecordsPerConsent = ConstU32<16>;
	type MaxDenyRules = ConstU32<16>;
	type MaxPendingPerPatient = ConstU32<32>;
	type MaxPendingPerRequester = ConstU32<256>;
	type RequestTtl = RequestTtl;
	type AllowEmergencyOptOut = AllowEmergencyOptOut;
	type WeightInfo = pallet_consent::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ConsentBenchmarkHelper;
}

/// The calls through which a delegate signs for the account that appointed them.
pub struct ProxiedCalls;

impl frame_support::traits::Contains<crate::RuntimeCall> for ProxiedCalls {
	fn contains(call: &crate::RuntimeCall) -> bool {
		matches!(
			call,
			crate::RuntimeCall::Proxy(
				pallet_proxy::Call::proxy { .. } | pallet_proxy::Call::proxy_announced { .. }
			)
		)
	}
}

parameter_types! {
	pub const EnrolmentHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Enrolment(pallet_enrolment::HoldReason::EnrolmentDeposit);
	/// The largest item an enrolment sponsors: a consent naming the most records.
	pub SponsoredItemFootprint: frame_support::traits::Footprint =
		frame_support::traits::Footprint::from_mel::<pallet_consent::ConsentOf<Runtime>>();
}

impl pallet_enrolment::Config for Runtime {
	type Organizations = Registry;
	type Deposit = HoldConsideration<
		AccountId,
		Balances,
		EnrolmentHoldReason,
		pallet_enrolment::PricePerItem<ItemDepositBase, ItemDepositPerByte, crate::Balance>,
	>;
	type Time = Timestamp;
	/// Sixteen consents, deny rules and break-glass policies: a GP, a hospital, a pharmacy, a
	/// lab, a few specialists and the patient's refusals, with room to spare. A patient who
	/// needs more pays the deposits beyond these themself.
	type SponsoredItems = ConstU32<16>;
	type SponsoredItemFootprint = SponsoredItemFootprint;
	/// Twelve free calls an hour: a patient sets up consents, answers requests and revokes in
	/// a sitting; a script cannot make the consortium carry more than 288 free calls a day.
	type FreeCallsPerWindow = ConstU32<12>;
	type FreeCallWindow = ConstU64<HOUR_MS>;
	type WeightInfo = pallet_enrolment::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ConsentBenchmarkHelper;
}

/// Sets up credentials and time for the consent pallet's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct ConsentBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl consent_primitives::BenchmarkHelper<AccountId> for ConsentBenchmarkHelper {
	fn credential(who: &AccountId) {
		Registry::benchmark_practitioner(who);
	}

	fn set_time(now: Moment) {
		pallet_timestamp::Now::<Runtime>::put(now);
	}

	fn colleague(of: &AccountId, who: &AccountId) {
		Registry::benchmark_colleague(of, who);
	}

	fn emergency_session(patient: &AccountId, who: &AccountId) {
		use frame_support::traits::fungible::Mutate;
		let _ = Balances::set_balance(who, BreakGlassBond::get().saturating_mul(1_000));
		crate::BreakGlass::break_glass(
			crate::RuntimeOrigin::signed(who.clone()),
			patient.clone(),
			consent_primitives::Purpose::EmergencyTreat,
			consent_primitives::EmergencyReason::Unconscious,
			sp_core::H256::repeat_byte(0xee),
			None,
		)
		.expect("benchmark emergency session opened");
	}

	fn consent_to_organization(patient: &AccountId, of: &AccountId) {
		use consent_primitives::{ActionSet, CategorySet, PurposeSet};
		use frame_support::traits::fungible::Mutate;
		let organization = Registry::benchmark_organization_of(of);
		let _ = Balances::set_balance(patient, ItemDepositBase::get().saturating_mul(1_000));
		crate::Consent::grant_consent(
			crate::RuntimeOrigin::signed(patient.clone()),
			consent_primitives::Grantee::Organization(organization),
			pallet_consent::Scope {
				categories: CategorySet::all(),
				actions: ActionSet::all(),
				purposes: PurposeSet::all(),
			}
			.into(),
			Default::default(),
			None,
			None,
		)
		.expect("benchmark consent granted");
	}

	fn gateway(of: &AccountId, gateway: &AccountId) {
		Registry::benchmark_gateway(of, gateway);
	}

	fn worst_case_access(patient: &AccountId, who: &AccountId) {
		use frame_support::traits::fungible::Mutate;
		let _ = Balances::set_balance(patient, ItemDepositBase::get().saturating_mul(100_000));
		crate::Consent::benchmark_worst_case_access(patient, who)
			.expect("the worst case of the access decision set up");
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_enrolment::BenchmarkHelper<AccountId> for ConsentBenchmarkHelper {
	fn organization(admin: &AccountId) -> consent_primitives::OrgId {
		use frame_support::traits::fungible::Mutate;
		let _ = Balances::set_balance(admin, ItemDepositBase::get().saturating_mul(10_000));
		Registry::benchmark_practitioner(admin)
	}
}
