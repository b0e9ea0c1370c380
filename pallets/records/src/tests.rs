//! Unit tests of the records pallet: every call's success path and errors, the authorization
//! matrix against the real consent decision, erasure, and a property test of verification.

use crate::{
	mock::*, AuthorRecords, AuthorVersions, DigestIndex, Error, Event, FhirResourceType,
	HoldReason, Locator, LoggedRead, PatientRecords, RecordCount, Records as StoredRecords,
	Tombstone, Tombstones, Versions,
};
use codec::{Decode, Encode};
use consent_primitives::{
	Action as A, ActionSet, DataCategory as C, DenyReason, Digest, DigestAlgorithm, Grantee,
	PermitReason, Purpose as P, RecordId, Verification,
};
use frame_support::{
	assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::fungible::InspectHold, BoundedVec,
};
use pallet_consent::Scope;
use sp_core::H256;
use sp_io::hashing::blake2_256;
use sp_runtime::{DispatchError::BadOrigin, TokenError};

fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Records::do_try_state().expect("invariants hold");
	});
}

fn digest(n: u8) -> Digest {
	Digest { algorithm: DigestAlgorithm::Sha256, hash: H256::repeat_byte(n) }
}

fn observation() -> FhirResourceType {
	FhirResourceType::Observation
}

/// A sealed locator with `bytes` as its ciphertext.
fn locator(bytes: &[u8]) -> Option<Locator> {
	Some(Locator::Sealed {
		nonce: [7; 12],
		ciphertext: BoundedVec::truncate_from(bytes.to_vec()),
		tag: [9; 16],
	})
}

/// The newest live record of the patient.
fn newest() -> RecordId {
	PatientRecords::<Test>::iter_prefix(PATIENT)
		.max_by_key(|(_, seq)| *seq)
		.map(|(id, _)| id)
		.expect("the patient has a record")
}

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&RuntimeHoldReason::Records(HoldReason::RecordDeposit), &who)
}

/// The patient grants `who` a consent on lab results for treatment.
fn grant(who: u64, actions: &[A], records: Vec<RecordId>) -> u64 {
	let id = pallet_consent::Pallet::<Test>::next_consent_id(&PATIENT);
	assert_ok!(Consent::grant_consent(
		RuntimeOrigin::signed(PATIENT),
		Grantee::Practitioner(who),
		Scope {
			categories: C::LabResults.into(),
			actions: actions.iter().copied().collect::<ActionSet>(),
			purposes: P::Treat.into(),
		}
		.into(),
		BoundedVec::truncate_from(records),
		None,
		None,
	));
	id
}

fn anchor_as(author: u64, n: u8) -> Result<RecordId, sp_runtime::DispatchError> {
	Records::anchor_record(
		RuntimeOrigin::signed(author),
		PATIENT,
		C::LabResults,
		P::Treat,
		observation(),
		digest(n),
		locator(b"\x8f\x02ciphertext"),
	)?;
	Ok(newest())
}

fn anchor(author: u64, n: u8) -> RecordId {
	anchor_as(author, n).expect("anchor succeeds")
}

fn amend(author: u64, record: RecordId, n: u8) -> sp_runtime::DispatchResult {
	Records::amend_record(RuntimeOrigin::signed(author), record, P::Treat, digest(n), None)
}

fn log(accessor: u64, record: RecordId, purpose: P) {
	assert_ok!(Records::log_access(RuntimeOrigin::signed(accessor), record, purpose));
}

#[test]
fn the_patient_anchors_a_record_and_pays_its_deposit() {
	test(|| {
		let record = anchor(PATIENT, 1);
		let stored = StoredRecords::<Test>::get(record).unwrap();
		assert_eq!(stored.patient, PATIENT);
		assert_eq!(stored.current, 0);
		assert_eq!(stored.created_at, NOW);
		assert_eq!(stored.meta.category, C::LabResults);
		assert_eq!(stored.organization, None);
		let version = Versions::<Test>::get(record, 0).unwrap();
		assert_eq!(
			(version.author, version.organization, version.supersedes),
			(PATIENT, None, None)
		);
		assert_eq!(DigestIndex::<Test>::get(record, digest(1)), Some(0));
		assert_eq!(RecordCount::<Test>::get(PATIENT), 1);
		assert!(held(PATIENT) > 0);
		System::assert_last_event(
			Event::RecordAnchored {
				record_id: record,
				patient: PATIENT,
				author: PATIENT,
				organization: None,
				category: C::LabResults,
				digest: digest(1),
			}
			.into(),
		);
		assert_eq!(Records::verify(record, digest(1)), Verification::Current { version: 0 });
	});
}

#[test]
fn record_ids_are_unique_and_do_not_come_from_patient_data() {
	test(|| {
		let first = anchor(PATIENT, 1);
		let second = anchor(PATIENT, 2);
		assert_ne!(first, second);
		// Same patient, category and digest in another record: still a fresh id.
		assert_ok!(amend(PATIENT, first, 3));
		let third = anchor_as(PATIENT, 3).unwrap();
		assert!(![first, second].contains(&third));
		let from_patient_data = (PATIENT, C::LabResults, digest(3)).using_encoded(blake2_256);
		assert_ne!(third, H256::from(from_patient_data));
	});
}

#[test]
fn a_practitioner_with_a_write_consent_anchors_and_amends() {
	test(|| {
		grant(DOCTOR, &[A::Read, A::Write], vec![]);
		let record = anchor(DOCTOR, 1);
		assert_eq!(Versions::<Test>::get(record, 0).unwrap().organization, Some(HOSPITAL));
		let deposit = held(DOCTOR);
		assert!(deposit > 0);

		assert_ok!(Records::amend_record(
			RuntimeOrigin::signed(DOCTOR),
			record,
			P::Treat,
			digest(2),
			locator(b"\x01\x02"),
		));
		System::assert_last_event(
			Event::RecordAmended {
				record_id: record,
				patient: PATIENT,
				author: DOCTOR,
				organization: Some(HOSPITAL),
				version: 1,
				digest: digest(2),
			}
			.into(),
		);
		assert!(held(DOCTOR) > deposit, "every version holds a deposit");
		assert_eq!(Records::verify(record, digest(2)), Verification::Current { version: 1 });
		assert_eq!(
			Records::verify(record, digest(1)),
			Verification::Superseded { version: 0, current: 1 }
		);
		assert_eq!(Records::verify(record, digest(9)), Verification::NoMatch);
		assert_eq!(Records::verify(H256::zero(), digest(1)), Verification::UnknownRecord);
		let history = Records::history(record).unwrap();
		assert_eq!(history.len(), 2);
		assert_eq!(history[1].supersedes, Some(0));
		assert_eq!(history[0].digest, digest(1), "the first version is never overwritten");
		assert_eq!(history[1].locator, locator(b"\x01\x02").map(|l| l.encode()));
	});
}

#[test]
fn anchoring_is_refused_to_everyone_without_write_access() {
	test(|| {
		let refuse = |author: u64| {
			assert_noop!(anchor_as(author, 1), Error::<Test>::AccessDenied);
		};
		// No consent, a stranger, another patient.
		refuse(DOCTOR);
		refuse(STRANGER);
		refuse(OTHER_PATIENT);
		// A read-only consent does not allow writing.
		grant(NURSE, &[A::Read], vec![]);
		refuse(NURSE);
		// A consent whose holder's licence lapsed.
		grant(LAPSED, &[A::Read, A::Write], vec![]);
		refuse(LAPSED);
		// A consent naming records does not allow new ones.
		grant(DOCTOR, &[A::Write], vec![H256::repeat_byte(7)]);
		refuse(DOCTOR);
		// A consent for another category.
		assert_noop!(
			Records::anchor_record(
				RuntimeOrigin::signed(NURSE),
				PATIENT,
				C::MentalHealth,
				P::Treat,
				observation(),
				digest(1),
				None,
			),
			Error::<Test>::AccessDenied
		);
		assert_noop!(
			Records::anchor_record(
				RuntimeOrigin::none(),
				PATIENT,
				C::LabResults,
				P::Treat,
				observation(),
				digest(1),
				None,
			),
			BadOrigin
		);
		// The delegate may.
		let record = anchor(GUARDIAN, 1);
		assert_eq!(Versions::<Test>::get(record, 0).unwrap().author, GUARDIAN);
	});
}

#[test]
fn anchoring_refuses_bad_input() {
	test(|| {
		let with = |resource: FhirResourceType, loc: Option<Locator>, author: u64| {
			Records::anchor_record(
				RuntimeOrigin::signed(author),
				PATIENT,
				C::LabResults,
				P::Treat,
				resource,
				digest(1),
				loc,
			)
		};
		assert_noop!(with(observation(), locator(b""), PATIENT), Error::<Test>::InvalidLocator);
		// A credentialed author who cannot pay the deposit.
		grant(POOR, &[A::Write], vec![]);
		assert_noop!(with(observation(), None, POOR), TokenError::FundsUnavailable);
		assert_ok!(with(
			FhirResourceType::DiagnosticReport,
			Some(Locator::Hash([0xde; 32])),
			PATIENT
		));
		assert_ok!(with(observation(), locator(b"\xde\xad\xbe\xef"), PATIENT));
		assert_ok!(with(FhirResourceType::Immunization, None, PATIENT));
		assert_noop!(with(observation(), None, PATIENT), Error::<Test>::TooManyRecords);
	});
}

#[test]
fn the_resource_type_is_a_closed_list_and_the_locator_a_fixed_format() {
	let all = FhirResourceType::ALL;
	let names: Vec<_> = all.iter().map(|t| t.name()).collect();
	let mut sorted = names.clone();
	sorted.sort_unstable();
	sorted.dedup();
	assert_eq!(names, sorted, "alphabetical and distinct, so encodings are stable");
	for (index, t) in all.iter().enumerate() {
		assert_eq!(t.encode(), vec![index as u8]);
		assert_eq!(FhirResourceType::from_name(t.name().as_bytes()), Some(*t));
	}
	for free_text in [&b"observation"[..], b"Observation ", b"", b"Patient: Jane Doe, HIV+"] {
		assert_eq!(FhirResourceType::from_name(free_text), None);
	}
	assert!(FhirResourceType::decode(&mut &[all.len() as u8][..]).is_err());
	// A locator is a hash or a sealed value: any other shape does not decode.
	let url = b"https://ehr.example/patient/123".to_vec();
	assert!(Locator::decode(&mut &url[..]).is_err());
	let too_long = Locator::Sealed {
		nonce: [0; 12],
		ciphertext: BoundedVec::truncate_from(vec![1; 200]),
		tag: [0; 16],
	};
	match too_long {
		Locator::Sealed { ciphertext, .. } => {
			assert_eq!(ciphertext.len() as u32, crate::MAX_SEALED_LOCATOR_LEN)
		},
		Locator::Hash(_) => unreachable!(),
	}
}

#[test]
fn amending_refuses_bad_input_and_every_author_without_write_access() {
	test(|| {
		let record = anchor(PATIENT, 1);
		assert_noop!(amend(PATIENT, H256::zero(), 2), Error::<Test>::NotFound);
		assert_noop!(amend(PATIENT, record, 1), Error::<Test>::DuplicateDigest);
		for author in [DOCTOR, STRANGER, OTHER_PATIENT] {
			assert_noop!(amend(author, record, 2), Error::<Test>::AccessDenied);
		}
		grant(NURSE, &[A::Read], vec![]);
		assert_noop!(amend(NURSE, record, 2), Error::<Test>::AccessDenied);
		grant(LAPSED, &[A::Write], vec![]);
		assert_noop!(amend(LAPSED, record, 2), Error::<Test>::AccessDenied);
		assert_noop!(
			Records::amend_record(
				RuntimeOrigin::signed(PATIENT),
				record,
				P::Treat,
				digest(2),
				locator(b"")
			),
			Error::<Test>::InvalidLocator
		);
		assert_noop!(
			Records::amend_record(RuntimeOrigin::root(), record, P::Treat, digest(2), None),
			BadOrigin
		);
		assert_ok!(amend(PATIENT, record, 2));
		assert_noop!(amend(PATIENT, record, 1), Error::<Test>::DuplicateDigest);
		assert_ok!(amend(GUARDIAN, record, 3));
		assert_ok!(amend(PATIENT, record, 4));
		assert_noop!(amend(PATIENT, record, 5), Error::<Test>::TooManyVersions);
	});
}

#[test]
fn a_consent_that_names_records_permits_only_those_records() {
	test(|| {
		// Records a colleague anchored, so the doctor's organization may amend them.
		grant(NURSE, &[A::Write], vec![]);
		let named = anchor(NURSE, 1);
		let other = anchor(NURSE, 2);
		let consent = grant(DOCTOR, &[A::Read, A::Write], vec![named]);
		assert_ok!(amend(DOCTOR, named, 3));
		assert_noop!(amend(DOCTOR, other, 4), Error::<Test>::AccessDenied);

		log(DOCTOR, named, P::Treat);
		System::assert_last_event(
			Event::ReadLogged {
				record_id: named,
				patient: PATIENT,
				accessor: DOCTOR,
				purpose: P::Treat,
				reason: PermitReason::Consent(consent),
			}
			.into(),
		);
		log(DOCTOR, other, P::Treat);
		System::assert_last_event(
			Event::ReadDenied {
				record_id: other,
				patient: PATIENT,
				accessor: DOCTOR,
				purpose: P::Treat,
				reason: DenyReason::RecordOutOfScope,
			}
			.into(),
		);
	});
}

#[test]
fn every_read_is_logged_with_its_decision_and_denials_are_not_silent() {
	test(|| {
		let record = anchor(PATIENT, 1);
		let denied = |accessor: u64, purpose: P, reason: DenyReason| {
			log(accessor, record, purpose);
			System::assert_last_event(
				Event::ReadDenied {
					record_id: record,
					patient: PATIENT,
					accessor,
					purpose,
					reason,
				}
				.into(),
			);
		};
		let logged = |accessor: u64, purpose: P, reason: PermitReason| {
			log(accessor, record, purpose);
			System::assert_last_event(
				Event::ReadLogged {
					record_id: record,
					patient: PATIENT,
					accessor,
					purpose,
					reason,
				}
				.into(),
			);
		};
		denied(STRANGER, P::Treat, DenyReason::CredentialInvalid);
		denied(DOCTOR, P::Treat, DenyReason::NoConsent);
		denied(LAPSED, P::Treat, DenyReason::CredentialInvalid);
		let consent = grant(DOCTOR, &[A::Read], vec![]);
		logged(DOCTOR, P::Treat, PermitReason::Consent(consent));
		denied(DOCTOR, P::Research, DenyReason::NoConsent);
		logged(PATIENT, P::PatientRequest, PermitReason::Owner);
		logged(GUARDIAN, P::Treat, PermitReason::Delegate);
		MockEmergency::open(PATIENT, NURSE, 7);
		logged(NURSE, P::EmergencyTreat, PermitReason::Emergency(7));

		assert_noop!(
			Records::log_access(RuntimeOrigin::signed(DOCTOR), H256::zero(), P::Treat),
			Error::<Test>::NotFound
		);
		assert_noop!(Records::log_access(RuntimeOrigin::none(), record, P::Treat), BadOrigin);
	});
}

#[test]
fn the_patient_erases_a_record_keeping_only_its_digest_chain() {
	test(|| {
		grant(DOCTOR, &[A::Write], vec![]);
		let record = anchor(DOCTOR, 1);
		assert_ok!(Records::amend_record(
			RuntimeOrigin::signed(PATIENT),
			record,
			P::Treat,
			digest(2),
			locator(b"\x42"),
		));
		assert!(held(DOCTOR) > 0 && held(PATIENT) > 0);

		for who in [DOCTOR, GUARDIAN, STRANGER, OTHER_PATIENT] {
			assert_noop!(
				Records::erase_record(RuntimeOrigin::signed(who), record),
				Error::<Test>::NotPatient
			);
		}
		assert_noop!(Records::erase_record(RuntimeOrigin::root(), record), BadOrigin);
		assert_noop!(
			Records::erase_record(RuntimeOrigin::signed(PATIENT), H256::zero()),
			Error::<Test>::NotFound
		);

		let issuance = Balances::total_issuance();
		let free = Balances::free_balance(PATIENT) + held(PATIENT);
		let post = Records::erase_record(RuntimeOrigin::signed(PATIENT), record).unwrap();
		assert_eq!(
			post.actual_weight,
			Some(<() as crate::WeightInfo>::erase_record(2)),
			"charged for the versions there were"
		);
		System::assert_last_event(
			Event::RecordErased { record_id: record, patient: PATIENT, versions: 2 }.into(),
		);
		assert_eq!((held(DOCTOR), held(PATIENT)), (0, 0), "every deposit released");
		// The tombstone is paid for: a deposit priced like any other, burnt.
		let fee = 10 + Records::tombstone_footprint(2).size;
		assert_eq!(Balances::free_balance(PATIENT), free - fee);
		assert_eq!(Balances::total_issuance(), issuance - fee);

		// Unlinkable: no record, version, author, organization, locator or index entry stays.
		assert_eq!(StoredRecords::<Test>::get(record), None);
		assert_eq!(Versions::<Test>::iter_prefix(record).count(), 0);
		assert_eq!(AuthorVersions::<Test>::iter_prefix(record).count(), 0);
		assert_eq!(AuthorRecords::<Test>::get(PATIENT, DOCTOR), 0);
		assert_eq!(PatientRecords::<Test>::iter_prefix(PATIENT).count(), 0);
		assert_eq!(RecordCount::<Test>::get(PATIENT), 0);
		assert!(Records::records_of(&PATIENT, 0, 10).is_empty());
		assert_eq!(Records::history(record), None);
		let tombstone = Tombstones::<Test>::get(record).unwrap();
		assert_eq!(tombstone, Tombstone { current: 1, erased_at: NOW });
		let raw = tombstone.encode();
		for who in [PATIENT, DOCTOR] {
			let id = who.encode();
			assert!(!raw.windows(id.len()).any(|w| w == id), "the tombstone names nobody");
		}
		// The digest chain keeps answering.
		assert_eq!(Records::verify(record, digest(2)), Verification::Current { version: 1 });
		assert_eq!(
			Records::verify(record, digest(1)),
			Verification::Superseded { version: 0, current: 1 }
		);
		assert_eq!(Records::verify(record, digest(3)), Verification::NoMatch);

		assert_noop!(
			Records::erase_record(RuntimeOrigin::signed(PATIENT), record),
			Error::<Test>::Erased
		);
		assert_noop!(amend(PATIENT, record, 3), Error::<Test>::Erased);
		assert_noop!(
			Records::log_access(RuntimeOrigin::signed(DOCTOR), record, P::Treat),
			Error::<Test>::Erased
		);
	});
}

#[test]
fn erasing_frees_a_slot_and_anchor_amend_erase_loops_are_paid_for() {
	test(|| {
		let records: Vec<_> = (1..=3).map(|n| anchor(PATIENT, n)).collect();
		assert_noop!(anchor_as(PATIENT, 4), Error::<Test>::TooManyRecords);
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(PATIENT), records[1]));
		let fourth = anchor(PATIENT, 4);
		assert_eq!(RecordCount::<Test>::get(PATIENT), 3);
		let listed: Vec<_> =
			Records::records_of(&PATIENT, 0, 10).into_iter().map(|r| r.id).collect();
		assert_eq!(listed, vec![records[0], records[2], fourth], "anchoring order, erased gone");

		// Every round of anchor → amend → erase costs the patient what stays, for ever.
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(PATIENT), fourth));
		let fee = 10 + Records::tombstone_footprint(2).size;
		for round in 0..5u8 {
			let before = Balances::free_balance(PATIENT);
			let record = anchor(PATIENT, 10 + round);
			assert_ok!(amend(PATIENT, record, 50 + round));
			assert_ok!(Records::erase_record(RuntimeOrigin::signed(PATIENT), record));
			assert_eq!(Balances::free_balance(PATIENT), before - fee, "round {round}");
		}
		assert_eq!(Tombstones::<Test>::iter().count(), 7);
	});
}

#[test]
fn one_author_cannot_fill_a_patients_capacity() {
	test(|| {
		grant(DOCTOR, &[A::Write], vec![]);
		let first = anchor(DOCTOR, 1);
		anchor(DOCTOR, 2);
		assert_eq!(AuthorRecords::<Test>::get(PATIENT, DOCTOR), 2);
		assert_noop!(anchor_as(DOCTOR, 3), Error::<Test>::TooManyRecordsByAuthor);
		// The patient still has room of their own.
		anchor(PATIENT, 3);
		// Erasing one of the author's records frees one of their slots, and a patient slot.
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(PATIENT), first));
		assert_eq!(AuthorRecords::<Test>::get(PATIENT, DOCTOR), 1);
		anchor(DOCTOR, 4);
	});
}

#[test]
fn one_author_cannot_fill_a_records_version_chain() {
	test(|| {
		grant(DOCTOR, &[A::Write], vec![]);
		grant(NURSE, &[A::Write], vec![]);
		let record = anchor(DOCTOR, 1);
		assert_ok!(amend(DOCTOR, record, 2));
		assert_eq!(AuthorVersions::<Test>::get(record, DOCTOR), 2);
		assert_noop!(amend(DOCTOR, record, 3), Error::<Test>::TooManyVersionsByAuthor);
		assert_ok!(amend(NURSE, record, 3));
		assert_ok!(amend(PATIENT, record, 4));
		assert_noop!(amend(NURSE, record, 5), Error::<Test>::TooManyVersions);
	});
}

#[test]
fn amending_is_for_the_authors_organization_or_the_patient() {
	test(|| {
		grant(DOCTOR, &[A::Write], vec![]);
		grant(NURSE, &[A::Write], vec![]);
		grant(OUTSIDER, &[A::Write], vec![]);
		let by_doctor = anchor(DOCTOR, 1);
		assert_eq!(StoredRecords::<Test>::get(by_doctor).unwrap().organization, Some(HOSPITAL));
		// Write access alone is not enough: another organization's practitioner is refused.
		assert_noop!(amend(OUTSIDER, by_doctor, 2), Error::<Test>::NotAuthorsOrganization);
		// A colleague of the author, the patient and the delegate may.
		assert_ok!(amend(NURSE, by_doctor, 2));
		assert_ok!(amend(PATIENT, by_doctor, 3));
		assert_ok!(amend(GUARDIAN, by_doctor, 4));

		// A record the patient anchored belongs to no organization: only they (and their
		// delegate) amend it, whatever consents say.
		let by_patient = anchor(PATIENT, 5);
		for practitioner in [DOCTOR, NURSE, OUTSIDER] {
			assert_noop!(amend(practitioner, by_patient, 6), Error::<Test>::NotAuthorsOrganization);
		}
		assert_ok!(amend(GUARDIAN, by_patient, 6));
		// The outsider's own record is theirs to amend, not the hospital's.
		let by_outsider = anchor(OUTSIDER, 7);
		assert_noop!(amend(DOCTOR, by_outsider, 8), Error::<Test>::NotAuthorsOrganization);
		assert_ok!(amend(OUTSIDER, by_outsider, 8));
	});
}

#[test]
fn an_emergency_session_anchors_only_new_emergency_records_within_its_bound() {
	test(|| {
		MockEmergency::open(PATIENT, NURSE, 7);
		let emergency = |n: u8, purpose: P| {
			Records::anchor_record(
				RuntimeOrigin::signed(NURSE),
				PATIENT,
				C::Allergies,
				purpose,
				FhirResourceType::AllergyIntolerance,
				digest(n),
				None,
			)
		};
		// Not for an ordinary purpose.
		assert_noop!(emergency(1, P::Treat), Error::<Test>::AccessDenied);
		assert_ok!(emergency(1, P::EmergencyTreat));
		assert_eq!(MockEmergency::writes(), vec![7], "the session's write is counted");
		let record = newest();
		// Never an amend, not even of its own record.
		assert_noop!(
			Records::amend_record(
				RuntimeOrigin::signed(NURSE),
				record,
				P::EmergencyTreat,
				digest(2),
				None
			),
			Error::<Test>::AccessDenied
		);
		// The session's bound (one write in the mock) refuses the next, and changes nothing.
		assert_noop!(
			emergency(3, P::BreakTheGlass),
			sp_runtime::DispatchError::Other("too many writes")
		);
		assert_eq!(MockEmergency::writes(), vec![7]);
	});
}

#[test]
fn weights_include_the_access_decision() {
	test(|| {
		let record = anchor(PATIENT, 1);
		let decision = <() as pallet_consent::WeightInfo>::check_access();
		let weight = |call: crate::Call<Test>| call.get_dispatch_info().call_weight;
		assert_eq!(
			weight(crate::Call::log_access { record_id: record, purpose: P::Treat }),
			<() as crate::WeightInfo>::log_access() + decision
		);
		assert_eq!(
			weight(crate::Call::amend_record {
				record_id: record,
				purpose: P::Treat,
				digest: digest(2),
				locator: None
			}),
			<() as crate::WeightInfo>::amend_record() + decision
		);
	});
}

#[test]
fn a_patients_records_are_listed_in_pages() {
	test(|| {
		let ids: Vec<_> = (1..=3).map(|n| anchor(PATIENT, n)).collect();
		let page = |from, limit| {
			Records::records_of(&PATIENT, from, limit).into_iter().map(|r| r.id).collect::<Vec<_>>()
		};
		assert_eq!(page(0, 10), ids);
		assert_eq!(page(1, 1), vec![ids[1]]);
		assert_eq!(page(3, 10), Vec::<RecordId>::new());
		assert_eq!(page(0, u32::MAX), ids);
		assert!(Records::records_of(&OTHER_PATIENT, 0, 10).is_empty());
		let first = &Records::records_of(&PATIENT, 0, 1)[0];
		assert_eq!(first.category, Some(C::LabResults));
		assert_eq!(first.resource_type.as_deref(), Some(&b"Observation"[..]));
		assert_eq!(first.erased_at, None);
	});
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(128))]

		/// Whatever sequence of amendments is tried, a digest verifies against exactly the
		/// version it was accepted as, and every other digest matches nothing.
		#[test]
		fn a_digest_verifies_against_exactly_the_version_it_was_anchored_as(
			first in 0u8..8,
			amendments in proptest::collection::vec(0u8..8, 0..8),
		) {
			new_test_ext().execute_with(|| {
				let record = anchor(PATIENT, first);
				let mut accepted = vec![first];
				for n in amendments {
					match amend(PATIENT, record, n) {
						Ok(()) => accepted.push(n),
						Err(e) => {
							let duplicate = accepted.contains(&n);
							let full = accepted.len() as u32 == 4;
							prop_assert!(duplicate || full, "unexpected refusal {:?}", e);
						},
					}
				}
				let current = accepted.len() as u32 - 1;
				for n in 0u8..8 {
					let expected = match accepted.iter().position(|a| *a == n) {
						Some(v) if v as u32 == current => Verification::Current { version: current },
						Some(v) => Verification::Superseded { version: v as u32, current },
						None => Verification::NoMatch,
					};
					prop_assert_eq!(Records::verify(record, digest(n)), expected);
				}
				Records::do_try_state().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
				Ok(())
			})?;
		}
	}
}

#[test]
fn blake2_digests_are_distinct_from_sha256_digests_of_the_same_bytes() {
	test(|| {
		let record = anchor(PATIENT, 1);
		let blake = Digest { algorithm: DigestAlgorithm::Blake2b256, hash: H256::repeat_byte(1) };
		assert_eq!(Records::verify(record, blake), Verification::NoMatch);
		assert_ok!(Records::amend_record(
			RuntimeOrigin::signed(PATIENT),
			record,
			P::Treat,
			blake,
			None
		));
		assert_eq!(Records::verify(record, blake), Verification::Current { version: 1 });
	});
}

#[test]
fn a_gateway_logs_a_batch_of_its_practitioners_reads_each_decided_and_evented() {
	const GATEWAY: u64 = 40;
	test(|| {
		let record = anchor(PATIENT, 1);
		let consent = grant(DOCTOR, &[A::Read], vec![]);
		assert_ok!(Registry::add_gateway(RuntimeOrigin::signed(ADMIN), HOSPITAL, GATEWAY));
		let read = |accessor: u64, record_id: RecordId, purpose: P| LoggedRead {
			record_id,
			accessor,
			purpose,
		};
		let batch = |reads: Vec<LoggedRead<u64>>| BoundedVec::truncate_from(reads);
		let last_events = |n: usize| {
			let events = System::events();
			events[events.len() - n..].iter().map(|r| r.event.clone()).collect::<Vec<_>>()
		};

		// The gateway logs a permitted and a denied read: each decided and evented.
		assert_ok!(Records::log_access_batch(
			RuntimeOrigin::signed(GATEWAY),
			batch(vec![read(DOCTOR, record, P::Treat), read(NURSE, record, P::Treat)])
		));
		assert_eq!(
			last_events(3),
			vec![
				RuntimeEvent::Records(Event::ReadLogged {
					record_id: record,
					patient: PATIENT,
					accessor: DOCTOR,
					purpose: P::Treat,
					reason: PermitReason::Consent(consent),
				}),
				RuntimeEvent::Records(Event::ReadDenied {
					record_id: record,
					patient: PATIENT,
					accessor: NURSE,
					purpose: P::Treat,
					reason: DenyReason::NoConsent,
				}),
				RuntimeEvent::Records(Event::BatchLogged {
					submitter: GATEWAY,
					organization: Some(HOSPITAL),
					reads: 2,
				}),
			]
		);
		// A practitioner logs their own reads in a batch.
		assert_ok!(Records::log_access_batch(
			RuntimeOrigin::signed(DOCTOR),
			batch(vec![read(DOCTOR, record, P::Research)])
		));
		assert_eq!(
			last_events(2),
			vec![
				RuntimeEvent::Records(Event::ReadDenied {
					record_id: record,
					patient: PATIENT,
					accessor: DOCTOR,
					purpose: P::Research,
					reason: DenyReason::NoConsent,
				}),
				RuntimeEvent::Records(Event::BatchLogged {
					submitter: DOCTOR,
					organization: None,
					reads: 1,
				}),
			]
		);

		// Refused whole, nothing logged: no signer, an empty batch, a practitioner or a stranger
		// logging for someone else, the gateway logging for another organization's practitioner
		// or for an account with no credential, and a batch naming an unknown record.
		let refused: Vec<(RuntimeOrigin, Vec<LoggedRead<u64>>, sp_runtime::DispatchError)> = vec![
			(RuntimeOrigin::none(), vec![read(DOCTOR, record, P::Treat)], BadOrigin),
			(RuntimeOrigin::signed(GATEWAY), vec![], Error::<Test>::EmptyBatch.into()),
			(
				RuntimeOrigin::signed(DOCTOR),
				vec![read(DOCTOR, record, P::Treat), read(NURSE, record, P::Treat)],
				Error::<Test>::NotGateway.into(),
			),
			(
				RuntimeOrigin::signed(STRANGER),
				vec![read(DOCTOR, record, P::Treat)],
				Error::<Test>::NotGateway.into(),
			),
			(
				RuntimeOrigin::signed(GATEWAY),
				vec![read(DOCTOR, record, P::Treat), read(OUTSIDER, record, P::Treat)],
				Error::<Test>::NotGatewaysPractitioner.into(),
			),
			(
				RuntimeOrigin::signed(GATEWAY),
				vec![read(STRANGER, record, P::Treat)],
				Error::<Test>::NotGatewaysPractitioner.into(),
			),
			(
				RuntimeOrigin::signed(GATEWAY),
				vec![read(DOCTOR, record, P::Treat), read(DOCTOR, H256::zero(), P::Treat)],
				Error::<Test>::NotFound.into(),
			),
		];
		for (origin, reads, error) in refused {
			assert_noop!(Records::log_access_batch(origin, batch(reads)), error);
		}
		// A suspended organization's gateway logs for nobody.
		assert_ok!(Registry::suspend_organization(RuntimeOrigin::root(), HOSPITAL));
		assert_noop!(
			Records::log_access_batch(
				RuntimeOrigin::signed(GATEWAY),
				batch(vec![read(DOCTOR, record, P::Treat)])
			),
			Error::<Test>::NotGateway
		);
	});
}

#[test]
fn a_batch_weighs_its_decisions_one_by_one() {
	let decision = <() as pallet_consent::WeightInfo>::check_access();
	let reads = |n: usize| {
		BoundedVec::truncate_from(vec![
			LoggedRead {
				record_id: H256::zero(),
				accessor: DOCTOR,
				purpose: P::Treat
			};
			n
		])
	};
	for n in [1u32, 2] {
		let call = crate::Call::<Test>::log_access_batch { reads: reads(n as usize) };
		assert_eq!(
			call.get_dispatch_info().call_weight,
			<() as crate::WeightInfo>::log_access_batch(n).saturating_add(decision * n as u64)
		);
	}
}
