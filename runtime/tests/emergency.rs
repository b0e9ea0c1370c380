//! Break-glass, the access decision, records and the registry together, on the real runtime
//! (issue 18): what an emergency session lets its practitioner read and write, and what it never
//! does (sensitive categories, plain treatment or research, amending records, outliving its end or
//! its practitioner's credential); how a deny rule or an opt-out beats it; and how an
//! *Unjustified* review slashes the bond to the patient and takes the privilege away in the
//! registry until the council gives it back.

mod common;

use common::*;
use consent_primitives::{
	Action, CategorySet, DataCategory, Decision, DenyReason, EmergencyReason,
	EmergencySessionState, PermitReason, Purpose, SessionId, Verdict,
};
use consent_runtime::{
	genesis_config_presets::DEV_SESSION_DURATION, AccountId, Balances, BreakGlass, Consent,
	Registry, Runtime, RuntimeCall,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, Get},
};
use sp_core::H256;

type BreakGlassError = pallet_break_glass::Error<Runtime>;
type RecordsError = pallet_records::Error<Runtime>;

const LABS: DataCategory = DataCategory::LabResults;
const ETREAT: Purpose = Purpose::EmergencyTreat;

/// `practitioner` breaks the glass on `patient` for `purpose`, over `categories` (default: every
/// non-sensitive one).
fn break_glass(
	practitioner: &AccountId,
	patient: &AccountId,
	purpose: Purpose,
	categories: Option<&[DataCategory]>,
) -> Result<SessionId, sp_runtime::DispatchError> {
	let session = pallet_break_glass::NextSessionId::<Runtime>::get();
	BreakGlass::break_glass(
		signed(practitioner),
		patient.clone(),
		purpose,
		EmergencyReason::Unconscious,
		H256::repeat_byte(0xee),
		categories.map(|list| list.iter().copied().collect::<CategorySet>().to_list()),
	)?;
	Ok(session)
}

/// The physician breaks the glass on the patient, for emergency treatment.
fn emergency() -> SessionId {
	break_glass(&account(PHYSICIAN), &account(PATIENT), ETREAT, None).expect("the glass breaks")
}

fn permit(session: SessionId) -> Decision {
	Decision::Permit(PermitReason::Emergency(session))
}

const NO_CONSENT: Decision = Decision::Deny(DenyReason::NoConsent);

#[test]
fn only_a_privileged_practitioner_breaks_the_glass_for_an_emergency_on_open_categories() {
	on_dev_chain(|| {
		let (patient, physician) = (account(PATIENT), account(PHYSICIAN));
		let refused = [
			(account(NURSE), ETREAT, None, BreakGlassError::NoPrivilege),
			(account(GUARDIAN), ETREAT, None, BreakGlassError::CredentialInvalid),
			(physician.clone(), Purpose::Treat, None, BreakGlassError::InvalidPurpose),
			(physician.clone(), Purpose::Research, None, BreakGlassError::InvalidPurpose),
			(
				physician.clone(),
				ETREAT,
				Some(&[LABS, DataCategory::MentalHealth][..]),
				BreakGlassError::SensitiveNotAllowed,
			),
		];
		for (who, purpose, categories, error) in refused {
			assert_noop!(break_glass(&who, &patient, purpose, categories), error);
		}
		assert_noop!(
			break_glass(&physician, &physician, ETREAT, None),
			BreakGlassError::SelfAccess
		);

		let free = Balances::free_balance(&physician);
		let session = break_glass(&physician, &patient, Purpose::BreakTheGlass, None).unwrap();
		assert_eq!(held(BOND, &physician), bond(), "the bond is held");
		assert_eq!(Balances::free_balance(&physician), free - bond());
		assert_noop!(break_glass(&physician, &patient, ETREAT, None), BreakGlassError::AlreadyOpen);
		let view = &BreakGlass::sessions_of(&patient)[0];
		assert_eq!((view.id, view.categories), (session, CategorySet::non_sensitive()));
		assert_eq!(view.end, NOW + DEV_SESSION_DURATION);
		assert_invariants();
	});
}

#[test]
fn a_session_permits_emergency_reads_of_open_categories_until_its_end() {
	on_dev_chain(|| {
		let (patient, physician) = (account(PATIENT), account(PHYSICIAN));
		let report = anchor(&patient, &patient, LABS, Purpose::Treat).unwrap();
		let therapy =
			anchor(&patient, &patient, DataCategory::MentalHealth, Purpose::Treat).unwrap();
		let session = emergency();

		for category in DataCategory::ALL.iter().copied() {
			for purpose in Purpose::ALL.iter().copied() {
				let expected = if purpose.is_emergency() && !category.is_sensitive() {
					permit(session)
				} else {
					NO_CONSENT
				};
				assert_eq!(
					check_access(&patient, &physician, category, Action::Read, purpose, None),
					expected,
					"{category:?} for {purpose:?}"
				);
			}
		}
		// The records pallet puts the same decisions on record.
		assert_eq!(log_read(&physician, report, ETREAT), permit(session));
		assert_eq!(log_read(&physician, report, Purpose::BreakTheGlass), permit(session));
		assert_eq!(log_read(&physician, report, Purpose::Treat), NO_CONSENT);
		assert_eq!(log_read(&physician, report, Purpose::Research), NO_CONSENT);
		assert_eq!(log_read(&physician, therapy, ETREAT), NO_CONSENT, "sensitive");
		// The session is the physician's: the nurse gets nothing from it.
		assert_eq!(log_read(&account(NURSE), report, ETREAT), NO_CONSENT);

		advance(DEV_SESSION_DURATION - 1);
		assert_eq!(log_read(&physician, report, ETREAT), permit(session), "the last moment");
		advance(1);
		assert_eq!(log_read(&physician, report, ETREAT), NO_CONSENT);
		let view = &BreakGlass::sessions_of(&patient)[0];
		assert_eq!(view.state, EmergencySessionState::AwaitingReview);
		assert_eq!(held(BOND, &physician), bond(), "ended is not settled");
		assert_invariants();
	});
}

#[test]
fn a_session_anchors_new_records_up_to_its_limit_and_never_amends() {
	on_dev_chain(|| {
		let (patient, physician) = (account(PATIENT), account(PHYSICIAN));
		let own = anchor(&patient, &patient, LABS, Purpose::Treat).unwrap();
		let session = emergency();
		let vitals = DataCategory::VitalSigns;

		// Never for plain treatment, a sensitive category, or an amend (the patient's record).
		assert_noop!(
			anchor(&physician, &patient, vitals, Purpose::Treat),
			RecordsError::AccessDenied
		);
		assert_noop!(
			anchor(&physician, &patient, DataCategory::Genomics, ETREAT),
			RecordsError::AccessDenied
		);
		assert_noop!(amend(&physician, own, ETREAT), RecordsError::AccessDenied);

		let limit: u32 = <Runtime as pallet_break_glass::Config>::MaxWritesPerSession::get();
		let anchored: Vec<_> = (0..limit)
			.map(|_| anchor(&physician, &patient, vitals, ETREAT).expect("within the limit"))
			.collect();
		assert_eq!(pallet_break_glass::Sessions::<Runtime>::get(session).unwrap().writes, limit);
		assert_noop!(anchor(&physician, &patient, vitals, ETREAT), BreakGlassError::TooManyWrites);
		// What the session anchored is the hospital's, and not amended under the session either.
		let first = pallet_records::Records::<Runtime>::get(anchored[0]).unwrap();
		assert_eq!(first.organization, Some(HOSPITAL));
		assert_noop!(amend(&physician, anchored[0], ETREAT), RecordsError::AccessDenied);

		// After its end, nothing; a new emergency has a budget of its own.
		advance(DEV_SESSION_DURATION);
		assert_noop!(anchor(&physician, &patient, vitals, ETREAT), RecordsError::AccessDenied);
		let next = emergency();
		assert_ok!(anchor(&physician, &patient, vitals, ETREAT));
		assert_eq!(pallet_break_glass::Sessions::<Runtime>::get(next).unwrap().writes, 1);
		assert_invariants();
	});
}

#[test]
fn suspending_the_practitioner_or_the_hospital_stops_an_open_session_at_once() {
	on_dev_chain(|| {
		let (admin, patient, physician) = (account(ADMIN), account(PATIENT), account(PHYSICIAN));
		let report = anchor(&patient, &patient, LABS, Purpose::Treat).unwrap();
		let session = emergency();
		let invalid = Decision::Deny(DenyReason::CredentialInvalid);

		assert_ok!(Registry::suspend_practitioner(signed(&admin), physician.clone()));
		assert_eq!(log_read(&physician, report, ETREAT), invalid);
		assert_noop!(anchor(&physician, &patient, LABS, ETREAT), RecordsError::AccessDenied);
		assert_ok!(Registry::reinstate_practitioner(signed(&admin), physician.clone()));
		assert_eq!(log_read(&physician, report, ETREAT), permit(session));

		let suspend = pallet_registry::Call::suspend_organization { organization: HOSPITAL };
		assert_eq!(motion(RuntimeCall::Registry(suspend), 2, ADMIN, &[ADMIN, NURSE]), Ok(()));
		assert_eq!(log_read(&physician, report, ETREAT), invalid);
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Read, ETREAT, None),
			invalid,
			"the session is still open, its practitioner is not valid"
		);
		assert_invariants();
	});
}

#[test]
fn a_session_ends_for_its_practitioner_when_the_privilege_or_the_organization_goes() {
	on_dev_chain(|| {
		let (admin, patient, physician) = (account(ADMIN), account(PATIENT), account(PHYSICIAN));
		let report = anchor(&patient, &patient, LABS, Purpose::Treat).unwrap();
		let session = emergency();
		assert_ok!(Registry::set_break_glass(signed(&admin), physician.clone(), false));
		assert_eq!(log_read(&physician, report, ETREAT), NO_CONSENT, "privilege withdrawn");
		assert_ok!(Registry::set_break_glass(signed(&admin), physician.clone(), true));
		assert_eq!(log_read(&physician, report, ETREAT), permit(session));

		// The hospital revokes them; another clinic credentials them, privilege and all: the
		// hospital's session, which the hospital's auditor reviews, does not follow them there.
		let clinic = admit_other_clinic();
		assert_ok!(Registry::revoke_practitioner(signed(&admin), physician.clone()));
		assert_ok!(Registry::register_practitioner(
			signed(&account(OTHER_ADMIN)),
			clinic,
			physician.clone(),
			consent_primitives::RoleSet::from(consent_primitives::Role::Physician).to_list(),
			LICENCE_EXPIRY,
			H256::zero(),
			true,
		));
		assert_eq!(log_read(&physician, report, ETREAT), NO_CONSENT, "moved to another clinic");
		assert_invariants();
	});
}

#[test]
fn a_deny_rule_naming_emergency_purposes_beats_a_session_and_an_opt_out_refuses_the_next() {
	on_dev_chain(|| {
		let (patient, physician) = (account(PATIENT), account(PHYSICIAN));
		let report = anchor(&patient, &patient, LABS, Purpose::Treat).unwrap();
		let session = emergency();
		let rule = pallet_consent::NextRuleId::<Runtime>::get();
		assert_ok!(Consent::add_deny_rule(
			signed(&patient),
			None,
			CategorySet::from(LABS).to_list(),
			[ETREAT, Purpose::BreakTheGlass]
				.into_iter()
				.collect::<consent_primitives::PurposeSet>()
				.to_list(),
		));
		assert_eq!(
			log_read(&physician, report, ETREAT),
			Decision::Deny(DenyReason::DeniedByRule(rule))
		);
		assert_eq!(
			check_access(&patient, &physician, DataCategory::Allergies, Action::Read, ETREAT, None),
			permit(session),
			"the rule names lab results only"
		);

		// The patient ends the session and opts out: the glass is not broken again.
		assert_ok!(BreakGlass::end_session(signed(&patient), session));
		assert_ok!(BreakGlass::set_opt_out(signed(&patient), true));
		assert_eq!(held(POLICY_DEPOSIT, &patient), policy_deposit());
		assert_noop!(break_glass(&physician, &patient, ETREAT, None), BreakGlassError::OptedOut);
		assert_invariants();
	});
}

#[test]
fn an_unjustified_review_slashes_the_bond_to_the_patient_and_bars_the_privilege() {
	use pallet_registry::Error as RegistryError;
	on_dev_chain(|| {
		let (admin, patient, physician) = (account(ADMIN), account(PATIENT), account(PHYSICIAN));
		let session = emergency();
		let issuance = Balances::total_issuance();
		let physician_total = Balances::total_balance(&physician);
		let patient_free = Balances::free_balance(&patient);
		let review = |who: &AccountId| {
			BreakGlass::review(signed(who), session, Verdict::Unjustified, H256::repeat_byte(2))
		};

		// Only an auditor of the hospital reviews: not the nurse, not the physician.
		assert_noop!(review(&account(NURSE)), BreakGlassError::NotAuditor);
		assert_noop!(review(&physician), BreakGlassError::SelfReview);
		assert_ok!(review(&account(AUDITOR)));
		frame_system::Pallet::<Runtime>::assert_has_event(
			pallet_break_glass::Event::BondSlashed {
				session_id: session,
				practitioner: physician.clone(),
				beneficiary: patient.clone(),
				amount: bond(),
			}
			.into(),
		);
		assert_eq!(held(BOND, &physician), 0);
		assert_eq!(Balances::total_balance(&physician), physician_total - bond());
		assert_eq!(Balances::free_balance(&patient), patient_free + bond());
		assert_eq!(Balances::total_issuance(), issuance, "moved to the patient, not burnt");
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Read, ETREAT, None),
			NO_CONSENT
		);

		// The registry withdrew the privilege: the next emergency is refused.
		frame_system::Pallet::<Runtime>::assert_has_event(
			pallet_registry::Event::BreakGlassBarred { practitioner: physician.clone() }.into(),
		);
		advance(BLOCK);
		assert_noop!(break_glass(&physician, &patient, ETREAT, None), BreakGlassError::NoPrivilege);
		// The hospital's admin cannot give it back; the council lifts the bar, then the admin may.
		assert_noop!(
			Registry::set_break_glass(signed(&admin), physician.clone(), true),
			RegistryError::<Runtime>::PrivilegeBarred
		);
		let lift = pallet_registry::Call::lift_break_glass_bar { practitioner: physician.clone() };
		assert_eq!(motion(RuntimeCall::Registry(lift), 2, ADMIN, &[ADMIN, NURSE]), Ok(()));
		assert_ok!(Registry::set_break_glass(signed(&admin), physician.clone(), true));
		assert_ok!(break_glass(&physician, &patient, ETREAT, None));
		assert_invariants();
	});
}
