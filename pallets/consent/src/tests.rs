//! Unit tests of the consent pallet: every call's success path, every error, every refused
//! origin, the access decision, and property tests of the decision.

use crate::{
	mock::*, AccessIndex, Consents, Counts, DenyRules, Error, Event, ExpiredItem, HoldReason,
	IndexKey, NextRequestId, Requests, Scope,
};
use consent_primitives::{
	AccessControl, AccessQuery, Action as A, ActionSet, CategorySet, DataCategory as C, Decision,
	DenyReason, Grantee, PermitReason, Purpose as P, PurposeSet, Role,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use sp_core::H256;
use sp_runtime::{DispatchError::BadOrigin, TokenError};

mod authorization;
mod migration;

fn scope(categories: &[C], actions: &[A], purposes: &[P]) -> Scope {
	Scope {
		categories: categories.iter().copied().collect(),
		actions: actions.iter().copied().collect(),
		purposes: purposes.iter().copied().collect(),
	}
}

fn labs_read_treat() -> Scope {
	scope(&[C::LabResults], &[A::Read], &[P::Treat])
}

fn no_records() -> BoundedVec<H256, frame_support::traits::ConstU32<4>> {
	BoundedVec::new()
}

fn grant(grantee: Grantee<u64>, scope: Scope, end: Option<u64>) -> u64 {
	let id = Consent::next_consent_id(&PATIENT);
	assert_ok!(Consent::grant_consent(
		RuntimeOrigin::signed(PATIENT),
		grantee,
		scope.into(),
		no_records(),
		None,
		end
	));
	id
}

fn check(accessor: u64, category: C, action: A, purpose: P) -> Decision {
	<Consent as AccessControl<u64>>::check_access(&AccessQuery {
		patient: PATIENT,
		accessor,
		category,
		action,
		purpose,
		record: None,
	})
}

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&RuntimeHoldReason::Consent(HoldReason::StorageDeposit), &who)
}

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Consent::do_try_state().expect("invariants hold");
	})
}

fn advance_to(moment: u64) {
	pallet_timestamp::Now::<Test>::put(moment);
}

#[test]
fn grant_consent_stores_indexes_holds_a_deposit_and_bumps_the_version() {
	test(|| {
		let id = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), Some(NOW + 500));
		System::assert_last_event(
			Event::ConsentGranted {
				patient: PATIENT,
				signer: PATIENT,
				consent_id: id,
				grantee: Grantee::Practitioner(DOCTOR),
				scope: labs_read_treat(),
				start: NOW,
				end: Some(NOW + 500),
			}
			.into(),
		);
		assert!(Consents::<Test>::contains_key(PATIENT, id));
		let index = AccessIndex::<Test>::get(PATIENT, IndexKey::Practitioner(DOCTOR));
		assert_eq!(
			index.iter().map(|t| (t.id, t.role, t.scope)).collect::<Vec<_>>(),
			vec![(id, None, labs_read_treat())]
		);
		assert_eq!(Consent::consent_version(&PATIENT), 1);
		assert!(held(PATIENT) > DEPOSIT_BASE);
		assert_eq!(Counts::<Test>::get(PATIENT).consents, 1);
		let views = Consent::consents_of(&PATIENT);
		assert_eq!(views.len(), 1);
		assert!(views[0].active);
		assert_eq!(views[0].grantee, Grantee::Practitioner(DOCTOR));
	});
}

#[test]
fn grant_consent_refuses_bad_input() {
	test(|| {
		let call = |grantee, scope, start, end| {
			Consent::grant_consent(
				RuntimeOrigin::signed(PATIENT),
				grantee,
				scope,
				no_records(),
				start,
				end,
			)
		};
		let doc = || Grantee::Practitioner(DOCTOR);
		assert_noop!(
			call(doc(), scope(&[], &[A::Read], &[P::Treat]).into(), None, None),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			call(doc(), scope(&[C::Allergies], &[], &[P::Treat]).into(), None, None),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			call(doc(), scope(&[C::Allergies], &[A::Read], &[]).into(), None, None),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			call(doc(), labs_read_treat().into(), Some(NOW + 10), Some(NOW + 5)),
			Error::<Test>::InvalidPeriod
		);
		assert_noop!(
			call(doc(), labs_read_treat().into(), Some(NOW - 10), Some(NOW)),
			Error::<Test>::PeriodInPast
		);
		assert_noop!(
			call(Grantee::Practitioner(STRANGER), labs_read_treat().into(), None, None),
			Error::<Test>::UnknownGrantee
		);
		assert_noop!(
			call(Grantee::Organization(77), labs_read_treat().into(), None, None),
			Error::<Test>::UnknownGrantee
		);
		assert_noop!(
			call(
				Grantee::Role { organization: 77, role: Role::Nurse },
				labs_read_treat().into(),
				None,
				None
			),
			Error::<Test>::UnknownGrantee
		);
		// Root and unsigned origins: the authorization matrix (`tests/authorization.rs`).
		assert_noop!(
			Consent::grant_consent(
				RuntimeOrigin::signed(POOR),
				doc(),
				labs_read_treat().into(),
				no_records(),
				None,
				None
			),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn consents_are_bounded_per_grantee_and_per_patient() {
	test(|| {
		for _ in 0..3 {
			grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), None);
		}
		assert_noop!(
			Consent::grant_consent(
				RuntimeOrigin::signed(PATIENT),
				Grantee::Practitioner(DOCTOR),
				labs_read_treat().into(),
				no_records(),
				None,
				None
			),
			Error::<Test>::TooManyConsents
		);
		grant(Grantee::Organization(HOSPITAL), labs_read_treat(), None);
		grant(Grantee::Organization(CLINIC), labs_read_treat(), None);
		assert_noop!(
			Consent::grant_consent(
				RuntimeOrigin::signed(PATIENT),
				Grantee::Practitioner(NURSE),
				labs_read_treat().into(),
				no_records(),
				None,
				None
			),
			Error::<Test>::TooManyConsents
		);
	});
}

#[test]
fn consents_to_an_organization_and_its_roles_share_one_index_item_the_decision_reads() {
	test(|| {
		let whole = grant(Grantee::Organization(HOSPITAL), labs_read_treat(), None);
		let nurses = grant(
			Grantee::Role { organization: HOSPITAL, role: Role::Nurse },
			scope(&[C::VitalSigns], &[A::Read], &[P::Treat]),
			None,
		);
		let index = AccessIndex::<Test>::get(PATIENT, IndexKey::Organization(HOSPITAL));
		assert_eq!(
			index.iter().map(|t| (t.id, t.role)).collect::<Vec<_>>(),
			vec![(whole, None), (nurses, Some(Role::Nurse))]
		);
		assert_eq!(AccessIndex::<Test>::iter_prefix(PATIENT).count(), 1, "one item for both");
		// The role's terms name only holders of the role; the organization's name everyone.
		assert_eq!(
			check(NURSE, C::VitalSigns, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(nurses))
		);
		assert_eq!(
			check(DOCTOR, C::VitalSigns, A::Read, P::Treat),
			Decision::Deny(DenyReason::NoConsent)
		);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(whole))
		);
		// The bound is per item: the organization and its roles together.
		grant(
			Grantee::Role { organization: HOSPITAL, role: Role::Physician },
			labs_read_treat(),
			None,
		);
		assert_noop!(
			Consent::grant_consent(
				RuntimeOrigin::signed(PATIENT),
				Grantee::Role { organization: HOSPITAL, role: Role::Pharmacist },
				labs_read_treat().into(),
				no_records(),
				None,
				None
			),
			Error::<Test>::TooManyConsents
		);
		// Revoking one removes exactly its terms; the version counts both grants and the revoke.
		let version = Consent::consent_version(&PATIENT);
		assert_ok!(Consent::revoke_consent(RuntimeOrigin::signed(PATIENT), nurses));
		assert_eq!(Consent::consent_version(&PATIENT), version + 1);
		assert_eq!(
			AccessIndex::<Test>::get(PATIENT, IndexKey::Organization(HOSPITAL))
				.iter()
				.map(|t| t.id)
				.collect::<Vec<_>>(),
			vec![whole, nurses + 1]
		);
		assert_eq!(
			check(NURSE, C::VitalSigns, A::Read, P::Treat),
			Decision::Deny(DenyReason::NoConsent)
		);
	});
}

#[test]
fn revoke_consent_stops_permitting_at_once_and_releases_the_deposit() {
	test(|| {
		let free = Balances::balance(&PATIENT);
		let id = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), None);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(id))
		);
		// Nobody else can revoke it: the call is keyed by the caller as patient, and the id was
		// never theirs (not `AlreadyRevoked`, which would tell them the consent exists).
		for who in [DOCTOR, STRANGER, GUARDIAN] {
			assert_noop!(
				Consent::revoke_consent(RuntimeOrigin::signed(who), id),
				Error::<Test>::NotFound
			);
		}
		assert_noop!(Consent::revoke_consent(RuntimeOrigin::root(), id), BadOrigin);
		assert_noop!(Consent::revoke_consent(RuntimeOrigin::none(), id), BadOrigin);
		assert_ok!(Consent::revoke_consent(RuntimeOrigin::signed(PATIENT), id));
		System::assert_last_event(
			Event::ConsentRevoked { patient: PATIENT, signer: PATIENT, consent_id: id }.into(),
		);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Deny(DenyReason::NoConsent)
		);
		assert_eq!(held(PATIENT), 0);
		assert_eq!(Balances::balance(&PATIENT), free);
		assert_eq!(Consent::consent_version(&PATIENT), 2);
		assert!(!AccessIndex::<Test>::contains_key(PATIENT, IndexKey::Practitioner(DOCTOR)));
		assert_eq!(Counts::<Test>::get(PATIENT).consents, 0);
		assert_noop!(
			Consent::revoke_consent(RuntimeOrigin::signed(PATIENT), id),
			Error::<Test>::AlreadyRevoked
		);
		assert_noop!(
			Consent::revoke_consent(RuntimeOrigin::signed(PATIENT), 42),
			Error::<Test>::NotFound
		);
	});
}

#[test]
fn the_access_decision_follows_the_specified_order() {
	test(|| {
		// 1. Owner and delegate.
		assert_eq!(
			check(PATIENT, C::Genomics, A::Write, P::Research),
			Decision::Permit(PermitReason::Owner)
		);
		assert_eq!(
			check(GUARDIAN, C::Genomics, A::Read, P::Treat),
			Decision::Permit(PermitReason::Delegate)
		);
		// 2. Credential.
		let id = grant(Grantee::Organization(HOSPITAL), labs_read_treat(), None);
		assert_eq!(
			check(LAPSED, C::LabResults, A::Read, P::Treat),
			Decision::Deny(DenyReason::CredentialInvalid)
		);
		assert_eq!(
			check(STRANGER, C::LabResults, A::Read, P::Treat),
			Decision::Deny(DenyReason::CredentialInvalid)
		);
		// 4. Consent to the organization covers its practitioners, in scope only.
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(id))
		);
		assert_eq!(
			check(NURSE, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(id))
		);
		assert_eq!(
			check(OTHER_DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Deny(DenyReason::NoConsent)
		);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Write, P::Treat),
			Decision::Deny(DenyReason::NoConsent)
		);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Research),
			Decision::Deny(DenyReason::NoConsent)
		);
		assert_eq!(
			check(DOCTOR, C::Imaging, A::Read, P::Treat),
			Decision::Deny(DenyReason::NoConsent)
		);
		// A role at an organization.
		let role = grant(
			Grantee::Role { organization: HOSPITAL, role: Role::Nurse },
			scope(&[C::VitalSigns], &[A::Read, A::Write], &[P::Treat]),
			None,
		);
		assert_eq!(
			check(NURSE, C::VitalSigns, A::Write, P::Treat),
			Decision::Permit(PermitReason::Consent(role))
		);
		assert_eq!(
			check(DOCTOR, C::VitalSigns, A::Write, P::Treat),
			Decision::Deny(DenyReason::NoConsent)
		);
		// 3. A deny rule beats the consent.
		assert_ok!(Consent::add_deny_rule(
			RuntimeOrigin::signed(PATIENT),
			Some(Grantee::Practitioner(NURSE)),
			CategorySet::from(C::LabResults).to_list(),
			PurposeSet::all().to_list()
		));
		assert_eq!(
			check(NURSE, C::LabResults, A::Read, P::Treat),
			Decision::Deny(DenyReason::DeniedByRule(0))
		);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(id))
		);
		// 5. An emergency session permits what no consent covers.
		MockEmergency::open(PATIENT, OTHER_DOCTOR, C::Allergies, NOW + 100, 7);
		assert_eq!(
			check(OTHER_DOCTOR, C::Allergies, A::Read, P::EmergencyTreat),
			Decision::Permit(PermitReason::Emergency(7))
		);
		advance_to(NOW + 100);
		assert_eq!(
			check(OTHER_DOCTOR, C::Allergies, A::Read, P::EmergencyTreat),
			Decision::Deny(DenyReason::NoConsent)
		);
		// A suspended organization invalidates its practitioners' credentials at once.
		MockCredentials::suspend_org(HOSPITAL);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Deny(DenyReason::CredentialInvalid)
		);
	});
}

#[test]
fn a_deny_rule_for_everyone_beats_emergency_access_too() {
	test(|| {
		MockEmergency::open(PATIENT, DOCTOR, C::MentalHealth, NOW + 100, 3);
		assert_ok!(Consent::add_deny_rule(
			RuntimeOrigin::signed(PATIENT),
			None,
			CategorySet::from(C::MentalHealth).to_list(),
			PurposeSet::all().to_list()
		));
		assert_eq!(
			check(DOCTOR, C::MentalHealth, A::Read, P::EmergencyTreat),
			Decision::Deny(DenyReason::DeniedByRule(0))
		);
	});
}

#[test]
fn validity_periods_are_checked_at_the_moment_of_use() {
	test(|| {
		let later = Consent::grant_consent(
			RuntimeOrigin::signed(PATIENT),
			Grantee::Practitioner(DOCTOR),
			labs_read_treat().into(),
			no_records(),
			Some(NOW + 100),
			Some(NOW + 200),
		);
		assert_ok!(later);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Deny(DenyReason::NotYetValid)
		);
		advance_to(NOW + 100);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(0))
		);
		advance_to(NOW + 200);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Deny(DenyReason::Expired)
		);
		assert!(!Consent::consents_of(&PATIENT)[0].active);
	});
}

#[test]
fn a_consent_that_names_records_permits_only_those_records() {
	test(|| {
		let (r1, r2) = (H256::repeat_byte(1), H256::repeat_byte(2));
		assert_ok!(Consent::grant_consent(
			RuntimeOrigin::signed(PATIENT),
			Grantee::Practitioner(DOCTOR),
			labs_read_treat().into(),
			BoundedVec::truncate_from(vec![r1]),
			None,
			None
		));
		let check = |record| {
			<Consent as AccessControl<u64>>::check_access(&AccessQuery {
				patient: PATIENT,
				accessor: DOCTOR,
				category: C::LabResults,
				action: A::Read,
				purpose: P::Treat,
				record,
			})
		};
		assert_eq!(check(Some(r1)), Decision::Permit(PermitReason::Consent(0)));
		assert_eq!(check(Some(r2)), Decision::Deny(DenyReason::RecordOutOfScope));
		assert_eq!(check(None), Decision::Deny(DenyReason::RecordOutOfScope));
	});
}

#[test]
fn deny_rules_are_added_bounded_and_removed() {
	test(|| {
		let add = |who, categories: CategorySet, purposes: PurposeSet| {
			Consent::add_deny_rule(
				RuntimeOrigin::signed(who),
				None,
				categories.to_list(),
				purposes.to_list(),
			)
		};
		assert_noop!(
			add(PATIENT, CategorySet::empty(), PurposeSet::all()),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			add(PATIENT, CategorySet::all(), PurposeSet::empty()),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			Consent::add_deny_rule(
				RuntimeOrigin::root(),
				None,
				CategorySet::all().to_list(),
				PurposeSet::all().to_list()
			),
			BadOrigin
		);
		assert_ok!(add(PATIENT, CategorySet::SENSITIVE, PurposeSet::from(P::Research)));
		System::assert_last_event(
			Event::DenyRuleAdded {
				patient: PATIENT,
				signer: PATIENT,
				rule_id: 0,
				grantee: None,
				categories: CategorySet::SENSITIVE,
				purposes: PurposeSet::from(P::Research),
			}
			.into(),
		);
		assert_ok!(add(PATIENT, CategorySet::from(C::Billing), PurposeSet::all()));
		assert_noop!(
			add(PATIENT, CategorySet::all(), PurposeSet::all()),
			Error::<Test>::TooManyDenyRules
		);
		assert_eq!(Consent::consent_version(&PATIENT), 2);
		// Another account cannot remove the patient's rule.
		assert_noop!(
			Consent::remove_deny_rule(RuntimeOrigin::signed(STRANGER), 0),
			Error::<Test>::RuleNotFound
		);
		assert_noop!(Consent::remove_deny_rule(RuntimeOrigin::root(), 0), BadOrigin);
		assert_ok!(Consent::remove_deny_rule(RuntimeOrigin::signed(PATIENT), 0));
		System::assert_last_event(
			Event::DenyRuleRemoved { patient: PATIENT, signer: PATIENT, rule_id: 0 }.into(),
		);
		assert_noop!(
			Consent::remove_deny_rule(RuntimeOrigin::signed(PATIENT), 0),
			Error::<Test>::RuleNotFound
		);
		assert_ok!(Consent::remove_deny_rule(RuntimeOrigin::signed(PATIENT), 1));
		assert_eq!(held(PATIENT), 0);
		assert!(!DenyRules::<Test>::contains_key(PATIENT));
	});
}

fn request(by: u64, scope: Scope) -> u64 {
	let id = NextRequestId::<Test>::get();
	assert_ok!(Consent::request_access(
		RuntimeOrigin::signed(by),
		PATIENT,
		scope.into(),
		H256::repeat_byte(7),
		None,
		None
	));
	id
}

#[test]
fn a_practitioner_requests_and_the_patient_approves_a_narrower_scope() {
	test(|| {
		let wide = scope(&[C::LabResults, C::Imaging], &[A::Read], &[P::Treat]);
		let id = request(DOCTOR, wide);
		System::assert_last_event(
			Event::AccessRequested {
				request_id: id,
				patient: PATIENT,
				requester: DOCTOR,
				scope: wide,
				justification_hash: H256::repeat_byte(7),
				expires_at: NOW + 1_000,
			}
			.into(),
		);
		assert!(held(DOCTOR) > 0);
		// Only the patient answers; a wider scope is refused.
		for who in [DOCTOR, STRANGER, NURSE] {
			assert_noop!(
				Consent::approve_request(RuntimeOrigin::signed(who), id, None),
				Error::<Test>::NotPatient
			);
			assert_noop!(
				Consent::deny_request(RuntimeOrigin::signed(who), id),
				Error::<Test>::NotPatient
			);
		}
		assert_noop!(Consent::approve_request(RuntimeOrigin::root(), id, None), BadOrigin);
		assert_noop!(
			Consent::approve_request(
				RuntimeOrigin::signed(PATIENT),
				id,
				Some(scope(&[C::Genomics], &[A::Read], &[P::Treat]).into())
			),
			Error::<Test>::ScopeExceedsRequest
		);
		assert_noop!(
			Consent::approve_request(
				RuntimeOrigin::signed(PATIENT),
				id,
				Some(scope(&[], &[A::Read], &[P::Treat]).into())
			),
			Error::<Test>::EmptyScope
		);
		assert_ok!(Consent::approve_request(
			RuntimeOrigin::signed(PATIENT),
			id,
			Some(labs_read_treat().into())
		));
		System::assert_last_event(
			Event::RequestApproved {
				request_id: id,
				patient: PATIENT,
				signer: PATIENT,
				consent_id: 0,
			}
			.into(),
		);
		assert_eq!(held(DOCTOR), 0);
		assert!(!Requests::<Test>::contains_key(id));
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(0))
		);
		assert_eq!(
			check(DOCTOR, C::Imaging, A::Read, P::Treat),
			Decision::Deny(DenyReason::NoConsent)
		);
		assert_noop!(
			Consent::approve_request(RuntimeOrigin::signed(PATIENT), id, None),
			Error::<Test>::RequestNotFound
		);
	});
}

#[test]
fn request_access_refuses_bad_requesters_and_full_queues() {
	test(|| {
		let ask = |who, patient| {
			Consent::request_access(
				RuntimeOrigin::signed(who),
				patient,
				labs_read_treat().into(),
				H256::zero(),
				None,
				None,
			)
		};
		assert_noop!(ask(LAPSED, PATIENT), Error::<Test>::CredentialInvalid);
		assert_noop!(ask(STRANGER, PATIENT), Error::<Test>::CredentialInvalid);
		assert_noop!(ask(PATIENT, PATIENT), Error::<Test>::CredentialInvalid);
		assert_noop!(ask(DOCTOR, DOCTOR), Error::<Test>::SelfRequest);
		assert_noop!(
			Consent::request_access(
				RuntimeOrigin::root(),
				PATIENT,
				labs_read_treat().into(),
				H256::zero(),
				None,
				None
			),
			BadOrigin
		);
		assert_noop!(
			Consent::request_access(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				scope(&[C::Allergies], &[], &[P::Treat]).into(),
				H256::zero(),
				None,
				None
			),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			Consent::request_access(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				labs_read_treat().into(),
				H256::zero(),
				Some(0),
				Some(NOW)
			),
			Error::<Test>::PeriodInPast
		);
		request(DOCTOR, labs_read_treat());
		// One pending request per practitioner and patient: one practitioner cannot fill the
		// patient's request slots.
		assert_noop!(ask(DOCTOR, PATIENT), Error::<Test>::RequestAlreadyOpen);
		request(OTHER_DOCTOR, labs_read_treat());
		assert_noop!(ask(NURSE, PATIENT), Error::<Test>::TooManyRequests);
		assert_ok!(ask(DOCTOR, GUARDIAN));
		assert_noop!(ask(DOCTOR, STRANGER), Error::<Test>::TooManyOpenRequests);
	});
}

#[test]
fn requests_are_denied_cancelled_or_reaped_with_the_deposit_returned() {
	test(|| {
		let denied = request(DOCTOR, labs_read_treat());
		assert_ok!(Consent::deny_request(RuntimeOrigin::signed(PATIENT), denied));
		System::assert_last_event(
			Event::RequestDenied { request_id: denied, patient: PATIENT, signer: PATIENT }.into(),
		);
		assert_noop!(
			Consent::deny_request(RuntimeOrigin::signed(PATIENT), denied),
			Error::<Test>::RequestNotFound
		);

		let cancelled = request(DOCTOR, labs_read_treat());
		for who in [PATIENT, NURSE, STRANGER] {
			assert_noop!(
				Consent::cancel_request(RuntimeOrigin::signed(who), cancelled),
				Error::<Test>::NotRequester
			);
		}
		assert_noop!(Consent::cancel_request(RuntimeOrigin::root(), cancelled), BadOrigin);
		assert_ok!(Consent::cancel_request(RuntimeOrigin::signed(DOCTOR), cancelled));
		System::assert_last_event(
			Event::RequestCancelled { request_id: cancelled, requester: DOCTOR }.into(),
		);
		assert_eq!(held(DOCTOR), 0);

		let lapsing = request(NURSE, labs_read_treat());
		let reap = |who| {
			Consent::reap_expired(
				RuntimeOrigin::signed(who),
				ExpiredItem::Request { request_id: lapsing },
			)
		};
		assert_noop!(reap(STRANGER), Error::<Test>::NotExpired);
		advance_to(NOW + 1_000);
		assert_noop!(
			Consent::approve_request(RuntimeOrigin::signed(PATIENT), lapsing, None),
			Error::<Test>::RequestExpired
		);
		assert_noop!(
			Consent::reap_expired(
				RuntimeOrigin::none(),
				ExpiredItem::Request { request_id: lapsing }
			),
			BadOrigin
		);
		assert_ok!(reap(STRANGER));
		System::assert_last_event(
			Event::RequestReaped { request_id: lapsing, reaper: STRANGER }.into(),
		);
		assert_eq!(held(NURSE), 0);
		assert_noop!(reap(STRANGER), Error::<Test>::RequestNotFound);
	});
}

#[test]
fn anyone_reaps_an_expired_consent_and_the_deposit_goes_back_to_the_patient() {
	test(|| {
		let id = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), Some(NOW + 10));
		let item = ExpiredItem::Consent { patient: PATIENT, consent_id: id };
		assert_noop!(
			Consent::reap_expired(RuntimeOrigin::signed(STRANGER), item.clone()),
			Error::<Test>::NotExpired
		);
		advance_to(NOW + 10);
		let before = Balances::balance(&STRANGER);
		assert_ok!(Consent::reap_expired(RuntimeOrigin::signed(STRANGER), item.clone()));
		System::assert_last_event(
			Event::ConsentReaped { patient: PATIENT, consent_id: id, reaper: STRANGER }.into(),
		);
		assert_eq!(held(PATIENT), 0);
		assert_eq!(Balances::balance(&STRANGER), before);
		assert_noop!(
			Consent::reap_expired(RuntimeOrigin::signed(STRANGER), item),
			Error::<Test>::NotFound
		);
	});
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	fn any_scope() -> impl Strategy<Value = Scope> {
		(1u32..=0xFFFF, 1u8..=3, 1u8..=0xFF).prop_map(|(c, a, p)| Scope {
			categories: CategorySet::from_bits(c).unwrap(),
			actions: ActionSet::from_bits(a).unwrap(),
			purposes: PurposeSet::from_bits(p).unwrap(),
		})
	}

	fn any_grantee() -> impl Strategy<Value = Grantee<u64>> {
		prop_oneof![
			Just(Grantee::Practitioner(DOCTOR)),
			Just(Grantee::Practitioner(NURSE)),
			Just(Grantee::Organization(HOSPITAL)),
			Just(Grantee::Organization(CLINIC)),
			Just(Grantee::Role { organization: HOSPITAL, role: Role::Physician }),
		]
	}

	fn any_access() -> impl Strategy<Value = (u64, C, A, P)> {
		(
			prop_oneof![Just(DOCTOR), Just(NURSE), Just(OTHER_DOCTOR), Just(LAPSED)],
			0usize..16,
			0usize..2,
			0usize..8,
		)
			.prop_map(|(who, c, a, p)| (who, C::ALL[c], A::ALL[a], P::ALL[p]))
	}

	fn try_grant(grantee: Grantee<u64>, scope: Scope, end: Option<u64>) -> Option<u64> {
		let id = Consent::next_consent_id(&PATIENT);
		Consent::grant_consent(
			RuntimeOrigin::signed(PATIENT),
			grantee,
			scope.into(),
			no_records(),
			None,
			end,
		)
		.ok()
		.map(|_| id)
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]

		#[test]
		fn deny_beats_permit(
			grants in prop::collection::vec((any_grantee(), any_scope()), 1..5),
			rule in any_scope(),
			access in any_access(),
		) {
			new_test_ext().execute_with(|| {
				for (g, s) in grants { try_grant(g, s, None); }
				assert_ok!(Consent::add_deny_rule(RuntimeOrigin::signed(PATIENT), None, rule.categories.to_list(), rule.purposes.to_list()));
				let (who, c, a, p) = access;
				let decision = check(who, c, a, p);
				if rule.categories.contains(c) && rule.purposes.contains(p) {
					prop_assert!(!decision.is_permit(), "{decision:?} despite a matching deny rule");
				}
				Ok(())
			})?;
		}

		#[test]
		fn revoked_or_expired_consents_never_permit(
			grants in prop::collection::vec((any_grantee(), any_scope(), prop::option::of(1u64..100)), 1..5),
			revoke_mask in any::<u8>(),
			wait in 0u64..150,
			access in any_access(),
		) {
			new_test_ext().execute_with(|| {
				let ids: Vec<_> = grants
					.into_iter()
					.filter_map(|(g, s, end)| try_grant(g, s, end.map(|e| NOW + e)).map(|id| (id, end)))
					.collect();
				let mut live = vec![];
				for (i, (id, end)) in ids.iter().enumerate() {
					if revoke_mask & (1 << i) != 0 {
						assert_ok!(Consent::revoke_consent(RuntimeOrigin::signed(PATIENT), *id));
					} else if end.is_none_or(|e| wait < e) {
						live.push(*id);
					}
				}
				advance_to(NOW + wait);
				let (who, c, a, p) = access;
				if let Decision::Permit(PermitReason::Consent(id)) = check(who, c, a, p) {
					prop_assert!(live.contains(&id), "consent {id} permits though revoked or expired");
				}
				Ok(())
			})?;
		}

		#[test]
		fn an_invalid_credential_never_permits(
			grants in prop::collection::vec((any_grantee(), any_scope()), 1..5),
			access in any_access(),
		) {
			new_test_ext().execute_with(|| {
				for (g, s) in grants { try_grant(g, s, None); }
				let (who, c, a, p) = access;
				MockCredentials::remove(who);
				prop_assert_eq!(check(who, c, a, p), Decision::Deny(DenyReason::CredentialInvalid));
				MockCredentials::set(who, HOSPITAL, Role::Physician.into(), false);
				prop_assert_eq!(check(who, c, a, p), Decision::Deny(DenyReason::CredentialInvalid));
				Ok(())
			})?;
		}

		#[test]
		fn the_decision_does_not_depend_on_grant_order(
			grants in prop::collection::vec((any_grantee(), any_scope(), prop::option::of(1u64..100)), 1..5),
			wait in 0u64..150,
			access in any_access(),
		) {
			// The decision of one set of consents; `None` where a grant was refused (a cap, such
			// as MaxConsentsPerGrantee, refuses a different grant in each order).
			let run = |order: Vec<(Grantee<u64>, Scope, Option<u64>)>| {
				new_test_ext().execute_with(|| {
					for (g, s, end) in order {
						try_grant(g, s, end.map(|e| NOW + e))?;
					}
					advance_to(NOW + wait);
					let (who, c, a, p) = access;
					Some(match check(who, c, a, p) {
						// Which of several covering consents is named may differ; that one permits may not.
						Decision::Permit(PermitReason::Consent(_)) => None,
						other => Some(other),
					})
				})
			};
			let mut reversed = grants.clone();
			reversed.reverse();
			let (forward, backward) = (run(grants), run(reversed));
			prop_assume!(forward.is_some() && backward.is_some(), "a grant was refused");
			prop_assert_eq!(forward, backward);
		}
	}
}

#[test]
fn a_practitioner_asks_again_only_once_the_pending_request_is_gone() {
	test(|| {
		let first = request(DOCTOR, labs_read_treat());
		assert_noop!(
			Consent::request_access(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				labs_read_treat().into(),
				H256::zero(),
				None,
				None
			),
			Error::<Test>::RequestAlreadyOpen
		);
		assert_ok!(Consent::cancel_request(RuntimeOrigin::signed(DOCTOR), first));
		let second = request(DOCTOR, labs_read_treat());
		assert_ok!(Consent::deny_request(RuntimeOrigin::signed(PATIENT), second));
		let third = request(DOCTOR, labs_read_treat());
		assert_ok!(Consent::approve_request(RuntimeOrigin::signed(PATIENT), third, None));
		request(DOCTOR, labs_read_treat());
	});
}

#[test]
fn consent_ids_are_the_patients_own() {
	test(|| {
		let id = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), None);
		// GUARDIAN's own first consent gets the same number, and the two never mix.
		assert_ok!(Consent::grant_consent(
			RuntimeOrigin::signed(GUARDIAN),
			Grantee::Practitioner(DOCTOR),
			labs_read_treat().into(),
			no_records(),
			None,
			None
		));
		assert_eq!(Consent::next_consent_id(&GUARDIAN), id + 1);
		assert_ok!(Consent::revoke_consent(RuntimeOrigin::signed(GUARDIAN), id));
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::Treat),
			Decision::Permit(PermitReason::Consent(id))
		);
		assert_noop!(
			Consent::revoke_consent(RuntimeOrigin::signed(GUARDIAN), id),
			Error::<Test>::AlreadyRevoked
		);
		assert_noop!(
			Consent::revoke_consent(RuntimeOrigin::signed(STRANGER), id),
			Error::<Test>::NotFound
		);
	});
}

#[test]
fn an_emergency_session_serves_only_emergency_reads_and_new_records() {
	test(|| {
		MockEmergency::open(PATIENT, DOCTOR, C::LabResults, NOW + 100, 3);
		let emergency = Decision::Permit(PermitReason::Emergency(3));
		let denied = Decision::Deny(DenyReason::NoConsent);
		let on = |action, purpose, record| {
			<Consent as AccessControl<u64>>::check_access(&AccessQuery {
				patient: PATIENT,
				accessor: DOCTOR,
				category: C::LabResults,
				action,
				purpose,
				record,
			})
		};
		let record = Some(H256::repeat_byte(1));
		for purpose in [P::EmergencyTreat, P::BreakTheGlass] {
			assert_eq!(on(A::Read, purpose, None), emergency);
			assert_eq!(on(A::Read, purpose, record), emergency);
			assert_eq!(on(A::Write, purpose, None), emergency);
			assert_eq!(on(A::Write, purpose, record), denied);
		}
		for purpose in P::ALL.iter().copied().filter(|p| !p.is_emergency()) {
			assert_eq!(on(A::Read, purpose, None), denied);
			assert_eq!(on(A::Write, purpose, None), denied);
		}
	});
}

#[test]
fn deny_rules_naming_emergency_purposes_need_the_runtime_to_allow_opting_out() {
	test(|| {
		let emergency: PurposeSet = [P::EmergencyTreat].into_iter().collect();
		AllowEmergencyOptOut::set(&false);
		for purposes in [emergency, PurposeSet::all(), [P::BreakTheGlass].into_iter().collect()] {
			assert_noop!(
				Consent::add_deny_rule(
					RuntimeOrigin::signed(PATIENT),
					None,
					CategorySet::from(C::LabResults).to_list(),
					purposes.to_list()
				),
				Error::<Test>::EmergencyOptOutNotAllowed
			);
		}
		assert_ok!(Consent::add_deny_rule(
			RuntimeOrigin::signed(PATIENT),
			None,
			CategorySet::from(C::LabResults).to_list(),
			PurposeSet::from(P::Research).to_list()
		));
		AllowEmergencyOptOut::set(&true);
		assert_ok!(Consent::add_deny_rule(
			RuntimeOrigin::signed(PATIENT),
			None,
			CategorySet::from(C::LabResults).to_list(),
			emergency.to_list()
		));
		MockEmergency::open(PATIENT, DOCTOR, C::LabResults, NOW + 100, 3);
		assert_eq!(
			check(DOCTOR, C::LabResults, A::Read, P::EmergencyTreat),
			Decision::Deny(DenyReason::DeniedByRule(1))
		);
	});
}

fn list<T: Clone, const N: u32>(items: &[T]) -> BoundedVec<T, frame_support::traits::ConstU32<N>> {
	BoundedVec::truncate_from(items.to_vec())
}

#[test]
fn a_member_named_twice_is_refused_by_name() {
	test(|| {
		let input = |categories: &[C], actions: &[A], purposes: &[P]| crate::ScopeInput {
			categories: list(categories),
			actions: list(actions),
			purposes: list(purposes),
		};
		let grant = |scope| {
			Consent::grant_consent(
				RuntimeOrigin::signed(PATIENT),
				Grantee::Practitioner(DOCTOR),
				scope,
				no_records(),
				None,
				None,
			)
		};
		assert_noop!(
			grant(input(&[C::LabResults, C::Imaging, C::LabResults], &[A::Read], &[P::Treat])),
			Error::<Test>::DuplicateCategory
		);
		assert_noop!(
			grant(input(&[C::LabResults], &[A::Read, A::Read], &[P::Treat])),
			Error::<Test>::DuplicateAction
		);
		assert_noop!(
			grant(input(&[C::LabResults], &[A::Read], &[P::Treat, P::Research, P::Treat])),
			Error::<Test>::DuplicatePurpose
		);
		assert_noop!(
			Consent::add_deny_rule(
				RuntimeOrigin::signed(PATIENT),
				None,
				list(&[C::Genomics, C::Genomics]),
				list(&[P::Research])
			),
			Error::<Test>::DuplicateCategory
		);
		assert_noop!(
			Consent::add_deny_rule(
				RuntimeOrigin::signed(PATIENT),
				None,
				list(&[C::Genomics]),
				list(&[P::Research, P::Research])
			),
			Error::<Test>::DuplicatePurpose
		);
		assert_noop!(
			Consent::request_access(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				input(&[C::Imaging, C::Imaging], &[A::Read], &[P::Treat]),
				H256::repeat_byte(1),
				None,
				None
			),
			Error::<Test>::DuplicateCategory
		);
		// The order a caller lists members in does not matter: the set is the same.
		assert_ok!(grant(input(&[C::Imaging, C::LabResults], &[A::Write, A::Read], &[P::Treat])));
		System::assert_last_event(
			Event::ConsentGranted {
				patient: PATIENT,
				signer: PATIENT,
				consent_id: 0,
				grantee: Grantee::Practitioner(DOCTOR),
				scope: scope(&[C::LabResults, C::Imaging], &[A::Read, A::Write], &[P::Treat]),
				start: NOW,
				end: None,
			}
			.into(),
		);
	});
}

#[test]
fn events_and_consents_name_the_delegate_who_signed() {
	test(|| {
		// What the NoteSigner extension records for a call a guardian makes through the proxy.
		crate::Signer::<Test>::put(GUARDIAN);
		let id = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), None);
		System::assert_last_event(
			Event::ConsentGranted {
				patient: PATIENT,
				signer: GUARDIAN,
				consent_id: id,
				grantee: Grantee::Practitioner(DOCTOR),
				scope: labs_read_treat(),
				start: NOW,
				end: None,
			}
			.into(),
		);
		assert_eq!(Consents::<Test>::get(PATIENT, id).unwrap().granted_by, Some(GUARDIAN));
		assert_eq!(Consent::consents_of(&PATIENT)[0].granted_by, Some(GUARDIAN));
		assert_ok!(Consent::revoke_consent(RuntimeOrigin::signed(PATIENT), id));
		System::assert_last_event(
			Event::ConsentRevoked { patient: PATIENT, signer: GUARDIAN, consent_id: id }.into(),
		);
		crate::Signer::<Test>::kill();

		// Signed by the patient: the patient is the signer, and the consent names no delegate.
		let id = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), None);
		assert_eq!(Consents::<Test>::get(PATIENT, id).unwrap().granted_by, None);
		assert_ok!(Consent::revoke_consent(RuntimeOrigin::signed(PATIENT), id));
		System::assert_last_event(
			Event::ConsentRevoked { patient: PATIENT, signer: PATIENT, consent_id: id }.into(),
		);
	});
}

#[test]
fn patient_calls_are_feeless_only_for_a_sponsored_signer() {
	use frame_support::dispatch::CheckIfFeeless;
	test(|| {
		// This mock sponsors nobody (`Sponsorship = ()`): every call pays.
		let call = RuntimeCall::Consent(crate::Call::revoke_consent { consent_id: 0 });
		assert!(!call.is_feeless(&RuntimeOrigin::signed(PATIENT)));
		assert!(!Consent::sponsored(&RuntimeOrigin::root()));
	});
}
