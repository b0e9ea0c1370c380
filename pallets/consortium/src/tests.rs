//! Unit tests of the consortium pallet: the validator set, its hand-over to pallet-session, and
//! enactment as root; every call refused to a plain signed origin.

use crate::{mock::*, Error, Event, SetChanged, Validators};
use frame_support::{assert_noop, assert_ok};
use pallet_session::SessionManager;
use sp_runtime::DispatchError::BadOrigin;

fn set() -> Vec<u64> {
	Validators::<Test>::get().into_inner()
}

#[test]
fn the_council_adds_a_validator_who_joins_at_the_next_planned_session() {
	new_test_ext().execute_with(|| {
		assert_eq!(Consortium::new_session_genesis(0), Some(vec![1, 2, 3]));
		assert_eq!(Consortium::new_session(1), None, "no change, no new set");
		assert_noop!(Consortium::add_validator(RuntimeOrigin::signed(1), 4), BadOrigin);
		assert_ok!(Consortium::add_validator(RuntimeOrigin::root(), 4));
		System::assert_last_event(Event::ValidatorAdded { validator: 4 }.into());
		assert!(SetChanged::<Test>::get());
		assert_eq!(Consortium::new_session(2), Some(vec![1, 2, 3, 4]));
		assert_eq!(Consortium::new_session(3), None, "handed over once");
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), 4),
			Error::<Test>::AlreadyValidator
		);
		assert_noop!(
			Consortium::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::TooManyValidators
		);
	});
}

#[test]
fn the_council_removes_a_validator_but_never_below_the_minimum() {
	new_test_ext().execute_with(|| {
		assert_noop!(Consortium::remove_validator(RuntimeOrigin::signed(1), 3), BadOrigin);
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
		assert_ok!(Consortium::remove_validator(RuntimeOrigin::root(), 2));
		System::assert_last_event(Event::ValidatorRemoved { validator: 2 }.into());
		assert_eq!(set(), vec![1, 3]);
		assert_eq!(Consortium::new_session(1), Some(vec![1, 3]));
		assert_noop!(
			Consortium::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
	});
}

#[test]
fn enact_dispatches_as_root_and_reports_the_outcome() {
	new_test_ext().execute_with(|| {
		let root_only =
			Box::new(RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 64 }));
		assert_noop!(Consortium::enact(RuntimeOrigin::signed(1), root_only.clone()), BadOrigin);
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
