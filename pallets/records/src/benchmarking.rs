//! Benchmarks of the records pallet's calls, each at its worst case. The access decision they
//! make is weighed by the consent pallet's own `check_access` benchmark and added to these.

use super::*;
use consent_primitives::{BenchmarkHelper as _, DigestAlgorithm};
use frame_benchmarking::v2::*;
use frame_support::BoundedVec;
use frame_system::RawOrigin;
use sp_core::H256;

const NOW: Moment = 1_000_000;

/// A credentialed author, who is also the patient (the decision's own cost is weighed apart),
/// funded for as many versions as a record may have.
fn author<T: Config>() -> T::AccountId {
	T::BenchmarkHelper::set_time(NOW);
	let author: T::AccountId = whitelisted_caller();
	T::BenchmarkHelper::credential(&author);
	let footprint = Pallet::<T>::version_footprint(true);
	let plenty = Footprint::from_parts(
		T::MaxVersions::get() as usize,
		footprint.size.saturating_mul(T::MaxVersions::get() as u64) as usize,
	);
	T::Deposit::ensure_successful(&author, plenty);
	author
}

fn digest(n: u32) -> Digest {
	Digest {
		algorithm: DigestAlgorithm::Sha256,
		hash: H256(sp_io::hashing::blake2_256(&n.to_le_bytes())),
	}
}

fn longest_locator<T: Config>() -> LocatorOf<T> {
	BoundedVec::truncate_from(alloc::vec![0xa5; T::MaxLocatorLen::get() as usize])
}

/// A record of `who` with `versions` versions, each with the longest locator.
fn record_with<T: Config>(who: &T::AccountId, versions: u32) -> Result<RecordId, BenchmarkError> {
	Pallet::<T>::anchor_record(
		RawOrigin::Signed(who.clone()).into(),
		who.clone(),
		DataCategory::LabResults,
		Purpose::Treat,
		BoundedVec::truncate_from(b"DiagnosticReport".to_vec()),
		digest(0),
		Some(longest_locator::<T>()),
	)?;
	let position = RecordCount::<T>::get(who).saturating_sub(1);
	let id = PatientRecords::<T>::get(who, position).ok_or(BenchmarkError::Stop("no record"))?;
	for n in 1..versions {
		Pallet::<T>::amend_record(
			RawOrigin::Signed(who.clone()).into(),
			id,
			Purpose::Treat,
			digest(n),
			Some(longest_locator::<T>()),
		)?;
	}
	Ok(id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn anchor_record() -> Result<(), BenchmarkError> {
		let author = author::<T>();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(author.clone()),
			author.clone(),
			DataCategory::LabResults,
			Purpose::Treat,
			BoundedVec::truncate_from(alloc::vec![b'A'; MAX_RESOURCE_TYPE_LEN as usize]),
			digest(0),
			Some(longest_locator::<T>()),
		);
		assert_eq!(RecordCount::<T>::get(&author), 1);
		Ok(())
	}

	#[benchmark]
	fn amend_record() -> Result<(), BenchmarkError> {
		let author = author::<T>();
		let last = T::MaxVersions::get() - 1;
		let id = record_with::<T>(&author, last)?;
		#[extrinsic_call]
		_(
			RawOrigin::Signed(author),
			id,
			Purpose::Treat,
			digest(last),
			Some(longest_locator::<T>()),
		);
		assert_eq!(Records::<T>::get(id).map(|r| r.current), Some(last));
		Ok(())
	}

	#[benchmark]
	fn log_access() -> Result<(), BenchmarkError> {
		let author = author::<T>();
		let id = record_with::<T>(&author, 1)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(author), id, Purpose::Treat);
		Ok(())
	}

	#[benchmark]
	fn erase_record(v: Linear<1, { T::MaxVersions::get() }>) -> Result<(), BenchmarkError> {
		let author = author::<T>();
		let id = record_with::<T>(&author, v)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(author), id);
		assert!(Records::<T>::get(id).is_some_and(|r| r.erased_at.is_some()));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
