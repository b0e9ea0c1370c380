//! What the fuzz targets share: the real runtime at block 1 of the `development` chain (plus a
//! second organization), a small cast of accounts, the operations a fuzz input is made of, each
//! turned into the extrinsic a user would sign, and a reference model of the access decision
//! written from SPEC's ordered rules, independent of the consent pallet's `check_access`.

use arbitrary::Arbitrary;
use consent_primitives::{
	AccessQuery, Action, ActionSet, CategorySet, DataCategory, Decision, DenyReason,
	EmergencyReason, Grantee, Moment, OrgId, PermitReason, Purpose, PurposeSet, RecordId, Role,
	RoleSet, Verdict,
};
use consent_runtime::{
	genesis_config_presets, AccountId, ProxyType, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeGenesisConfig, RuntimeOrigin, System,
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, DispatchResult, Storage};
use std::sync::OnceLock;

/// The wall clock at block 1 (2026-11-25, 06:00 UTC).
pub const START: Moment = 1_795_586_400_000;
/// Minutes, the unit the operations move the clock and set periods in.
pub const MINUTE: Moment = 60_000;
/// The second organization, admitted at setup.
pub const CLINIC: OrgId = 1;

/// The accounts an input may name, by index: the keyring's six and three made at setup.
/// Alice administers the dev hospital (organization 0), Bob is its physician with the
/// break-glass privilege, Charlie its nurse, Ferdie its auditor; Dave and Eve are patients;
/// `Cast(6)` administers the clinic and is a physician and researcher there with the
/// privilege, `Cast(7)` is the clinic's pharmacist whose licence expires two hours in,
/// `Cast(8)` is a stranger with funds.
pub const CAST: usize = 9;

/// An account of the cast, chosen by a byte.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who(u8);

impl Who {
	pub fn account(self) -> AccountId {
		cast()[self.0 as usize % CAST].clone()
	}
}

fn cast() -> &'static [AccountId; CAST] {
	static CAST_ACCOUNTS: OnceLock<[AccountId; CAST]> = OnceLock::new();
	CAST_ACCOUNTS.get_or_init(|| {
		use Sr25519Keyring::*;
		[
			Alice.to_account_id(),
			Bob.to_account_id(),
			Charlie.to_account_id(),
			Dave.to_account_id(),
			Eve.to_account_id(),
			Ferdie.to_account_id(),
			AccountId::new([6; 32]),
			AccountId::new([7; 32]),
			AccountId::new([8; 32]),
		]
	})
}

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The state every input starts from, built once per process.
fn genesis() -> &'static Storage {
	static GENESIS: OnceLock<Storage> = OnceLock::new();
	GENESIS.get_or_init(|| {
		let preset =
			genesis_config_presets::get_preset(&sp_genesis_builder::DEV_RUNTIME_PRESET.into())
				.expect("the development preset exists");
		let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("json");
		merge(&mut config, serde_json::from_slice(&preset).expect("the preset is json"));
		let mut ext = frame_system::Pallet::<Runtime>::externalities();
		ext.execute_with(|| {
			frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(
				serde_json::to_vec(&config).expect("json"),
			)
			.expect("the genesis builds");
			System::set_block_number(1);
			set_now(START);
			setup_clinic();
			System::reset_events();
			snapshot()
		})
	})
}

/// A second organization, so that "another organization" is a case the inputs reach.
fn setup_clinic() {
	use frame_support::traits::fungible::Mutate;
	let [.., clinic_admin, pharmacist, stranger] = cast();
	for who in [clinic_admin, pharmacist, stranger] {
		pallet_balances::Pallet::<Runtime>::set_balance(who, 1_000_000 * consent_runtime::UNIT);
	}
	let organization = pallet_registry::Pallet::<Runtime>::do_admit(
		b"Fuzz Clinic".to_vec().try_into().expect("a short name"),
		vec![clinic_admin.clone()].try_into().expect("one admin"),
	)
	.expect("the clinic is admitted");
	assert_eq!(organization, CLINIC);
	let physician_researcher = RoleSet::from(Role::Physician).with(Role::Researcher);
	pallet_registry::Pallet::<Runtime>::do_register(
		CLINIC,
		clinic_admin.clone(),
		physician_researcher,
		Moment::MAX,
		H256::zero(),
		true,
	)
	.expect("the clinic's physician is registered");
	pallet_registry::Pallet::<Runtime>::do_register(
		CLINIC,
		pharmacist.clone(),
		Role::Pharmacist.into(),
		START + 120 * MINUTE,
		H256::zero(),
		false,
	)
	.expect("the clinic's pharmacist is registered");
}

/// Every top-level key and value of the current state.
fn snapshot() -> Storage {
	let mut storage = Storage::default();
	let mut key = Vec::new();
	while let Some(next) = sp_io::storage::next_key(&key) {
		let value = sp_io::storage::get(&next).expect("a listed key has a value");
		storage.top.insert(next.clone(), value.to_vec());
		key = next;
	}
	storage
}

/// Run `f` on a fresh copy of the starting state.
pub fn on_chain<R>(f: impl FnOnce() -> R) -> R {
	sp_io::TestExternalities::new(genesis().clone()).execute_with(f)
}

/// Whom a consent or a deny rule names.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum GranteeChoice {
	Practitioner(Who),
	Organization(bool),
	Role { clinic: bool, role: u8 },
}

impl GranteeChoice {
	pub fn grantee(self) -> Grantee<AccountId> {
		let org = |clinic: bool| if clinic { CLINIC } else { 0 };
		match self {
			GranteeChoice::Practitioner(who) => Grantee::Practitioner(who.account()),
			GranteeChoice::Organization(clinic) => Grantee::Organization(org(clinic)),
			GranteeChoice::Role { clinic, role } => Grantee::Role {
				organization: org(clinic),
				role: Role::ALL[role as usize % Role::ALL.len()],
			},
		}
	}
}

pub fn categories(bits: u32) -> CategorySet {
	CategorySet::from_bits(bits & CategorySet::VALID_MASK).unwrap_or_default()
}

pub fn purposes(bits: u8) -> PurposeSet {
	PurposeSet::from_bits(bits & PurposeSet::VALID_MASK).unwrap_or_default()
}

pub fn actions(bits: u8) -> ActionSet {
	ActionSet::from_bits(bits & ActionSet::VALID_MASK).unwrap_or_default()
}

pub fn category(byte: u8) -> DataCategory {
	DataCategory::ALL[byte as usize % DataCategory::ALL.len()]
}

pub fn purpose(byte: u8) -> Purpose {
	Purpose::ALL[byte as usize % Purpose::ALL.len()]
}

/// Records are named by a byte: four of them, so that consents and queries meet.
pub fn record(byte: u8) -> RecordId {
	H256::repeat_byte(byte % 4)
}

/// A moment around now, in minutes (negative: in the past); within two hours, so that periods
/// and waits meet.
pub fn moment(now: Moment, minutes: i8) -> Moment {
	now.saturating_add_signed(i64::from(minutes) * MINUTE as i64)
}

fn scope_input(cats: u32, acts: u8, purps: u8) -> pallet_consent::ScopeInput {
	pallet_consent::ScopeInput {
		categories: categories(cats).to_list(),
		actions: actions(acts).to_list(),
		purposes: purposes(purps).to_list(),
	}
}

/// One step of a fuzz input: a call a user of the chain signs, or a change of the clock.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
	Grant {
		patient: Who,
		grantee: GranteeChoice,
		categories: u32,
		actions: u8,
		purposes: u8,
		records: Vec<u8>,
		start: Option<i8>,
		end: Option<i8>,
	},
	Revoke {
		patient: Who,
		consent: u8,
	},
	Reap {
		by: Who,
		patient: Who,
		consent: u8,
	},
	AddDenyRule {
		patient: Who,
		grantee: Option<GranteeChoice>,
		categories: u32,
		purposes: u8,
	},
	RemoveDenyRule {
		patient: Who,
		rule: u8,
	},
	AddDelegate {
		patient: Who,
		delegate: Who,
	},
	RemoveDelegate {
		patient: Who,
		delegate: Who,
	},
	Request {
		requester: Who,
		patient: Who,
		categories: u32,
		actions: u8,
		purposes: u8,
	},
	Approve {
		patient: Who,
		request: u8,
	},
	DenyRequest {
		patient: Who,
		request: u8,
	},
	CancelRequest {
		requester: Who,
		request: u8,
	},
	SuspendPractitioner {
		admin: Who,
		practitioner: Who,
	},
	ReinstatePractitioner {
		admin: Who,
		practitioner: Who,
	},
	SetBreakGlass {
		admin: Who,
		practitioner: Who,
		allowed: bool,
	},
	SuspendOrganization {
		clinic: bool,
	},
	ReinstateOrganization {
		clinic: bool,
	},
	BreakGlass {
		practitioner: Who,
		patient: Who,
		btg: bool,
		reason: u8,
		categories: Option<u32>,
	},
	EndSession {
		by: Who,
		session: u8,
	},
	Review {
		auditor: Who,
		session: u8,
		justified: bool,
	},
	Contest {
		patient: Who,
		session: u8,
	},
	Settle {
		by: Who,
		session: u8,
	},
	OptOut {
		patient: Who,
		opted_out: bool,
	},
	Anchor {
		author: Who,
		patient: Who,
		category: u8,
		purpose: u8,
		digest: u8,
	},
	Amend {
		author: Who,
		record: u8,
		purpose: u8,
		digest: u8,
	},
	LogAccess {
		reader: Who,
		record: u8,
		purpose: u8,
	},
	Erase {
		patient: Who,
		record: u8,
	},
	/// Move the clock forward and start a new block.
	Wait {
		minutes: u8,
	},
}

/// The ids the chain handed out so far, so that later operations can name them.
#[derive(Default, Debug)]
pub struct Ids {
	pub records: Vec<RecordId>,
	pub sessions: Vec<u64>,
	pub requests: Vec<u64>,
}

impl Ids {
	/// Note the ids in the events of the last call.
	pub fn harvest(&mut self) {
		for record in System::events() {
			match record.event {
				RuntimeEvent::Records(pallet_records::Event::RecordAnchored {
					record_id, ..
				}) => self.records.push(record_id),
				RuntimeEvent::BreakGlass(pallet_break_glass::Event::SessionOpened {
					session_id,
					..
				}) => self.sessions.push(session_id),
				RuntimeEvent::Consent(pallet_consent::Event::AccessRequested {
					request_id,
					..
				}) => self.requests.push(request_id),
				_ => {},
			}
		}
	}

	fn pick<T: Copy + Default>(list: &[T], byte: u8) -> T {
		if list.is_empty() {
			T::default()
		} else {
			list[byte as usize % list.len()]
		}
	}

	fn record(&self, byte: u8) -> RecordId {
		Self::pick(&self.records, byte)
	}

	fn session(&self, byte: u8) -> u64 {
		Self::pick(&self.sessions, byte)
	}

	fn request(&self, byte: u8) -> u64 {
		Self::pick(&self.requests, byte)
	}
}

const REASONS: [EmergencyReason; 6] = [
	EmergencyReason::Unconscious,
	EmergencyReason::Incapacitated,
	EmergencyReason::LifeThreatening,
	EmergencyReason::CriticalCare,
	EmergencyReason::MassCasualty,
	EmergencyReason::Other,
];

fn signed(who: Who) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.account())
}

/// The extrinsic `op` stands for, with its origin; `None` for a change of the clock.
pub fn call_of(op: &Op, ids: &Ids) -> Option<(RuntimeOrigin, RuntimeCall)> {
	use pallet_break_glass::Call as BreakGlass;
	use pallet_consent::Call as Consent;
	use pallet_records::Call as Records;
	use pallet_registry::Call as Registry;
	let now = pallet_timestamp::Now::<Runtime>::get();
	let digest = |byte: u8| consent_primitives::Digest {
		algorithm: consent_primitives::DigestAlgorithm::Sha256,
		hash: H256::repeat_byte(byte),
	};
	let (origin, call): (RuntimeOrigin, RuntimeCall) = match op.clone() {
		Op::Grant { patient, grantee, categories, actions, purposes, records, start, end } => (
			signed(patient),
			Consent::grant_consent {
				grantee: grantee.grantee(),
				scope: scope_input(categories, actions, purposes),
				records: records
					.iter()
					.take(4)
					.map(|r| record(*r))
					.collect::<Vec<_>>()
					.try_into()
					.ok()?,
				start: start.map(|m| moment(now, m)),
				end: end.map(|m| moment(now, m)),
			}
			.into(),
		),
		Op::Revoke { patient, consent } => {
			(signed(patient), Consent::revoke_consent { consent_id: consent.into() }.into())
		},
		Op::Reap { by, patient, consent } => (
			signed(by),
			Consent::reap_expired {
				item: pallet_consent::ExpiredItem::Consent {
					patient: patient.account(),
					consent_id: consent.into(),
				},
			}
			.into(),
		),
		Op::AddDenyRule { patient, grantee, categories: cats, purposes: purps } => (
			signed(patient),
			Consent::add_deny_rule {
				grantee: grantee.map(GranteeChoice::grantee),
				categories: categories(cats).to_list(),
				purposes: purposes(purps).to_list(),
			}
			.into(),
		),
		Op::RemoveDenyRule { patient, rule } => {
			(signed(patient), Consent::remove_deny_rule { rule_id: rule.into() }.into())
		},
		Op::AddDelegate { patient, delegate } => (
			signed(patient),
			pallet_proxy::Call::add_proxy {
				delegate: delegate.account().into(),
				proxy_type: ProxyType::ConsentManagement,
				delay: 0,
			}
			.into(),
		),
		Op::RemoveDelegate { patient, delegate } => (
			signed(patient),
			pallet_proxy::Call::remove_proxy {
				delegate: delegate.account().into(),
				proxy_type: ProxyType::ConsentManagement,
				delay: 0,
			}
			.into(),
		),
		Op::Request { requester, patient, categories, actions, purposes } => (
			signed(requester),
			Consent::request_access {
				patient: patient.account(),
				scope: scope_input(categories, actions, purposes),
				justification_hash: H256::repeat_byte(1),
				start: None,
				end: None,
			}
			.into(),
		),
		Op::Approve { patient, request } => (
			signed(patient),
			Consent::approve_request { request_id: ids.request(request), scope: None }.into(),
		),
		Op::DenyRequest { patient, request } => {
			(signed(patient), Consent::deny_request { request_id: ids.request(request) }.into())
		},
		Op::CancelRequest { requester, request } => {
			(signed(requester), Consent::cancel_request { request_id: ids.request(request) }.into())
		},
		Op::SuspendPractitioner { admin, practitioner } => (
			signed(admin),
			Registry::suspend_practitioner { practitioner: practitioner.account() }.into(),
		),
		Op::ReinstatePractitioner { admin, practitioner } => (
			signed(admin),
			Registry::reinstate_practitioner { practitioner: practitioner.account() }.into(),
		),
		Op::SetBreakGlass { admin, practitioner, allowed } => (
			signed(admin),
			Registry::set_break_glass { practitioner: practitioner.account(), allowed }.into(),
		),
		Op::SuspendOrganization { clinic } => (
			RuntimeOrigin::root(),
			Registry::suspend_organization { organization: clinic.into() }.into(),
		),
		Op::ReinstateOrganization { clinic } => (
			RuntimeOrigin::root(),
			Registry::reinstate_organization { organization: clinic.into() }.into(),
		),
		Op::BreakGlass { practitioner, patient, btg, reason, categories: cats } => (
			signed(practitioner),
			BreakGlass::break_glass {
				patient: patient.account(),
				purpose: if btg { Purpose::BreakTheGlass } else { Purpose::EmergencyTreat },
				reason: REASONS[reason as usize % REASONS.len()],
				justification_hash: H256::repeat_byte(2),
				categories: cats.map(|c| categories(c).to_list()),
			}
			.into(),
		),
		Op::EndSession { by, session } => {
			(signed(by), BreakGlass::end_session { session_id: ids.session(session) }.into())
		},
		Op::Review { auditor, session, justified } => (
			signed(auditor),
			BreakGlass::review {
				session_id: ids.session(session),
				verdict: if justified { Verdict::Justified } else { Verdict::Unjustified },
				notes_hash: H256::repeat_byte(3),
			}
			.into(),
		),
		Op::Contest { patient, session } => {
			(signed(patient), BreakGlass::contest { session_id: ids.session(session) }.into())
		},
		Op::Settle { by, session } => {
			(signed(by), BreakGlass::settle { session_id: ids.session(session) }.into())
		},
		Op::OptOut { patient, opted_out } => {
			(signed(patient), BreakGlass::set_opt_out { opted_out }.into())
		},
		Op::Anchor { author, patient, category: cat, purpose: purp, digest: d } => (
			signed(author),
			Records::anchor_record {
				patient: patient.account(),
				category: category(cat),
				purpose: purpose(purp),
				resource_type: pallet_records::FhirResourceType::Observation,
				digest: digest(d),
				locator: None,
			}
			.into(),
		),
		Op::Amend { author, record, purpose: purp, digest: d } => (
			signed(author),
			Records::amend_record {
				record_id: ids.record(record),
				purpose: purpose(purp),
				digest: digest(d),
				locator: None,
			}
			.into(),
		),
		Op::LogAccess { reader, record, purpose: purp } => (
			signed(reader),
			Records::log_access { record_id: ids.record(record), purpose: purpose(purp) }.into(),
		),
		Op::Erase { patient, record } => {
			(signed(patient), Records::erase_record { record_id: ids.record(record) }.into())
		},
		Op::Wait { .. } => return None,
	};
	Some((origin, call))
}

/// Whether `call` is one of the consent suite's (its pallets' calls; `Consortium` included only
/// where `with_consortium`: its `enact` wraps any call).
pub fn is_suite_call(call: &RuntimeCall, with_consortium: bool) -> bool {
	match call {
		RuntimeCall::Consent(_)
		| RuntimeCall::Records(_)
		| RuntimeCall::BreakGlass(_)
		| RuntimeCall::Registry(_)
		| RuntimeCall::Enrolment(_) => true,
		RuntimeCall::Consortium(_) => with_consortium,
		_ => false,
	}
}

/// Dispatch `call` as the chain would inside an extrinsic (its own storage layer).
pub fn dispatch(origin: RuntimeOrigin, call: RuntimeCall) -> DispatchResult {
	System::reset_events();
	call.dispatch(origin).map(|_| ()).map_err(|e| e.error)
}

/// Move the clock `minutes` forward and open the next block, running every pallet's hooks.
pub fn wait(minutes: u8) {
	use consent_runtime::AllPalletsWithSystem;
	use frame_support::traits::{OnFinalize, OnInitialize};
	let block = System::block_number();
	AllPalletsWithSystem::on_finalize(block);
	let now = pallet_timestamp::Now::<Runtime>::get();
	System::set_block_number(block + 1);
	AllPalletsWithSystem::on_initialize(block + 1);
	set_now(now + Moment::from(minutes.max(1)) * MINUTE);
}

/// The block's slot (as Aura reads it from the block's digest) and its timestamp inherent.
fn set_now(now: Moment) {
	let slot = now / pallet_aura::Pallet::<Runtime>::slot_duration();
	pallet_aura::CurrentSlot::<Runtime>::put(sp_consensus_aura::Slot::from(slot));
	pallet_timestamp::Pallet::<Runtime>::set(RuntimeOrigin::none(), now)
		.expect("the clock only moves forward, by at least the minimum period");
}

/// A consent as the model keeps it: what the patient signed.
#[derive(Debug, Clone)]
pub struct ModelConsent {
	pub id: u64,
	pub grantee: Grantee<AccountId>,
	pub categories: CategorySet,
	pub actions: ActionSet,
	pub purposes: PurposeSet,
	pub records: Vec<RecordId>,
	pub start: Moment,
	pub end: Option<Moment>,
}

/// A deny rule as the model keeps it.
#[derive(Debug, Clone)]
pub struct ModelRule {
	pub id: u64,
	pub grantee: Option<Grantee<AccountId>>,
	pub categories: CategorySet,
	pub purposes: PurposeSet,
}

/// What the model knows of one patient.
#[derive(Default, Debug, Clone)]
pub struct ModelPatient {
	pub consents: Vec<ModelConsent>,
	pub rules: Vec<ModelRule>,
	pub delegates: Vec<AccountId>,
}

/// What the decision is given about the accessor by the rest of the chain: their credential
/// (registry) and their emergency session for the patient (break-glass), as SPEC's steps 2 and
/// 5 name them.
pub struct Inputs {
	pub credential: Option<consent_primitives::CredentialStatus>,
	pub session: Option<u64>,
}

/// The decision the model expects: a set of acceptable answers (several consents or rules may
/// each justify the same decision; SPEC does not say which one is named).
#[derive(Debug, PartialEq)]
pub enum Expected {
	Permit(PermitReason),
	PermitByConsent(Vec<u64>),
	DenyByRule(Vec<u64>),
	Deny(DenyReason),
}

impl Expected {
	pub fn accepts(&self, decision: &Decision) -> bool {
		match (self, decision) {
			(Expected::Permit(a), Decision::Permit(b)) => a == b,
			(Expected::PermitByConsent(ids), Decision::Permit(PermitReason::Consent(id))) => {
				ids.contains(id)
			},
			(Expected::DenyByRule(ids), Decision::Deny(DenyReason::DeniedByRule(id))) => {
				ids.contains(id)
			},
			(Expected::Deny(a), Decision::Deny(b)) => a == b,
			_ => false,
		}
	}
}

fn names(
	grantee: &Grantee<AccountId>,
	accessor: &AccountId,
	organization: OrgId,
	roles: RoleSet,
) -> bool {
	match grantee {
		Grantee::Practitioner(who) => who == accessor,
		Grantee::Organization(org) => *org == organization,
		Grantee::Role { organization: org, role } => *org == organization && roles.contains(*role),
	}
}

/// SPEC's access decision, step by step, over what the patient signed.
pub fn model_decision(
	query: &AccessQuery<AccountId>,
	state: &ModelPatient,
	now: Moment,
	inputs: &Inputs,
) -> Expected {
	let AccessQuery { patient, accessor, category, action, purpose, record } = query;
	let (category, action, purpose, record) = (*category, *action, *purpose, *record);
	// 1. the patient, or their consent-management proxy.
	if accessor == patient {
		return Expected::Permit(PermitReason::Owner);
	}
	if state.delegates.contains(accessor) {
		return Expected::Permit(PermitReason::Delegate);
	}
	// 2. anyone else needs a valid practitioner credential.
	let Some(credential) = inputs.credential.filter(|c| c.valid) else {
		return Expected::Deny(DenyReason::CredentialInvalid);
	};
	let (org, roles) = (credential.organization, credential.roles);
	// 3. deny beats permit.
	let rules: Vec<u64> = state
		.rules
		.iter()
		.filter(|r| r.categories.contains(category) && r.purposes.contains(purpose))
		.filter(|r| r.grantee.as_ref().is_none_or(|g| names(g, accessor, org, roles)))
		.map(|r| r.id)
		.collect();
	if !rules.is_empty() {
		return Expected::DenyByRule(rules);
	}
	// 4. a consent naming the accessor that covers the access, in its period, reaching the record.
	let covering: Vec<&ModelConsent> = state
		.consents
		.iter()
		.filter(|c| names(&c.grantee, accessor, org, roles))
		.filter(|c| {
			c.categories.contains(category)
				&& c.actions.contains(action)
				&& c.purposes.contains(purpose)
		})
		.collect();
	let started = |c: &&ModelConsent| c.start <= now;
	let running = |c: &&ModelConsent| started(c) && c.end.is_none_or(|end| now < end);
	let reaches = |c: &&ModelConsent| match record {
		_ if c.records.is_empty() => true,
		Some(r) => c.records.contains(&r),
		None => false,
	};
	let permitting: Vec<u64> =
		covering.iter().filter(|c| running(c) && reaches(c)).map(|c| c.id).collect();
	if !permitting.is_empty() {
		return Expected::PermitByConsent(permitting);
	}
	// 5. an emergency session: reading, or anchoring a new record, for an emergency purpose.
	let emergency_purpose = matches!(purpose, Purpose::EmergencyTreat | Purpose::BreakTheGlass);
	if emergency_purpose && (action == Action::Read || record.is_none()) {
		if let Some(session) = inputs.session {
			return Expected::Permit(PermitReason::Emergency(session));
		}
	}
	// 6. deny, saying why.
	Expected::Deny(if covering.iter().any(|c| running(c) && !reaches(c)) {
		DenyReason::RecordOutOfScope
	} else if covering.iter().any(|c| !started(c)) {
		DenyReason::NotYetValid
	} else if covering.iter().any(|c| started(c) && !running(c)) {
		DenyReason::Expired
	} else {
		DenyReason::NoConsent
	})
}
