//! The registry's authorization matrix: every call, tried from every origin that must be refused,
//! in a state where the rightful origin's call succeeds (checked last, then rolled back), so each
//! refusal is about the origin and not about missing state.

use super::{admins, name, physician, register, test, ADMIN, DOCTOR, NURSE, OTHER_ADMIN, STRANGER};
use crate::{mock::*, Call, Error};
use consent_primitives::CredentialManage;
use frame_support::{
	assert_noop, assert_ok,
	storage::{with_transaction_unchecked, TransactionOutcome},
	traits::GetCallName,
};
use sp_core::H256;
use sp_runtime::{traits::Dispatchable, DispatchError, DispatchError::BadOrigin};

/// The admin of a suspended organization (organization 2).
const LAB_ADMIN: u64 = 3;
/// An account nobody credentialed yet: the practitioner `register_practitioner` would add.
const NEWCOMER: u64 = 20;
/// The hospital's gateway, and the account `add_gateway` would make one.
const GATEWAY: u64 = 50;
const NEW_GATEWAY: u64 = 51;

/// An origin the matrix tries: who it is (for the failure message), the origin, and, for a
/// refused one, the error it must get.
type Refused = (&'static str, RuntimeOrigin, DispatchError);

/// One call, the origins that may make it, and the origins that must be refused.
struct Case {
	call: Call<Test>,
	rightful: Vec<(&'static str, RuntimeOrigin)>,
	refused: Vec<Refused>,
}

fn described(account: u64) -> &'static str {
	match account {
		ADMIN => "the hospital's admin",
		OTHER_ADMIN => "another organization's admin",
		LAB_ADMIN => "a suspended organization's admin",
		DOCTOR => "a practitioner",
		NURSE => "a suspended practitioner",
		GATEWAY => "a gateway",
		NEWCOMER => "an uncredentialed account",
		_ => "a stranger",
	}
}

fn signed(account: u64, error: impl Into<DispatchError>) -> Refused {
	(described(account), RuntimeOrigin::signed(account), error.into())
}

fn as_root() -> (&'static str, RuntimeOrigin) {
	("governance (root)", RuntimeOrigin::root())
}

fn as_admin() -> (&'static str, RuntimeOrigin) {
	(described(ADMIN), RuntimeOrigin::signed(ADMIN))
}

/// Refused a governance call: no signer, and every signed account, the organizations' admins
/// included.
fn all_but_governance() -> Vec<Refused> {
	let signers = [ADMIN, OTHER_ADMIN, LAB_ADMIN, DOCTOR, NURSE, GATEWAY, STRANGER];
	let mut rows = vec![("no signer", RuntimeOrigin::none(), BadOrigin)];
	rows.extend(signers.map(|a| signed(a, BadOrigin)));
	rows
}

/// Refused a call of the hospital's admin by every signer that is not one: the other
/// organizations' admins, the hospital's practitioners (the one the call is about included), its
/// gateway, the account being credentialed and a stranger; and no signer.
fn signers_but_the_admin() -> Vec<Refused> {
	let others = [OTHER_ADMIN, LAB_ADMIN, DOCTOR, NURSE, GATEWAY, NEWCOMER, STRANGER];
	let mut rows = vec![("no signer", RuntimeOrigin::none(), BadOrigin)];
	rows.extend(others.map(|a| signed(a, Error::<Test>::NotAdmin)));
	rows
}

/// As [`signers_but_the_admin`], and root too: governance admits organizations, it does not
/// manage their practitioners.
fn all_but_the_admin() -> Vec<Refused> {
	[vec![("governance (root)", RuntimeOrigin::root(), BadOrigin)], signers_but_the_admin()]
		.concat()
}

fn governance(call: Call<Test>) -> Case {
	Case { call, rightful: vec![as_root()], refused: all_but_governance() }
}

fn hospital_admin(call: Call<Test>) -> Case {
	Case { call, rightful: vec![as_admin()], refused: all_but_the_admin() }
}

/// Organization 0, the hospital (ADMIN; DOCTOR active, NURSE suspended and barred from the
/// break-glass privilege; GATEWAY), organization 1 (OTHER_ADMIN, nobody credentialed), and
/// organization 2 (LAB_ADMIN, suspended); then every call, in this state.
fn every_call_with_its_origins() -> Vec<Case> {
	let (hospital, empty) = super::two_orgs();
	register(hospital, ADMIN, DOCTOR);
	register(hospital, ADMIN, NURSE);
	assert_ok!(Registry::suspend_practitioner(RuntimeOrigin::signed(ADMIN), NURSE));
	assert_ok!(<Registry as CredentialManage<u64>>::withdraw_break_glass(&NURSE));
	assert_ok!(Registry::add_gateway(RuntimeOrigin::signed(ADMIN), hospital, GATEWAY));
	let lab = Registry::do_admit(name("Hillside Lab"), admins(&[LAB_ADMIN])).expect("admitted");
	assert_ok!(Registry::suspend_organization(RuntimeOrigin::root(), lab));

	let licence = H256::repeat_byte(3);
	vec![
		governance(Call::admit_organization {
			name: name("Lakeside Clinic"),
			admins: admins(&[NEWCOMER]),
		}),
		governance(Call::suspend_organization { organization: hospital }),
		governance(Call::reinstate_organization { organization: lab }),
		governance(Call::remove_organization { organization: empty }),
		governance(Call::set_admins { organization: hospital, admins: admins(&[NEWCOMER]) }),
		hospital_admin(Call::register_practitioner {
			organization: hospital,
			practitioner: NEWCOMER,
			roles: physician(),
			licence_expiry: NEXT_YEAR,
			licence_hash: licence,
			break_glass: false,
		}),
		hospital_admin(Call::update_practitioner {
			practitioner: DOCTOR,
			roles: physician(),
			licence_expiry: NEXT_YEAR + 1,
			licence_hash: licence,
		}),
		hospital_admin(Call::set_break_glass { practitioner: DOCTOR, allowed: true }),
		hospital_admin(Call::suspend_practitioner { practitioner: DOCTOR }),
		hospital_admin(Call::reinstate_practitioner { practitioner: NURSE }),
		hospital_admin(Call::revoke_practitioner { practitioner: DOCTOR }),
		governance(Call::lift_break_glass_bar { practitioner: NURSE }),
		governance(Call::rename_organization { organization: hospital, name: name("St Mary") }),
		hospital_admin(Call::add_gateway { organization: hospital, gateway: NEW_GATEWAY }),
		// Governance may remove a gateway too (of an organization that left, say).
		Case {
			call: Call::remove_gateway { gateway: GATEWAY },
			rightful: vec![as_admin(), as_root()],
			refused: signers_but_the_admin(),
		},
	]
}

/// One row of the matrix: the registry refuses `call` from `origin` with `error`, and neither its
/// storage (the root `assert_noop!` compares) nor the events change.
fn assert_refused(row: &str, origin: RuntimeOrigin, call: &RuntimeCall, error: DispatchError) {
	// The row travels with the outcome, so a wrong outcome names it.
	assert_noop!(call.clone().dispatch(origin).map_err(|e| (row, e.error)), (row, error));
	assert!(System::events().is_empty(), "{row}: an event was deposited");
}

/// Dispatches `call` from a rightful origin: it succeeds and tells so in a registry event; then
/// rolls it back, so that the next rows see the same state.
fn assert_allowed(row: &str, origin: RuntimeOrigin, call: &RuntimeCall) {
	let (outcome, events) = with_transaction_unchecked(|| {
		let outcome = call.clone().dispatch(origin);
		TransactionOutcome::Rollback((outcome, System::events()))
	});
	assert!(outcome.is_ok(), "{row} fails: {outcome:?}");
	assert!(events.iter().any(|r| matches!(r.event, RuntimeEvent::Registry(_))), "{row}: no event");
}

#[test]
fn only_governance_or_the_organizations_admin_may_make_each_call() {
	test(|| {
		let cases = every_call_with_its_origins();
		let listed: Vec<_> = cases.iter().map(|case| case.call.get_call_name()).collect();
		assert_eq!(listed, Call::<Test>::get_call_names(), "every registry call, in its order");
		System::reset_events();

		for Case { call, rightful, refused } in cases {
			let name = call.get_call_name();
			let call = RuntimeCall::Registry(call);
			for (who, origin, error) in refused {
				assert_refused(&format!("{name} from {who}"), origin, &call, error);
			}
			for (who, origin) in rightful {
				assert_allowed(&format!("{name} from {who}"), origin, &call);
			}
		}
	});
}
