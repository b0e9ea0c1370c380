//! Test runtime for the records pallet: the real registry and consent pallets make the access
//! decision; delegates and emergency sessions are stand-ins the tests set.

use crate as pallet_records;
use consent_primitives::{
	DataCategory, DelegateCheck, EmergencyAccess, Moment, OrgId, Role, RoleSet, SessionId,
};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungible::HoldConsideration, ConstU32, ConstU64, LinearStoragePrice},
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
	pub type Records = pallet_records;
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
	type MaxPractitionersPerOrg = ConstU32<16>;
	type MaxNameLength = ConstU32<32>;
	type WeightInfo = ();
}

thread_local! {
	static SESSIONS: RefCell<Vec<(u64, u64, SessionId)>> = const { RefCell::new(Vec::new()) };
	static WRITES: RefCell<Vec<SessionId>> = const { RefCell::new(Vec::new()) };
}

/// Emergency sessions as the tests open them: (patient, accessor, session), every category.
pub struct MockEmergency;

impl MockEmergency {
	pub fn open(patient: u64, accessor: u64, session: SessionId) {
		SESSIONS.with(|s| s.borrow_mut().push((patient, accessor, session)));
	}

	/// The sessions whose writes were noted, in order.
	pub fn writes() -> Vec<SessionId> {
		WRITES.with(|w| w.borrow().clone())
	}
}

impl EmergencyAccess<u64> for MockEmergency {
	fn active_session(
		patient: &u64,
		accessor: &u64,
		_: DataCategory,
		_: Moment,
	) -> Option<SessionId> {
		SESSIONS.with(|s| {
			s.borrow().iter().find(|(p, a, _)| p == patient && a == accessor).map(|(.., id)| *id)
		})
	}

	/// A session takes one write.
	fn note_write(session: SessionId) -> sp_runtime::DispatchResult {
		WRITES.with(|w| {
			let mut w = w.borrow_mut();
			if w.contains(&session) {
				return Err(sp_runtime::DispatchError::Other("too many writes"));
			}
			w.push(session);
			Ok(())
		})
	}
}

/// [`GUARDIAN`] is [`PATIENT`]'s consent-management delegate.
pub struct MockDelegates;

impl DelegateCheck<u64> for MockDelegates {
	fn is_delegate(patient: &u64, delegate: &u64) -> bool {
		(*patient, *delegate) == (PATIENT, GUARDIAN)
	}
}

parameter_types! {
	pub const ConsentHold: RuntimeHoldReason =
		RuntimeHoldReason::Consent(pallet_consent::HoldReason::StorageDeposit);
	pub const RecordHold: RuntimeHoldReason =
		RuntimeHoldReason::Records(crate::HoldReason::RecordDeposit);
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
	type Emergency = MockEmergency;
	type Delegates = MockDelegates;
	type Sponsorship = ();
	type DelegatedCalls = frame_support::traits::Nothing;
	type MaxConsentsPerPatient = ConstU32<16>;
	type MaxConsentsPerGrantee = ConstU32<4>;
	type MaxRecordsPerConsent = ConstU32<4>;
	type MaxDenyRules = ConstU32<4>;
	type MaxPendingPerPatient = ConstU32<4>;
	type MaxPendingPerRequester = ConstU32<4>;
	type RequestTtl = ConstU64<1_000>;
	type AllowEmergencyOptOut = frame_support::traits::ConstBool<true>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

impl pallet_records::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = Deposit<RecordHold>;
	type Time = Timestamp;
	type Access = Consent;
	type Credentials = Registry;
	type MaxVersions = ConstU32<4>;
	type MaxVersionsPerAuthor = ConstU32<2>;
	type MaxRecordsPerPatient = ConstU32<3>;
	type MaxRecordsPerAuthor = ConstU32<2>;
	type MaxLogBatch = ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Wall clock at the start of every test (ms).
pub const NOW: Moment = 1_700_000_000_000;
/// Licences valid for a year.
pub const LICENCE_EXPIRY: Moment = NOW + 365 * 24 * 3600 * 1000;
/// Accounts.
pub const PATIENT: u64 = 1;
pub const GUARDIAN: u64 = 2;
pub const OTHER_PATIENT: u64 = 3;
pub const DOCTOR: u64 = 10;
pub const NURSE: u64 = 11;
pub const LAPSED: u64 = 12;
/// A physician of another organization.
pub const OUTSIDER: u64 = 13;
pub const ADMIN: u64 = 20;
pub const CLINIC_ADMIN: u64 = 21;
pub const STRANGER: u64 = 99;
pub const POOR: u64 = 50;
/// The organization every practitioner belongs to.
pub const HOSPITAL: OrgId = 0;
/// Another organization.
pub const CLINIC: OrgId = 1;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [
			PATIENT,
			GUARDIAN,
			OTHER_PATIENT,
			DOCTOR,
			NURSE,
			LAPSED,
			OUTSIDER,
			ADMIN,
			STRANGER,
		]
		.iter()
		.map(|who| (*who, 1_000_000))
		.chain([(POOR, 20)])
		.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let physician = RoleSet::from(Role::Physician);
	pallet_registry::GenesisConfig::<Test> {
		organizations: vec![
			pallet_registry::GenesisOrganization { name: "Hospital".into(), admins: vec![ADMIN] },
			pallet_registry::GenesisOrganization {
				name: "Clinic".into(),
				admins: vec![CLINIC_ADMIN],
			},
		],
		practitioners: vec![
			pallet_registry::GenesisPractitioner {
				account: DOCTOR,
				organization: HOSPITAL,
				roles: physician,
				licence_expiry: LICENCE_EXPIRY,
				break_glass: false,
			},
			pallet_registry::GenesisPractitioner {
				account: NURSE,
				organization: HOSPITAL,
				roles: RoleSet::from(Role::Nurse),
				licence_expiry: LICENCE_EXPIRY,
				break_glass: false,
			},
			pallet_registry::GenesisPractitioner {
				account: LAPSED,
				organization: HOSPITAL,
				roles: physician,
				licence_expiry: NOW - 1,
				break_glass: false,
			},
			pallet_registry::GenesisPractitioner {
				account: POOR,
				organization: HOSPITAL,
				roles: physician,
				licence_expiry: LICENCE_EXPIRY,
				break_glass: false,
			},
			pallet_registry::GenesisPractitioner {
				account: OUTSIDER,
				organization: CLINIC,
				roles: physician,
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
		let organization = <Registry as CredentialInspect<u64>>::credential(of, 0)
			.expect("benchmark practitioner registered")
			.organization;
		Registry::do_register(organization, *who, RoleSet::all(), Moment::MAX, H256::zero(), false)
			.expect("benchmark colleague registered");
	}
	fn emergency_session(patient: &u64, who: &u64) {
		MockEmergency::open(*patient, *who, 0);
	}
	fn consent_to_organization(patient: &u64, of: &u64) {
		use consent_primitives::{ActionSet, CategorySet, CredentialInspect, PurposeSet};
		let organization = <Registry as CredentialInspect<u64>>::credential(of, 0)
			.expect("benchmark practitioner registered")
			.organization;
		let _ = <Balances as frame_support::traits::fungible::Mutate<u64>>::set_balance(
			patient, 1_000_000,
		);
		Consent::grant_consent(
			RuntimeOrigin::signed(*patient),
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
	fn gateway(of: &u64, gateway: &u64) {
		use consent_primitives::CredentialInspect;
		let organization = <Registry as CredentialInspect<u64>>::credential(of, 0)
			.expect("benchmark practitioner registered")
			.organization;
		pallet_registry::Gateways::<Test>::insert(gateway, organization);
	}
}
