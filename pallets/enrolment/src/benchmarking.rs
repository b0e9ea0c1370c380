//! Benchmarks of the enrolment calls and of the free-call count, each at its worst case.

use super::*;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

fn enrolled<T: Config>() -> (T::AccountId, T::AccountId, OrgId) {
	let admin: T::AccountId = account("admin", 0, 0);
	let organization = T::BenchmarkHelper::organization(&admin);
	let patient: T::AccountId = account("patient", 0, 0);
	T::Deposit::ensure_successful(&admin, Pallet::<T>::quota_footprint());
	Pallet::<T>::enrol_patient(
		RawOrigin::Signed(admin.clone()).into(),
		organization,
		patient.clone(),
	)
	.expect("enrolled");
	(admin, patient, organization)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn enrol_patient() {
		let admin: T::AccountId = account("admin", 0, 0);
		let organization = T::BenchmarkHelper::organization(&admin);
		let patient: T::AccountId = account("patient", 0, 0);
		T::Deposit::ensure_successful(&admin, Pallet::<T>::quota_footprint());
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), organization, patient.clone());
		assert!(Pallet::<T>::is_sponsored(&patient));
	}

	/// The worst case: nothing is sponsored any more, so the enrolment closes (deposit released,
	/// sufficient reference dropped) in the same call.
	#[benchmark]
	fn end_enrolment() {
		let (admin, patient, _) = enrolled::<T>();
		let _ = Pallet::<T>::count_free_call(&patient);
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), patient.clone());
		assert!(!Enrolments::<T>::contains_key(&patient));
	}

	/// What the [`CountFreeCalls`] extension and the `feeless_if` check read and write for one
	/// free call: the enrolment, then the window's count.
	#[benchmark]
	fn count_free_call() {
		let (_, patient, _) = enrolled::<T>();
		#[block]
		{
			assert!(Pallet::<T>::is_sponsored(&patient));
			assert!(Pallet::<T>::free_calls_left(&patient) > 0);
			assert!(Pallet::<T>::count_free_call(&patient).is_ok());
		}
		assert_eq!(FreeCalls::<T>::get(&patient).calls, 1);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
