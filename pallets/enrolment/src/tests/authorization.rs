//! The enrolment pallet's authorization matrix: both calls, tried from every origin that must be
//! refused, in a state where each rightful origin's call succeeds (checked last, then rolled
//! back), so each refusal is about the origin and not about missing state.

use super::{enrol, test};
use crate::{mock::*, Call, Error};
use consent_primitives::OrgId;
use frame_support::{
	assert_noop, assert_ok,
	storage::{with_transaction_unchecked, TransactionOutcome},
	traits::GetCallName,
};
use sp_runtime::{traits::Dispatchable, DispatchError, DispatchError::BadOrigin};

/// A suspended organization and its admin.
const SUSPENDED_ORG: OrgId = 2;
const SUSPENDED_ADMIN: u64 = 3;
/// A patient the other organization enrolled.
const OTHER_PATIENT: u64 = 11;
/// An account nobody enrolled yet: the patient `enrol_patient` would enrol.
const NEWCOMER: u64 = 20;

/// One call, the accounts that may sign it, and the origins that must be refused: who (for the
/// failure message), the origin, the error it must get.
struct Case {
	call: Call<Test>,
	rightful: Vec<u64>,
	refused: Vec<(&'static str, RuntimeOrigin, DispatchError)>,
}

fn described(account: u64) -> &'static str {
	match account {
		ADMIN => "the organization's admin",
		OTHER_ADMIN => "another organization's admin",
		SUSPENDED_ADMIN => "a suspended organization's admin",
		PATIENT => "the enrolled patient",
		OTHER_PATIENT => "a patient of another organization",
		NEWCOMER => "the patient to enrol",
		_ => "a stranger",
	}
}

/// Root and no signer (`BadOrigin`: an organization's admin signs), then each of `signers`:
/// not an admin of the organization.
fn all_but(signers: &[u64]) -> Vec<(&'static str, RuntimeOrigin, DispatchError)> {
	let not_admin =
		|a: &u64| (described(*a), RuntimeOrigin::signed(*a), Error::<Test>::NotAdmin.into());
	[("root", RuntimeOrigin::root(), BadOrigin), ("no signer", RuntimeOrigin::none(), BadOrigin)]
		.into_iter()
		.chain(signers.iter().map(not_admin))
		.collect()
}

/// ADMIN's organization enrolled PATIENT, the other organization OTHER_PATIENT, and a third
/// organization is suspended; then both calls, in this state.
fn both_calls_with_their_origins() -> Vec<Case> {
	MockOrganizations::add(SUSPENDED_ORG, SUSPENDED_ADMIN);
	MockOrganizations::suspend(SUSPENDED_ORG);
	enrol();
	assert_ok!(Enrolment::enrol_patient(
		RuntimeOrigin::signed(OTHER_ADMIN),
		OTHER_ORG,
		OTHER_PATIENT
	));
	vec![
		Case {
			call: Call::enrol_patient { organization: ORG, patient: NEWCOMER },
			rightful: vec![ADMIN],
			refused: all_but(&[OTHER_ADMIN, SUSPENDED_ADMIN, NEWCOMER, PATIENT, STRANGER]),
		},
		Case {
			call: Call::end_enrolment { patient: PATIENT },
			rightful: vec![ADMIN, PATIENT],
			refused: all_but(&[OTHER_ADMIN, SUSPENDED_ADMIN, OTHER_PATIENT, STRANGER]),
		},
	]
}

/// A refused row: `error`, and no enrolment, deposit, account reference or event changed (what
/// `assert_noop!` compares: the storage root).
fn assert_refused(row: &str, origin: RuntimeOrigin, call: &RuntimeCall, error: DispatchError) {
	// The row travels with the outcome, so a wrong outcome names it.
	assert_noop!(call.clone().dispatch(origin).map_err(|e| (row, e.error)), (row, error));
	assert!(System::events().is_empty(), "{row}: an event was deposited");
}

#[test]
fn only_an_admin_of_the_organization_or_the_patient_may_make_each_call() {
	test(|| {
		let cases = both_calls_with_their_origins();
		let calls: Vec<_> = cases.iter().map(|case| case.call.get_call_name()).collect();
		assert_eq!(calls, Call::<Test>::get_call_names(), "both calls, in the pallet's order");
		System::reset_events();

		for Case { call, rightful, refused } in cases {
			let name = call.get_call_name();
			let call = RuntimeCall::Enrolment(call);
			for (who, origin, error) in refused {
				assert_refused(&format!("{name} from {who}"), origin, &call, error);
			}
			// Each rightful signer succeeds (rolled back, so that the next one sees this state).
			for who in rightful {
				let (outcome, events) = with_transaction_unchecked(|| {
					let outcome = call.clone().dispatch(RuntimeOrigin::signed(who));
					TransactionOutcome::Rollback((outcome, System::events()))
				});
				let row = format!("{name} from {}", described(who));
				assert!(outcome.is_ok(), "{row} fails: {outcome:?}");
				let told = events.iter().any(|r| matches!(r.event, RuntimeEvent::Enrolment(_)));
				assert!(told, "{row}: no event");
			}
		}
	});
}
