//! Test runtime for the consent pallet, with stand-ins for the registry, break-glass and proxy
//! traits whose state each test sets.

use crate as pallet_consent;
use consent_primitives::{
	CredentialInspect, CredentialStatus, DataCategory, DelegateCheck, EmergencyAccess, Moment,
	OrgId, RoleSet, SessionId,
};
use core::cell::RefCell;
use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstU32, ConstU64, LinearStoragePrice},
};
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

consent_test_support::test_runtime!(balances; 3 => Consent = pallet_consent);

thread_local! {
	static CREDENTIALS: RefCell<BTreeMap<u64, CredentialStatus>> = const { RefCell::new(BTreeMap::new()) };
	static SUSPENDED_ORGS: RefCell<Vec<OrgId>> = const { RefCell::new(Vec::new()) };
	static SESSIONS: RefCell<Vec<Session>> = const { RefCell::new(Vec::new()) };
	static DELEGATES: RefCell<Vec<(u64, u64)>> = const { RefCell::new(Vec::new()) };
}

/// An emergency session as the tests set it.
struct Session {
	patient: u64,
	accessor: u64,
	category: DataCategory,
	until: Moment,
	id: SessionId,
}

/// The registry as the tests set it.
pub struct MockCredentials;

impl MockCredentials {
	pub fn set(who: u64, organization: OrgId, roles: RoleSet, valid: bool) {
		CREDENTIALS.with(|c| {
			c.borrow_mut()
				.insert(who, CredentialStatus { organization, roles, valid, break_glass: false })
		});
	}
	pub fn remove(who: u64) {
		CREDENTIALS.with(|c| c.borrow_mut().remove(&who));
	}
	pub fn suspend_org(org: OrgId) {
		SUSPENDED_ORGS.with(|s| s.borrow_mut().push(org));
	}
}

/// Organizations 0..=9 exist.
const KNOWN_ORGS: OrgId = 10;

impl CredentialInspect<u64> for MockCredentials {
	fn credential(who: &u64, _now: Moment) -> Option<CredentialStatus> {
		let suspended = SUSPENDED_ORGS.with(|s| s.borrow().clone());
		CREDENTIALS.with(|c| c.borrow().get(who).copied()).map(|mut c| {
			c.valid &= !suspended.contains(&c.organization);
			c
		})
	}
	fn organization_active(organization: OrgId) -> bool {
		organization < KNOWN_ORGS && !SUSPENDED_ORGS.with(|s| s.borrow().contains(&organization))
	}
}

/// Break-glass sessions as the tests set them.
pub struct MockEmergency;

impl MockEmergency {
	pub fn open(patient: u64, accessor: u64, category: DataCategory, until: Moment, id: SessionId) {
		SESSIONS.with(|s| s.borrow_mut().push(Session { patient, accessor, category, until, id }));
	}
}

impl EmergencyAccess<u64> for MockEmergency {
	fn active_session(
		patient: &u64,
		accessor: &u64,
		category: DataCategory,
		now: Moment,
	) -> Option<SessionId> {
		SESSIONS.with(|s| {
			s.borrow()
				.iter()
				.find(|s| {
					s.patient == *patient
						&& s.accessor == *accessor
						&& s.category == category
						&& now < s.until
				})
				.map(|s| s.id)
		})
	}

	fn note_write(_: SessionId) -> sp_runtime::DispatchResult {
		Ok(())
	}
}

/// Consent-management proxies as the tests set them.
pub struct MockDelegates;

impl MockDelegates {
	pub fn appoint(patient: u64, delegate: u64) {
		DELEGATES.with(|d| d.borrow_mut().push((patient, delegate)));
	}
}

impl DelegateCheck<u64> for MockDelegates {
	fn is_delegate(patient: &u64, delegate: &u64) -> bool {
		DELEGATES.with(|d| d.borrow().contains(&(*patient, *delegate)))
	}
}

/// Deposit: 10 for the item, 1 per byte.
pub const DEPOSIT_BASE: u64 = 10;

parameter_types! {
	pub const StorageHold: RuntimeHoldReason = RuntimeHoldReason::Consent(crate::HoldReason::StorageDeposit);
	pub const RequestTtl: Moment = 1_000;
	pub storage AllowEmergencyOptOut: bool = true;
}

impl pallet_consent::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = HoldConsideration<
		u64,
		Balances,
		StorageHold,
		LinearStoragePrice<ConstU64<DEPOSIT_BASE>, ConstU64<1>, u64>,
	>;
	type Time = Timestamp;
	type Credentials = MockCredentials;
	type Emergency = MockEmergency;
	type Delegates = MockDelegates;
	type Sponsorship = ();
	type DelegatedCalls = frame_support::traits::Nothing;
	type MaxConsentsPerPatient = ConstU32<5>;
	type MaxConsentsPerGrantee = ConstU32<3>;
	type MaxRecordsPerConsent = ConstU32<4>;
	type MaxDenyRules = ConstU32<2>;
	type MaxPendingPerPatient = ConstU32<2>;
	type MaxPendingPerRequester = ConstU32<2>;
	type RequestTtl = RequestTtl;
	type AllowEmergencyOptOut = AllowEmergencyOptOut;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockCredentials;
}

/// Wall clock at the start of every test (ms).
pub const NOW: Moment = 1_000_000;
/// Accounts.
pub const PATIENT: u64 = 1;
pub const GUARDIAN: u64 = 2;
pub const DOCTOR: u64 = 10;
pub const NURSE: u64 = 11;
pub const OTHER_DOCTOR: u64 = 12;
pub const LAPSED: u64 = 13;
pub const STRANGER: u64 = 99;
pub const POOR: u64 = 50;
/// Organizations.
pub const HOSPITAL: OrgId = 0;
pub const CLINIC: OrgId = 1;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [PATIENT, GUARDIAN, DOCTOR, NURSE, OTHER_DOCTOR, LAPSED, STRANGER]
			.iter()
			.map(|who| (*who, 1_000_000))
			.chain([(POOR, 20)])
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		use consent_primitives::Role;
		System::set_block_number(1);
		Timestamp::set_timestamp(NOW);
		MockCredentials::set(DOCTOR, HOSPITAL, RoleSet::from(Role::Physician), true);
		MockCredentials::set(NURSE, HOSPITAL, RoleSet::from(Role::Nurse), true);
		MockCredentials::set(OTHER_DOCTOR, CLINIC, RoleSet::from(Role::Physician), true);
		MockCredentials::set(LAPSED, HOSPITAL, RoleSet::from(Role::Physician), false);
		MockDelegates::appoint(PATIENT, GUARDIAN);
	});
	ext
}

#[cfg(feature = "runtime-benchmarks")]
impl consent_primitives::BenchmarkHelper<u64> for MockCredentials {
	fn credential(who: &u64) {
		MockCredentials::set(
			*who,
			HOSPITAL,
			RoleSet::from(consent_primitives::Role::Physician),
			true,
		);
	}
	fn set_time(now: Moment) {
		pallet_timestamp::Now::<Test>::put(now);
	}
	fn colleague(of: &u64, who: &u64) {
		let organization = <MockCredentials as CredentialInspect<u64>>::credential(of, 0)
			.expect("credentialed")
			.organization;
		MockCredentials::set(*who, organization, RoleSet::all(), true);
	}
	fn emergency_session(patient: &u64, who: &u64) {
		MockEmergency::open(*patient, *who, DataCategory::LabResults, Moment::MAX, 0);
	}
}
