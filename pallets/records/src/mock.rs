//! Test runtime for the records pallet, with no other pallet of ours: credentials and gateways,
//! the access decision, delegates and emergency sessions are stand-ins whose tables each test
//! sets. The access stand-in answers as SPEC's `check_access` would for what these tables hold
//! (owner, delegate, credential, consents, emergency sessions); deny rules, consent periods and
//! the real consent pallet's matching are tested against the real runtime.

use crate as pallet_records;
use consent_primitives::{
	AccessControl, AccessQuery, Action, ActionSet, CategorySet, ConsentId, CredentialInspect,
	CredentialStatus, DataCategory, Decision, DelegateCheck, DenyReason, EmergencyAccess, Grantee,
	Moment, OrgId, PermitReason, Purpose, PurposeSet, RecordId, Role, RoleSet, SessionId,
};
use core::cell::RefCell;
use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstU32, ConstU64, LinearStoragePrice, Time},
	weights::Weight,
};
use sp_runtime::BuildStorage;
use std::collections::{BTreeMap, BTreeSet};

consent_test_support::test_runtime!(balances; 3 => Records = pallet_records);

thread_local! {
	static CREDENTIALS: RefCell<BTreeMap<u64, CredentialStatus>> =
		const { RefCell::new(BTreeMap::new()) };
	static SUSPENDED_ORGS: RefCell<BTreeSet<OrgId>> = const { RefCell::new(BTreeSet::new()) };
	static GATEWAYS: RefCell<BTreeMap<u64, OrgId>> = const { RefCell::new(BTreeMap::new()) };
	static CONSENTS: RefCell<Vec<MockConsent>> = const { RefCell::new(Vec::new()) };
	static SESSIONS: RefCell<Vec<(u64, u64, SessionId)>> = const { RefCell::new(Vec::new()) };
	static WRITES: RefCell<Vec<SessionId>> = const { RefCell::new(Vec::new()) };
}

/// The registry as the tests set it: credentials, suspended organizations, gateways.
pub struct MockCredentials;

impl MockCredentials {
	/// `who` is a practitioner of `organization` with `roles`; `valid: false` is a lapsed or
	/// suspended credential.
	pub fn set(who: u64, organization: OrgId, roles: RoleSet, valid: bool) {
		let status = CredentialStatus { organization, roles, valid, break_glass: false };
		CREDENTIALS.with(|c| c.borrow_mut().insert(who, status));
	}

	/// Suspend `organization`: its credentials turn invalid and its gateways log for nobody.
	pub fn suspend_org(organization: OrgId) {
		SUSPENDED_ORGS.with(|s| s.borrow_mut().insert(organization));
	}

	/// Make `gateway` a gateway of `organization`.
	pub fn add_gateway(gateway: u64, organization: OrgId) {
		GATEWAYS.with(|g| g.borrow_mut().insert(gateway, organization));
	}

	fn active(organization: OrgId) -> bool {
		!SUSPENDED_ORGS.with(|s| s.borrow().contains(&organization))
	}
}

impl CredentialInspect<u64> for MockCredentials {
	fn credential(who: &u64, _now: Moment) -> Option<CredentialStatus> {
		CREDENTIALS.with(|c| c.borrow().get(who).copied()).map(|mut c| {
			c.valid &= Self::active(c.organization);
			c
		})
	}

	/// Every organization exists; a suspended one is not active.
	fn organization_active(organization: OrgId) -> bool {
		Self::active(organization)
	}

	fn gateway_organization(who: &u64) -> Option<OrgId> {
		GATEWAYS.with(|g| g.borrow().get(who).copied()).filter(|org| Self::active(*org))
	}
}

/// A consent as the tests grant it: `grantee` may take `actions` on `categories` of `patient`'s
/// data for `purposes`, on `record` only if it names one.
#[derive(Clone, Debug)]
pub struct MockConsent {
	pub id: ConsentId,
	pub patient: u64,
	pub grantee: Grantee<u64>,
	pub categories: CategorySet,
	pub actions: ActionSet,
	pub purposes: PurposeSet,
	pub record: Option<RecordId>,
}

impl MockConsent {
	/// Consent `id`: `practitioner` may take `actions` on `patient`'s lab results for treatment.
	pub fn lab_results(id: ConsentId, patient: u64, practitioner: u64, actions: &[Action]) -> Self {
		Self {
			id,
			patient,
			grantee: Grantee::Practitioner(practitioner),
			categories: DataCategory::LabResults.into(),
			actions: actions.iter().copied().collect(),
			purposes: Purpose::Treat.into(),
			record: None,
		}
	}

	/// The same consent, for `record` only.
	pub fn only(self, record: RecordId) -> Self {
		Self { record: Some(record), ..self }
	}

	/// The same consent, for whoever `grantee` names.
	pub fn to(self, grantee: Grantee<u64>) -> Self {
		Self { grantee, ..self }
	}

	fn names(&self, accessor: &u64, credential: &CredentialStatus) -> bool {
		match self.grantee {
			Grantee::Practitioner(who) => who == *accessor,
			Grantee::Organization(organization) => organization == credential.organization,
			Grantee::Role { organization, role } => {
				organization == credential.organization && credential.roles.contains(role)
			},
		}
	}

	fn covers(&self, category: DataCategory, action: Action, purpose: Purpose) -> bool {
		self.categories.contains(category)
			&& self.actions.contains(action)
			&& self.purposes.contains(purpose)
	}
}

/// What [`MockAccess::check_access`] weighs: distinct from every other weight, so tests see it
/// added.
pub const ACCESS_WEIGHT: Weight = Weight::from_parts(7_000_000, 7_000);

/// The access decision over the tables the tests set, in SPEC's order: owner, delegate,
/// credential, consent, emergency session, otherwise no consent.
pub struct MockAccess;

impl MockAccess {
	pub fn grant(consent: MockConsent) {
		CONSENTS.with(|c| c.borrow_mut().push(consent));
	}
}

impl AccessControl<u64> for MockAccess {
	fn check_access(query: &AccessQuery<u64>) -> Decision {
		let AccessQuery { patient, accessor, category, action, purpose, record } = *query;
		let (patient, accessor) = (&patient, &accessor);
		if accessor == patient {
			return Decision::Permit(PermitReason::Owner);
		}
		if MockDelegates::is_delegate(patient, accessor) {
			return Decision::Permit(PermitReason::Delegate);
		}
		let now = Timestamp::now();
		let Some(credential) = MockCredentials::credential(accessor, now).filter(|c| c.valid)
		else {
			return Decision::Deny(DenyReason::CredentialInvalid);
		};
		let mut out_of_scope = false;
		let matching = CONSENTS.with(|c| {
			c.borrow()
				.iter()
				.filter(|c| {
					c.patient == *patient
						&& c.names(accessor, &credential)
						&& c.covers(category, action, purpose)
				})
				.cloned()
				.collect::<Vec<_>>()
		});
		for consent in matching {
			match (consent.record, record) {
				(None, _) => return Decision::Permit(PermitReason::Consent(consent.id)),
				(Some(named), Some(record)) if named == record => {
					return Decision::Permit(PermitReason::Consent(consent.id))
				},
				_ => out_of_scope = true,
			}
		}
		// A session reads for an emergency purpose, or anchors a new record documenting one.
		if purpose.is_emergency() && (action == Action::Read || record.is_none()) {
			if let Some(session) = MockEmergency::active_session(patient, accessor, category, now) {
				return Decision::Permit(PermitReason::Emergency(session));
			}
		}
		Decision::Deny(if out_of_scope {
			DenyReason::RecordOutOfScope
		} else {
			DenyReason::NoConsent
		})
	}

	fn check_access_weight() -> Weight {
		ACCESS_WEIGHT
	}

	fn note_emergency_write(session: SessionId) -> sp_runtime::DispatchResult {
		MockEmergency::note_write(session)
	}
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
	pub const RecordHold: RuntimeHoldReason =
		RuntimeHoldReason::Records(crate::HoldReason::RecordDeposit);
}

/// Deposits: 10 per item, 1 per byte.
pub type Deposit = HoldConsideration<
	u64,
	Balances,
	RecordHold,
	LinearStoragePrice<ConstU64<10>, ConstU64<1>, u64>,
>;

impl pallet_records::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Deposit = Deposit;
	type Time = Timestamp;
	type Access = MockAccess;
	type Credentials = MockCredentials;
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
/// Accounts.
pub const PATIENT: u64 = 1;
pub const GUARDIAN: u64 = 2;
pub const OTHER_PATIENT: u64 = 3;
/// A physician of the hospital.
pub const DOCTOR: u64 = 10;
/// A nurse of the hospital.
pub const NURSE: u64 = 11;
/// A physician of the hospital whose credential lapsed.
pub const LAPSED: u64 = 12;
/// A physician of the clinic.
pub const OUTSIDER: u64 = 13;
/// A physician of a suspended organization.
pub const SUSPENDED_DOCTOR: u64 = 14;
/// Admins: accounts of their organization, not practitioners.
pub const ADMIN: u64 = 20;
pub const CLINIC_ADMIN: u64 = 21;
/// Gateways of the hospital, the clinic and a suspended organization.
pub const GATEWAY: u64 = 40;
pub const CLINIC_GATEWAY: u64 = 41;
pub const SUSPENDED_GATEWAY: u64 = 42;
/// A physician of the hospital who cannot pay a deposit.
pub const POOR: u64 = 50;
pub const STRANGER: u64 = 99;
/// Organizations.
pub const HOSPITAL: OrgId = 0;
pub const CLINIC: OrgId = 1;
pub const SUSPENDED_ORG: OrgId = 2;

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
			CLINIC_ADMIN,
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
	// A test thread may build several externalities (property tests, the benchmark suite).
	CREDENTIALS.with(|c| c.borrow_mut().clear());
	SUSPENDED_ORGS.with(|s| s.borrow_mut().clear());
	GATEWAYS.with(|g| g.borrow_mut().clear());
	CONSENTS.with(|c| c.borrow_mut().clear());
	SESSIONS.with(|s| s.borrow_mut().clear());
	WRITES.with(|w| w.borrow_mut().clear());
	let physician = RoleSet::from(Role::Physician);
	MockCredentials::set(DOCTOR, HOSPITAL, physician, true);
	MockCredentials::set(NURSE, HOSPITAL, RoleSet::from(Role::Nurse), true);
	MockCredentials::set(LAPSED, HOSPITAL, physician, false);
	MockCredentials::set(POOR, HOSPITAL, physician, true);
	MockCredentials::set(OUTSIDER, CLINIC, physician, true);
	MockCredentials::set(SUSPENDED_DOCTOR, SUSPENDED_ORG, physician, true);
	MockCredentials::add_gateway(GATEWAY, HOSPITAL);
	MockCredentials::add_gateway(CLINIC_GATEWAY, CLINIC);
	MockCredentials::add_gateway(SUSPENDED_GATEWAY, SUSPENDED_ORG);
	MockCredentials::suspend_org(SUSPENDED_ORG);

	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(NOW);
	});
	ext
}

/// What the benchmarks need, through the stand-ins.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;

/// Where the benchmarks' practitioners' organizations start: each has one of its own, as in
/// the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub const BENCHMARK_ORG: OrgId = 9;

#[cfg(feature = "runtime-benchmarks")]
impl consent_primitives::BenchmarkHelper<u64> for BenchmarkHelper {
	fn credential(who: &u64) {
		let status = CredentialStatus {
			organization: BENCHMARK_ORG.wrapping_add(*who as OrgId),
			roles: RoleSet::all(),
			valid: true,
			break_glass: true,
		};
		CREDENTIALS.with(|c| c.borrow_mut().insert(*who, status));
	}
	fn set_time(now: Moment) {
		pallet_timestamp::Now::<Test>::put(now);
	}
	fn colleague(of: &u64, who: &u64) {
		MockCredentials::set(*who, organization_of(of), RoleSet::all(), true);
	}
	fn emergency_session(patient: &u64, who: &u64) {
		MockEmergency::open(*patient, *who, 0);
	}
	fn consent_to_organization(patient: &u64, of: &u64) {
		MockAccess::grant(MockConsent {
			id: 0,
			patient: *patient,
			grantee: Grantee::Organization(organization_of(of)),
			categories: CategorySet::all(),
			actions: ActionSet::all(),
			purposes: PurposeSet::all(),
			record: None,
		});
	}
	fn gateway(of: &u64, gateway: &u64) {
		MockCredentials::add_gateway(*gateway, organization_of(of));
	}
}

/// The organization of the benchmarks' practitioner `of`.
#[cfg(feature = "runtime-benchmarks")]
fn organization_of(of: &u64) -> OrgId {
	MockCredentials::credential(of, 0).expect("benchmark practitioner credentialed").organization
}
