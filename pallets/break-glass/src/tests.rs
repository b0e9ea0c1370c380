//! Unit tests of the break-glass pallet: the session state machine, every call's errors and
//! refused origins, bonds, the access decision it feeds, and a property test that no sequence of
//! calls lets a session permit after its end or after its practitioner's credential lapsed.

use crate::{
	mock::*, ActiveSession, Error, Event, HoldReason, PatientSessions, Policies, Review, Reviewer,
	SessionDuration, Sessions,
};
use consent_primitives::{
	Action, CategorySet, DataCategory as C, Decision, DenyReason, EmergencyReason as R,
	PermitReason, Purpose as P, PurposeSet, SessionState, Verdict,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use sp_core::H256;
use sp_runtime::{DispatchError::BadOrigin, TokenError};

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		BreakGlass::do_try_state().expect("invariants hold");
	});
}

fn open_as(practitioner: u64, patient: u64) -> Result<u64, sp_runtime::DispatchError> {
	let id = crate::NextSessionId::<Test>::get();
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

fn open(practitioner: u64) -> u64 {
	open_as(practitioner, PATIENT).expect("glass broken")
}

fn bond_held(who: u64) -> u64 {
	Balances::balance_on_hold(&RuntimeHoldReason::BreakGlass(HoldReason::Bond), &who)
}

fn decide(accessor: u64, category: C) -> Decision {
	Consent::decide(&PATIENT, &accessor, category, Action::Read, P::EmergencyTreat, None)
}

fn advance(ms: u64) {
	Timestamp::set_timestamp(Timestamp::get() + ms);
}

fn review(origin: RuntimeOrigin, session: u64, verdict: Verdict) -> sp_runtime::DispatchResult {
	BreakGlass::review(origin, session, verdict, H256::repeat_byte(7))
}

/// How many unsettled sessions the patient has.
fn sessions_of(patient: u64) -> usize {
	PatientSessions::<Test>::iter_key_prefix(patient).count()
}

fn has_privilege(who: u64) -> bool {
	use consent_primitives::CredentialInspect;
	Registry::credential(&who, Timestamp::get()).is_some_and(|c| c.break_glass)
}

#[test]
fn breaking_the_glass_opens_a_bonded_time_boxed_session_that_the_decision_honours() {
	test(|| {
		assert_eq!(decide(DOCTOR, C::LabResults), Decision::Deny(DenyReason::NoConsent));
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
		assert_eq!(
			decide(DOCTOR, C::LabResults),
			Decision::Permit(PermitReason::Emergency(session))
		);
		assert_eq!(decide(DOCTOR, C::MentalHealth), Decision::Deny(DenyReason::NoConsent));
		assert_eq!(decide(DOCTOR_AUDITOR, C::LabResults), Decision::Deny(DenyReason::NoConsent));
		assert_eq!(BreakGlass::sessions_of(&PATIENT)[0].state, SessionState::Open);

		advance(DURATION - 1);
		assert!(decide(DOCTOR, C::LabResults).is_permit());
		advance(1);
		assert_eq!(decide(DOCTOR, C::LabResults), Decision::Deny(DenyReason::NoConsent));
		assert_eq!(BreakGlass::sessions_of(&PATIENT)[0].state, SessionState::AwaitingReview);
		assert_eq!(bond_held(DOCTOR), BOND, "the bond waits for the review");
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
		assert_ok!(Registry::suspend_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR));
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::CredentialInvalid);
		assert_noop!(open_as(POOR, PATIENT), TokenError::FundsUnavailable);
	});
}

#[test]
fn breaking_the_glass_refuses_bad_purposes_scopes_and_too_many_sessions() {
	test(|| {
		let with = |purpose: P, categories: Option<CategorySet>| {
			BreakGlass::break_glass(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				purpose,
				R::LifeThreatening,
				H256::zero(),
				categories.map(CategorySet::to_list),
			)
		};
		for purpose in [P::Treat, P::Research, P::Payment] {
			assert_noop!(with(purpose, None), Error::<Test>::InvalidPurpose);
		}
		assert_noop!(with(P::BreakTheGlass, Some(CategorySet::empty())), Error::<Test>::EmptyScope);
		assert_noop!(
			with(P::BreakTheGlass, Some(C::SubstanceUse.into())),
			Error::<Test>::SensitiveNotAllowed
		);
		assert_ok!(with(P::BreakTheGlass, Some(C::Allergies.into())));
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::AlreadyOpen);
		open(DOCTOR_AUDITOR);
		assert_noop!(open_as(CLINIC_DOCTOR, PATIENT), Error::<Test>::TooManyConcurrent);

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
fn a_practitioner_is_rate_limited_over_a_rolling_window() {
	test(|| {
		open_as(DOCTOR, PATIENT).unwrap();
		open_as(DOCTOR, OTHER_PATIENT).unwrap();
		open_as(DOCTOR, THIRD_PATIENT).unwrap();
		advance(DURATION);
		assert_noop!(open_as(DOCTOR, PATIENT), Error::<Test>::RateLimited);
		advance(RATE_WINDOW - DURATION);
		assert_ok!(open_as(DOCTOR, PATIENT));
	});
}

#[test]
fn the_practitioner_ends_a_session_early_and_it_stops_permitting() {
	test(|| {
		let session = open(DOCTOR);
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR_AUDITOR), session),
			Error::<Test>::NotParticipant
		);
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(OTHER_PATIENT), session),
			Error::<Test>::NotParticipant
		);
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR), 42),
			Error::<Test>::NotFound
		);
		advance(10);
		assert_ok!(BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR), session));
		System::assert_last_event(
			Event::SessionEnded { session_id: session, ended_by: DOCTOR, at: NOW + 10 }.into(),
		);
		assert_eq!(decide(DOCTOR, C::LabResults), Decision::Deny(DenyReason::NoConsent));
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(DOCTOR), session),
			Error::<Test>::AlreadyEnded
		);
		// A new session may open once the old one ended.
		assert_ok!(open_as(DOCTOR, PATIENT));
	});
}

#[test]
fn an_unjustified_verdict_slashes_the_bond_to_the_patient_and_withdraws_the_privilege() {
	test(|| {
		let session = open(DOCTOR);
		advance(DURATION);
		let patient_before = Balances::balance(&PATIENT);
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Unjustified));
		System::assert_has_event(
			Event::SessionReviewed {
				session_id: session,
				reviewer: Reviewer::Auditor(AUDITOR),
				verdict: Verdict::Unjustified,
				notes_hash: H256::repeat_byte(7),
			}
			.into(),
		);
		System::assert_last_event(
			Event::BondSlashed {
				session_id: session,
				practitioner: DOCTOR,
				beneficiary: PATIENT,
				amount: BOND,
			}
			.into(),
		);
		assert_eq!(bond_held(DOCTOR), 0);
		assert_eq!(Balances::balance(&DOCTOR), INITIAL_BALANCE - BOND);
		assert_eq!(Balances::balance(&PATIENT), patient_before + BOND);
		assert!(!has_privilege(DOCTOR));
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
		assert_eq!(Balances::balance(&TREASURY), 1 + BOND);
		assert_eq!(decide(DOCTOR, C::LabResults), Decision::Deny(DenyReason::NoConsent));
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
		assert_ok!(Registry::suspend_practitioner(RuntimeOrigin::signed(ADMIN), AUDITOR));
		refused(AUDITOR, Error::<Test>::NotAuditor);
		assert_ok!(Registry::reinstate_practitioner(RuntimeOrigin::signed(ADMIN), AUDITOR));
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Justified));
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
		assert_eq!(BreakGlass::sessions_of(&PATIENT)[0].state, SessionState::Justified);
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
		assert!(has_privilege(DOCTOR));
		assert!(Sessions::<Test>::get(session).is_none());
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
		for who in [DOCTOR, AUDITOR, OTHER_PATIENT, STRANGER] {
			assert_noop!(
				BreakGlass::contest(RuntimeOrigin::signed(who), session),
				Error::<Test>::NotPatient
			);
		}
		assert_noop!(BreakGlass::contest(RuntimeOrigin::root(), session), BadOrigin);
		assert_ok!(BreakGlass::contest(RuntimeOrigin::signed(PATIENT), session));
		System::assert_last_event(
			Event::SessionContested { session_id: session, patient: PATIENT, at: NOW }.into(),
		);
		// Contesting an open session ends it: it permits nothing more.
		assert_eq!(decide(DOCTOR, C::LabResults), Decision::Deny(DenyReason::NoConsent));
		assert_noop!(
			BreakGlass::contest(RuntimeOrigin::signed(PATIENT), session),
			Error::<Test>::AlreadyContested
		);
		advance(DURATION);
		assert_eq!(BreakGlass::sessions_of(&PATIENT)[0].state, SessionState::Contested);
		assert_noop!(
			review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Justified),
			Error::<Test>::NeedsGovernance
		);
		assert_ok!(review(RuntimeOrigin::root(), session, Verdict::Justified));
		assert_eq!(bond_held(DOCTOR), 0, "a governance verdict is final");
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
		assert_eq!(Sessions::<Test>::get(first).unwrap().review, Review::Pending);
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
		assert!(!has_privilege(DOCTOR));
		assert_eq!(bond_held(DOCTOR), 0);
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
		advance(1);
		assert_eq!(
			BreakGlass::overdue_reviews().iter().map(|v| v.id).collect::<Vec<_>>(),
			vec![session]
		);
		assert_eq!(BreakGlass::sessions_of(&PATIENT)[0].state, SessionState::Overdue);
		assert_noop!(BreakGlass::report_overdue(RuntimeOrigin::none(), session), BadOrigin);
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
		assert_noop!(
			BreakGlass::set_emergency_contacts(RuntimeOrigin::root(), BoundedVec::new()),
			BadOrigin
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
		assert!(Policies::<Test>::get(PATIENT).is_none());
		assert_noop!(BreakGlass::set_opt_out(RuntimeOrigin::none(), true), BadOrigin);
	});
}

#[test]
fn governance_sets_the_session_duration_within_the_cap() {
	test(|| {
		assert_noop!(
			BreakGlass::set_session_duration(RuntimeOrigin::signed(ADMIN), 2_000),
			BadOrigin
		);
		assert_noop!(
			BreakGlass::set_session_duration(RuntimeOrigin::root(), 0),
			Error::<Test>::InvalidDuration
		);
		assert_noop!(
			BreakGlass::set_session_duration(RuntimeOrigin::root(), MAX_DURATION + 1),
			Error::<Test>::InvalidDuration
		);
		assert_ok!(BreakGlass::set_session_duration(RuntimeOrigin::root(), MAX_DURATION));
		assert_eq!(SessionDuration::<Test>::get(), MAX_DURATION);
		let session = open(DOCTOR);
		assert_eq!(Sessions::<Test>::get(session).unwrap().end, NOW + MAX_DURATION);
	});
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

		/// Whatever the sequence, an emergency permit names a stored session of this
		/// practitioner that has not ended, and whose practitioner's credential is valid now.
		#[test]
		fn no_sequence_lets_a_session_permit_after_its_end_or_a_lapsed_credential(
			steps in proptest::collection::vec(any_step(), 1..24),
		) {
			new_test_ext().execute_with(|| {
				// Each session's end as opened, tightened by every early end or verdict.
				let mut ends = std::collections::BTreeMap::<u64, u64>::new();
				for step in steps {
					let now = Timestamp::get();
					let latest = crate::NextSessionId::<Test>::get().checked_sub(1);
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
						Step::Suspend => {
							let _ = Registry::suspend_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR);
						},
						Step::Reinstate => {
							let _ = Registry::reinstate_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR);
						},
						Step::Review(justified) => if let Some(id) = latest {
							let verdict = if justified { Verdict::Justified } else { Verdict::Unjustified };
							if review(RuntimeOrigin::signed(AUDITOR), id, verdict).is_ok() {
								ends.entry(id).and_modify(|end| *end = (*end).min(now));
							}
						},
						Step::Contest => if let Some(id) = latest {
							let _ = BreakGlass::contest(RuntimeOrigin::signed(PATIENT), id);
						},
						Step::Settle => if let Some(id) = latest {
							let _ = BreakGlass::settle(RuntimeOrigin::signed(STRANGER), id);
						},
					}
					let now = Timestamp::get();
					if let Decision::Permit(PermitReason::Emergency(id)) = decide(DOCTOR, C::LabResults) {
						prop_assert!(ends.get(&id).is_some_and(|end| now < *end), "permit after the end");
						prop_assert!(Sessions::<Test>::contains_key(id), "permit from a settled session");
						prop_assert_eq!(ActiveSession::<Test>::get(PATIENT, DOCTOR), Some(id));
						use consent_primitives::CredentialInspect;
						prop_assert!(
							Registry::credential(&DOCTOR, now).is_some_and(|c| c.valid),
							"permit with a lapsed credential"
						);
					}
					BreakGlass::do_try_state().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
				}
				Ok(())
			})?;
		}
	}
}

/// The decision for `accessor` reading or writing lab results of the patient.
fn decide_as(accessor: u64, action: Action, purpose: P, record: Option<H256>) -> Decision {
	Consent::decide(&PATIENT, &accessor, C::LabResults, action, purpose, record)
}

#[test]
fn a_session_permits_only_emergency_reads_and_new_emergency_records() {
	test(|| {
		let session = open(DOCTOR);
		let emergency = Decision::Permit(PermitReason::Emergency(session));
		let denied = Decision::Deny(DenyReason::NoConsent);
		for purpose in [P::EmergencyTreat, P::BreakTheGlass] {
			assert_eq!(decide_as(DOCTOR, Action::Read, purpose, None), emergency);
			assert_eq!(decide_as(DOCTOR, Action::Read, purpose, Some(H256::zero())), emergency);
			// Anchoring a new record that documents the emergency care.
			assert_eq!(decide_as(DOCTOR, Action::Write, purpose, None), emergency);
			// Never an amend of an existing record.
			assert_eq!(decide_as(DOCTOR, Action::Write, purpose, Some(H256::zero())), denied);
		}
		for purpose in [P::Treat, P::Research, P::Payment, P::Operations, P::PublicHealth] {
			assert_eq!(decide_as(DOCTOR, Action::Read, purpose, None), denied);
			assert_eq!(decide_as(DOCTOR, Action::Write, purpose, None), denied);
		}
		// Another practitioner gets nothing from DOCTOR's session.
		assert_eq!(decide_as(DOCTOR_AUDITOR, Action::Read, P::EmergencyTreat, None), denied);
	});
}

#[test]
fn a_session_anchors_a_bounded_number_of_records() {
	use consent_primitives::AccessControl;
	test(|| {
		let session = open(DOCTOR);
		assert_ok!(<Consent as AccessControl<u64>>::note_emergency_write(session));
		assert_ok!(<Consent as AccessControl<u64>>::note_emergency_write(session));
		assert_noop!(
			<Consent as AccessControl<u64>>::note_emergency_write(session),
			Error::<Test>::TooManyWrites
		);
		assert_eq!(Sessions::<Test>::get(session).map(|s| s.writes), Some(2));
		assert_noop!(
			<Consent as AccessControl<u64>>::note_emergency_write(session + 1),
			Error::<Test>::NotFound
		);
	});
}

#[test]
fn a_deny_rule_naming_an_emergency_purpose_beats_a_session() {
	test(|| {
		let session = open(DOCTOR);
		assert!(decide_as(DOCTOR, Action::Read, P::BreakTheGlass, None).is_permit());
		assert_ok!(Consent::add_deny_rule(
			RuntimeOrigin::signed(PATIENT),
			None,
			CategorySet::from(C::LabResults).to_list(),
			[P::EmergencyTreat, P::BreakTheGlass].into_iter().collect::<PurposeSet>().to_list(),
		));
		for purpose in [P::EmergencyTreat, P::BreakTheGlass] {
			assert!(matches!(
				decide_as(DOCTOR, Action::Read, purpose, None),
				Decision::Deny(DenyReason::DeniedByRule(_))
			));
		}
		// Other categories of the session's scope stay open.
		assert_eq!(
			Consent::decide(&PATIENT, &DOCTOR, C::Allergies, Action::Read, P::EmergencyTreat, None),
			Decision::Permit(PermitReason::Emergency(session))
		);
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
		assert_eq!(decide(DOCTOR, C::LabResults), Decision::Deny(DenyReason::NoConsent));
		// Ended is not settled: it still awaits its review, and the bond stays held.
		assert_eq!(BreakGlass::sessions_of(&PATIENT)[0].state, SessionState::AwaitingReview);
		assert_eq!(bond_held(DOCTOR), BOND);
		assert_noop!(
			BreakGlass::end_session(RuntimeOrigin::signed(PATIENT), session),
			Error::<Test>::AlreadyEnded
		);
		assert_noop!(BreakGlass::end_session(RuntimeOrigin::root(), session), BadOrigin);
		assert_noop!(BreakGlass::end_session(RuntimeOrigin::none(), session), BadOrigin);
	});
}

/// Sixty days of an ICU stay: every eight-hour shift two clinicians (of a rota of six) break
/// the glass, sessions run their course or end early, auditors review a few late and most
/// never. Every session a valid, privileged practitioner asks for opens.
#[test]
fn sixty_days_in_intensive_care_with_late_or_missing_reviews_never_lock_emergency_access() {
	use frame_support::traits::fungible::Mutate;
	test(|| {
		let rota: Vec<u64> = (100..106).collect();
		for who in &rota {
			assert_ok!(Registry::register_practitioner(
				RuntimeOrigin::signed(ADMIN),
				HOSPITAL,
				*who,
				consent_primitives::RoleSet::from(consent_primitives::Role::Physician).to_list(),
				NOW + 365 * 24 * 3600 * 1000,
				H256::zero(),
				true,
			));
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
				assert!(decide(who, C::LabResults).is_permit());
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

#[test]
fn an_unjustified_verdict_bars_the_privilege_until_governance_lifts_it() {
	use pallet_registry::Error as RegistryError;
	test(|| {
		let session = open(DOCTOR);
		assert_ok!(review(RuntimeOrigin::signed(AUDITOR), session, Verdict::Unjustified));
		assert!(!has_privilege(DOCTOR));
		// The organization's admin alone cannot give it back ...
		assert_noop!(
			Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), DOCTOR, true),
			RegistryError::<Test>::PrivilegeBarred
		);
		// ... nor by revoking and registering the practitioner again.
		assert_ok!(Registry::revoke_practitioner(RuntimeOrigin::signed(ADMIN), DOCTOR));
		let register = |break_glass| {
			Registry::register_practitioner(
				RuntimeOrigin::signed(ADMIN),
				CLINIC,
				DOCTOR,
				consent_primitives::RoleSet::from(consent_primitives::Role::Physician).to_list(),
				NOW + 1_000_000,
				H256::zero(),
				break_glass,
			)
		};
		assert_noop!(register(true), RegistryError::<Test>::PrivilegeBarred);
		assert_ok!(register(false));
		assert_noop!(
			Registry::lift_break_glass_bar(RuntimeOrigin::signed(ADMIN), DOCTOR),
			BadOrigin
		);
		assert_ok!(Registry::lift_break_glass_bar(RuntimeOrigin::root(), DOCTOR));
		assert_noop!(
			Registry::lift_break_glass_bar(RuntimeOrigin::root(), DOCTOR),
			RegistryError::<Test>::NotBarred
		);
		assert_ok!(Registry::set_break_glass(RuntimeOrigin::signed(ADMIN), DOCTOR, true));
		assert!(has_privilege(DOCTOR));
	});
}
