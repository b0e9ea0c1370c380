//! Unit tests of the consortium pallet: the validator set and its floor, its hand-over to
//! pallet-session, and enactment as root with its call filter; every call refused to the origins
//! that may not make it. Each test ends by checking the pallet's invariants.

use crate::{mock::*, weights::WeightInfo, Error, Event, SetChanged, Validators};
use frame_support::{
	assert_err_with_weight, assert_noop, assert_ok, assert_storage_noop,
	dispatch::{DispatchClass, GetDispatchInfo},
};
use pallet_session::SessionManager;
use sp_runtime::{traits::Hash, DispatchError::BadOrigin};

mod authorization;

fn set() -> Vec<u64> {
	Validators::<Test>::get().into_inner()
}

/// Run `test` on the four-validator genesis, then check the invariants.
fn with_consortium(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Consortium::do_try_state().expect("invariants hold");
	});
}

#[test]
fn the_council_adds_a_validator_who_joins_at_the_next_planned_session() {
	with_consortium(|| {
		assert_eq!(Consortium::new_session_genesis(0), Some(vec![1, 2, 3, 4]));
		assert_eq!(Consortium::new_session(1), None, "no change, no new set");
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 5));
		System::assert_last_event(Event::ValidatorAdded { validator: 5 }.into());
		assert!(SetChanged::<Test>::get());
		assert_eq!(Consortium::new_session(2), Some(vec![1, 2, 3, 4, 5]));
		assert_eq!(Consortium::new_session(3), None, "handed over once");
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::AlreadyValidator
		);
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), 6),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn the_council_removes_a_validator_but_never_below_the_floor() {
	with_consortium(|| {
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 2));
		System::assert_last_event(Event::ValidatorRemoved { validator: 2 }.into());
		assert_eq!(set(), vec![1, 3, 4]);
		assert_eq!(set().len() as u32, MIN_VALIDATORS);
		assert_eq!(Consortium::new_session(1), Some(vec![1, 3, 4]));
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(set(), vec![1, 3, 4], "the set stays at its floor");
	});
}

#[test]
fn a_chain_that_starts_below_the_floor_may_grow_but_not_shrink() {
	new_test_ext_with(vec![1]).execute_with(|| {
		assert_eq!(Consortium::new_session_genesis(0), Some(vec![1]));
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 2));
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::TooFewValidators
		);
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 3));
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 4));
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 1));
		assert_eq!(set(), vec![2, 3, 4]);
		Consortium::do_try_state().expect("invariants hold");
	});
}

#[test]
fn a_genesis_without_validators_leaves_the_first_set_to_the_session_keys() {
	new_test_ext_with(vec![]).execute_with(|| {
		assert_eq!(Consortium::new_session_genesis(0), None);
		Consortium::do_try_state().expect("invariants hold");
	});
}

#[test]
#[should_panic(expected = "genesis: duplicate validators")]
fn a_genesis_with_a_validator_twice_is_refused() {
	new_test_ext_with(vec![1, 2, 1]);
}

#[test]
fn enact_dispatches_as_root_and_reports_the_outcome() {
	with_consortium(|| {
		let root_only =
			Box::new(RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 64 }));
		assert_ok!(Consortium::enact(RuntimeOrigin::root(), root_only));
		System::assert_last_event(Event::Enacted { result: Ok(()) }.into());
		let pages = sp_io::storage::get(sp_core::storage::well_known_keys::HEAP_PAGES);
		assert_eq!(
			pages.as_deref(),
			Some(&64u64.to_le_bytes()[..]),
			"the root-only call took effect"
		);

		// An inner failure is reported, not hidden.
		let failing =
			Box::new(RuntimeCall::Consortium(crate::Call::remove_validator { validator: 9 }));
		assert_ok!(Consortium::enact(RuntimeOrigin::root(), failing));
		System::assert_last_event(
			Event::Enacted { result: Err(Error::<Test>::NotValidator.into()) }.into(),
		);
	});
}

#[test]
fn enact_refuses_a_runtime_upgrade_by_blob() {
	with_consortium(|| {
		let code = b"\0asm a runtime".to_vec();
		for upgrade in [
			frame_system::Call::set_code { code: code.clone() },
			frame_system::Call::set_code_without_checks { code: code.clone() },
		] {
			let upgrade = Box::new(RuntimeCall::System(upgrade));
			assert_storage_noop!(assert_err_with_weight!(
				Consortium::enact(RuntimeOrigin::root(), upgrade.clone()),
				Error::<Test>::CallFiltered,
				Some(<() as WeightInfo>::enact())
			));
		}
		assert!(System::events().is_empty(), "nothing was enacted");
	});
}

#[test]
fn enact_authorizes_an_upgrade_by_its_hash() {
	with_consortium(|| {
		let code_hash = <Test as frame_system::Config>::Hashing::hash(b"\0asm a runtime");
		let authorize = RuntimeCall::System(frame_system::Call::authorize_upgrade { code_hash });
		assert_ok!(Consortium::enact(RuntimeOrigin::root(), Box::new(authorize)));
		System::assert_has_event(
			frame_system::Event::UpgradeAuthorized { code_hash, check_version: true }.into(),
		);
		System::assert_last_event(Event::Enacted { result: Ok(()) }.into());
	});
}

#[test]
fn enact_weighs_and_classes_itself_by_the_call_it_carries() {
	with_consortium(|| {
		let inner = RuntimeCall::System(frame_system::Call::authorize_upgrade {
			code_hash: Default::default(),
		});
		let inner_info = inner.get_dispatch_info();
		let info = crate::Call::<Test>::enact { call: Box::new(inner) }.get_dispatch_info();
		assert_eq!(info.call_weight, <() as WeightInfo>::enact() + inner_info.call_weight);
		assert_eq!(info.class, DispatchClass::Operational);
	});
}

#[test]
fn every_call_is_refused_to_a_signed_or_unsigned_origin() {
	with_consortium(|| {
		let remark = Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] }));
		for origin in [RuntimeOrigin::signed(1), RuntimeOrigin::none()] {
			assert_noop!(Consortium::add_validator(origin.clone(), 5), BadOrigin);
			assert_noop!(Consortium::remove_validator(origin.clone(), 4), BadOrigin);
			assert_noop!(Consortium::enact(origin, remark.clone()), BadOrigin);
		}
	});
}
