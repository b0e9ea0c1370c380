//! What the runtime's integration tests share: a chain built from a genesis preset, its accounts,
//! calls dispatched as the chain dispatches them, council motions, and the consent suite's cast,
//! deposit prices and invariants.
//!
//! Every test binary (`tests/*.rs`) compiles this module and uses a part of it.
#![allow(dead_code)]

use codec::{Encode, MaxEncodedLen};
use consent_primitives::{
	AccessQuery, Action, ActionSet, CategorySet, ConsentId, DataCategory, Decision, Digest,
	DigestAlgorithm, Grantee, Moment, OrgId, Purpose, PurposeSet, RecordId, Role, RoleSet,
	VersionIndex,
};
use consent_runtime::{
	configs::deposit, genesis_config_presets, AccountId, Balance, Balances, Block, Consent,
	Council, Records, Registry, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig,
	RuntimeHoldReason, RuntimeOrigin, System,
};
use frame_support::{assert_ok, traits::fungible::InspectHold, weights::Weight};
use pallet_consent_runtime_api::runtime_decl_for_consent_api::ConsentApiV2;
use serde_json::Value;
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{
	self, Alice, AliceStash, Bob, BobStash, Charlie, Dave, Eve, Ferdie,
};
use sp_runtime::{
	traits::{Dispatchable, Hash},
	DispatchError,
};

// The chain.

/// `patch` laid over `base`, as the node lays a preset over the default genesis config.
pub fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// Build, in the current externalities, the genesis state of the preset `preset` (block 1, no
/// events).
pub fn build_genesis(preset: &str) {
	let patch = genesis_config_presets::get_preset(&preset.into()).expect("the preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, serde_json::from_slice(&patch).unwrap());
	frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(
		serde_json::to_vec(&config).unwrap(),
	)
	.expect("the genesis builds");
	System::reset_events();
}

/// 2026-11-25, 06:00 UTC: the start of an hour.
pub const NOW: Moment = 1_795_586_400_000;
/// An hour, in ms.
pub const HOUR: Moment = 3_600_000;
/// One block's time, in ms.
pub const BLOCK: Moment = consent_runtime::MILLI_SECS_PER_BLOCK;

/// Run `test` at block 1 of the chain built from the genesis preset `preset`, at [`NOW`].
pub fn on_chain(preset: &str, test: impl FnOnce()) {
	frame_system::Pallet::<Runtime>::externalities().execute_with(|| {
		build_genesis(preset);
		System::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(NOW);
		System::reset_events();
		test();
	});
}

/// The `development` chain: one validator, sudo, and Dev General Hospital's cast (see
/// [`HOSPITAL`]).
pub fn on_dev_chain(test: impl FnOnce()) {
	on_chain(sp_genesis_builder::DEV_RUNTIME_PRESET, test)
}

/// The `local` chain: four organizations (ids 0 to 3, administered by Alice, Bob, Charlie and
/// Dave), their validators and their council; no practitioner and no sudo.
pub fn on_local_chain(test: impl FnOnce()) {
	on_chain(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET, test)
}

/// The next block, `ms` later; its events start empty.
pub fn advance(ms: Moment) {
	System::set_block_number(System::block_number() + 1);
	pallet_timestamp::Now::<Runtime>::mutate(|now| *now += ms);
	System::reset_events();
}

// Accounts and calls.

pub fn account(key: Sr25519Keyring) -> AccountId {
	key.to_account_id()
}

pub fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

/// Dispatch `call` from `origin` as a block does, through the origin's call filter.
pub fn dispatch(call: RuntimeCall, origin: RuntimeOrigin) -> Result<(), DispatchError> {
	call.dispatch(origin).map(|_| ()).map_err(|e| e.error)
}

/// The events of the current block.
pub fn events() -> Vec<RuntimeEvent> {
	System::events().into_iter().map(|record| record.event).collect()
}

pub type CouncilOrigin = pallet_collective::RawOrigin<AccountId, pallet_collective::Instance1>;

/// A council motion: `proposer` and `voters` vote aye, then it is closed. Returns the outcome
/// of the proposal the council executed.
pub fn motion(
	call: RuntimeCall,
	threshold: u32,
	proposer: Sr25519Keyring,
	voters: &[Sr25519Keyring],
) -> Result<(), DispatchError> {
	let length = call.encoded_size() as u32;
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let index = pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
	assert_ok!(Council::propose(
		RuntimeOrigin::signed(account(proposer)),
		threshold,
		Box::new(call),
		length
	));
	for voter in voters {
		assert_ok!(Council::vote(RuntimeOrigin::signed(account(*voter)), hash, index, true));
	}
	System::reset_events();
	let weight = Weight::from_parts(500_000_000_000, 1_000_000);
	assert_ok!(Council::close(
		RuntimeOrigin::signed(account(proposer)),
		hash,
		index,
		weight,
		length
	));
	events()
		.into_iter()
		.find_map(|event| match event {
			RuntimeEvent::Council(pallet_collective::Event::Executed { result, .. }) => {
				Some(result)
			},
			_ => None,
		})
		.expect("the motion passed its threshold and was executed")
}

// The consent suite on the `development` chain.

/// Dev General Hospital, organization 0 of the `development` preset, administered by [`ADMIN`].
pub const HOSPITAL: OrgId = 0;
/// The hospital's admin; also holds sudo and sits on the council with Bob and Charlie.
pub const ADMIN: Sr25519Keyring = Alice;
/// A physician of the hospital with the break-glass privilege.
pub const PHYSICIAN: Sr25519Keyring = Bob;
/// A nurse of the hospital.
pub const NURSE: Sr25519Keyring = Charlie;
/// An auditor (privacy officer) of the hospital.
pub const AUDITOR: Sr25519Keyring = Ferdie;
/// A patient.
pub const PATIENT: Sr25519Keyring = Dave;
/// No practitioner: the patient's guardian, or a stranger to the patient's data.
pub const GUARDIAN: Sr25519Keyring = Eve;
/// The admin of the clinic [`admit_other_clinic`] admits.
pub const OTHER_ADMIN: Sr25519Keyring = AliceStash;
/// A physician of that clinic.
pub const OTHER_PHYSICIAN: Sr25519Keyring = BobStash;

/// Licences issued in the tests run for a year.
pub const LICENCE_EXPIRY: Moment = NOW + 365 * 24 * HOUR;

/// Governance (root on the `development` chain) admits "Other Clinic", whose admin credentials
/// [`OTHER_PHYSICIAN`] as a physician. Returns the clinic's id.
pub fn admit_other_clinic() -> OrgId {
	let clinic = pallet_registry::NextOrgId::<Runtime>::get();
	assert_ok!(Registry::admit_organization(
		RuntimeOrigin::root(),
		b"Other Clinic".to_vec().try_into().unwrap(),
		vec![account(OTHER_ADMIN)].try_into().unwrap(),
	));
	assert_ok!(Registry::register_practitioner(
		signed(&account(OTHER_ADMIN)),
		clinic,
		account(OTHER_PHYSICIAN),
		RoleSet::from(Role::Physician).to_list(),
		LICENCE_EXPIRY,
		H256::zero(),
		false,
	));
	clinic
}

/// A consent scope (or a request's) of these categories, actions and purposes.
pub fn scope(
	categories: &[DataCategory],
	actions: &[Action],
	purposes: &[Purpose],
) -> pallet_consent::ScopeInput {
	pallet_consent::Scope {
		categories: categories.iter().copied().collect::<CategorySet>(),
		actions: actions.iter().copied().collect::<ActionSet>(),
		purposes: purposes.iter().copied().collect::<PurposeSet>(),
	}
	.into()
}

/// Reading lab results for treatment.
pub fn labs_read_treat() -> pallet_consent::ScopeInput {
	scope(&[DataCategory::LabResults], &[Action::Read], &[Purpose::Treat])
}

/// `patient` grants `grantee` a consent over `scope`, from now on, on every record; its id.
pub fn grant(
	patient: &AccountId,
	grantee: Grantee<AccountId>,
	scope: pallet_consent::ScopeInput,
) -> ConsentId {
	let id = Consent::next_consent_id(patient);
	assert_ok!(Consent::grant_consent(
		signed(patient),
		grantee,
		scope,
		Default::default(),
		None,
		None
	));
	id
}

/// A salted commitment, different for every `seed`.
pub fn digest(seed: u64) -> Digest {
	Digest { algorithm: DigestAlgorithm::Sha256, hash: H256::from_low_u64_be(seed) }
}

/// `author` anchors a record of `patient`'s `category` for `purpose`; the new record's id.
pub fn anchor(
	author: &AccountId,
	patient: &AccountId,
	category: DataCategory,
	purpose: Purpose,
) -> Result<RecordId, DispatchError> {
	Records::anchor_record(
		signed(author),
		patient.clone(),
		category,
		purpose,
		pallet_records::FhirResourceType::Observation,
		digest(pallet_records::NextNonce::<Runtime>::get()),
		None,
	)?;
	Ok(events()
		.into_iter()
		.rev()
		.find_map(|event| match event {
			RuntimeEvent::Records(pallet_records::Event::RecordAnchored { record_id, .. }) => {
				Some(record_id)
			},
			_ => None,
		})
		.expect("a RecordAnchored event"))
}

/// `author` amends `record` for `purpose` with a new digest.
pub fn amend(author: &AccountId, record: RecordId, purpose: Purpose) -> Result<(), DispatchError> {
	let version = pallet_records::Records::<Runtime>::get(record).map_or(0, |r| r.current + 1);
	Records::amend_record(signed(author), record, purpose, digest(1_000_000 + version as u64), None)
}

/// The access decision as the node's RPC and every client get it: through the runtime API.
pub fn check_access(
	patient: &AccountId,
	accessor: &AccountId,
	category: DataCategory,
	action: Action,
	purpose: Purpose,
	record: Option<RecordId>,
) -> Decision {
	<Runtime as ConsentApiV2<Block, AccountId>>::check_access(AccessQuery {
		patient: patient.clone(),
		accessor: accessor.clone(),
		category,
		action,
		purpose,
		record,
	})
}

/// `accessor` logs a read of `record` for `purpose`: the decision the records pallet put on
/// record in its `ReadLogged` or `ReadDenied` event.
pub fn log_read(accessor: &AccountId, record: RecordId, purpose: Purpose) -> Decision {
	use pallet_records::Event::{ReadDenied, ReadLogged};
	assert_ok!(Records::log_access(signed(accessor), record, purpose));
	let logged = match events().pop() {
		Some(RuntimeEvent::Records(ReadLogged {
			record_id, accessor, purpose, reason, ..
		})) => (record_id, accessor, purpose, Decision::Permit(reason)),
		Some(RuntimeEvent::Records(ReadDenied {
			record_id, accessor, purpose, reason, ..
		})) => (record_id, accessor, purpose, Decision::Deny(reason)),
		other => panic!("a read logged or denied, not {other:?}"),
	};
	assert_eq!((logged.0, &logged.1, logged.2), (record, accessor, purpose), "the read is named");
	logged.3
}

// Deposits, priced as the runtime prices them: a base per item and a price per byte.

pub const CONSENT_DEPOSIT: RuntimeHoldReason =
	RuntimeHoldReason::Consent(pallet_consent::HoldReason::StorageDeposit);
pub const RECORD_DEPOSIT: RuntimeHoldReason =
	RuntimeHoldReason::Records(pallet_records::HoldReason::RecordDeposit);
pub const BOND: RuntimeHoldReason =
	RuntimeHoldReason::BreakGlass(pallet_break_glass::HoldReason::Bond);
pub const POLICY_DEPOSIT: RuntimeHoldReason =
	RuntimeHoldReason::BreakGlass(pallet_break_glass::HoldReason::PolicyDeposit);

pub fn held(reason: RuntimeHoldReason, who: &AccountId) -> Balance {
	Balances::balance_on_hold(&reason, who)
}

/// A consent: the consent and its terms in the access index.
pub fn consent_deposit() -> Balance {
	deposit(
		1,
		(pallet_consent::ConsentOf::<Runtime>::max_encoded_len()
			+ pallet_consent::TermsOf::<Runtime>::max_encoded_len()) as u32,
	)
}

pub fn deny_rule_deposit() -> Balance {
	deposit(1, pallet_consent::DenyRuleOf::<Runtime>::max_encoded_len() as u32)
}

pub fn request_deposit() -> Balance {
	deposit(1, pallet_consent::RequestOf::<Runtime>::max_encoded_len() as u32)
}

/// A record version: itself, its digest entry and its author's count; for the first version also
/// the record, its place in the patient's list and the author's record count.
pub fn version_deposit(first: bool) -> Balance {
	let account = AccountId::max_encoded_len();
	let version = pallet_records::VersionOf::<Runtime>::max_encoded_len()
		+ Digest::max_encoded_len()
		+ VersionIndex::max_encoded_len()
		+ account
		+ 4;
	let record = pallet_records::RecordOf::<Runtime>::max_encoded_len()
		+ RecordId::max_encoded_len()
		+ account
		+ 8 + 2 * account
		+ 4;
	deposit(1, if first { version + record } else { version } as u32)
}

/// What an erased record of `versions` versions keeps for ever: its tombstone and its digests.
pub fn tombstone_deposit(versions: u32) -> Balance {
	let digests = (Digest::max_encoded_len() + VersionIndex::max_encoded_len()) * versions as usize;
	let tombstone = pallet_records::Tombstone::max_encoded_len() + RecordId::max_encoded_len();
	deposit(1, (tombstone + digests) as u32)
}

pub fn policy_deposit() -> Balance {
	deposit(1, pallet_break_glass::PolicyOf::<Runtime>::max_encoded_len() as u32)
}

pub fn bond() -> Balance {
	<Runtime as pallet_break_glass::Config>::Bond::get()
}

/// What the pallets' `try_state` checks of the state the suite's scenarios touch (this build has
/// no `try-runtime`): every consent is in the access index; every session and live record is
/// listed under its patient; and every deposit the suite holds is exactly the runtime's price of
/// the items stored, under its own hold reason, from the account that stored them (the patients
/// of these tests are not enrolled, so nobody sponsors their deposits).
pub fn assert_invariants() {
	use std::collections::BTreeMap;
	let mut expected = BTreeMap::<(AccountId, Vec<u8>), Balance>::new();
	let mut expect = |who: &AccountId, reason: RuntimeHoldReason, amount: Balance| {
		*expected.entry((who.clone(), reason.encode())).or_default() += amount;
	};
	for (patient, id, _) in pallet_consent::Consents::<Runtime>::iter() {
		assert!(
			Consent::consents_of(&patient).iter().any(|view| view.id == id),
			"consent {id} missing from the access index"
		);
		expect(&patient, CONSENT_DEPOSIT, consent_deposit());
	}
	for (patient, rules) in pallet_consent::DenyRules::<Runtime>::iter() {
		expect(&patient, CONSENT_DEPOSIT, deny_rule_deposit() * rules.len() as Balance);
	}
	for (_, request) in pallet_consent::Requests::<Runtime>::iter() {
		expect(&request.requester, CONSENT_DEPOSIT, request_deposit());
	}
	for (id, record) in pallet_records::Records::<Runtime>::iter() {
		assert!(pallet_records::PatientRecords::<Runtime>::contains_key(&record.patient, id));
	}
	for (patient, count) in pallet_records::RecordCount::<Runtime>::iter() {
		assert_eq!(
			pallet_records::PatientRecords::<Runtime>::iter_prefix(&patient).count() as u32,
			count
		);
	}
	for (_, index, version) in pallet_records::Versions::<Runtime>::iter() {
		expect(&version.author, RECORD_DEPOSIT, version_deposit(index == 0));
	}
	for (id, session) in pallet_break_glass::Sessions::<Runtime>::iter() {
		assert!(pallet_break_glass::PatientSessions::<Runtime>::contains_key(&session.patient, id));
		expect(&session.practitioner, BOND, session.bond);
	}
	for (patient, _) in pallet_break_glass::Policies::<Runtime>::iter() {
		expect(&patient, POLICY_DEPOSIT, policy_deposit());
	}
	let suite = [CONSENT_DEPOSIT, RECORD_DEPOSIT, BOND, POLICY_DEPOSIT];
	for (who, holds) in pallet_balances::Holds::<Runtime>::iter() {
		for hold in holds.into_iter().filter(|hold| suite.contains(&hold.id)) {
			assert_eq!(
				expected.remove(&(who.clone(), hold.id.encode())),
				Some(hold.amount),
				"{:?} held from {who} for the items stored",
				hold.id
			);
		}
	}
	assert!(expected.is_empty(), "items stored without their deposit: {expected:?}");
}
