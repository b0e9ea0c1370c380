//! Unit tests of the break-glass pallet on its own (credentials and sponsorship answered by the
//! mock's stand-ins): the session state machine, every call's success path and errors, bonds,
//! what the pallet answers the access decision through [`EmergencyAccess`], an authorization
//! matrix, and a property test that no sequence of calls lets a session answer after its end or
//! after its practitioner's credential lapsed. How the consent pallet turns a session into a
//! decision (purposes, actions, deny rules) and how delegates reach these calls through their
//! proxy are tested against the real runtime.

use crate::{
	mock::*, ActiveSession, Error, Event, HoldReason, NextSessionId, PatientSessions, Policies,
	Review, Reviewer, SessionDuration, Sessions,
};
use consent_primitives::{
	CategoryList, CategorySet, DataCategory as C, EmergencyAccess, EmergencyReason as R,
	EmergencySessionState, Purpose as P, Role, RoleSet, SessionId, Verdict,
};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::CheckIfFeeless,
	traits::fungible::{Inspect, InspectHold, Mutate},
	BoundedVec,
};
use sp_core::H256;
use sp_runtime::{traits::Dispatchable, DispatchError, DispatchError::BadOrigin, TokenError};

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		BreakGlass::do_try_state().expect("invariants hold");
	});
}

fn open_as(practitioner: u64, patient: u64) -> Result<SessionId, DispatchError> {
	let id = NextSessionId::<Test>::get();
	BreakGlass::break_glass(
		RuntimeOrigin::signed(practitioner),
		patient,
		P::EmergencyTreat,
		R::Unconscious,
		H256::repeat_byte(9),
		None,
	)?;
	Ok(id)
}

fn open(practitioner: u64) -> SessionId {
	open_as(practitioner, PATIENT).expect("glass broken")
}

fn bond_held(who: u64) -> u64 {
	Balances::balance_on_hold(&RuntimeHoldReason::BreakGlass(HoldReason::Bond), &who)
}

/// The session this pallet answers for `accessor` on `category` of `patient`'s data, now.
fn active_for(patient: u64, accessor: u64, category: C) -> Option<SessionId> {
	<BreakGlass as EmergencyAccess<u64>>::active_session(
		&patient,
		&accessor,
		category,
		Timestamp::get(),
	)
}

/// The session this pallet answers for `accessor` on `category` of [`PATIENT`]'s data, now.
fn active(accessor: u64, category: C) -> Option<SessionId> {
	active_for(PATIENT, accessor, category)
}

fn note_write(session: SessionId) -> sp_runtime::DispatchResult {
	<BreakGlass as EmergencyAccess<u64>>::note_write(session)
}

fn advance(ms: u64) {
	Timestamp::set_timestamp(Timestamp::get() + ms);
}

fn review(
	origin: RuntimeOrigin,
	session: SessionId,
	verdict: Verdict,
) -> sp_runtime::DispatchResult {
	BreakGlass::review(origin, session, verdict, notes())
}

/// The hash of the notes `review` sends with a verdict.
fn notes() -> H256 {
	H256::repeat_byte(7)
}

/// The event of a verdict: `reviewer`'s `verdict` on `session`, with [`notes`].
fn reviewed(session: SessionId, reviewer: Reviewer<u64>, verdict: Verdict) -> RuntimeEvent {
	Event::SessionReviewed { session_id: session, reviewer, verdict, notes_hash: notes() }.into()
}

/// The event of DOCTOR's bond on `session` slashed to `beneficiary`.
fn doctors_bond_slashed(session: SessionId, beneficiary: u64) -> RuntimeEvent {
	Event::BondSlashed { session_id: session, practitioner: DOCTOR, beneficiary, amount: BOND }
		.into()
}

/// How many unsettled sessions the patient has.
fn sessions_of(patient: u64) -> usize {
	PatientSessions::<Test>::iter_key_prefix(patient).count()
}

fn state_of(patient: u64) -> EmergencySessionState {
	BreakGlass::sessions_of(&patient)[0].state
}

fn categories(list: &[C]) -> Option<CategoryList> {
	Some(BoundedVec::truncate_from(list.to_vec()))
}

#[test]
fn breaking_the_glass_opens_a_bonded_time_boxed_session_that_emergency_access_answers_for() {
	test(|| {
		assert_eq!(active(DOCTOR, C::LabResults), None);
		let session = open(DOCTOR);
		System::assert_last_event(
			Event::SessionOpened {
				session_id: session,
				patient: PATIENT,
				practitioner: DOCTOR,
				organization: HOSPITAL,
				purpose: P::EmergencyTreat,
				reason: R::Unconscious,
				justification_hash: H256::repeat_byte(9),
				categories: CategorySet::non_sensitive(),
				end: NOW + DURATION,
				contacts: BoundedVec::new(),
			}
			.into(),
		);
		assert_eq!(bond_held(DOCTOR), BOND);
		assert_eq!(Balances::balance(&DOCTOR), INITIAL_BALANCE - BOND);
		assert_eq!(active(DOCTOR, C::LabResults), Some(session));
		assert_eq!(active(DOCTOR, C::MentalHealth), None, "no sensitive category by default");
		assert_eq!(active(DOCTOR_AUDITOR, C::LabResults), None, "another practitioner");
		assert_eq!(active_for(OTHER_PATIENT, DOCTOR, C::LabResults), None, "another patient");
		assert_eq!(state_of(PATIENT), EmergencySessionState::Open);

		advance(DURATION - 1);
		assert_eq!(active(DOCTOR, C::LabResults), Some(session));
		advance(1);
		assert_eq!(active(DOCTOR, C::LabResults), None);
		assert_eq!(state_of(PATIENT), EmergencySessionState::AwaitingReview);
		assert_eq!(bond_held(DOCTOR), BOND, "the bond waits for the review");
	});
}

#[test]
fn the_session_answers_only_while_its_practitioners_credential_is_valid() {
	test(|| {
		let session = open(DOCTOR);
		MockCredentials::set_suspended(DOCTOR, true);
		assert_eq!(active(DOCTOR, C::LabResults), None, "suspended");
		MockCredentials::set_suspended(DOCTOR, false);
		assert_eq!(active(DOCTOR, C::LabResults), Some(session), "reinstated, still open");

		MockCredentials::suspend_organization(HOSPITAL);
		assert_eq!(active(DOCTOR, C::LabResults), None, "organization suspended");

		let clinic_session = open_as(CLINIC_DOCTOR, OTHER_PATIENT).unwrap();
		MockCredentials::set_licence_expiry(CLINIC_DOCTOR, NOW + 10);
		advance(9);
		assert_eq!(active_for(OTHER_PATIENT, CLINIC_DOCTOR, C::Allergies), Some(clinic_session));
		advance(1);
		assert_eq!(
			active_for(OTHER_PATIENT, CLINIC_DOCTOR, C::Allergies),
			None,
			"the licence lapsed mid-session"
		);
	});
}

#[test]
fn the_session_answers_only_while_its_practitioner_keeps_the_privilege_at_its_organization() {
	test(|| {
		let physician = RoleSet::from(Role::Physician);
		let session = open(DOCTOR);
		MockCredentials::register(DOCTOR, HOSPITAL, physician, false);
		assert_eq!(active(DOCTOR, C::LabResults), None, "the privilege was withdrawn");
		MockCredentials::register(DOCTOR, HOSPITAL, physician, true);
		assert_eq!(active(DOCTOR, C::LabResults), Some(session), "granted again, still open");
		// Revoked by the hospital and credentialed by another organization (with the privilege
		// there): the hospital's session does not follow them.
		MockCredentials::remove(DOCTOR);
		MockCredentials::register(DOCTOR, CLINIC, physician, true);
		assert_eq!(active(DOCTOR, C::LabResults), None, "moved to another organization");
	});
}

#[test]
fn the_session_answers_only_for_its_own_scope_and_until_it_is_settled() {
	test(|| {
		assert_ok!(BreakGlass::break_glass(
			RuntimeOrigin::signed(DOCTOR),
			PATIENT,
			P::BreakTheGlass,
			R::LifeThreatening,
			H256::zero(),
			categories(&[C::Allergies, C::Medications]),
		));
		assert_eq!(active(DOCTOR, C::Allergies), Some(0));
		assert_eq!(active(DOCTOR, C::Medications), Some(0));
		assert_eq!(active(DOCTOR, C::LabResults), None, "outside the declared scope");
		assert_ok!(review(RuntimeOrigin::root(), 0, Verdict::Justified));
		assert_eq!(active(DOCTOR, C::Allergies), None, "settled");
	});
}

#[test]
fn only_a_valid_privileged_practitioner_may_break_the_glass() {
	test(|| {
		assert_noop!(open_as(NO_PRIVILEGE, PATIENT), Error::<Test>::NoPrivilege);
		assert_noop!(open_as(AUDITOR, PATIENT), Error::<Test>::NoPrivilege);
		assert_noop!(open_as(LAPSED, PATIENT), Error::<Test>::CredentialInvalid);
		assert_noop!(open_as(STRANGER, PATIENT), Error::<Test>::CredentialInvalid);
		assert_noop!(open_as(OTHER_PATIENT, PATIENT), Error::<Test>::CredentialInvalid);
		assert_noop!(open_as(DOCTOR, DOCTOR), Error::<Test>::SelfAccess);
		assert_noop!(
			BreakGlass::break_glass(
				RuntimeOrigin::root(),
				PATIENT,
				P::EmergencyTreat,
				R::Other,
				H256::zero(),
				None
			),
			BadOrigin
		);
		MockCredentials::set_suspended(DOCTOR, true);
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::CredentialInvalid);
		MockCredentials::set_suspended(DOCTOR, false);
		MockCredentials::suspend_organization(CLINIC);
		assert_noop!(open_as(CLINIC_DOCTOR, PATIENT), Error::<Test>::CredentialInvalid);
		MockCredentials::remove(DOCTOR_AUDITOR);
		assert_noop!(open_as(DOCTOR_AUDITOR, PATIENT), Error::<Test>::CredentialInvalid);
		assert_noop!(open_as(POOR, PATIENT), TokenError::FundsUnavailable);
		// Reinstated, the same practitioner may.
		assert_ok!(open_as(DOCTOR, PATIENT));
	});
}

#[test]
fn breaking_the_glass_refuses_bad_purposes_and_scopes() {
	test(|| {
		let with = |purpose: P, scope: Option<CategoryList>| {
			BreakGlass::break_glass(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				purpose,
				R::LifeThreatening,
				H256::zero(),
				scope,
			)
		};
		for purpose in [P::Treat, P::Research, P::Payment, P::Operations, P::PublicHealth] {
			assert_noop!(with(purpose, None), Error::<Test>::InvalidPurpose);
		}
		assert_noop!(with(P::BreakTheGlass, categories(&[])), Error::<Test>::EmptyScope);
		assert_noop!(
			with(P::BreakTheGlass, categories(&[C::LabResults, C::Allergies, C::LabResults])),
			Error::<Test>::DuplicateCategory
		);
		assert_ok!(with(P::BreakTheGlass, categories(&[C::Allergies])));
		assert_eq!(Sessions::<Test>::get(0).map(|s| s.purpose), Some(P::BreakTheGlass));
		assert_ok!(open_as(DOCTOR_AUDITOR, PATIENT));
		assert_eq!(Sessions::<Test>::get(1).map(|s| s.purpose), Some(P::EmergencyTreat));
	});
}

#[test]
fn sensitive_categories_need_a_runtime_that_allows_them() {
	test(|| {
		let with = |practitioner: u64, scope: Option<CategoryList>| {
			BreakGlass::break_glass(
				RuntimeOrigin::signed(practitioner),
				PATIENT,
				P::EmergencyTreat,
				R::Unconscious,
				H256::zero(),
				scope,
			)
		};
		for sensitive in CategorySet::SENSITIVE.iter() {
			assert_noop!(
				with(DOCTOR, categories(&[C::LabResults, sensitive])),
				Error::<Test>::SensitiveNotAllowed
			);
		}

		AllowSensitive::set(&true);
		assert_ok!(with(DOCTOR, categories(&[C::LabResults, C::MentalHealth])));
		assert_eq!(active(DOCTOR, C::MentalHealth), Some(0));
		assert_eq!(active(DOCTOR, C::Genomics), None, "only the sensitive categories named");
		// Even where allowed, the default scope stays non-sensitive.
		assert_ok!(with(DOCTOR_AUDITOR, None));
		assert_eq!(active(DOCTOR_AUDITOR, C::LabResults), Some(1));
		assert_eq!(active(DOCTOR_AUDITOR, C::MentalHealth), None);
	});
}

#[test]
fn one_open_session_per_practitioner_and_a_cap_on_open_sessions_per_patient() {
	test(|| {
		open(DOCTOR);
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::AlreadyOpen);
		open(DOCTOR_AUDITOR);
		assert_eq!(MAX_CONCURRENT, 2);
		assert_noop!(open_as(CLINIC_DOCTOR, PATIENT), Error::<Test>::TooManyConcurrent);
		// The cap is the patient's: the same practitioner may help another patient.
		assert_ok!(open_as(CLINIC_DOCTOR, OTHER_PATIENT));

		// Once those end, more may open: sessions awaiting review do not count.
		advance(DURATION);
		open(CLINIC_DOCTOR);
		open(DOCTOR);
		advance(DURATION);
		assert_ok!(open_as(DOCTOR_AUDITOR, PATIENT));
		assert_eq!(sessions_of(PATIENT), 5);
	});
}

#[test]
fn the_id_counter_refuses_to_wrap() {
	test(|| {
		NextSessionId::<Test>::put(SessionId::MAX);
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::Overflow);
	});
}

#[test]
fn a_practitioner_is_rate_limited_over_a_rolling_window() {
	test(|| {
		open_as(DOCTOR, PATIENT).unwrap();
		open_as(DOCTOR, OTHER_PATIENT).unwrap();
		open_as(DOCTOR, THIRD_PATIENT).unwrap();
		advance(DURATION);
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::RateLimited);
		// The limit is the practitioner's own: a colleague still may.
		assert_ok!(open_as(DOCTOR_AUDITOR, PATIENT));
		advance(RATE_WINDOW - DURATION - 1);
		assert_noop!(open_as(DOCTOR, OTHER_PATIENT), Error::<Test>::RateLimited);
		advance(1);
		assert_ok!(open_as(DOCTOR, OTHER_PATIENT));
	});
}

#[test]
fn the_practitioner_ends_a_session_early_and_it_stops_answering() {
	test(|| {
		let session = open(DOCTOR);
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR), 42),
			Error::<Test>::NotFound
		);
		advance(10);
		assert_ok!(BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR), session));
		System::assert_last_event(
			Event::SessionEnded { session_id: session, ended_by: DOCTOR, at: NOW + 10 }.into(),
		);
		assert_eq!(active(DOCTOR, C::LabResults), None);
		assert_eq!(Sessions::<Test>::get(session).map(|s| s.end), Some(NOW + 10));
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR), session),
			Error::<Test>::AlreadyEnded
		);
		// A new session may open once the old one ended.
		let next = open(DOCTOR);
		assert_eq!(active(DOCTOR, C::LabResults), Some(next));
	});
}

#[test]
fn the_patient_ends_a_session_early() {
	test(|| {
		let session = open(DOCTOR);
		advance(10);
		assert_ok!(BreakGlass::end_session(RuntimeOrigin::signed(PATIENT), session));
		System::assert_last_event(
			Event::SessionEnded { session_id: session, ended_by: PATIENT, at: NOW + 10 }.into(),
		);
		assert_eq!(active(DOCTOR, C::LabResults), None);
		// Ended is not settled: it still awaits its review, and the bond stays held.
		assert_eq!(state_of(PATIENT), EmergencySessionState::AwaitingReview);
		assert_eq!(bond_held(DOCTOR), BOND);
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(PATIENT), session),
			Error::<Test>::AlreadyEnded
		);
	});
}

#[test]
fn an_unjustified_verdict_slashes_the_bond_to_the_patient_and_withdraws_the_privilege() {
	test(|| {
		let session = open(DOCTOR);
		advance(DURATION);
		let patient_before = Balances::balance(&PATIENT);
		assert!(MockCredentials::withdrawn().is_empty());
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Unjustified));
		System::assert_has_event(reviewed(
			session,
			Reviewer::Auditor(AUDITOR),
			Verdict::Unjustified,
		));
		System::assert_last_event(doctors_bond_slashed(session, PATIENT));
		assert_eq!(bond_held(DOCTOR), 0);
		assert_eq!(Balances::balance(&DOCTOR), INITIAL_BALANCE - BOND);
		assert_eq!(Balances::balance(&PATIENT), patient_before + BOND);
		assert_eq!(MockCredentials::withdrawn(), vec![DOCTOR]);
		assert!(!MockCredentials::has_privilege(DOCTOR));
		assert!(Sessions::<Test>::get(session).is_none());
		assert_eq!(sessions_of(PATIENT), 0);
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::NoPrivilege);
	});
}

#[test]
fn a_slash_goes_to_the_configured_beneficiary_and_a_verdict_ends_an_open_session() {
	test(|| {
		SlashBeneficiary::set(&Some(TREASURY));
		let session = open(DOCTOR);
		advance(5);
		assert_ok!(review(RuntimeOrigin::root(), session, Verdict::Unjustified));
		System::assert_has_event(reviewed(session, Reviewer::Governance, Verdict::Unjustified));
		System::assert_last_event(doctors_bond_slashed(session, TREASURY));
		assert_eq!(Balances::balance(&TREASURY), 1 + BOND);
		assert_eq!(MockCredentials::withdrawn(), vec![DOCTOR]);
		assert_eq!(active(DOCTOR, C::LabResults), None);
	});
}

#[test]
fn a_practitioner_gone_from_the_registry_is_still_slashed() {
	test(|| {
		let session = open(DOCTOR);
		MockCredentials::remove(DOCTOR);
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Unjustified));
		assert_eq!(MockCredentials::withdrawn(), vec![DOCTOR], "the withdrawal was asked for");
		assert_eq!(bond_held(DOCTOR), 0);
		assert_eq!(Balances::balance(&DOCTOR), INITIAL_BALANCE - BOND);
		assert!(Sessions::<Test>::get(session).is_none());
	});
}

#[test]
fn only_an_auditor_of_the_same_organization_may_review_and_never_their_own_session() {
	test(|| {
		let session = open(DOCTOR_AUDITOR);
		let refused = |who: u64, error: Error<Test>| {
			assert_noop!(review(RuntimeOrigin::signed(who), session, Verdict::Justified), error);
		};
		refused(DOCTOR_AUDITOR, Error::<Test>::SelfReview);
		refused(CLINIC_AUDITOR, Error::<Test>::NotAuditor);
		refused(DOCTOR, Error::<Test>::NotAuditor);
		refused(PATIENT, Error::<Test>::NotAuditor);
		refused(STRANGER, Error::<Test>::NotAuditor);
		assert_noop!(review(RuntimeOrigin::none(), session, Verdict::Justified), BadOrigin);
		assert_noop!(
			review(RuntimeOrigin::signed(AUDITOR), 42, Verdict::Justified),
			Error::<Test>::NotFound
		);
		// An auditor whose credential is suspended is no auditor.
		MockCredentials::set_suspended(AUDITOR, true);
		refused(AUDITOR, Error::<Test>::NotAuditor);
		MockCredentials::set_suspended(AUDITOR, false);
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Justified));
		System::assert_last_event(reviewed(
			session,
			Reviewer::Auditor(AUDITOR),
			Verdict::Justified,
		));
		assert_eq!(
			Sessions::<Test>::get(session).map(|s| s.review),
			Some(Review::Justified { auditor: AUDITOR, at: NOW })
		);
		assert_eq!(active(DOCTOR_AUDITOR, C::LabResults), None, "a verdict ends the session");
		refused(AUDITOR, Error::<Test>::AlreadyReviewed);
	});
}

#[test]
fn a_justified_session_is_settled_after_the_contest_window() {
	test(|| {
		let session = open(DOCTOR);
		advance(DURATION);
		assert_noop!(
			BreakGlass::settle(RuntimeOrigin::signed(STRANGER), session),
			Error::<Test>::NotSettleable
		);
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Justified));
		assert_eq!(bond_held(DOCTOR), BOND, "held through the contest window");
		assert_eq!(state_of(PATIENT), EmergencySessionState::Justified);
		advance(CONTEST_WINDOW - 1);
		assert_noop!(
			BreakGlass::settle(RuntimeOrigin::signed(STRANGER), session),
			Error::<Test>::NotSettleable
		);
		advance(1);
		assert_noop!(BreakGlass::settle(RuntimeOrigin::none(), session), BadOrigin);
		assert_ok!(BreakGlass::settle(RuntimeOrigin::signed(STRANGER), session));
		System::assert_last_event(
			Event::BondReleased { session_id: session, practitioner: DOCTOR, amount: BOND }.into(),
		);
		assert_eq!((bond_held(DOCTOR), Balances::balance(&DOCTOR)), (0, INITIAL_BALANCE));
		assert!(MockCredentials::has_privilege(DOCTOR));
		assert!(MockCredentials::withdrawn().is_empty());
		assert!(Sessions::<Test>::get(session).is_none());
		assert_eq!(sessions_of(PATIENT), 0);
		assert_noop!(
			BreakGlass::settle(RuntimeOrigin::signed(STRANGER), session),
			Error::<Test>::NotFound
		);
	});
}

#[test]
fn a_contested_session_needs_a_governance_verdict() {
	test(|| {
		let session = open(DOCTOR);
		assert_noop!(
			BreakGlass::contest(RuntimeOrigin::signed(PATIENT), 42),
			Error::<Test>::NotFound
		);
		assert_ok!(BreakGlass::contest(RuntimeOrigin::signed(PATIENT), session));
		System::assert_last_event(
			Event::SessionContested { session_id: session, patient: PATIENT, at: NOW }.into(),
		);
		// Contesting an open session ends it: it answers for nothing more.
		assert_eq!(active(DOCTOR, C::LabResults), None);
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR), session),
			Error::<Test>::AlreadyEnded
		);
		assert_noop!(
			BreakGlass::contest(RuntimeOrigin::signed(PATIENT), session),
			Error::<Test>::AlreadyContested
		);
		advance(DURATION);
		assert_eq!(state_of(PATIENT), EmergencySessionState::Contested);
		assert_noop!(
			review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Justified),
			Error::<Test>::NeedsGovernance
		);
		assert_ok!(review(RuntimeOrigin::root(), session, Verdict::Justified));
		System::assert_last_event(
			Event::BondReleased { session_id: session, practitioner: DOCTOR, amount: BOND }.into(),
		);
		assert_eq!(bond_held(DOCTOR), 0, "a governance verdict is final");
		assert!(MockCredentials::withdrawn().is_empty(), "justified: the privilege stays");
		assert!(Sessions::<Test>::get(session).is_none());
	});
}

#[test]
fn the_patient_may_contest_a_justified_verdict_only_within_the_window() {
	test(|| {
		let first = open(DOCTOR);
		let second = open(DOCTOR_AUDITOR);
		advance(DURATION);
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), first, Verdict::Justified));
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), second, Verdict::Justified));
		advance(CONTEST_WINDOW - 1);
		assert_ok!(BreakGlass::contest(RuntimeOrigin::signed(PATIENT), first));
		assert_eq!(Sessions::<Test>::get(first).map(|s| s.review), Some(Review::Pending));
		assert_noop!(
			BreakGlass::settle(RuntimeOrigin::signed(STRANGER), first),
			Error::<Test>::NotSettleable
		);
		advance(1);
		assert_noop!(
			BreakGlass::contest(RuntimeOrigin::signed(PATIENT), second),
			Error::<Test>::ContestClosed
		);
		assert_ok!(review(RuntimeOrigin::root(), first, Verdict::Unjustified));
		assert_eq!(MockCredentials::withdrawn(), vec![DOCTOR]);
		assert!(!MockCredentials::has_privilege(DOCTOR));
		assert_eq!(bond_held(DOCTOR), 0);
		// The uncontested one settles as usual.
		assert_ok!(BreakGlass::settle(RuntimeOrigin::signed(STRANGER), second));
		assert_eq!(bond_held(DOCTOR_AUDITOR), 0);
	});
}

#[test]
fn overdue_reviews_are_listed_and_reported_once() {
	test(|| {
		let session = open(DOCTOR);
		assert_noop!(
			BreakGlass::report_overdue(RuntimeOrigin::signed(STRANGER), session),
			Error::<Test>::NotOverdue
		);
		advance(DURATION + REVIEW_WINDOW - 1);
		assert!(BreakGlass::overdue_reviews().is_empty());
		assert_noop!(
			BreakGlass::report_overdue(RuntimeOrigin::signed(STRANGER), session),
			Error::<Test>::NotOverdue
		);
		advance(1);
		assert_eq!(
			BreakGlass::overdue_reviews().iter().map(|v| v.id).collect::<Vec<_>>(),
			vec![session]
		);
		assert_eq!(state_of(PATIENT), EmergencySessionState::Overdue);
		assert_ok!(BreakGlass::report_overdue(RuntimeOrigin::signed(STRANGER), session));
		System::assert_last_event(
			Event::ReviewOverdue {
				session_id: session,
				patient: PATIENT,
				practitioner: DOCTOR,
				organization: HOSPITAL,
				due: NOW + DURATION + REVIEW_WINDOW,
			}
			.into(),
		);
		assert_noop!(
			BreakGlass::report_overdue(RuntimeOrigin::signed(STRANGER), session),
			Error::<Test>::AlreadyReported
		);
		assert_noop!(
			BreakGlass::report_overdue(RuntimeOrigin::signed(STRANGER), 42),
			Error::<Test>::NotFound
		);
		// A late review is still a review.
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Justified));
		assert!(BreakGlass::overdue_reviews().is_empty());
		assert_noop!(
			BreakGlass::report_overdue(RuntimeOrigin::signed(STRANGER), session),
			Error::<Test>::NotOverdue
		);
	});
}

#[test]
fn emergency_contacts_are_named_in_the_event_and_their_policy_holds_a_deposit() {
	test(|| {
		let deposit = || {
			Balances::balance_on_hold(
				&RuntimeHoldReason::BreakGlass(HoldReason::PolicyDeposit),
				&PATIENT,
			)
		};
		let contacts: crate::ContactsOf<Test> =
			BoundedVec::truncate_from(vec![CONTACT, OTHER_PATIENT]);
		assert_ok!(BreakGlass::set_emergency_contacts(
			RuntimeOrigin::signed(PATIENT),
			contacts.clone()
		));
		System::assert_last_event(
			Event::EmergencyContactsSet { patient: PATIENT, contacts: contacts.clone() }.into(),
		);
		assert!(deposit() > 0);
		open(DOCTOR);
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			RuntimeEvent::BreakGlass(Event::SessionOpened { contacts: named, .. }) if *named == contacts
		)));
		assert_ok!(BreakGlass::set_emergency_contacts(
			RuntimeOrigin::signed(PATIENT),
			BoundedVec::new()
		));
		assert_eq!(deposit(), 0, "the deposit goes back with the policy");
		assert!(Policies::<Test>::get(PATIENT).is_none());
	});
}

#[test]
fn a_patient_who_cannot_pay_the_policy_deposit_stores_no_policy() {
	test(|| {
		Balances::set_balance(&OTHER_PATIENT, 5);
		assert_noop!(
			BreakGlass::set_emergency_contacts(
				RuntimeOrigin::signed(OTHER_PATIENT),
				BoundedVec::truncate_from(vec![CONTACT])
			),
			TokenError::FundsUnavailable
		);
		assert_noop!(
			BreakGlass::set_opt_out(RuntimeOrigin::signed(OTHER_PATIENT), true),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn a_patient_opts_out_only_where_the_runtime_allows_it() {
	test(|| {
		assert_ok!(BreakGlass::set_opt_out(RuntimeOrigin::signed(PATIENT), true));
		System::assert_last_event(Event::OptOutSet { patient: PATIENT, opted_out: true }.into());
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::OptedOut);
		assert_ok!(open_as(DOCTOR, OTHER_PATIENT));

		AllowOptOut::set(&false);
		assert_noop!(
			BreakGlass::set_opt_out(RuntimeOrigin::signed(OTHER_PATIENT), true),
			Error::<Test>::OptOutNotAllowed
		);
		// Where the policy no longer allows it, an earlier opt-out does not stop emergency care.
		assert_ok!(open_as(DOCTOR, PATIENT));
		AllowOptOut::set(&true);
		assert_ok!(BreakGlass::set_opt_out(RuntimeOrigin::signed(PATIENT), false));
		System::assert_last_event(Event::OptOutSet { patient: PATIENT, opted_out: false }.into());
		assert!(Policies::<Test>::get(PATIENT).is_none());
	});
}

#[test]
fn governance_sets_the_session_duration_within_the_cap() {
	test(|| {
		assert_noop!(
			BreakGlass::set_session_duration(RuntimeOrigin::root(), 0),
			Error::<Test>::InvalidDuration
		);
		assert_noop!(
			BreakGlass::set_session_duration(RuntimeOrigin::root(), MAX_DURATION + 1),
			Error::<Test>::InvalidDuration
		);
		assert_ok!(BreakGlass::set_session_duration(RuntimeOrigin::root(), MAX_DURATION));
		System::assert_last_event(Event::SessionDurationSet { duration: MAX_DURATION }.into());
		assert_eq!(SessionDuration::<Test>::get(), MAX_DURATION);
		let session = open(DOCTOR);
		assert_eq!(Sessions::<Test>::get(session).unwrap().end, NOW + MAX_DURATION);
	});
}

#[test]
fn a_session_anchors_a_bounded_number_of_records() {
	test(|| {
		let session = open(DOCTOR);
		for _ in 0..MAX_WRITES {
			assert_ok!(note_write(session));
		}
		assert_noop!(note_write(session), Error::<Test>::TooManyWrites);
		assert_eq!(Sessions::<Test>::get(session).map(|s| s.writes), Some(MAX_WRITES));
		assert_noop!(note_write(session + 1), Error::<Test>::NotFound);
		// The count is per session.
		let other = open_as(DOCTOR, OTHER_PATIENT).unwrap();
		assert_ok!(note_write(other));
	});
}

#[test]
fn a_sponsored_patient_calls_for_free_and_nobody_else_does() {
	test(|| {
		use crate::Call;
		MockSponsorship::sponsor(PATIENT);
		let patient_calls: [RuntimeCall; 4] = [
			Call::end_session { session_id: 0 }.into(),
			Call::contest { session_id: 0 }.into(),
			Call::set_emergency_contacts { contacts: BoundedVec::new() }.into(),
			Call::set_opt_out { opted_out: true }.into(),
		];
		for call in &patient_calls {
			assert!(call.is_feeless(&RuntimeOrigin::signed(PATIENT)), "sponsored: {call:?}");
			assert!(!call.is_feeless(&RuntimeOrigin::signed(OTHER_PATIENT)), "{call:?}");
			assert!(!call.is_feeless(&RuntimeOrigin::root()), "{call:?}");
		}
		// A sponsored account pays for the practitioners', auditors' and anyone's calls.
		let other_calls: [RuntimeCall; 5] = [
			Call::break_glass {
				patient: OTHER_PATIENT,
				purpose: P::EmergencyTreat,
				reason: R::Unconscious,
				justification_hash: H256::zero(),
				categories: None,
			}
			.into(),
			Call::review { session_id: 0, verdict: Verdict::Justified, notes_hash: H256::zero() }
				.into(),
			Call::settle { session_id: 0 }.into(),
			Call::report_overdue { session_id: 0 }.into(),
			Call::set_session_duration { duration: DURATION }.into(),
		];
		for call in &other_calls {
			assert!(!call.is_feeless(&RuntimeOrigin::signed(PATIENT)), "{call:?}");
		}
	});
}

/// Sixty days of an ICU stay: every eight-hour shift two clinicians (of a rota of six) break
/// the glass, sessions run their course or end early, auditors review a few late and most
/// never. Every session a valid, privileged practitioner asks for opens.
#[test]
fn sixty_days_in_intensive_care_with_late_or_missing_reviews_never_lock_emergency_access() {
	test(|| {
		let rota: Vec<u64> = (100..106).collect();
		for who in &rota {
			MockCredentials::register(*who, HOSPITAL, RoleSet::from(Role::Physician), true);
			Balances::set_balance(who, INITIAL_BALANCE);
		}
		// Mock time is compressed: a shift is a third of the practitioner rate window.
		let shift = RATE_WINDOW / 3;
		let (mut opened, mut reviewed) = (0u32, 0u32);
		for turn in 0..(60 * 3) {
			for k in 0..2usize {
				let who = rota[(turn * 2 + k) % rota.len()];
				let session = open_as(who, PATIENT).unwrap_or_else(|e| {
					panic!("shift {turn}: {who} was refused emergency access: {e:?}")
				});
				opened += 1;
				assert_eq!(active(who, C::LabResults), Some(session));
				if turn % 5 == 0 && k == 0 {
					assert_ok!(BreakGlass::end_session(RuntimeOrigin::signed(who), session));
				}
				if turn % 7 == 0 && k == 1 {
					// A late review: justified, then the contest window runs.
					advance(DURATION);
					assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Justified));
					reviewed += 1;
				}
			}
			advance(shift);
		}
		assert_eq!(opened, 360);
		// Nothing was settled: the backlog holds every session, and it refused nothing.
		assert_eq!(sessions_of(PATIENT), 360);
		assert!(reviewed > 0);
	});
}

mod authorization {
	//! Every call of the pallet, tried from every origin that must be refused: the named error,
	//! no change to storage, no event. And each call from the origin it is meant for, against
	//! the same state, succeeds: the refusals are the origin's doing.

	use super::*;
	use crate::Call;
	use frame_support::traits::{GetCallMetadata, GetCallName};
	use std::collections::BTreeSet;

	/// A practitioner with the privilege whose credential is suspended.
	const SUSPENDED_DOCTOR: u64 = 16;
	/// A practitioner with the privilege at a suspended organization.
	const REHAB_DOCTOR: u64 = 17;
	/// An auditor of the hospital whose credential is suspended.
	const SUSPENDED_AUDITOR: u64 = 22;
	/// An auditor of the hospital whose licence lapsed.
	const LAPSED_AUDITOR: u64 = 23;
	/// A delegate of the patient, signing as themself rather than through the patient's proxy.
	const DELEGATE: u64 = 4;
	/// A suspended organization.
	const REHAB: consent_primitives::OrgId = 2;

	/// The sessions the matrix's calls name.
	struct Fixture {
		/// DOCTOR's on PATIENT, open.
		open: SessionId,
		/// DOCTOR_AUDITOR's on PATIENT, open.
		auditors_own: SessionId,
		/// CLINIC_DOCTOR's on OTHER_PATIENT, open then contested by the patient.
		contested: SessionId,
		/// DOCTOR's on OTHER_PATIENT, justified by an auditor, contest window passed.
		settleable: SessionId,
		/// CLINIC_DOCTOR's on THIRD_PATIENT, never reviewed, review window passed.
		overdue: SessionId,
	}

	/// The accounts above, and each kind of session a call may name.
	fn fixture() -> Fixture {
		let physician = RoleSet::from(Role::Physician);
		let auditor = RoleSet::from(Role::Auditor);
		MockCredentials::register(SUSPENDED_DOCTOR, HOSPITAL, physician, true);
		MockCredentials::set_suspended(SUSPENDED_DOCTOR, true);
		MockCredentials::register(REHAB_DOCTOR, REHAB, physician, true);
		MockCredentials::suspend_organization(REHAB);
		MockCredentials::register(SUSPENDED_AUDITOR, HOSPITAL, auditor, false);
		MockCredentials::set_suspended(SUSPENDED_AUDITOR, true);
		MockCredentials::register(LAPSED_AUDITOR, HOSPITAL, auditor, false);
		MockCredentials::set_licence_expiry(LAPSED_AUDITOR, NOW + 1);

		let settleable = open_as(DOCTOR, OTHER_PATIENT).unwrap();
		let overdue = open_as(CLINIC_DOCTOR, THIRD_PATIENT).unwrap();
		advance(DURATION);
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), settleable, Verdict::Justified));
		advance(REVIEW_WINDOW.max(CONTEST_WINDOW));
		let open_by_doctor = open(DOCTOR);
		let auditors_own = open(DOCTOR_AUDITOR);
		let contested = open_as(CLINIC_DOCTOR, OTHER_PATIENT).unwrap();
		assert_ok!(BreakGlass::contest(RuntimeOrigin::signed(OTHER_PATIENT), contested));
		Fixture { open: open_by_doctor, auditors_own, contested, settleable, overdue }
	}

	/// A call that `origin` must not be able to make, and the error that says why.
	struct Refusal {
		label: String,
		origin: RuntimeOrigin,
		call: RuntimeCall,
		error: DispatchError,
	}

	fn signed(who: u64) -> RuntimeOrigin {
		RuntimeOrigin::signed(who)
	}

	fn error(e: Error<Test>) -> DispatchError {
		e.into()
	}

	fn break_glass_on(patient: u64) -> RuntimeCall {
		Call::break_glass {
			patient,
			purpose: P::EmergencyTreat,
			reason: R::Unconscious,
			justification_hash: H256::zero(),
			categories: None,
		}
		.into()
	}

	fn review_of(session_id: SessionId) -> RuntimeCall {
		Call::review { session_id, verdict: Verdict::Justified, notes_hash: H256::zero() }.into()
	}

	fn contacts() -> RuntimeCall {
		Call::set_emergency_contacts { contacts: BoundedVec::truncate_from(vec![CONTACT]) }.into()
	}

	/// Who an account of the matrix is, for a row's label.
	fn described(account: u64) -> &'static str {
		match account {
			PATIENT => "the patient",
			OTHER_PATIENT => "another patient",
			DELEGATE => "a delegate of the patient, as themself",
			DOCTOR => "the practitioner of the open session",
			DOCTOR_AUDITOR => "a colleague and auditor, with a session on the same patient",
			NO_PRIVILEGE => "a physician of the organization with no privilege",
			LAPSED => "a physician whose licence lapsed",
			SUSPENDED_DOCTOR => "a physician whose credential is suspended",
			REHAB_DOCTOR => "a physician of a suspended organization",
			AUDITOR => "the organization's auditor",
			CLINIC_AUDITOR => "another organization's auditor",
			SUSPENDED_AUDITOR => "a suspended auditor",
			LAPSED_AUDITOR => "a lapsed auditor",
			ADMIN => "an admin",
			STRANGER => "a stranger",
			_ => "an account the matrix does not describe",
		}
	}

	/// Each of `accounts`, described, as a signed origin.
	fn signers(accounts: &[u64]) -> Vec<(&'static str, RuntimeOrigin)> {
		accounts.iter().map(|&a| (described(a), signed(a))).collect()
	}

	fn refusals(s: &Fixture) -> Vec<Refusal> {
		use Error as E;
		let end = |session_id| -> RuntimeCall { Call::end_session { session_id }.into() };
		let contest = |session_id| -> RuntimeCall { Call::contest { session_id }.into() };
		let duration: RuntimeCall = Call::set_session_duration { duration: MAX_DURATION }.into();
		// Patients with room for a session: THIRD_PATIENT's only session has ended.
		let bg = || break_glass_on(THIRD_PATIENT);
		let mut rows = Vec::new();
		// `call` (named `name`) from each of `origins` (described), refused with `error`.
		let mut refuse = |name: &str, call: RuntimeCall, error, origins: Vec<(&str, _)>| {
			for (who, origin) in origins {
				let label = format!("{name}: {who}");
				rows.push(Refusal { label, origin, call: call.clone(), error });
			}
		};
		let unsigned = || vec![("Root", RuntimeOrigin::root()), ("None", RuntimeOrigin::none())];

		// Every call is signed but `review` (governance reviews a contested session) and
		// `set_session_duration` (governance's only).
		for (name, call) in [
			("break_glass", bg()),
			("end_session", end(s.open)),
			("contest", contest(s.open)),
			("settle", Call::settle { session_id: s.settleable }.into()),
			("report_overdue", Call::report_overdue { session_id: s.overdue }.into()),
			("set_emergency_contacts", contacts()),
			("set_opt_out", Call::set_opt_out { opted_out: true }.into()),
		] {
			refuse(name, call, BadOrigin, unsigned());
		}
		refuse("review", review_of(s.open), BadOrigin, vec![("None", RuntimeOrigin::none())]);
		refuse(
			"set_session_duration",
			duration.clone(),
			BadOrigin,
			vec![("None", RuntimeOrigin::none())],
		);
		refuse("set_session_duration", duration, BadOrigin, signers(&[ADMIN, AUDITOR, PATIENT]));

		let no_credential = [STRANGER, OTHER_PATIENT, LAPSED, SUSPENDED_DOCTOR, REHAB_DOCTOR];
		refuse("break_glass", bg(), error(E::CredentialInvalid), signers(&no_credential));
		refuse("break_glass", bg(), error(E::NoPrivilege), signers(&[NO_PRIVILEGE, AUDITOR]));
		let on_themself = break_glass_on(DOCTOR);
		refuse("break_glass, on themself", on_themself, error(E::SelfAccess), signers(&[DOCTOR]));

		let not_participants = [STRANGER, DELEGATE, OTHER_PATIENT, DOCTOR_AUDITOR, AUDITOR];
		refuse("end_session", end(s.open), error(E::NotParticipant), signers(&not_participants));

		let not_auditors =
			[STRANGER, PATIENT, NO_PRIVILEGE, CLINIC_AUDITOR, SUSPENDED_AUDITOR, LAPSED_AUDITOR];
		refuse("review", review_of(s.open), error(E::NotAuditor), signers(&not_auditors));
		let own = "review, their own session";
		refuse(own, review_of(s.open), error(E::SelfReview), signers(&[DOCTOR]));
		refuse(own, review_of(s.auditors_own), error(E::SelfReview), signers(&[DOCTOR_AUDITOR]));
		let contested = review_of(s.contested);
		let needs_governance = error(E::NeedsGovernance);
		refuse(
			"review, a contested session",
			contested,
			needs_governance,
			signers(&[CLINIC_AUDITOR]),
		);

		let not_the_patient = [DOCTOR, AUDITOR, OTHER_PATIENT, DELEGATE, STRANGER];
		refuse("contest", contest(s.open), error(E::NotPatient), signers(&not_the_patient));
		rows
	}

	/// Each call from the origin it is meant for, against the matrix's state.
	fn permitted(s: &Fixture) -> Vec<(&'static str, RuntimeOrigin, RuntimeCall)> {
		vec![
			("break_glass", signed(DOCTOR), break_glass_on(THIRD_PATIENT)),
			(
				"end_session: practitioner",
				signed(DOCTOR),
				Call::end_session { session_id: s.open }.into(),
			),
			(
				"end_session: patient",
				signed(PATIENT),
				Call::end_session { session_id: s.open }.into(),
			),
			("review: auditor", signed(AUDITOR), review_of(s.open)),
			("review: governance, contested", RuntimeOrigin::root(), review_of(s.contested)),
			("contest", signed(PATIENT), Call::contest { session_id: s.open }.into()),
			("settle", signed(STRANGER), Call::settle { session_id: s.settleable }.into()),
			(
				"report_overdue",
				signed(STRANGER),
				Call::report_overdue { session_id: s.overdue }.into(),
			),
			("set_emergency_contacts", signed(PATIENT), contacts()),
			("set_opt_out", signed(PATIENT), Call::set_opt_out { opted_out: true }.into()),
			(
				"set_session_duration",
				RuntimeOrigin::root(),
				Call::set_session_duration { duration: MAX_DURATION }.into(),
			),
		]
	}

	/// The names of the pallet's calls among `calls`.
	fn names<'a>(calls: impl Iterator<Item = &'a RuntimeCall>) -> BTreeSet<&'static str> {
		calls.map(|call| call.get_call_metadata().function_name).collect()
	}

	/// The names of every call of the pallet.
	fn every_call() -> BTreeSet<&'static str> {
		Call::<Test>::get_call_names().iter().copied().collect()
	}

	#[test]
	fn every_call_refuses_every_origin_it_is_not_meant_for() {
		test(|| {
			let rows = refusals(&fixture());
			assert_eq!(names(rows.iter().map(|r| &r.call)), every_call(), "a call without rows");
			for Refusal { label, origin, call, error } in rows {
				let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
				let events = System::events().len();
				let result = call.dispatch(origin).map_err(|e| e.error);
				assert_eq!(result, Err(error), "{label}");
				assert_eq!(
					sp_io::storage::root(sp_runtime::StateVersion::V1),
					root,
					"{label}: storage changed"
				);
				assert_eq!(System::events().len(), events, "{label}: an event was deposited");
			}
		});
	}

	#[test]
	fn every_call_succeeds_from_the_origin_it_is_meant_for() {
		let calls = new_test_ext().execute_with(|| {
			let calls = permitted(&fixture());
			assert_eq!(names(calls.iter().map(|(_, _, call)| call)), every_call());
			calls.len()
		});
		for index in 0..calls {
			test(|| {
				let (label, origin, call) = permitted(&fixture()).swap_remove(index);
				let events = System::events().len();
				assert_ok!(call.dispatch(origin).map_err(|e| (label, e)));
				assert!(System::events().len() > events, "{label}: no event");
			});
		}
	}
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	#[derive(Debug, Clone)]
	enum Step {
		Break,
		End,
		Advance(u64),
		Suspend,
		Reinstate,
		Review(bool),
		Contest,
		Settle,
	}

	fn any_step() -> impl Strategy<Value = Step> {
		prop_oneof![
			3 => Just(Step::Break),
			1 => Just(Step::End),
			3 => (1u64..=DURATION).prop_map(Step::Advance),
			1 => Just(Step::Suspend),
			1 => Just(Step::Reinstate),
			1 => any::<bool>().prop_map(Step::Review),
			1 => Just(Step::Contest),
			1 => Just(Step::Settle),
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(128))]

		/// Whatever the sequence, the session emergency access answers with is a stored session
		/// of this practitioner that has not ended, and whose practitioner's credential is valid
		/// now.
		#[test]
		fn no_sequence_lets_a_session_answer_after_its_end_or_a_lapsed_credential(
			steps in proptest::collection::vec(any_step(), 1..24),
		) {
			new_test_ext().execute_with(|| {
				// Each session's end as opened, tightened by every early end or verdict.
				let mut ends = std::collections::BTreeMap::<u64, u64>::new();
				for step in steps {
					let now = Timestamp::get();
					let latest = NextSessionId::<Test>::get().checked_sub(1);
					match step {
						Step::Break => {
							if let Ok(id) = open_as(DOCTOR, PATIENT) {
								ends.insert(id, now + DURATION);
							}
						},
						Step::End => if let Some(id) = latest {
							if BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR), id).is_ok() {
								ends.insert(id, now);
							}
						},
						Step::Advance(ms) => advance(ms),
						Step::Suspend => MockCredentials::set_suspended(DOCTOR, true),
						Step::Reinstate => MockCredentials::set_suspended(DOCTOR, false),
						Step::Review(justified) => if let Some(id) = latest {
							let verdict = if justified { Verdict::Justified } else { Verdict::Unjustified };
							if review(RuntimeOrigin::signed(AUDITOR), id, verdict).is_ok() {
								ends.entry(id).and_modify(|end| *end = (*end).min(now));
							}
						},
						Step::Contest => if let Some(id) = latest {
							if BreakGlass::contest(RuntimeOrigin::signed(PATIENT), id).is_ok() {
								ends.entry(id).and_modify(|end| *end = (*end).min(now));
							}
						},
						Step::Settle => if let Some(id) = latest {
							let _ = BreakGlass::settle(RuntimeOrigin::signed(STRANGER), id);
						},
					}
					let now = Timestamp::get();
					if let Some(id) = active(DOCTOR, C::LabResults) {
						prop_assert!(ends.get(&id).is_some_and(|end| now < *end), "answered after the end");
						prop_assert!(Sessions::<Test>::contains_key(id), "answered from a settled session");
						prop_assert_eq!(ActiveSession::<Test>::get(PATIENT, DOCTOR), Some(id));
						use consent_primitives::CredentialInspect;
						prop_assert!(
							MockCredentials::credential(&DOCTOR, now).is_some_and(|c| c.valid),
							"answered with a lapsed credential"
						);
					}
					BreakGlass::do_try_state().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
				}
				Ok(())
			})?;
		}
	}
}
