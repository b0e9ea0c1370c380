//! Governance cannot be escalated (issue 11), checked against the real runtime built from its
//! genesis presets: `local` (four organizations, their four validators and their council; no
//! sudo) and `development` (one validator).
//!
//! A council *majority* is three of five; two thirds is four of five. Each property here failed
//! before the fix: a majority could reset the council and then pass a two-thirds motion, shrink
//! the validators to one, enact a runtime upgrade by blob, and any account could claim a peer id
//! or register session keys for free.

mod common;

use codec::Encode;
use common::{account, build_genesis, dispatch, motion, CouncilOrigin};
use consent_runtime::{
	configs::consortium::{SessionKeyDeposit, MIN_VALIDATORS},
	AccountId, Balances, Consortium, Runtime, RuntimeCall, RuntimeHoldReason, RuntimeOrigin,
	SessionKeys, System, EXISTENTIAL_DEPOSIT, VERSION,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, Get},
	weights::Weight,
};
use sp_core::{
	proof_of_possession::ProofOfPossessionGenerator,
	storage::well_known_keys::CODE,
	traits::{Externalities, ReadRuntimeVersion, ReadRuntimeVersionExt},
	Pair,
};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::{traits::Hash, DispatchError};

/// Three of five: more than half, less than two thirds.
fn majority() -> RuntimeOrigin {
	CouncilOrigin::Members(3, 5).into()
}

/// Four of five: two thirds and more.
fn supermajority() -> RuntimeOrigin {
	CouncilOrigin::Members(4, 5).into()
}

/// Reads the version of any code as this runtime's, one spec version later: a valid upgrade.
struct NextSpecVersion;

impl ReadRuntimeVersion for NextSpecVersion {
	fn read_runtime_version(&self, _: &[u8], _: &mut dyn Externalities) -> Result<Vec<u8>, String> {
		let mut next = VERSION;
		next.spec_version += 1;
		Ok(next.encode())
	}
}

/// Run `test` at block 1 of a chain built from the genesis preset `preset`.
fn on_chain(preset: &str, test: impl FnOnce()) {
	let mut ext = frame_system::Pallet::<Runtime>::externalities();
	ext.register_extension(ReadRuntimeVersionExt::new(NextSpecVersion));
	ext.execute_with(|| {
		build_genesis(preset);
		test();
	});
}

fn on_local_chain(test: impl FnOnce()) {
	on_chain(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET, test)
}

fn members() -> Vec<AccountId> {
	pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get().into_inner()
}

/// The runtime code in storage (`:code`).
fn runtime_code() -> Option<Vec<u8>> {
	frame_support::storage::unhashed::get_raw(CODE)
}

fn validators() -> Vec<AccountId> {
	pallet_consortium::Validators::<Runtime>::get().into_inner()
}

fn enact(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Consortium(pallet_consortium::Call::enact { call: Box::new(call) })
}

fn authorize_upgrade(code: &[u8]) -> RuntimeCall {
	let code_hash = <Runtime as frame_system::Config>::Hashing::hash(code);
	RuntimeCall::System(frame_system::Call::authorize_upgrade { code_hash })
}

#[test]
fn a_council_majority_cannot_change_the_council_and_two_thirds_can() {
	on_local_chain(|| {
		use pallet_membership::Call as Membership;
		let (alice, dave, eve, ferdie) =
			(account(Alice), account(Dave), account(Eve), account(Ferdie));
		// In an order in which each change is possible after the ones before it.
		let changes = [
			Membership::add_member { who: eve.clone().into() },
			Membership::swap_member { remove: dave.clone().into(), add: ferdie.clone().into() },
			Membership::remove_member { who: ferdie.clone().into() },
			Membership::set_prime { who: alice.clone().into() },
			Membership::clear_prime {},
			Membership::reset_members { members: vec![alice.clone(), eve.clone()] },
		];
		let before = members();
		for change in &changes {
			let call = RuntimeCall::CouncilMembership(change.clone());
			assert_noop!(dispatch(call.clone(), majority()), DispatchError::BadOrigin);
			assert_noop!(
				dispatch(call, RuntimeOrigin::signed(alice.clone())),
				DispatchError::BadOrigin
			);
		}
		assert_eq!(members(), before, "a majority changed nothing");

		for change in changes {
			assert_ok!(dispatch(RuntimeCall::CouncilMembership(change), supermajority()));
		}
		let mut expected = vec![alice.clone(), eve];
		expected.sort();
		assert_eq!(members(), expected, "two thirds changed the council");
		assert_eq!(
			pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get(),
			expected
		);
		assert_eq!(pallet_membership::Prime::<Runtime, pallet_membership::Instance1>::get(), None);
	});
}

#[test]
fn a_majority_can_neither_reset_the_council_nor_enact_root_calls_by_motion() {
	on_local_chain(|| {
		// Five organizations sit on the council, as two thirds of the four decided.
		assert_ok!(dispatch(
			RuntimeCall::CouncilMembership(pallet_membership::Call::add_member {
				who: account(Eve).into()
			}),
			CouncilOrigin::Members(3, 4).into(),
		));
		assert_eq!(members().len(), 5);
		let before = members();

		// The attack: three of five reset the council to themselves...
		let takeover = RuntimeCall::CouncilMembership(pallet_membership::Call::reset_members {
			members: vec![account(Alice), account(Bob), account(Charlie)],
		});
		assert_eq!(
			motion(takeover, 3, Alice, &[Alice, Bob, Charlie]),
			Err(DispatchError::BadOrigin)
		);
		assert_eq!(members(), before, "the council is unchanged");

		// ...or enact a root call with their majority.
		let upgrade = enact(authorize_upgrade(b"their runtime"));
		assert_eq!(
			motion(upgrade.clone(), 3, Alice, &[Alice, Bob, Charlie]),
			Err(DispatchError::BadOrigin)
		);
		assert!(System::authorized_upgrade().is_none());

		// Four of five may.
		assert_eq!(motion(upgrade, 4, Alice, &[Alice, Bob, Charlie, Dave]), Ok(()));
		assert!(System::authorized_upgrade().is_some());
	});
}

#[test]
fn the_validator_set_never_shrinks_below_three() {
	let floor: u32 = <Runtime as pallet_consortium::Config>::MinValidators::get();
	assert_eq!((floor, MIN_VALIDATORS), (3, 3));
	on_local_chain(|| {
		let remove = |who: Sr25519Keyring| {
			RuntimeCall::Consortium(pallet_consortium::Call::remove_validator {
				validator: account(who),
			})
		};
		assert_eq!(validators().len(), 4);
		assert_ok!(dispatch(remove(Dave), majority()));
		assert_eq!(validators(), vec![account(Alice), account(Bob), account(Charlie)]);
		for origin in [majority(), supermajority(), RuntimeOrigin::root()] {
			assert_noop!(
				dispatch(remove(Charlie), origin),
				pallet_consortium::Error::<Runtime>::TooFewValidators
			);
		}
		// Not even by enactment as root.
		assert_ok!(dispatch(enact(remove(Charlie)), supermajority()));
		System::assert_last_event(
			pallet_consortium::Event::Enacted {
				result: Err(pallet_consortium::Error::<Runtime>::TooFewValidators.into()),
			}
			.into(),
		);
		assert_eq!(validators().len(), 3);
	});
}

#[test]
fn the_development_chain_starts_with_one_validator_and_may_only_grow() {
	on_chain(sp_genesis_builder::DEV_RUNTIME_PRESET, || {
		assert_eq!(validators(), vec![account(Alice)]);
		assert_eq!(pallet_session::Validators::<Runtime>::get(), vec![account(Alice)]);
		let hold = RuntimeHoldReason::Session(pallet_session::HoldReason::Keys);
		assert_eq!(Balances::balance_on_hold(&hold, &account(Alice)), 0, "genesis keys hold none");
		assert_noop!(
			dispatch(
				RuntimeCall::Consortium(pallet_consortium::Call::remove_validator {
					validator: account(Alice)
				}),
				RuntimeOrigin::root(),
			),
			pallet_consortium::Error::<Runtime>::TooFewValidators
		);
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), account(Bob)));
		assert_eq!(validators(), vec![account(Alice), account(Bob)]);
	});
}

#[test]
fn enact_refuses_a_runtime_upgrade_by_blob_however_it_is_wrapped() {
	on_local_chain(|| {
		use frame_system::Call as SystemCall;
		use pallet_utility::Call as Utility;
		let code = b"\0asm a new runtime".to_vec();
		let set_code = RuntimeCall::System(SystemCall::set_code { code: code.clone() });
		let remark = RuntimeCall::System(SystemCall::remark { remark: vec![] });
		let by_blob = [
			set_code.clone(),
			RuntimeCall::System(SystemCall::set_code_without_checks { code: code.clone() }),
			RuntimeCall::System(SystemCall::set_storage { items: vec![(CODE.to_vec(), code)] }),
			RuntimeCall::System(SystemCall::kill_storage { keys: vec![CODE.to_vec()] }),
			RuntimeCall::System(SystemCall::kill_prefix { prefix: b":co".to_vec(), subkeys: 1 }),
			RuntimeCall::Utility(Utility::batch_all {
				calls: vec![remark.clone(), set_code.clone()],
			}),
			RuntimeCall::Utility(Utility::force_batch { calls: vec![remark, set_code.clone()] }),
			RuntimeCall::Utility(Utility::dispatch_as {
				as_origin: Box::new(frame_system::RawOrigin::Root.into()),
				call: Box::new(set_code.clone()),
			}),
			RuntimeCall::Utility(Utility::with_weight {
				call: Box::new(set_code.clone()),
				weight: Weight::zero(),
			}),
			RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(set_code.clone()) }),
			enact(set_code),
		];
		for call in by_blob {
			assert_noop!(
				dispatch(enact(call), supermajority()),
				pallet_consortium::Error::<Runtime>::CallFiltered
			);
		}
	});
}

#[test]
fn an_upgrade_is_authorized_by_its_hash_and_applied_by_anyone() {
	on_local_chain(|| {
		let code = b"\0asm the next runtime".to_vec();
		let eve = RuntimeOrigin::signed(account(Eve));
		let apply = |code: &[u8]| {
			RuntimeCall::System(frame_system::Call::apply_authorized_upgrade {
				code: code.to_vec(),
			})
		};
		assert_noop!(
			dispatch(apply(&code), eve.clone()),
			frame_system::Error::<Runtime>::NothingAuthorized
		);
		assert_noop!(
			dispatch(enact(authorize_upgrade(&code)), majority()),
			DispatchError::BadOrigin
		);

		assert_ok!(dispatch(enact(authorize_upgrade(&code)), supermajority()));
		let code_hash = <Runtime as frame_system::Config>::Hashing::hash(&code);
		System::assert_has_event(
			frame_system::Event::UpgradeAuthorized { code_hash, check_version: true }.into(),
		);
		assert_noop!(
			dispatch(apply(b"\0asm another runtime"), eve.clone()),
			frame_system::Error::<Runtime>::Unauthorized
		);

		// Eve, who sits on no council, supplies the code the council voted the hash of.
		assert_ne!(runtime_code(), Some(code.clone()));
		assert_ok!(dispatch(apply(&code), eve));
		System::assert_has_event(frame_system::Event::CodeUpdated { hash: code_hash }.into());
		assert_eq!(runtime_code(), Some(code));
		assert!(System::authorized_upgrade().is_none(), "an authorization is used once");
	});
}

#[test]
fn no_account_claims_a_peer_id_the_council_authorizes_nodes() {
	on_local_chain(|| {
		use pallet_node_authorization::Call as NodeAuthorization;
		let eve = account(Eve);
		let peer = sp_core::OpaquePeerId(b"eve's node".to_vec());
		let claim =
			RuntimeCall::NodeAuthorization(NodeAuthorization::claim_node { node: peer.clone() });
		assert_noop!(
			dispatch(claim.clone(), RuntimeOrigin::signed(eve.clone())),
			frame_system::Error::<Runtime>::CallFiltered
		);
		assert_noop!(
			dispatch(
				RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![claim] }),
				RuntimeOrigin::signed(eve.clone())
			),
			frame_system::Error::<Runtime>::CallFiltered
		);
		assert_eq!(pallet_node_authorization::Owners::<Runtime>::get(&peer), None);

		// The council admits the node and names its owner, who may then manage it.
		assert_ok!(dispatch(
			RuntimeCall::NodeAuthorization(NodeAuthorization::add_well_known_node {
				node: peer.clone(),
				owner: eve.clone().into(),
			}),
			majority(),
		));
		assert_eq!(pallet_node_authorization::Owners::<Runtime>::get(&peer), Some(eve.clone()));
		let other = sp_core::OpaquePeerId(b"a sentry".to_vec());
		assert_ok!(dispatch(
			RuntimeCall::NodeAuthorization(NodeAuthorization::add_connections {
				node: peer.clone(),
				connections: vec![other.clone()],
			}),
			RuntimeOrigin::signed(eve),
		));
		assert!(pallet_node_authorization::AdditionalConnections::<Runtime>::get(&peer)
			.contains(&other));
	});
}

/// Fresh session keys for `owner`, and the proof that `owner` holds their secrets.
fn session_keys_of(owner: &AccountId, seed: &str) -> (SessionKeys, Vec<u8>) {
	let mut aura = sp_core::sr25519::Pair::from_string(&format!("//{seed}//aura"), None).unwrap();
	let mut grandpa =
		sp_core::ed25519::Pair::from_string(&format!("//{seed}//grandpa"), None).unwrap();
	let keys = SessionKeys { aura: aura.public().into(), grandpa: grandpa.public().into() };
	let owner = owner.encode();
	let proof =
		(aura.generate_proof_of_possession(&owner), grandpa.generate_proof_of_possession(&owner))
			.encode();
	(keys, proof)
}

#[test]
fn registering_session_keys_holds_a_deposit_until_they_are_purged() {
	on_local_chain(|| {
		let deposit: u128 = SessionKeyDeposit::get();
		assert!(deposit > EXISTENTIAL_DEPOSIT, "a deposit worth holding: {deposit}");
		let hold = RuntimeHoldReason::Session(pallet_session::HoldReason::Keys);
		let eve = account(Eve);
		let (keys, proof) = session_keys_of(&eve, "Eve");
		let free = Balances::free_balance(&eve);

		assert_ok!(dispatch(
			RuntimeCall::Session(pallet_session::Call::set_keys { keys, proof }),
			RuntimeOrigin::signed(eve.clone()),
		));
		assert_eq!(Balances::balance_on_hold(&hold, &eve), deposit);
		assert_eq!(Balances::free_balance(&eve), free - deposit);

		assert_ok!(dispatch(
			RuntimeCall::Session(pallet_session::Call::purge_keys {}),
			RuntimeOrigin::signed(eve.clone()),
		));
		assert_eq!(Balances::balance_on_hold(&hold, &eve), 0);
		assert_eq!(Balances::free_balance(&eve), free, "the deposit is given back");

		// An account that cannot pay the deposit registers nothing.
		let poor = sp_core::sr25519::Pair::from_string("//Poor", None).unwrap().public();
		let poor = AccountId::from(poor);
		assert_ok!(Balances::force_set_balance(
			RuntimeOrigin::root(),
			poor.clone().into(),
			EXISTENTIAL_DEPOSIT + deposit / 2,
		));
		let (keys, proof) = session_keys_of(&poor, "Poor");
		assert!(dispatch(
			RuntimeCall::Session(pallet_session::Call::set_keys { keys, proof }),
			RuntimeOrigin::signed(poor.clone()),
		)
		.is_err());
		assert_eq!(pallet_session::NextKeys::<Runtime>::get(&poor), None);
	});
}
