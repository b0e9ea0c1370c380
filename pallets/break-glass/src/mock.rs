//! Test runtime for the break-glass pallet. The registry and the enrolment pallet are answered by
//! small stand-ins whose tables each test sets: [`MockCredentials`] (credentials, and a record of
//! every privilege the pallet withdrew) and [`MockSponsorship`] (patients whose calls are free).
//! The access decision that uses this pallet's sessions belongs to the consent pallet; the
//! scenarios across pallets are tested against the real runtime (`runtime/tests`).

use crate as pallet_break_glass;
use consent_primitives::{
	CredentialInspect, CredentialManage, CredentialStatus, Moment, OrgId, Role, RoleSet,
	Sponsorship,
};
use core::cell::RefCell;
use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstU32, ConstU64, LinearStoragePrice},
};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult};
use std::collections::{BTreeMap, BTreeSet};

consent_test_support::test_runtime!(balances; 3 => BreakGlass = pallet_break_glass);

/// A practitioner's credential as the tests set it.
#[derive(Clone, Copy)]
struct Credential {
	organization: OrgId,
	roles: RoleSet,
	break_glass: bool,
	/// The licence is valid before this moment (ms).
	licence_expiry: Moment,
	suspended: bool,
}

thread_local! {
	static CREDENTIALS: RefCell<BTreeMap<u64, Credential>> = const { RefCell::new(BTreeMap::new()) };
	static SUSPENDED_ORGS: RefCell<BTreeSet<OrgId>> = const { RefCell::new(BTreeSet::new()) };
	static WITHDRAWN: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
	static SPONSORED: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
}

/// The registry as the tests set it: who is credentialed where, with which roles, until when,
/// and with or without the break-glass privilege.
pub struct MockCredentials;

impl MockCredentials {
	/// Credential `who` at `organization` with `roles`, a licence valid for a year, and the
	/// break-glass privilege if `break_glass`.
	pub fn register(who: u64, organization: OrgId, roles: RoleSet, break_glass: bool) {
		let credential = Credential {
			organization,
			roles,
			break_glass,
			licence_expiry: LICENCE_EXPIRY,
			suspended: false,
		};
		CREDENTIALS.with(|c| c.borrow_mut().insert(who, credential));
	}

	/// Remove `who` from the registry.
	pub fn remove(who: u64) {
		CREDENTIALS.with(|c| c.borrow_mut().remove(&who));
	}

	/// The licence of `who` is valid only before `expiry` (ms).
	pub fn set_licence_expiry(who: u64, expiry: Moment) {
		Self::update(who, |c| c.licence_expiry = expiry);
	}

	/// Suspend (`true`) or reinstate (`false`) the credential of `who`.
	pub fn set_suspended(who: u64, suspended: bool) {
		Self::update(who, |c| c.suspended = suspended);
	}

	/// Suspend `organization`: none of its practitioners' credentials is valid.
	pub fn suspend_organization(organization: OrgId) {
		SUSPENDED_ORGS.with(|s| s.borrow_mut().insert(organization));
	}

	/// Whether `who` holds the break-glass privilege.
	pub fn has_privilege(who: u64) -> bool {
		CREDENTIALS.with(|c| c.borrow().get(&who).is_some_and(|c| c.break_glass))
	}

	/// Every account the pallet withdrew the privilege from, in order.
	pub fn withdrawn() -> Vec<u64> {
		WITHDRAWN.with(|w| w.borrow().clone())
	}

	fn update(who: u64, f: impl FnOnce(&mut Credential)) {
		CREDENTIALS.with(|c| f(c.borrow_mut().get_mut(&who).expect("credentialed in the mock")));
	}
}

impl CredentialInspect<u64> for MockCredentials {
	fn credential(who: &u64, now: Moment) -> Option<CredentialStatus> {
		let credential = CREDENTIALS.with(|c| c.borrow().get(who).copied())?;
		Some(CredentialStatus {
			organization: credential.organization,
			roles: credential.roles,
			valid: !credential.suspended
				&& now < credential.licence_expiry
				&& Self::organization_active(credential.organization),
			break_glass: credential.break_glass,
		})
	}

	fn organization_active(organization: OrgId) -> bool {
		!SUSPENDED_ORGS.with(|s| s.borrow().contains(&organization))
	}
}

impl CredentialManage<u64> for MockCredentials {
	/// Records the withdrawal and takes the privilege away; fails, as a registry may, for an
	/// account that is no longer credentialed.
	fn withdraw_break_glass(who: &u64) -> DispatchResult {
		WITHDRAWN.with(|w| w.borrow_mut().push(*who));
		CREDENTIALS.with(|c| match c.borrow_mut().get_mut(who) {
			Some(credential) => {
				credential.break_glass = false;
				Ok(())
			},
			None => Err(DispatchError::Other("not credentialed")),
		})
	}
}

/// The enrolment pallet as the tests set it: the patients an organization sponsors.
pub struct MockSponsorship;

impl MockSponsorship {
	/// An organization sponsors `patient`.
	pub fn sponsor(patient: u64) {
		SPONSORED.with(|s| s.borrow_mut().insert(patient));
	}
}

impl Sponsorship<u64> for MockSponsorship {
	fn covers_fees(patient: &u64) -> bool {
		SPONSORED.with(|s| s.borrow().contains(patient))
	}

	fn sponsors_items(patient: &u64) -> bool {
		Self::covers_fees(patient)
	}
}

parameter_types! {
	pub const PolicyHold: RuntimeHoldReason =
		RuntimeHoldReason::BreakGlass(crate::HoldReason::PolicyDeposit);
	/// Tests switch the opt-out policy.
	pub storage AllowOptOut: bool = true;
	/// Tests switch emergency access to the sensitive categories.
	pub storage AllowSensitive: bool = false;
	/// Tests switch the slash beneficiary (`None`: the patient).
	pub storage SlashBeneficiary: Option<u64> = None;
}

/// Policy deposit: 10 per item, 1 per byte.
pub type Deposit = HoldConsideration<
	u64,
	Balances,
	PolicyHold,
	LinearStoragePrice<ConstU64<10>, ConstU64<1>, u64>,
>;

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
/// At most two open sessions per patient.
pub const MAX_CONCURRENT: u32 = 2;
/// At most two records anchored per session.
pub const MAX_WRITES: u32 = 2;

impl pallet_break_glass::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = Deposit;
	type Time = Timestamp;
	type Credentials = MockCredentials;
	type Sponsorship = MockSponsorship;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type Bond = ConstU64<BOND>;
	type SlashBeneficiary = SlashBeneficiary;
	type DefaultDuration = ConstU64<DURATION>;
	type MaxDuration = ConstU64<MAX_DURATION>;
	type ReviewWindow = ConstU64<REVIEW_WINDOW>;
	type ContestWindow = ConstU64<CONTEST_WINDOW>;
	type MaxConcurrentPerPatient = ConstU32<MAX_CONCURRENT>;
	type MaxWritesPerSession = ConstU32<MAX_WRITES>;
	type MaxSessionsPerWindow = ConstU32<3>;
	type RateWindow = ConstU64<RATE_WINDOW>;
	type AllowSensitive = AllowSensitive;
	type AllowOptOut = AllowOptOut;
	type MaxContacts = ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockCredentials;
}

/// Wall clock at the start of every test (ms).
pub const NOW: Moment = 1_700_000_000_000;
/// Licences registered by [`MockCredentials::register`] are valid until a year from [`NOW`].
pub const LICENCE_EXPIRY: Moment = NOW + 365 * 24 * 3600 * 1000;
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

/// The hospital and the clinic with their practitioners, everybody funded, the clock at [`NOW`].
pub fn new_test_ext() -> sp_io::TestExternalities {
	// A property test runs many cases on one thread: every case starts from empty tables.
	CREDENTIALS.with(|c| c.borrow_mut().clear());
	SUSPENDED_ORGS.with(|s| s.borrow_mut().clear());
	WITHDRAWN.with(|w| w.borrow_mut().clear());
	SPONSORED.with(|s| s.borrow_mut().clear());
	NEXT_BENCHMARK_ORG.with(|n| *n.borrow_mut() = FIRST_BENCHMARK_ORG);

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
	MockCredentials::register(DOCTOR, HOSPITAL, physician, true);
	MockCredentials::register(DOCTOR_AUDITOR, HOSPITAL, physician.union(auditor), true);
	MockCredentials::register(NO_PRIVILEGE, HOSPITAL, physician, false);
	MockCredentials::register(LAPSED, HOSPITAL, physician, true);
	MockCredentials::set_licence_expiry(LAPSED, NOW - 1);
	MockCredentials::register(POOR, HOSPITAL, physician, true);
	MockCredentials::register(CLINIC_DOCTOR, CLINIC, physician, true);
	MockCredentials::register(AUDITOR, HOSPITAL, auditor, false);
	MockCredentials::register(CLINIC_AUDITOR, CLINIC, auditor, false);

	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(NOW);
	});
	ext
}

/// Organizations the benchmarks create start here, clear of the tests' own.
const FIRST_BENCHMARK_ORG: OrgId = 1_000;

thread_local! {
	static NEXT_BENCHMARK_ORG: RefCell<OrgId> = const { RefCell::new(FIRST_BENCHMARK_ORG) };
}

/// Credentials and time for the benchmarks, through the stand-ins.
#[cfg(feature = "runtime-benchmarks")]
impl consent_primitives::BenchmarkHelper<u64> for MockCredentials {
	fn credential(who: &u64) {
		let organization = NEXT_BENCHMARK_ORG.with(|n| {
			let mut next = n.borrow_mut();
			*next += 1;
			*next - 1
		});
		MockCredentials::register(*who, organization, RoleSet::all(), true);
		MockCredentials::set_licence_expiry(*who, Moment::MAX);
	}

	fn set_time(now: Moment) {
		pallet_timestamp::Now::<Test>::put(now);
	}

	fn colleague(of: &u64, who: &u64) {
		let organization = <MockCredentials as CredentialInspect<u64>>::credential(of, 0)
			.expect("benchmark practitioner credentialed")
			.organization;
		MockCredentials::register(*who, organization, RoleSet::all(), false);
		MockCredentials::set_licence_expiry(*who, Moment::MAX);
	}
}
