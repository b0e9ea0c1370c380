//! The consent pallet's authorization matrix: every call, tried from every origin that must be
//! refused, in a state where the rightful origin's call succeeds (checked last, then rolled back),
//! so each refusal is about the origin and not about missing state.
//!
//! A patient's calls act on the signer's own consents, rules and requests: another signer (the
//! grantee, a stranger, or the patient's delegate signing for itself rather than through its
//! consent-management proxy) reaches none of the patient's items and is told they do not exist.

use super::{advance_to, grant, labs_read_treat, no_records, request, test};
use crate::{mock::*, Call, Error, ExpiredItem, NextRuleId};
use consent_primitives::{
	CategorySet, DataCategory as C, Grantee, Purpose as P, PurposeSet, RoleSet,
};
use frame_support::{
	assert_noop, assert_ok,
	storage::{with_transaction_unchecked, TransactionOutcome},
	traits::GetCallName,
};
use sp_runtime::{traits::Dispatchable, DispatchError, DispatchError::BadOrigin};

/// A practitioner of a suspended organization: a credential that is not valid.
const SUSPENDED_ORG_DOCTOR: u64 = 14;
const SUSPENDED_ORG: consent_primitives::OrgId = 2;

/// A refused origin: who it is (for the failure message), the origin, the error it must get.
type Refused = (&'static str, RuntimeOrigin, DispatchError);

/// One call, the origin that may make it, and the origins that must be refused.
struct Case {
	call: Call<Test>,
	rightful: u64,
	refused: Vec<Refused>,
}

fn described(account: u64) -> &'static str {
	match account {
		PATIENT => "the patient",
		GUARDIAN => "the patient's delegate, signing for itself",
		DOCTOR => "a practitioner (the consent's grantee)",
		NURSE => "a practitioner (the requester)",
		LAPSED => "a practitioner whose licence lapsed",
		SUSPENDED_ORG_DOCTOR => "a practitioner of a suspended organization",
		_ => "a stranger",
	}
}

/// Root and no signer: every call of this pallet is signed (by the patient, a requester, a
/// reaper).
fn not_signed() -> Vec<Refused> {
	vec![
		("root", RuntimeOrigin::root(), BadOrigin),
		("no signer", RuntimeOrigin::none(), BadOrigin),
	]
}

/// [`not_signed`], and each of `signers`, refused with `error`.
fn refused(signers: &[u64], error: Error<Test>) -> Vec<Refused> {
	let error = DispatchError::from(error);
	let signed = signers.iter().map(|&a| (described(a), RuntimeOrigin::signed(a), error));
	not_signed().into_iter().chain(signed).collect()
}

/// The patient holds consent 0 (to DOCTOR), an expired consent 1 (to OTHER_DOCTOR), deny rule 0,
/// and NURSE's pending request 0; then every call, in this state.
fn consent_calls_in_a_state_where_each_would_succeed() -> Vec<Case> {
	MockCredentials::set(SUSPENDED_ORG_DOCTOR, SUSPENDED_ORG, RoleSet::all(), true);
	MockCredentials::suspend_org(SUSPENDED_ORG);
	let consent = grant(Grantee::Practitioner(DOCTOR), labs_read_treat(), None);
	let expired = grant(Grantee::Practitioner(OTHER_DOCTOR), labs_read_treat(), Some(NOW + 10));
	let (genomics, research) = (CategorySet::from(C::Genomics), PurposeSet::from(P::Research));
	let rule_id = NextRuleId::<Test>::get();
	assert_ok!(Consent::add_deny_rule(
		RuntimeOrigin::signed(PATIENT),
		None,
		genomics.to_list(),
		research.to_list()
	));
	let request_id = request(NURSE, labs_read_treat());
	advance_to(NOW + 10);

	let not_the_patient = [GUARDIAN, DOCTOR, NURSE, STRANGER];
	let not_practitioners = [PATIENT, GUARDIAN, LAPSED, SUSPENDED_ORG_DOCTOR, STRANGER];
	let not_requesters = [PATIENT, GUARDIAN, DOCTOR, STRANGER];
	let by_the_patient = |call| Case { call, rightful: PATIENT, refused: not_signed() };
	let on_the_patients_item =
		|call, error| Case { call, rightful: PATIENT, refused: refused(&not_the_patient, error) };
	vec![
		by_the_patient(Call::grant_consent {
			grantee: Grantee::Practitioner(NURSE),
			scope: labs_read_treat().into(),
			records: no_records(),
			start: None,
			end: None,
		}),
		on_the_patients_item(Call::revoke_consent { consent_id: consent }, Error::NotFound),
		by_the_patient(Call::add_deny_rule {
			grantee: Some(Grantee::Practitioner(NURSE)),
			categories: genomics.to_list(),
			purposes: research.to_list(),
		}),
		on_the_patients_item(Call::remove_deny_rule { rule_id }, Error::RuleNotFound),
		Case {
			call: Call::request_access {
				patient: PATIENT,
				scope: labs_read_treat().into(),
				justification_hash: sp_core::H256::repeat_byte(1),
				start: None,
				end: None,
			},
			rightful: DOCTOR,
			refused: refused(&not_practitioners, Error::CredentialInvalid),
		},
		on_the_patients_item(Call::approve_request { request_id, scope: None }, Error::NotPatient),
		on_the_patients_item(Call::deny_request { request_id }, Error::NotPatient),
		Case {
			call: Call::cancel_request { request_id },
			rightful: NURSE,
			refused: refused(&not_requesters, Error::NotRequester),
		},
		Case {
			call: Call::reap_expired {
				item: ExpiredItem::Consent { patient: PATIENT, consent_id: expired },
			},
			rightful: STRANGER,
			refused: not_signed(),
		},
	]
}

/// Checks one refused row: the consent pallet answers `error`, and no consent, rule, request,
/// deposit or event changed (the storage root, as `assert_noop!` compares it).
fn assert_refused(row: &str, origin: RuntimeOrigin, call: &RuntimeCall, error: DispatchError) {
	// The row travels with the outcome, so a wrong outcome names it.
	assert_noop!(call.clone().dispatch(origin).map_err(|e| (row, e.error)), (row, error));
	assert!(System::events().is_empty(), "{row}: an event was deposited");
}

/// Dispatches `call` signed by its rightful origin: it succeeds with a consent event; then rolls
/// it back, so that the next rows see the same state.
fn assert_allowed(row: &str, who: u64, call: &RuntimeCall) {
	let (outcome, events) = with_transaction_unchecked(|| {
		let outcome = call.clone().dispatch(RuntimeOrigin::signed(who));
		TransactionOutcome::Rollback((outcome, System::events()))
	});
	assert!(outcome.is_ok(), "{row} fails: {outcome:?}");
	assert!(events.iter().any(|r| matches!(r.event, RuntimeEvent::Consent(_))), "{row}: no event");
}

#[test]
fn each_call_refuses_every_origin_but_its_rightful_signer() {
	test(|| {
		let cases = consent_calls_in_a_state_where_each_would_succeed();
		let names: Vec<_> = cases.iter().map(|case| case.call.get_call_name()).collect();
		assert_eq!(names, Call::<Test>::get_call_names(), "all the pallet's calls, in order");
		System::reset_events();

		for Case { call, rightful, refused } in cases {
			let name = call.get_call_name();
			let call = RuntimeCall::Consent(call);
			for (who, origin, error) in refused {
				assert_refused(&format!("{name} from {who}"), origin, &call, error);
			}
			assert_allowed(&format!("{name} from {}", described(rightful)), rightful, &call);
		}
	});
}
