//! Unit tests of the enrolment pallet: every call's success path, every error, every refused
//! origin; the free-call count through the transaction extension; sponsored deposits.

use crate::{
	mock::*, CountFreeCalls, Enrolments, Error, Event, FreeCalls, SponsoredDeposit,
	FREE_CALLS_EXHAUSTED,
};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::GetDispatchInfo,
	traits::{
		fungible::{InspectHold, Mutate},
		Consideration, Footprint,
	},
};
use sp_runtime::{
	traits::DispatchTransaction,
	transaction_validity::{InvalidTransaction, TransactionSource},
	DispatchError::BadOrigin,
};

mod authorization;

/// What the consent pallet's deposit would be in this runtime: sponsored, else held from the
/// patient.
type PatientDeposit = SponsoredDeposit<
	Test,
	frame_support::traits::fungible::HoldConsideration<
		u64,
		Balances,
		EnrolmentHold,
		frame_support::traits::LinearStoragePrice<
			frame_support::traits::ConstU64<10>,
			frame_support::traits::ConstU64<1>,
			u64,
		>,
	>,
>;

fn item() -> Footprint {
	Footprint { count: 1, size: 100 }
}

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Enrolment::do_try_state().expect("invariants hold");
	})
}

fn enrol() {
	assert_ok!(Enrolment::enrol_patient(RuntimeOrigin::signed(ADMIN), ORG, PATIENT));
}

fn held(who: u64) -> u64 {
	Balances::total_balance_on_hold(&who)
}

/// Validate and prepare `Clinic::ping` signed by `who` through the extension, as the pool and
/// the block builder do.
fn free_ping(who: u64) -> Result<bool, sp_runtime::transaction_validity::TransactionValidityError> {
	let call = RuntimeCall::Clinic(clinic::Call::ping {});
	let info = call.get_dispatch_info();
	CountFreeCalls::<Test>::new().validate_only(
		RuntimeOrigin::signed(who),
		&call,
		&info,
		0,
		TransactionSource::External,
		0,
	)?;
	CountFreeCalls::<Test>::new()
		.validate_and_prepare(RuntimeOrigin::signed(who), &call, &info, 0, 0)
		.map(|(counted, _)| counted)
}

#[test]
fn an_admin_enrols_a_patient_who_holds_nothing() {
	test(|| {
		assert_eq!(Balances::free_balance(PATIENT), 0);
		assert!(!System::account_exists(&PATIENT));
		enrol();
		System::assert_last_event(
			Event::PatientEnrolled { patient: PATIENT, organization: ORG, sponsor: ADMIN }.into(),
		);
		assert!(Enrolment::is_sponsored(&PATIENT));
		assert!(System::account_exists(&PATIENT), "a sufficient reference keeps the nonce");
		assert_eq!(Balances::free_balance(PATIENT), 0, "no token given");
		assert_eq!(held(ADMIN), QUOTA_DEPOSIT, "the organization pays the quota");
	});
}

#[test]
fn enrol_refuses_every_origin_but_an_admin_of_an_active_organization() {
	test(|| {
		for origin in [RuntimeOrigin::root(), RuntimeOrigin::none()] {
			assert_noop!(Enrolment::enrol_patient(origin, ORG, PATIENT), BadOrigin);
		}
		for who in [OTHER_ADMIN, STRANGER, PATIENT] {
			assert_noop!(
				Enrolment::enrol_patient(RuntimeOrigin::signed(who), ORG, PATIENT),
				Error::<Test>::NotAdmin
			);
		}
		assert_noop!(
			Enrolment::enrol_patient(RuntimeOrigin::signed(ADMIN), 9, PATIENT),
			Error::<Test>::NotAdmin
		);
		MockOrganizations::suspend(OTHER_ORG);
		assert_noop!(
			Enrolment::enrol_patient(RuntimeOrigin::signed(OTHER_ADMIN), OTHER_ORG, PATIENT),
			Error::<Test>::OrganizationInactive
		);
		enrol();
		assert_noop!(
			Enrolment::enrol_patient(RuntimeOrigin::signed(ADMIN), ORG, PATIENT),
			Error::<Test>::AlreadyEnrolled
		);
	});
}

#[test]
fn an_admin_without_the_deposit_cannot_enrol() {
	test(|| {
		Balances::set_balance(&ADMIN, QUOTA_DEPOSIT - 1);
		assert_noop!(
			Enrolment::enrol_patient(RuntimeOrigin::signed(ADMIN), ORG, PATIENT),
			sp_runtime::TokenError::FundsUnavailable
		);
		assert!(!System::account_exists(&PATIENT));
	});
}

#[test]
fn free_calls_are_counted_and_refused_past_the_window_limit() {
	test(|| {
		// Not enrolled: the call is not free, the extension lets it through to the fee.
		assert_eq!(free_ping(PATIENT), Ok(false));
		enrol();
		for _ in 0..3 {
			assert_eq!(free_ping(PATIENT), Ok(true));
		}
		assert_eq!(FreeCalls::<Test>::get(PATIENT).calls, 3);
		assert_eq!(
			free_ping(PATIENT),
			Err(InvalidTransaction::Custom(FREE_CALLS_EXHAUSTED).into()),
			"the fourth free call of the hour is refused with a clear code"
		);
		assert_eq!(Enrolment::free_calls_left(&PATIENT), 0);
		// Someone else's paid calls are not affected.
		assert_eq!(free_ping(STRANGER), Ok(false));
		// The next window opens the count again.
		Timestamp::set_timestamp(NOW + HOUR);
		assert_eq!(Enrolment::free_calls_left(&PATIENT), 3);
		assert_eq!(free_ping(PATIENT), Ok(true));
		assert_eq!(FreeCalls::<Test>::get(PATIENT).calls, 1);
	});
}

#[test]
fn sponsored_deposits_cover_the_quota_then_fall_back_to_the_patient() {
	test(|| {
		enrol();
		let tickets: Vec<PatientDeposit> =
			(0..4).map(|_| PatientDeposit::new(&PATIENT, item()).unwrap()).collect();
		assert!(tickets.iter().all(|t| matches!(t, SponsoredDeposit::Sponsored(_))));
		assert_eq!(Enrolments::<Test>::get(PATIENT).unwrap().sponsored_items, 4);
		// The fifth item: the patient holds no tokens, so it is refused.
		assert!(PatientDeposit::new(&PATIENT, item()).is_err());
		// Given tokens, the patient pays for it themself.
		Balances::set_balance(&PATIENT, 1_000);
		let fifth = PatientDeposit::new(&PATIENT, item()).unwrap();
		assert!(matches!(fifth, SponsoredDeposit::Held(_)));
		assert_eq!(held(PATIENT), 110);
		assert_ok!(fifth.drop(&PATIENT));
		assert_eq!(held(PATIENT), 0);
		// Removing a sponsored item frees a place in the quota.
		let mut tickets = tickets;
		assert_ok!(tickets.pop().unwrap().drop(&PATIENT));
		assert_eq!(Enrolments::<Test>::get(PATIENT).unwrap().sponsored_items, 3);
		assert!(matches!(
			PatientDeposit::new(&PATIENT, item()).unwrap(),
			SponsoredDeposit::Sponsored(_)
		));
	});
}

#[test]
fn ending_an_enrolment_stops_free_calls_and_keeps_what_it_sponsors() {
	test(|| {
		enrol();
		let ticket = PatientDeposit::new(&PATIENT, item()).unwrap();
		assert_ok!(Enrolment::end_enrolment(RuntimeOrigin::signed(ADMIN), PATIENT));
		System::assert_last_event(
			Event::EnrolmentEnded { patient: PATIENT, organization: ORG, by: ADMIN }.into(),
		);
		assert!(!Enrolment::is_sponsored(&PATIENT));
		assert_eq!(free_ping(PATIENT), Ok(false), "calls are no longer free");
		assert_eq!(held(ADMIN), QUOTA_DEPOSIT, "the sponsored consent is still paid for");
		assert!(System::account_exists(&PATIENT));
		assert!(
			PatientDeposit::new(&PATIENT, item()).is_err(),
			"no new sponsored item after the end"
		);
		// The last sponsored item goes: the enrolment closes.
		assert_ok!(ticket.drop(&PATIENT));
		System::assert_last_event(
			Event::EnrolmentClosed { patient: PATIENT, organization: ORG }.into(),
		);
		assert_eq!(held(ADMIN), 0);
		assert!(!Enrolments::<Test>::contains_key(PATIENT));
		assert_eq!(System::sufficients(&PATIENT), 0);
		// The patient may be enrolled again, by another organization.
		assert_ok!(Enrolment::enrol_patient(
			RuntimeOrigin::signed(OTHER_ADMIN),
			OTHER_ORG,
			PATIENT
		));
	});
}

#[test]
fn a_patient_may_leave_and_nobody_else_may_end_an_enrolment() {
	test(|| {
		enrol();
		for origin in [RuntimeOrigin::root(), RuntimeOrigin::none()] {
			assert_noop!(Enrolment::end_enrolment(origin, PATIENT), BadOrigin);
		}
		for who in [OTHER_ADMIN, STRANGER] {
			assert_noop!(
				Enrolment::end_enrolment(RuntimeOrigin::signed(who), PATIENT),
				Error::<Test>::NotAdmin
			);
		}
		assert_noop!(
			Enrolment::end_enrolment(RuntimeOrigin::signed(ADMIN), STRANGER),
			Error::<Test>::NotEnrolled
		);
		assert_ok!(Enrolment::end_enrolment(RuntimeOrigin::signed(PATIENT), PATIENT));
		// Nothing sponsored: closed at once.
		System::assert_last_event(
			Event::EnrolmentClosed { patient: PATIENT, organization: ORG }.into(),
		);
		assert_eq!(held(ADMIN), 0);
		assert_noop!(
			Enrolment::end_enrolment(RuntimeOrigin::signed(PATIENT), PATIENT),
			Error::<Test>::NotEnrolled
		);
	});
}
