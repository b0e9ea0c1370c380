//! Test runtime for the break-glass pallet: the real registry makes credentials and the real
//! consent pallet makes the access decision, with this pallet as its emergency source.

use crate as pallet_break_glass;
use consent_primitives::{Moment, OrgId, Role, RoleSet};
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungible::HoldConsideration, ConstBool, ConstU32, ConstU64, LinearStoragePrice},
};
use sp_core::H256;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeTask,
		RuntimeHoldReason,
		RuntimeFreezeReason
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(3)]
	pub type Registry = pallet_registry;
	#[runtime::pallet_index(4)]
	pub type Consent = pallet_consent;
	#[runtime::pallet_index(5)]
	pub type BreakGlass = pallet_break_glass;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_registry::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type Time = Timestamp;
	type MaxAdmins = ConstU32<4>;
	type MaxPractitionersPerOrg = ConstU32<64>;
	type MaxNameLength = ConstU32<32>;
	type WeightInfo = ();
}

parameter_types! {
	pub const ConsentHold: RuntimeHoldReason =
		RuntimeHoldReason::Consent(pallet_consent::HoldReason::StorageDeposit);
	pub const PolicyHold: RuntimeHoldReason =
		RuntimeHoldReason::BreakGlass(crate::HoldReason::PolicyDeposit);
	/// Tests switch the opt-out policy.
	pub storage AllowOptOut: bool = true;
	/// Tests switch the slash beneficiary (`None`: the patient).
	pub storage SlashBeneficiary: Option<u64> = None;
}

/// Deposits: 10 per item, 1 per byte.
pub type Deposit<Reason> =
	HoldConsideration<u64, Balances, Reason, LinearStoragePrice<ConstU64<10>, ConstU64<1>, u64>>;

impl pallet_consent::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = Deposit<ConsentHold>;
	type Time = Timestamp;
	type Credentials = Registry;
	type Emergency = BreakGlass;
	type Delegates = ();
	type Sponsorship = ();
	type DelegatedCalls = frame_support::traits::Nothing;
	type MaxConsentsPerPatient = ConstU32<16>;
	type MaxConsentsPerGrantee = ConstU32<4>;
	type MaxRecordsPerConsent = ConstU32<4>;
	type MaxDenyRules = ConstU32<4>;
	type MaxPendingPerPatient = ConstU32<4>;
	type MaxPendingPerRequester = ConstU32<4>;
	type RequestTtl = ConstU64<1_000>;
	type AllowEmergencyOptOut = AllowOptOut;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// The bond a session holds.
pub const BOND: u64 = 100;
/// Session length (ms) until governance changes it, and its cap.
pub const DURATION: Moment = 1_000;
pub const MAX_DURATION: Moment = 5_000;
/// Review and contest windows (ms).
pub const REVIEW_WINDOW: Moment = 10_000;
pub const CONTEST_WINDOW: Moment = 2_000;
/// The rate limit: three sessions per practitioner per 100 s.
pub const RATE_WINDOW: Moment = 100_000;

impl pallet_break_glass::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = Deposit<PolicyHold>;
	type Time = Timestamp;
	type Credentials = Registry;
	type Sponsorship = ();
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type Bond = ConstU64<BOND>;
	type SlashBeneficiary = SlashBeneficiary;
	type DefaultDuration = ConstU64<DURATION>;
	type MaxDuration = ConstU64<MAX_DURATION>;
	type ReviewWindow = ConstU64<REVIEW_WINDOW>;
	type ContestWindow = ConstU64<CONTEST_WINDOW>;
	type MaxConcurrentPerPatient = ConstU32<2>;
	type MaxWritesPerSession = ConstU32<2>;
	type MaxSessionsPerWindow = ConstU32<3>;
	type RateWindow = ConstU64<RATE_WINDOW>;
	type AllowSensitive = ConstBool<false>;
	type AllowOptOut = AllowOptOut;
	type MaxContacts = ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Wall clock at the start of every test (ms).
pub const NOW: Moment = 1_700_000_000_000;
const LICENCE_EXPIRY: Moment = NOW + 365 * 24 * 3600 * 1000;
/// Accounts.
pub const PATIENT: u64 = 1;
pub const OTHER_PATIENT: u64 = 2;
pub const THIRD_PATIENT: u64 = 3;
pub const CONTACT: u64 = 5;
/// Physician with the privilege.
pub const DOCTOR: u64 = 10;
/// Physician with the privilege, also an auditor.
pub const DOCTOR_AUDITOR: u64 = 11;
/// Physician without the privilege.
pub const NO_PRIVILEGE: u64 = 12;
/// Privilege, lapsed licence.
pub const LAPSED: u64 = 13;
/// Privilege, a few units only.
pub const POOR: u64 = 14;
/// Physician with the privilege at the clinic.
pub const CLINIC_DOCTOR: u64 = 15;
pub const AUDITOR: u64 = 20;
pub const CLINIC_AUDITOR: u64 = 21;
pub const ADMIN: u64 = 30;
pub const TREASURY: u64 = 40;
pub const STRANGER: u64 = 99;
/// Organizations.
pub const HOSPITAL: OrgId = 0;
pub const CLINIC: OrgId = 1;

pub const INITIAL_BALANCE: u64 = 1_000_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [
			PATIENT,
			OTHER_PATIENT,
			THIRD_PATIENT,
			DOCTOR,
			DOCTOR_AUDITOR,
			NO_PRIVILEGE,
			LAPSED,
			CLINIC_DOCTOR,
			AUDITOR,
			CLINIC_AUDITOR,
			ADMIN,
			STRANGER,
		]
		.iter()
		.map(|who| (*who, INITIAL_BALANCE))
		.chain([(POOR, 50), (TREASURY, 1)])
		.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let physician = RoleSet::from(Role::Physician);
	let auditor = RoleSet::from(Role::Auditor);
	pallet_registry::GenesisConfig::<Test> {
		organizations: vec![
			pallet_registry::GenesisOrganization { name: "Hospital".into(), admins: vec![ADMIN] },
			pallet_registry::GenesisOrganization { name: "Clinic".into(), admins: vec![ADMIN] },
		],
		practitioners: vec![
			pallet_registry::GenesisPractitioner {
				account: DOCTOR,
				organization: HOSPITAL,
				roles: physician,
				licence_expiry: LICENCE_EXPIRY,
				break_glass: true,
			},
			pallet_registry::GenesisPractitioner {
				account: DOCTOR_AUDITOR,
				organization: HOSPITAL,
				roles: physician.union(auditor),
				licence_expiry: LICENCE_EXPIRY,
				break_glass: true,
			},
			pallet_registry::GenesisPractitioner {
				account: NO_PRIVILEGE,
				organization: HOSPITAL,
				roles: physician,
				licence_expiry: LICENCE_EXPIRY,
				break_glass: false,
			},
			pallet_registry::GenesisPractitioner {
				account: LAPSED,
				organization: HOSPITAL,
				roles: physician,
				licence_expiry: NOW - 1,
				break_glass: true,
			},
			pallet_registry::GenesisPractitioner {
				account: POOR,
				organization: HOSPITAL,
				roles: physician,
				licence_expiry: LICENCE_EXPIRY,
				break_glass: true,
			},
			pallet_registry::GenesisPractitioner {
				account: CLINIC_DOCTOR,
				organization: CLINIC,
				roles: physician,
				licence_expiry: LICENCE_EXPIRY,
				break_glass: true,
			},
			pallet_registry::GenesisPractitioner {
				account: AUDITOR,
				organization: HOSPITAL,
				roles: auditor,
				licence_expiry: LICENCE_EXPIRY,
				break_glass: false,
			},
			pallet_registry::GenesisPractitioner {
				account: CLINIC_AUDITOR,
				organization: CLINIC,
				roles: auditor,
				licence_expiry: LICENCE_EXPIRY,
				break_glass: false,
			},
		],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(NOW);
	});
	ext
}

/// Credentials and time for the benchmarks, through the real registry.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl consent_primitives::BenchmarkHelper<u64> for BenchmarkHelper {
	fn credential(who: &u64) {
		let org = Registry::do_admit(
			format!("Org of {who}").into_bytes().try_into().unwrap(),
			vec![*who].try_into().unwrap(),
		)
		.expect("benchmark organization admitted");
		Registry::do_register(org, *who, RoleSet::all(), Moment::MAX, H256::zero(), true)
			.expect("benchmark practitioner registered");
	}
	fn set_time(now: Moment) {
		pallet_timestamp::Now::<Test>::put(now);
	}
	fn colleague(of: &u64, who: &u64) {
		use consent_primitives::CredentialInspect;
		let organization = Registry::credential(of, 0).expect("registered").organization;
		Registry::do_register(organization, *who, RoleSet::all(), Moment::MAX, H256::zero(), false)
			.expect("benchmark colleague registered");
	}
}
