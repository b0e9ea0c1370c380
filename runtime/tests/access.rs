//! Consent, records and the registry together, on the real runtime (issue 18): what a patient's
//! consent lets a practitioner do with their records, what it stops letting them do (revocation,
//! a deny rule, the end of its period, a record it does not name, another organization), and how
//! a suspended credential or organization stops every permit without touching the consent.
//!
//! Each decision is asked twice, as the two kinds of client ask it: through the `ConsentApi`
//! runtime API (`consent_checkAccess`), and by logging a read with `records.logAccess`, whose
//! `ReadLogged` or `ReadDenied` event is what the audit trail keeps.

mod common;

use common::*;
use consent_primitives::{
	Action, CategorySet, DataCategory, Decision, DenyReason, Grantee, PermitReason, Purpose,
	PurposeSet, Role, RoleSet,
};
use consent_runtime::{
	AccountId, Consent, Records, Registry, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin,
};
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::CharlieStash;

type ConsentError = pallet_consent::Error<Runtime>;
type RecordsError = pallet_records::Error<Runtime>;

const LABS: DataCategory = DataCategory::LabResults;
const IMAGING: DataCategory = DataCategory::Imaging;
const TREAT: Purpose = Purpose::Treat;

fn permit(consent: consent_primitives::ConsentId) -> Decision {
	Decision::Permit(PermitReason::Consent(consent))
}

fn deny(reason: DenyReason) -> Decision {
	Decision::Deny(reason)
}

#[test]
fn a_practitioners_consent_permits_writing_and_reading_until_it_is_revoked() {
	on_dev_chain(|| {
		let (patient, physician) = (account(PATIENT), account(PHYSICIAN));
		let consent = grant(
			&patient,
			Grantee::Practitioner(physician.clone()),
			scope(&[LABS], &[Action::Read, Action::Write], &[TREAT]),
		);
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Write, TREAT, None),
			permit(consent)
		);

		// The physician anchors the lab report, for the hospital, and reads it.
		let record = anchor(&physician, &patient, LABS, TREAT).unwrap();
		let stored = pallet_records::Records::<Runtime>::get(record).unwrap();
		assert_eq!(
			(stored.patient.clone(), stored.organization),
			(patient.clone(), Some(HOSPITAL))
		);
		assert_eq!(log_read(&physician, record, TREAT), permit(consent));
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Read, TREAT, Some(record)),
			permit(consent)
		);
		// Nothing beyond the consent: another purpose, another category.
		assert_eq!(log_read(&physician, record, Purpose::Research), deny(DenyReason::NoConsent));
		assert_eq!(
			check_access(&patient, &physician, IMAGING, Action::Read, TREAT, None),
			deny(DenyReason::NoConsent)
		);

		let version = Consent::consent_version(&patient);
		assert_ok!(Consent::revoke_consent(signed(&patient), consent));
		advance(BLOCK);
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Read, TREAT, Some(record)),
			deny(DenyReason::NoConsent)
		);
		assert_eq!(log_read(&physician, record, TREAT), deny(DenyReason::NoConsent));
		assert_noop!(anchor(&physician, &patient, LABS, TREAT), RecordsError::AccessDenied);
		assert_noop!(amend(&physician, record, TREAT), RecordsError::AccessDenied);
		assert_noop!(
			Consent::revoke_consent(signed(&patient), consent),
			ConsentError::AlreadyRevoked
		);
		assert!(Consent::consents_of(&patient).is_empty());
		assert_eq!(Consent::consent_version(&patient), version + 1, "gateways see the change");
		// The record and its author stay.
		assert_eq!(Records::history(record).unwrap()[0].author, physician);
		assert_invariants();
	});
}

#[test]
fn an_organization_consent_covers_its_practitioners_and_a_role_consent_that_role_only() {
	on_dev_chain(|| {
		let clinic = admit_other_clinic();
		let patient = account(PATIENT);
		let (physician, nurse, outsider) =
			(account(PHYSICIAN), account(NURSE), account(OTHER_PHYSICIAN));
		let labs = grant(&patient, Grantee::Organization(HOSPITAL), labs_read_treat());
		let nurses = Grantee::Role { organization: HOSPITAL, role: Role::Nurse };
		let imaging = grant(&patient, nurses, scope(&[IMAGING], &[Action::Read], &[TREAT]));
		let report = anchor(&patient, &patient, LABS, TREAT).unwrap();
		let scan = anchor(&patient, &patient, IMAGING, TREAT).unwrap();

		// Every practitioner of the hospital reads the lab report; only its nurses the scan.
		assert_eq!(log_read(&physician, report, TREAT), permit(labs));
		assert_eq!(log_read(&nurse, report, TREAT), permit(labs));
		assert_eq!(log_read(&nurse, scan, TREAT), permit(imaging));
		assert_eq!(log_read(&physician, scan, TREAT), deny(DenyReason::NoConsent));

		// Another organization's physician reads nothing, and an account no organization
		// credentialed is refused as such.
		for record in [report, scan] {
			assert_eq!(log_read(&outsider, record, TREAT), deny(DenyReason::NoConsent));
			assert_eq!(
				log_read(&account(GUARDIAN), record, TREAT),
				deny(DenyReason::CredentialInvalid)
			);
		}

		// A consent to the clinic's physicians is not one to the hospital's.
		let physicians = Grantee::Role { organization: clinic, role: Role::Physician };
		let clinic_scan = grant(&patient, physicians, scope(&[IMAGING], &[Action::Read], &[TREAT]));
		assert_eq!(log_read(&outsider, scan, TREAT), permit(clinic_scan));
		assert_eq!(log_read(&physician, scan, TREAT), deny(DenyReason::NoConsent));

		// No consent goes to an organization outside the consortium.
		assert_noop!(
			Consent::grant_consent(
				signed(&patient),
				Grantee::Organization(clinic + 1),
				labs_read_treat(),
				Default::default(),
				None,
				None
			),
			ConsentError::UnknownGrantee
		);
		assert_invariants();
	});
}

#[test]
fn a_consent_naming_records_permits_only_those_records() {
	on_dev_chain(|| {
		let clinic_physician = {
			admit_other_clinic();
			account(OTHER_PHYSICIAN)
		};
		let (patient, physician, nurse) = (account(PATIENT), account(PHYSICIAN), account(NURSE));
		let write = scope(&[LABS], &[Action::Read, Action::Write], &[TREAT]);
		// The nurse anchors two lab reports for the hospital.
		grant(&patient, Grantee::Practitioner(nurse.clone()), write.clone());
		let named = anchor(&nurse, &patient, LABS, TREAT).unwrap();
		let other = anchor(&nurse, &patient, LABS, TREAT).unwrap();

		let consent = Consent::next_consent_id(&patient);
		assert_ok!(Consent::grant_consent(
			signed(&patient),
			Grantee::Practitioner(physician.clone()),
			write.clone(),
			vec![named].try_into().unwrap(),
			None,
			None
		));
		assert_eq!(log_read(&physician, named, TREAT), permit(consent));
		assert_eq!(log_read(&physician, other, TREAT), deny(DenyReason::RecordOutOfScope));
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Read, TREAT, None),
			deny(DenyReason::RecordOutOfScope),
			"not the whole category"
		);
		// The physician amends the record named, as the hospital, and nothing else: neither the
		// other report nor a new one.
		assert_ok!(amend(&physician, named, TREAT));
		assert_eq!(Records::history(named).unwrap()[1].organization, Some(HOSPITAL));
		assert_noop!(amend(&physician, other, TREAT), RecordsError::AccessDenied);
		assert_noop!(anchor(&physician, &patient, LABS, TREAT), RecordsError::AccessDenied);

		// A consent naming the record does not let another organization amend it.
		assert_ok!(Consent::grant_consent(
			signed(&patient),
			Grantee::Practitioner(clinic_physician.clone()),
			write,
			vec![named].try_into().unwrap(),
			None,
			None
		));
		assert_noop!(amend(&clinic_physician, named, TREAT), RecordsError::NotAuthorsOrganization);
		assert_invariants();
	});
}

#[test]
fn a_deny_rule_beats_every_consent_until_it_is_removed() {
	on_dev_chain(|| {
		let (patient, physician, nurse) = (account(PATIENT), account(PHYSICIAN), account(NURSE));
		let hospital = grant(&patient, Grantee::Organization(HOSPITAL), labs_read_treat());
		let own = grant(&patient, Grantee::Practitioner(physician.clone()), labs_read_treat());
		let report = anchor(&patient, &patient, LABS, TREAT).unwrap();
		let add_rule = |grantee: Option<Grantee<_>>, purpose: Purpose| {
			let rule = pallet_consent::NextRuleId::<Runtime>::get();
			assert_ok!(Consent::add_deny_rule(
				signed(&patient),
				grantee,
				CategorySet::from(LABS).to_list(),
				PurposeSet::from(purpose).to_list(),
			));
			rule
		};

		// The patient refuses the physician lab results for treatment: neither the consent to the
		// hospital nor the one to the physician permits it; the nurse still reads.
		let rule = add_rule(Some(Grantee::Practitioner(physician.clone())), TREAT);
		assert_eq!(log_read(&physician, report, TREAT), deny(DenyReason::DeniedByRule(rule)));
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Read, TREAT, None),
			deny(DenyReason::DeniedByRule(rule))
		);
		assert_eq!(log_read(&nurse, report, TREAT), permit(hospital));

		// A rule for everyone, for research, beats a research consent and nothing else.
		let research = scope(&[LABS], &[Action::Read], &[Purpose::Research]);
		grant(&patient, Grantee::Organization(HOSPITAL), research);
		let no_research = add_rule(None, Purpose::Research);
		assert_eq!(
			log_read(&nurse, report, Purpose::Research),
			deny(DenyReason::DeniedByRule(no_research))
		);
		assert_eq!(log_read(&nurse, report, TREAT), permit(hospital));

		assert_ok!(Consent::remove_deny_rule(signed(&patient), rule));
		assert_eq!(log_read(&physician, report, TREAT), permit(own));
		assert_invariants();
	});
}

#[test]
fn a_consent_permits_only_inside_its_period_and_anyone_reaps_it_after() {
	use pallet_consent::ExpiredItem;
	on_dev_chain(|| {
		let (patient, physician) = (account(PATIENT), account(PHYSICIAN));
		let report = anchor(&patient, &patient, LABS, TREAT).unwrap();
		let (start, end) = (NOW + HOUR, NOW + 2 * HOUR);
		let consent = Consent::next_consent_id(&patient);
		assert_ok!(Consent::grant_consent(
			signed(&patient),
			Grantee::Practitioner(physician.clone()),
			labs_read_treat(),
			Default::default(),
			Some(start),
			Some(end)
		));
		let reap = || {
			Consent::reap_expired(
				signed(&account(AUDITOR)),
				ExpiredItem::Consent { patient: patient.clone(), consent_id: consent },
			)
		};

		assert_eq!(log_read(&physician, report, TREAT), deny(DenyReason::NotYetValid));
		advance(HOUR);
		assert_eq!(log_read(&physician, report, TREAT), permit(consent));
		assert_noop!(reap(), ConsentError::NotExpired);
		advance(HOUR - 1);
		assert_eq!(log_read(&physician, report, TREAT), permit(consent), "the last moment");
		advance(1);
		assert_eq!(log_read(&physician, report, TREAT), deny(DenyReason::Expired));
		assert_eq!(
			check_access(&patient, &physician, LABS, Action::Read, TREAT, None),
			deny(DenyReason::Expired)
		);

		// Anyone removes the spent consent; the deposit goes back to the patient.
		assert_eq!(held(CONSENT_DEPOSIT, &patient), consent_deposit());
		assert_ok!(reap());
		assert_eq!(held(CONSENT_DEPOSIT, &patient), 0);
		assert!(Consent::consents_of(&patient).is_empty());
		assert_eq!(log_read(&physician, report, TREAT), deny(DenyReason::NoConsent));
		assert_invariants();
	});
}

#[test]
fn suspending_a_credential_or_its_organization_denies_without_touching_the_consent() {
	on_dev_chain(|| {
		let (admin, patient) = (account(ADMIN), account(PATIENT));
		let (physician, nurse) = (account(PHYSICIAN), account(NURSE));
		let own = grant(&patient, Grantee::Practitioner(physician.clone()), labs_read_treat());
		let hospital = grant(&patient, Grantee::Organization(HOSPITAL), labs_read_treat());
		let report = anchor(&patient, &patient, LABS, TREAT).unwrap();
		let (consents, version) =
			(Consent::consents_of(&patient), Consent::consent_version(&patient));
		let invalid = deny(DenyReason::CredentialInvalid);

		// Only the hospital's admin suspends its practitioners, and it takes effect at once.
		assert_noop!(
			Registry::suspend_practitioner(signed(&nurse), physician.clone()),
			pallet_registry::Error::<Runtime>::NotAdmin
		);
		assert_ok!(Registry::suspend_practitioner(signed(&admin), physician.clone()));
		assert_eq!(log_read(&physician, report, TREAT), invalid);
		assert_eq!(check_access(&patient, &physician, LABS, Action::Read, TREAT, None), invalid);
		assert_eq!(log_read(&nurse, report, TREAT), permit(hospital), "the nurse is not suspended");
		assert_ok!(Registry::reinstate_practitioner(signed(&admin), physician.clone()));
		assert_eq!(log_read(&physician, report, TREAT), permit(own));

		// The council (two of Alice, Bob and Charlie) suspends the whole hospital.
		let organization = |call| RuntimeCall::Registry(call);
		let suspend = pallet_registry::Call::suspend_organization { organization: HOSPITAL };
		assert_eq!(motion(organization(suspend), 2, ADMIN, &[ADMIN, NURSE]), Ok(()));
		assert_eq!(log_read(&physician, report, TREAT), invalid);
		assert_eq!(log_read(&nurse, report, TREAT), invalid);
		let reinstate = pallet_registry::Call::reinstate_organization { organization: HOSPITAL };
		assert_eq!(motion(organization(reinstate), 2, ADMIN, &[ADMIN, NURSE]), Ok(()));
		assert_eq!(log_read(&nurse, report, TREAT), permit(hospital));

		// A licence that lapses stops permitting at its expiry.
		assert_ok!(Registry::update_practitioner(
			signed(&admin),
			physician.clone(),
			RoleSet::from(Role::Physician).to_list(),
			NOW + HOUR,
			H256::zero()
		));
		advance(HOUR);
		assert_eq!(log_read(&physician, report, TREAT), invalid);

		// Through all of it, the patient's consents were never touched.
		assert_eq!(Consent::consents_of(&patient), consents);
		assert_eq!(Consent::consent_version(&patient), version);
		assert_invariants();
	});
}

#[test]
fn a_gateway_logs_reads_for_its_own_practitioners_while_its_organization_is_active() {
	use pallet_records::{Event, LoggedRead};
	on_dev_chain(|| {
		admit_other_clinic();
		let (admin, patient, gateway) = (account(ADMIN), account(PATIENT), account(CharlieStash));
		let (physician, nurse) = (account(PHYSICIAN), account(NURSE));
		let nurses = Grantee::Role { organization: HOSPITAL, role: Role::Nurse };
		let consent = grant(&patient, nurses, labs_read_treat());
		let report = anchor(&patient, &patient, LABS, TREAT).unwrap();
		let read = |accessor: &AccountId| LoggedRead {
			record_id: report,
			accessor: accessor.clone(),
			purpose: TREAT,
		};
		let batch = |reads: Vec<LoggedRead<AccountId>>| {
			Records::log_access_batch(signed(&gateway), reads.try_into().unwrap())
		};

		assert_noop!(batch(vec![read(&nurse)]), RecordsError::NotGateway);
		assert_ok!(Registry::add_gateway(signed(&admin), HOSPITAL, gateway.clone()));
		advance(BLOCK);
		assert_ok!(batch(vec![read(&nurse), read(&physician)]));
		let logged: Vec<_> = events()
			.into_iter()
			.filter_map(|event| match event {
				RuntimeEvent::Records(event) => Some(event),
				_ => None,
			})
			.collect();
		let (record_id, purpose) = (report, TREAT);
		assert_eq!(
			logged,
			vec![
				Event::ReadLogged {
					record_id,
					patient: patient.clone(),
					accessor: nurse.clone(),
					purpose,
					reason: PermitReason::Consent(consent),
				},
				Event::ReadDenied {
					record_id,
					patient: patient.clone(),
					accessor: physician,
					purpose,
					reason: DenyReason::NoConsent,
				},
				Event::BatchLogged {
					submitter: gateway.clone(),
					organization: Some(HOSPITAL),
					reads: 2
				},
			],
			"each read decided and on record"
		);

		// Only its own organization's practitioners, and only while the organization is active.
		assert_noop!(
			batch(vec![read(&nurse), read(&account(OTHER_PHYSICIAN))]),
			RecordsError::NotGatewaysPractitioner
		);
		assert_ok!(Registry::suspend_organization(RuntimeOrigin::root(), HOSPITAL));
		assert_noop!(batch(vec![read(&nurse)]), RecordsError::NotGateway);
		assert_invariants();
	});
}
