//! Benchmarks of the records pallet's calls, each at its worst case. The access decision they
//! make is weighed by the consent pallet's own `check_access` benchmark and added to these.

use super::*;
use consent_primitives::{
	AccessControl as _, AccessQuery, Action, BenchmarkHelper as _, Decision, DigestAlgorithm,
	PermitReason,
};
use frame_benchmarking::v2::*;
use frame_support::BoundedVec;
use frame_system::RawOrigin;
use sp_core::H256;

const NOW: Moment = 1_000_000;

/// Make `who` able to pay deposits for as many versions as a record may have.
fn fund<T: Config>(who: &T::AccountId) {
	let footprint = Pallet::<T>::version_footprint(true);
	let plenty = Footprint::from_parts(
		T::MaxVersions::get() as usize,
		footprint.size.saturating_mul(T::MaxVersions::get() as u64) as usize,
	);
	T::Deposit::ensure_successful(who, plenty);
}

/// The patient (the whitelisted caller: they sign), and a credentialed practitioner of an
/// organization the patient consented to, funded.
fn actors<T: Config>() -> (T::AccountId, T::AccountId) {
	T::BenchmarkHelper::set_time(NOW);
	let patient: T::AccountId = whitelisted_caller();
	let author: T::AccountId = account("author", 0, 0);
	T::BenchmarkHelper::credential(&author);
	T::BenchmarkHelper::consent_to_organization(&patient, &author);
	fund::<T>(&patient);
	fund::<T>(&author);
	(patient, author)
}

fn digest(n: u32) -> Digest {
	Digest {
		algorithm: DigestAlgorithm::Sha256,
		hash: H256(sp_io::hashing::blake2_256(&n.to_le_bytes())),
	}
}

fn longest_locator() -> Option<Locator> {
	Some(Locator::Sealed {
		nonce: [0x5a; 12],
		ciphertext: BoundedVec::truncate_from(alloc::vec![0xa5; MAX_SEALED_LOCATOR_LEN as usize]),
		tag: [0x3c; 16],
	})
}

/// The newest live record of `patient`.
fn newest<T: Config>(patient: &T::AccountId) -> Result<RecordId, BenchmarkError> {
	PatientRecords::<T>::iter_prefix(patient)
		.max_by_key(|(_, seq)| *seq)
		.map(|(id, _)| id)
		.ok_or(BenchmarkError::Stop("no record"))
}

/// A record of `patient` anchored by `author`, with `versions` versions, each added by a
/// distinct, non-whitelisted colleague of `author` and carrying the longest locator.
fn record_with<T: Config>(
	patient: &T::AccountId,
	author: &T::AccountId,
	versions: u32,
) -> Result<RecordId, BenchmarkError> {
	Pallet::<T>::anchor_record(
		RawOrigin::Signed(author.clone()).into(),
		patient.clone(),
		DataCategory::LabResults,
		Purpose::Treat,
		FhirResourceType::DiagnosticReport,
		digest(0),
		longest_locator(),
	)?;
	let id = newest::<T>(patient)?;
	for n in 1..versions {
		let colleague: T::AccountId = account("colleague", n, 0);
		T::BenchmarkHelper::colleague(author, &colleague);
		fund::<T>(&colleague);
		Pallet::<T>::amend_record(
			RawOrigin::Signed(colleague).into(),
			id,
			Purpose::Treat,
			digest(n),
			longest_locator(),
		)?;
	}
	Ok(id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// An emergency anchor by a practitioner for another patient who gave them no consent: the
	/// decision answers from the session, whose write is noted, and the author's count is kept.
	#[benchmark]
	fn anchor_record() -> Result<(), BenchmarkError> {
		T::BenchmarkHelper::set_time(NOW);
		let patient: T::AccountId = whitelisted_caller();
		let author: T::AccountId = account("author", 0, 0);
		T::BenchmarkHelper::credential(&author);
		fund::<T>(&patient);
		fund::<T>(&author);
		T::BenchmarkHelper::emergency_session(&patient, &author);
		let decision = T::Access::check_access(&AccessQuery {
			patient: patient.clone(),
			accessor: author.clone(),
			category: DataCategory::Allergies,
			action: Action::Write,
			purpose: Purpose::EmergencyTreat,
			record: None,
		});
		assert!(
			matches!(decision, Decision::Permit(PermitReason::Emergency(_))),
			"the anchor must take the emergency path, not a consent: {decision:?}"
		);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(author.clone()),
			patient.clone(),
			DataCategory::Allergies,
			Purpose::EmergencyTreat,
			FhirResourceType::VisionPrescription,
			digest(0),
			longest_locator(),
		);
		assert_eq!(RecordCount::<T>::get(&patient), 1);
		assert_eq!(AuthorRecords::<T>::get(&patient, &author), 1);
		Ok(())
	}

	/// A colleague of the record's author adds its last version.
	#[benchmark]
	fn amend_record() -> Result<(), BenchmarkError> {
		let (patient, author) = actors::<T>();
		let last = T::MaxVersions::get() - 1;
		let id = record_with::<T>(&patient, &author, last)?;
		let colleague: T::AccountId = account("colleague", last, 0);
		T::BenchmarkHelper::colleague(&author, &colleague);
		fund::<T>(&colleague);
		#[extrinsic_call]
		_(RawOrigin::Signed(colleague), id, Purpose::Treat, digest(last), longest_locator());
		assert_eq!(Records::<T>::get(id).map(|r| r.current), Some(last));
		Ok(())
	}

	#[benchmark]
	fn log_access() -> Result<(), BenchmarkError> {
		let (patient, author) = actors::<T>();
		let id = record_with::<T>(&patient, &author, 1)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(author), id, Purpose::Treat);
		Ok(())
	}

	/// A gateway logs `n` emergency reads of `n` distinct records by one practitioner of its
	/// organization (the credential checked for each), each decision taking the longest path
	/// of `check_access` (every deny rule, both index items full, the emergency session): what
	/// a read costs once its (patient, accessor) pair's storage has been read. The first
	/// decision of each pair is weighed by `check_access` and added per pair.
	#[benchmark]
	fn log_access_batch(n: Linear<1, { T::MaxLogBatch::get() }>) -> Result<(), BenchmarkError> {
		let (patient, author) = actors::<T>();
		let reader: T::AccountId = account("reader", 0, 0);
		T::BenchmarkHelper::credential(&reader);
		T::BenchmarkHelper::worst_case_access(&patient, &reader);
		let gateway: T::AccountId = account("gateway", 0, 0);
		T::BenchmarkHelper::gateway(&reader, &gateway);
		let mut reads = alloc::vec::Vec::new();
		for i in 0..n {
			Pallet::<T>::anchor_record(
				RawOrigin::Signed(author.clone()).into(),
				patient.clone(),
				DataCategory::LabResults,
				Purpose::Treat,
				FhirResourceType::DiagnosticReport,
				digest(i),
				None,
			)?;
			reads.push(LoggedRead {
				record_id: newest::<T>(&patient)?,
				accessor: reader.clone(),
				purpose: Purpose::EmergencyTreat,
			});
		}
		let decision = T::Access::check_access(&AccessQuery {
			patient: patient.clone(),
			accessor: reader.clone(),
			category: DataCategory::LabResults,
			action: Action::Read,
			purpose: Purpose::EmergencyTreat,
			record: Some(reads[0].record_id),
		});
		assert!(
			matches!(decision, Decision::Permit(PermitReason::Emergency(_))),
			"each read must end in the emergency session, the longest path: {decision:?}"
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(gateway), BoundedVec::truncate_from(reads));
		Ok(())
	}

	/// The patient erases a record of `v` versions, each by a distinct author whose deposit is
	/// released.
	#[benchmark]
	fn erase_record(v: Linear<1, { T::MaxVersions::get() }>) -> Result<(), BenchmarkError> {
		let (patient, author) = actors::<T>();
		let id = record_with::<T>(&patient, &author, v)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), id);
		assert!(Records::<T>::get(id).is_none());
		assert_eq!(Tombstones::<T>::get(id).map(|t| t.current), Some(v - 1));
		assert_eq!(RecordCount::<T>::get(&patient), 0);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
