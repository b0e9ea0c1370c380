//! Unit tests of the records pallet: every call's success path and errors, the authorization
//! matrix, erasure, and a property test of verification. The access decision, credentials,
//! gateways and emergency sessions are the mock's stand-ins; the real consent, registry and
//! break-glass pallets are tested with this one in the runtime's integration suite.

use crate::{
	mock::*, AuthorRecords, AuthorVersions, DigestIndex, Error, Event, FhirResourceType,
	HoldReason, Locator, LoggedRead, NextNonce, PatientRecords, RecordCount,
	Records as StoredRecords, Tombstone, Tombstones, Versions,
};
use codec::{Decode, Encode};
use consent_primitives::{
	Action as A, ConsentId, DataCategory as C, DenyReason, Digest, DigestAlgorithm, Grantee,
	PermitReason, Purpose as P, RecordId, Role, Verification,
};
use frame_support::{
	assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::fungible::InspectHold, BoundedVec,
};
use sp_core::H256;
use sp_io::hashing::blake2_256;
use sp_runtime::{
	traits::Dispatchable, DispatchError, DispatchError::BadOrigin, StateVersion, TokenError,
};

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

/// Who an account of the mock is, for a row's label in the authorization matrix.
fn described(account: u64) -> &'static str {
	match account {
		PATIENT => "the patient",
		GUARDIAN => "the patient's delegate, signing for themself",
		OTHER_PATIENT => "another patient",
		DOCTOR => "the doctor (the author of the record)",
		NURSE => "the doctor's colleague of the wrong role (a nurse; the consent names physicians)",
		LAPSED => "the doctor's colleague whose credential lapsed",
		OUTSIDER => "another organization's physician, consented the doctor's record",
		SUSPENDED_DOCTOR => "a physician of a suspended organization",
		ADMIN => "the hospital's admin",
		CLINIC_ADMIN => "another organization's admin",
		GATEWAY => "the hospital's gateway",
		CLINIC_GATEWAY => "another organization's gateway",
		SUSPENDED_GATEWAY => "a suspended organization's gateway",
		STRANGER => "a stranger",
		_ => "an account the matrix does not describe",
	}
}

/// Under consent `id`, the patient lets `who` take `actions` on their lab results for treatment.
fn grant(id: ConsentId, who: u64, actions: &[A]) {
	MockAccess::grant(MockConsent::lab_results(id, PATIENT, who, actions));
}

/// Consents 1, 2, … of the patient, to each of `writers` in turn: adding lab results.
fn grant_write(writers: &[u64]) {
	for (id, &who) in (1..).zip(writers) {
		grant(id, who, &[A::Write]);
	}
}

fn anchor_as(author: u64, n: u8) -> Result<RecordId, DispatchError> {
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

/// The event of `accessor`'s permitted read of the patient's `record`.
fn read_logged(accessor: u64, record: RecordId, purpose: P, reason: PermitReason) -> Event<Test> {
	Event::ReadLogged { record_id: record, patient: PATIENT, accessor, purpose, reason }
}

/// The event of `accessor`'s denied read of the patient's `record`.
fn read_denied(accessor: u64, record: RecordId, purpose: P, reason: DenyReason) -> Event<Test> {
	Event::ReadDenied { record_id: record, patient: PATIENT, accessor, purpose, reason }
}

/// `accessor` logs a read of `record` for `purpose`: permitted, for `reason`, and evented.
fn assert_logged(accessor: u64, record: RecordId, purpose: P, reason: PermitReason) {
	log(accessor, record, purpose);
	System::assert_last_event(read_logged(accessor, record, purpose, reason).into());
}

/// `accessor` logs a read of `record` for `purpose`: denied, for `reason`, and evented.
fn assert_denied(accessor: u64, record: RecordId, purpose: P, reason: DenyReason) {
	log(accessor, record, purpose);
	System::assert_last_event(read_denied(accessor, record, purpose, reason).into());
}

fn erase(who: u64, record: RecordId) -> sp_runtime::DispatchResult {
	Records::erase_record(RuntimeOrigin::signed(who), record).map(|_| ()).map_err(|e| e.error)
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
		grant(1, DOCTOR, &[A::Read, A::Write]);
		let record = anchor(DOCTOR, 1);
		assert_eq!(Versions::<Test>::get(record, 0).unwrap().organization, Some(HOSPITAL));
		assert_eq!(StoredRecords::<Test>::get(record).unwrap().organization, Some(HOSPITAL));
		assert_eq!(AuthorRecords::<Test>::get(PATIENT, DOCTOR), 1);
		let deposit = held(DOCTOR);
		assert!(deposit > 0);
		assert_eq!(held(PATIENT), 0, "the author pays, not the patient");

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

/// Anchoring asks the decision for *Write* on the anchored category and purpose, for a record
/// that does not exist yet; any denial refuses it.
#[test]
fn anchoring_needs_write_access_to_that_category_for_a_new_record() {
	test(|| {
		let anchor_with = |author: u64, category: C, purpose: P| {
			Records::anchor_record(
				RuntimeOrigin::signed(author),
				PATIENT,
				category,
				purpose,
				observation(),
				digest(1),
				None,
			)
		};
		// A read-only consent does not allow writing.
		grant(1, NURSE, &[A::Read]);
		assert_noop!(anchor_with(NURSE, C::LabResults, P::Treat), Error::<Test>::AccessDenied);
		// A consent naming records does not allow new ones.
		MockAccess::grant(
			MockConsent::lab_results(2, PATIENT, DOCTOR, &[A::Write]).only(H256::repeat_byte(7)),
		);
		assert_noop!(anchor_with(DOCTOR, C::LabResults, P::Treat), Error::<Test>::AccessDenied);
		// A write consent covers its category and purpose only.
		grant(3, DOCTOR, &[A::Write]);
		assert_noop!(anchor_with(DOCTOR, C::MentalHealth, P::Treat), Error::<Test>::AccessDenied);
		assert_noop!(anchor_with(DOCTOR, C::LabResults, P::Research), Error::<Test>::AccessDenied);
		// A consent whose holder's credential lapsed.
		grant(4, LAPSED, &[A::Write]);
		assert_noop!(anchor_with(LAPSED, C::LabResults, P::Treat), Error::<Test>::AccessDenied);

		assert_ok!(anchor_with(DOCTOR, C::LabResults, P::Treat));
		// The delegate anchors as an author of no organization, counted like any other author.
		let record = anchor(GUARDIAN, 2);
		let version = Versions::<Test>::get(record, 0).unwrap();
		assert_eq!((version.author, version.organization), (GUARDIAN, None));
		assert_eq!(AuthorRecords::<Test>::get(PATIENT, GUARDIAN), 1);
		assert!(held(GUARDIAN) > 0, "the delegate pays for what they anchor");
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
		grant_write(&[POOR]);
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
fn an_exhausted_record_nonce_refuses_anchoring_and_changes_nothing() {
	test(|| {
		NextNonce::<Test>::put(u64::MAX);
		assert_noop!(anchor_as(PATIENT, 1), Error::<Test>::Overflow);
		NextNonce::<Test>::put(u64::MAX - 1);
		anchor(PATIENT, 1);
		assert_eq!(NextNonce::<Test>::get(), u64::MAX);
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
		grant(1, NURSE, &[A::Read]);
		assert_noop!(amend(NURSE, record, 2), Error::<Test>::AccessDenied);
		grant(2, LAPSED, &[A::Write]);
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
fn an_author_who_cannot_pay_the_deposit_cannot_amend() {
	test(|| {
		grant_write(&[DOCTOR, POOR]);
		let record = anchor(DOCTOR, 1);
		// A colleague of the author with write access, short of the deposit.
		assert_noop!(amend(POOR, record, 2), TokenError::FundsUnavailable);
		assert_ok!(amend(DOCTOR, record, 2));
	});
}

/// Amending and logging a read ask the decision about the record itself (its stored category,
/// and its id): a consent that names records reaches those records only.
#[test]
fn amend_and_log_ask_the_decision_about_that_record() {
	test(|| {
		// Records a colleague anchored, so the doctor's organization may amend them.
		grant_write(&[NURSE]);
		let named = anchor(NURSE, 1);
		let other = anchor(NURSE, 2);
		MockAccess::grant(
			MockConsent::lab_results(2, PATIENT, DOCTOR, &[A::Read, A::Write]).only(named),
		);
		assert_ok!(amend(DOCTOR, named, 3));
		assert_noop!(amend(DOCTOR, other, 4), Error::<Test>::AccessDenied);

		assert_logged(DOCTOR, named, P::Treat, PermitReason::Consent(2));
		assert_denied(DOCTOR, other, P::Treat, DenyReason::RecordOutOfScope);

		// The decision is about the record's stored category: the doctor's consents on lab
		// results do not reach an imaging record, a consent on imaging does.
		assert_ok!(Records::anchor_record(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			C::Imaging,
			P::Treat,
			FhirResourceType::ImagingStudy,
			digest(5),
			None,
		));
		let imaging = newest();
		MockAccess::grant(MockConsent {
			categories: C::Imaging.into(),
			..MockConsent::lab_results(3, PATIENT, DOCTOR, &[A::Read])
		});
		assert_logged(DOCTOR, imaging, P::Treat, PermitReason::Consent(3));
		assert_denied(DOCTOR, other, P::Treat, DenyReason::RecordOutOfScope);
	});
}

#[test]
fn every_read_is_logged_with_its_decision_and_denials_are_not_silent() {
	test(|| {
		let record = anchor(PATIENT, 1);
		let denied = |accessor: u64, purpose: P, reason: DenyReason| {
			assert_denied(accessor, record, purpose, reason);
		};
		let logged = |accessor: u64, purpose: P, reason: PermitReason| {
			assert_logged(accessor, record, purpose, reason);
		};
		denied(STRANGER, P::Treat, DenyReason::CredentialInvalid);
		denied(DOCTOR, P::Treat, DenyReason::NoConsent);
		denied(LAPSED, P::Treat, DenyReason::CredentialInvalid);
		grant(5, DOCTOR, &[A::Read]);
		logged(DOCTOR, P::Treat, PermitReason::Consent(5));
		denied(DOCTOR, P::Research, DenyReason::NoConsent);
		logged(PATIENT, P::PatientRequest, PermitReason::Owner);
		logged(GUARDIAN, P::Treat, PermitReason::Delegate);
		MockEmergency::open(PATIENT, NURSE, 7);
		logged(NURSE, P::EmergencyTreat, PermitReason::Emergency(7));
		assert!(MockEmergency::writes().is_empty(), "a read is not a session's write");
		let decided = System::events()
			.iter()
			.filter(|r| {
				matches!(
					r.event,
					RuntimeEvent::Records(Event::ReadLogged { .. } | Event::ReadDenied { .. })
				)
			})
			.count();
		assert_eq!(decided, 8, "one event per read, permitted or denied");

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
		grant_write(&[DOCTOR]);
		let record = anchor(DOCTOR, 1);
		assert_ok!(Records::amend_record(
			RuntimeOrigin::signed(PATIENT),
			record,
			P::Treat,
			digest(2),
			locator(b"\x42"),
		));
		assert!(held(DOCTOR) > 0 && held(PATIENT) > 0);

		// Who else may not erase: the authorization matrix.
		assert_noop!(erase(DOCTOR, record), Error::<Test>::NotPatient);
		assert_noop!(erase(PATIENT, H256::zero()), Error::<Test>::NotFound);

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

		assert_noop!(erase(PATIENT, record), Error::<Test>::Erased);
		assert_noop!(amend(PATIENT, record, 3), Error::<Test>::Erased);
		assert_noop!(
			Records::log_access(RuntimeOrigin::signed(DOCTOR), record, P::Treat),
			Error::<Test>::Erased
		);
	});
}

#[test]
fn a_patient_who_cannot_pay_for_the_tombstone_cannot_erase() {
	test(|| {
		// POOR is the patient here; the doctor authored (and paid for) the record.
		MockAccess::grant(MockConsent::lab_results(1, POOR, DOCTOR, &[A::Write]));
		assert_ok!(Records::anchor_record(
			RuntimeOrigin::signed(DOCTOR),
			POOR,
			C::LabResults,
			P::Treat,
			observation(),
			digest(1),
			None,
		));
		let (record, _) = PatientRecords::<Test>::iter_prefix(POOR).next().unwrap();
		assert_noop!(erase(POOR, record), TokenError::FundsUnavailable);
		assert!(StoredRecords::<Test>::contains_key(record));
	});
}

#[test]
fn erasing_frees_a_slot_and_anchor_amend_erase_loops_are_paid_for() {
	test(|| {
		let records: Vec<_> = (1..=3).map(|n| anchor(PATIENT, n)).collect();
		assert_noop!(anchor_as(PATIENT, 4), Error::<Test>::TooManyRecords);
		assert_ok!(erase(PATIENT, records[1]));
		let fourth = anchor(PATIENT, 4);
		assert_eq!(RecordCount::<Test>::get(PATIENT), 3);
		let listed: Vec<_> =
			Records::records_of(&PATIENT, 0, 10).into_iter().map(|r| r.id).collect();
		assert_eq!(listed, vec![records[0], records[2], fourth], "anchoring order, erased gone");

		// Every round of anchor → amend → erase costs the patient what stays, for ever.
		assert_ok!(erase(PATIENT, fourth));
		let fee = 10 + Records::tombstone_footprint(2).size;
		for round in 0..5u8 {
			let before = Balances::free_balance(PATIENT);
			let record = anchor(PATIENT, 10 + round);
			assert_ok!(amend(PATIENT, record, 50 + round));
			assert_ok!(erase(PATIENT, record));
			assert_eq!(Balances::free_balance(PATIENT), before - fee, "round {round}");
		}
		assert_eq!(Tombstones::<Test>::iter().count(), 7);
	});
}

#[test]
fn one_author_cannot_fill_a_patients_capacity() {
	test(|| {
		grant_write(&[DOCTOR]);
		let first = anchor(DOCTOR, 1);
		anchor(DOCTOR, 2);
		assert_eq!(AuthorRecords::<Test>::get(PATIENT, DOCTOR), 2);
		assert_noop!(anchor_as(DOCTOR, 3), Error::<Test>::TooManyRecordsByAuthor);
		// The patient still has room of their own.
		anchor(PATIENT, 3);
		// Erasing one of the author's records frees one of their slots, and a patient slot.
		assert_ok!(erase(PATIENT, first));
		assert_eq!(AuthorRecords::<Test>::get(PATIENT, DOCTOR), 1);
		anchor(DOCTOR, 4);
	});
}

#[test]
fn one_author_cannot_fill_a_records_version_chain() {
	test(|| {
		grant_write(&[DOCTOR, NURSE]);
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
		grant_write(&[DOCTOR, NURSE, OUTSIDER]);
		let by_doctor = anchor(DOCTOR, 1);
		assert_eq!(StoredRecords::<Test>::get(by_doctor).unwrap().organization, Some(HOSPITAL));
		// Write access alone is not enough: another organization's practitioner is refused.
		assert_noop!(amend(OUTSIDER, by_doctor, 2), Error::<Test>::NotAuthorsOrganization);
		// A colleague of the author, the patient and the delegate may.
		assert_ok!(amend(NURSE, by_doctor, 2));
		assert_ok!(amend(PATIENT, by_doctor, 3));
		assert_ok!(amend(GUARDIAN, by_doctor, 4));
		let authors: Vec<_> =
			Records::history(by_doctor).unwrap().into_iter().map(|v| v.author).collect();
		assert_eq!(authors, vec![DOCTOR, NURSE, PATIENT, GUARDIAN]);

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
		assert!(MockEmergency::writes().is_empty());
		assert_ok!(emergency(1, P::EmergencyTreat));
		assert_eq!(MockEmergency::writes(), vec![7], "the session's write is counted");
		let record = newest();
		assert_eq!(StoredRecords::<Test>::get(record).unwrap().organization, Some(HOSPITAL));
		// Never an amend, not even of its own record: the decision is asked about the record.
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
		assert_eq!(RecordCount::<Test>::get(PATIENT), 1);
	});
}

#[test]
fn weights_include_the_access_decision() {
	test(|| {
		let record = anchor(PATIENT, 1);
		let weight = |call: crate::Call<Test>| call.get_dispatch_info().call_weight;
		assert_eq!(
			weight(crate::Call::anchor_record {
				patient: PATIENT,
				category: C::LabResults,
				purpose: P::Treat,
				resource_type: observation(),
				digest: digest(2),
				locator: None
			}),
			<() as crate::WeightInfo>::anchor_record() + ACCESS_WEIGHT
		);
		assert_eq!(
			weight(crate::Call::log_access { record_id: record, purpose: P::Treat }),
			<() as crate::WeightInfo>::log_access() + ACCESS_WEIGHT
		);
		assert_eq!(
			weight(crate::Call::amend_record {
				record_id: record,
				purpose: P::Treat,
				digest: digest(2),
				locator: None
			}),
			<() as crate::WeightInfo>::amend_record() + ACCESS_WEIGHT
		);
		assert_eq!(
			weight(crate::Call::erase_record { record_id: record }),
			<() as crate::WeightInfo>::erase_record(4),
			"erasure makes no decision; it is charged for the most versions up front"
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

fn read(accessor: u64, record_id: RecordId, purpose: P) -> LoggedRead<u64> {
	LoggedRead { record_id, accessor, purpose }
}

fn batch(
	reads: Vec<LoggedRead<u64>>,
) -> BoundedVec<LoggedRead<u64>, <Test as crate::Config>::MaxLogBatch> {
	BoundedVec::truncate_from(reads)
}

fn last_events(n: usize) -> Vec<RuntimeEvent> {
	let events = System::events();
	events[events.len() - n..].iter().map(|r| r.event.clone()).collect()
}

#[test]
fn a_gateway_logs_a_batch_of_its_practitioners_reads_each_decided_and_evented() {
	test(|| {
		let record = anchor(PATIENT, 1);
		grant(1, DOCTOR, &[A::Read]);

		// The gateway logs a permitted and a denied read: each decided and evented.
		assert_ok!(Records::log_access_batch(
			RuntimeOrigin::signed(GATEWAY),
			batch(vec![read(DOCTOR, record, P::Treat), read(NURSE, record, P::Treat)])
		));
		assert_eq!(
			last_events(3),
			vec![
				RuntimeEvent::Records(read_logged(
					DOCTOR,
					record,
					P::Treat,
					PermitReason::Consent(1)
				)),
				RuntimeEvent::Records(read_denied(NURSE, record, P::Treat, DenyReason::NoConsent)),
				RuntimeEvent::Records(Event::BatchLogged {
					submitter: GATEWAY,
					organization: Some(HOSPITAL),
					reads: 2,
				}),
			]
		);
		// A lapsed practitioner's read attempt is still the organization's to log: denied.
		assert_ok!(Records::log_access_batch(
			RuntimeOrigin::signed(GATEWAY),
			batch(vec![read(LAPSED, record, P::Treat)])
		));
		assert_eq!(
			last_events(2)[0],
			RuntimeEvent::Records(read_denied(
				LAPSED,
				record,
				P::Treat,
				DenyReason::CredentialInvalid
			))
		);
		// A practitioner logs their own reads in a batch.
		assert_ok!(Records::log_access_batch(
			RuntimeOrigin::signed(DOCTOR),
			batch(vec![read(DOCTOR, record, P::Research)])
		));
		assert_eq!(
			last_events(2),
			vec![
				RuntimeEvent::Records(read_denied(
					DOCTOR,
					record,
					P::Research,
					DenyReason::NoConsent
				)),
				RuntimeEvent::Records(Event::BatchLogged {
					submitter: DOCTOR,
					organization: None,
					reads: 1,
				}),
			]
		);

		// Refused whole, nothing logged, even when the first read could be: an empty batch, a
		// read the submitter may not log, an unknown or an erased record. (Who may not submit
		// at all: the authorization matrix.)
		let erased = anchor(PATIENT, 2);
		assert_ok!(erase(PATIENT, erased));
		let fine = read(DOCTOR, record, P::Treat);
		let refused: Vec<(&str, u64, Vec<LoggedRead<u64>>, DispatchError)> = vec![
			("empty", GATEWAY, vec![], Error::<Test>::EmptyBatch.into()),
			(
				"a colleague's read by a practitioner",
				DOCTOR,
				vec![fine.clone(), read(NURSE, record, P::Treat)],
				Error::<Test>::NotGateway.into(),
			),
			(
				"another organization's practitioner",
				GATEWAY,
				vec![fine.clone(), read(OUTSIDER, record, P::Treat)],
				Error::<Test>::NotGatewaysPractitioner.into(),
			),
			(
				"an unknown record",
				GATEWAY,
				vec![fine.clone(), read(DOCTOR, H256::zero(), P::Treat)],
				Error::<Test>::NotFound.into(),
			),
			(
				"an erased record",
				GATEWAY,
				vec![fine.clone(), read(DOCTOR, erased, P::Treat)],
				Error::<Test>::Erased.into(),
			),
		];
		for (label, submitter, reads, error) in refused {
			let before = System::events().len();
			let result = Records::log_access_batch(RuntimeOrigin::signed(submitter), batch(reads));
			assert_eq!(result.map_err(|e| e.error), Err(error), "{label}");
			assert_eq!(System::events().len(), before, "{label}: nothing logged");
		}
		// A gateway of an organization suspended since logs for nobody.
		MockCredentials::suspend_org(HOSPITAL);
		assert_noop!(
			Records::log_access_batch(RuntimeOrigin::signed(GATEWAY), batch(vec![fine])),
			Error::<Test>::NotGateway
		);
	});
}

/// A batch is charged a worst-case decision per read up front, and refunded to one per
/// distinct (patient, accessor) pair it asked.
#[test]
fn a_batch_is_charged_a_decision_per_read_and_refunded_to_one_per_pair() {
	let batch_weight = <() as crate::WeightInfo>::log_access_batch;
	let reads = |n: usize| batch(vec![read(DOCTOR, H256::zero(), P::Treat); n]);
	for n in [1u32, 2] {
		let call = crate::Call::<Test>::log_access_batch { reads: reads(n as usize) };
		assert_eq!(
			call.get_dispatch_info().call_weight,
			batch_weight(n) + ACCESS_WEIGHT * n as u64
		);
	}
	test(|| {
		grant(1, DOCTOR, &[A::Read, A::Write]);
		let (first, second) = (anchor(DOCTOR, 1), anchor(DOCTOR, 2));
		let actual = |reads| {
			Records::log_access_batch(RuntimeOrigin::signed(GATEWAY), batch(reads))
				.expect("the gateway logs its practitioners' reads")
				.actual_weight
		};
		// (The mock's batches hold two reads.) One pair, the patient and the doctor, twice: one
		// decision's reads.
		let same_pair = vec![read(DOCTOR, first, P::Treat), read(DOCTOR, second, P::Research)];
		assert_eq!(actual(same_pair), Some(batch_weight(2) + ACCESS_WEIGHT));
		// Two accessors of the same patient: two pairs.
		let two_pairs = vec![read(DOCTOR, first, P::Treat), read(NURSE, first, P::Treat)];
		assert_eq!(actual(two_pairs), Some(batch_weight(2) + ACCESS_WEIGHT * 2));
	});
}

/// Every call tried from every origin that must be refused: the named error, no state change
/// (storage root), no event. Then the origin that may, so the table's calls are well formed.
#[test]
fn every_call_refuses_every_origin_that_may_not_make_it() {
	test(|| {
		// Consents: the doctor personally; the hospital's physicians by role; the clinic's
		// physician on the doctor's record only; a physician of a suspended organization.
		grant(1, DOCTOR, &[A::Read, A::Write]);
		MockAccess::grant(
			MockConsent::lab_results(2, PATIENT, DOCTOR, &[A::Read, A::Write])
				.to(Grantee::Role { organization: HOSPITAL, role: Role::Physician }),
		);
		grant(4, SUSPENDED_DOCTOR, &[A::Read, A::Write]);
		let by_doctor = anchor(DOCTOR, 1);
		let by_patient = anchor(PATIENT, 2);
		MockAccess::grant(
			MockConsent::lab_results(3, PATIENT, OUTSIDER, &[A::Read, A::Write]).only(by_doctor),
		);

		let anchor_for = |patient: u64| -> RuntimeCall {
			crate::Call::anchor_record {
				patient,
				category: C::LabResults,
				purpose: P::Treat,
				resource_type: observation(),
				digest: digest(9),
				locator: None,
			}
			.into()
		};
		let anchor = || anchor_for(PATIENT);
		let amend_of = |record_id: RecordId| -> RuntimeCall {
			crate::Call::amend_record {
				record_id,
				purpose: P::Treat,
				digest: digest(9),
				locator: None,
			}
			.into()
		};
		let amend = || amend_of(by_doctor);
		let log = || -> RuntimeCall {
			crate::Call::log_access { record_id: by_doctor, purpose: P::Treat }.into()
		};
		let batch_of = |accessor: u64| -> RuntimeCall {
			crate::Call::log_access_batch {
				reads: batch(vec![read(accessor, by_doctor, P::Treat)]),
			}
			.into()
		};
		let batch = || batch_of(DOCTOR);
		let erase = || -> RuntimeCall { crate::Call::erase_record { record_id: by_doctor }.into() };

		let root = RuntimeOrigin::root;
		let none = RuntimeOrigin::none;
		let signed = RuntimeOrigin::signed;
		let bad_origin = BadOrigin;
		let access_denied: DispatchError = Error::<Test>::AccessDenied.into();
		let not_authors_org: DispatchError = Error::<Test>::NotAuthorsOrganization.into();
		let not_gateway: DispatchError = Error::<Test>::NotGateway.into();
		let not_gateways_practitioner: DispatchError =
			Error::<Test>::NotGatewaysPractitioner.into();
		let not_patient: DispatchError = Error::<Test>::NotPatient.into();

		// Every call is signed: Root and no signer are refused before anything is read.
		let mut table: Vec<(String, RuntimeOrigin, RuntimeCall, DispatchError)> = Vec::new();
		for (name, call) in [
			("anchor", anchor()),
			("amend", amend()),
			("log", log()),
			("batch", batch()),
			("erase", erase()),
		] {
			table.push((format!("{name}: Root"), root(), call.clone(), bad_origin));
			table.push((format!("{name}: no signer"), none(), call, bad_origin));
		}
		// A row for each of `accounts`: `call` (named `name`), signed by it, refused with `error`.
		let mut refuse = |name: &str, call: RuntimeCall, error: DispatchError, accounts: &[u64]| {
			for &account in accounts {
				let label = format!("{name}: {}", described(account));
				table.push((label, signed(account), call.clone(), error));
			}
		};

		// anchor_record: an author with write access to the patient's data. amend_record: the
		// patient, or the author's organization with write access. Neither is open to a signer
		// without write access.
		let no_write_access = [
			STRANGER,
			OTHER_PATIENT,
			NURSE,
			LAPSED,
			SUSPENDED_DOCTOR,
			ADMIN,
			CLINIC_ADMIN,
			GATEWAY,
			CLINIC_GATEWAY,
		];
		refuse("anchor", anchor(), access_denied, &no_write_access);
		refuse("anchor", anchor(), access_denied, &[OUTSIDER]);
		let for_another = "anchor, for another patient (who consented nothing)";
		refuse(for_another, anchor_for(OTHER_PATIENT), access_denied, &[PATIENT, DOCTOR]);
		refuse("amend", amend(), access_denied, &no_write_access);
		// With write access to the record, but not of the author's organization.
		refuse("amend", amend(), not_authors_org, &[OUTSIDER]);
		let patients_own = "amend, a record the patient anchored (and consented nobody)";
		refuse(patients_own, amend_of(by_patient), access_denied, &[OUTSIDER]);
		refuse(patients_own, amend_of(by_patient), not_authors_org, &[DOCTOR]);
		// log_access: any signer; a denied read is logged, not refused.
		// log_access_batch: the accessor, or a gateway of the accessor's organization.
		let not_gateways = [STRANGER, PATIENT, NURSE, ADMIN, CLINIC_ADMIN, SUSPENDED_GATEWAY];
		refuse("batch, for the doctor", batch(), not_gateway, &not_gateways);
		refuse("batch, for the doctor", batch(), not_gateways_practitioner, &[CLINIC_GATEWAY]);
		for accessor in [OUTSIDER, PATIENT, STRANGER] {
			let name = format!("batch, for {}", described(accessor));
			refuse(&name, batch_of(accessor), not_gateways_practitioner, &[GATEWAY]);
		}
		// erase_record: the patient only.
		let not_the_patient =
			[DOCTOR, NURSE, GUARDIAN, OTHER_PATIENT, STRANGER, OUTSIDER, ADMIN, GATEWAY];
		refuse("erase", erase(), not_patient, &not_the_patient);

		System::reset_events();
		for (label, origin, call, expected) in table {
			let before = sp_io::storage::root(StateVersion::V1);
			let result = call.dispatch(origin).map(|_| ()).map_err(|e| e.error);
			assert_eq!(result, Err(expected), "{label}");
			assert_eq!(sp_io::storage::root(StateVersion::V1), before, "{label}: state changed");
			assert!(System::events().is_empty(), "{label}: {:?}", System::events());
		}

		for (label, who, call) in [
			("anchor", DOCTOR, anchor()),
			("amend", DOCTOR, amend()),
			("log", OUTSIDER, log()),
			("batch", GATEWAY, batch()),
			("erase", PATIENT, erase()),
		] {
			assert_eq!(
				call.dispatch(signed(who)).map(|_| ()).map_err(|e| e.error),
				Ok(()),
				"{label}"
			);
		}
	});
}
