//! Benchmarks of the break-glass pallet's calls, each at its worst case.

use super::*;
use consent_primitives::BenchmarkHelper as _;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_core::H256;
use sp_runtime::Saturating;

const NOW: Moment = 1_000_000_000;

/// A funded, credentialed practitioner with the privilege.
fn practitioner<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::BenchmarkHelper::credential(&who);
	fund::<T>(&who);
	who
}

fn fund<T: Config>(who: &T::AccountId) {
	let plenty = T::Currency::minimum_balance()
		.saturating_add(T::Bond::get())
		.saturating_mul(1_000u32.into());
	T::Currency::set_balance(who, plenty);
}

fn break_glass_as<T: Config>(
	practitioner: &T::AccountId,
	patient: &T::AccountId,
) -> Result<SessionId, BenchmarkError> {
	let id = NextSessionId::<T>::get();
	Pallet::<T>::break_glass(
		RawOrigin::Signed(practitioner.clone()).into(),
		patient.clone(),
		Purpose::EmergencyTreat,
		EmergencyReason::Unconscious,
		H256::repeat_byte(1),
		None,
	)?;
	Ok(id)
}

/// The patient with `n` ended sessions of other practitioners, all still unsettled.
fn patient_with_ended_sessions<T: Config>(n: u32) -> Result<T::AccountId, BenchmarkError> {
	T::BenchmarkHelper::set_time(NOW);
	let patient: T::AccountId = account("patient", 0, 0);
	fund::<T>(&patient);
	for i in 0..n {
		let other = practitioner::<T>("other", i);
		let id = break_glass_as::<T>(&other, &patient)?;
		Pallet::<T>::end_session(RawOrigin::Signed(other).into(), id)?;
	}
	Ok(patient)
}

fn contacts<T: Config>(n: u32) -> ContactsOf<T> {
	BoundedVec::truncate_from((0..n).map(|i| account("contact", i, 0)).collect())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The patient has one slot of unsettled sessions left and a full contact list; the
	/// practitioner one session left in the rate window.
	#[benchmark]
	fn break_glass() -> Result<(), BenchmarkError> {
		let patient = patient_with_ended_sessions::<T>(T::MaxSessionsPerPatient::get() - 1)?;
		Pallet::<T>::set_emergency_contacts(
			RawOrigin::Signed(patient.clone()).into(),
			contacts::<T>(T::MaxContacts::get()),
		)?;
		let doctor = practitioner::<T>("doctor", 0);
		for i in 0..T::MaxSessionsPerWindow::get() - 1 {
			let elsewhere: T::AccountId = account("elsewhere", i, 0);
			let id = break_glass_as::<T>(&doctor, &elsewhere)?;
			Pallet::<T>::end_session(RawOrigin::Signed(doctor.clone()).into(), id)?;
		}
		let id = NextSessionId::<T>::get();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(doctor),
			patient.clone(),
			Purpose::BreakTheGlass,
			EmergencyReason::CriticalCare,
			H256::repeat_byte(2),
			None,
		);
		assert!(Sessions::<T>::contains_key(id));
		assert_eq!(
			PatientSessions::<T>::get(&patient).len() as u32,
			T::MaxSessionsPerPatient::get()
		);
		Ok(())
	}

	#[benchmark]
	fn end_session() -> Result<(), BenchmarkError> {
		let patient = patient_with_ended_sessions::<T>(0)?;
		let doctor = practitioner::<T>("doctor", 0);
		let id = break_glass_as::<T>(&doctor, &patient)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor), id);
		Ok(())
	}

	/// An auditor finds a session unjustified: slash, privilege withdrawn, removal from a full
	/// list of the patient's sessions.
	#[benchmark]
	fn review() -> Result<(), BenchmarkError> {
		let patient = patient_with_ended_sessions::<T>(T::MaxSessionsPerPatient::get() - 1)?;
		let doctor = practitioner::<T>("doctor", 0);
		let id = break_glass_as::<T>(&doctor, &patient)?;
		let auditor: T::AccountId = account("auditor", 0, 0);
		T::BenchmarkHelper::colleague(&doctor, &auditor);
		#[extrinsic_call]
		_(RawOrigin::Signed(auditor), id, Verdict::Unjustified, H256::repeat_byte(3));
		assert!(!Sessions::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn contest() -> Result<(), BenchmarkError> {
		let patient = patient_with_ended_sessions::<T>(0)?;
		let doctor = practitioner::<T>("doctor", 0);
		let id = break_glass_as::<T>(&doctor, &patient)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), id);
		assert!(Sessions::<T>::get(id).is_some_and(|s| s.contested));
		Ok(())
	}

	/// Release after the contest window, removing the session from a full list.
	#[benchmark]
	fn settle() -> Result<(), BenchmarkError> {
		let patient = patient_with_ended_sessions::<T>(T::MaxSessionsPerPatient::get() - 1)?;
		let doctor = practitioner::<T>("doctor", 0);
		let id = break_glass_as::<T>(&doctor, &patient)?;
		let auditor: T::AccountId = account("auditor", 0, 0);
		T::BenchmarkHelper::colleague(&doctor, &auditor);
		Pallet::<T>::review(
			RawOrigin::Signed(auditor).into(),
			id,
			Verdict::Justified,
			H256::zero(),
		)?;
		T::BenchmarkHelper::set_time(NOW.saturating_add(T::ContestWindow::get()));
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(!Sessions::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn report_overdue() -> Result<(), BenchmarkError> {
		let patient = patient_with_ended_sessions::<T>(0)?;
		let doctor = practitioner::<T>("doctor", 0);
		let id = break_glass_as::<T>(&doctor, &patient)?;
		let late = NOW.saturating_add(T::MaxDuration::get()).saturating_add(T::ReviewWindow::get());
		T::BenchmarkHelper::set_time(late);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);
		assert!(Sessions::<T>::get(id).is_some_and(|s| s.overdue_reported));
		Ok(())
	}

	#[benchmark]
	fn set_emergency_contacts(
		c: Linear<0, { T::MaxContacts::get() }>,
	) -> Result<(), BenchmarkError> {
		let patient = patient_with_ended_sessions::<T>(0)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), contacts::<T>(c));
		assert_eq!(Policies::<T>::get(&patient).is_some(), c > 0);
		Ok(())
	}

	#[benchmark]
	fn set_opt_out() -> Result<(), BenchmarkError> {
		let patient = patient_with_ended_sessions::<T>(0)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), true);
		let stored = Policies::<T>::get(&patient).is_some_and(|p| p.opted_out);
		assert_eq!(stored, T::AllowOptOut::get());
		Ok(())
	}

	#[benchmark]
	fn set_session_duration() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let duration = T::MaxDuration::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, duration);
		assert_eq!(SessionDuration::<T>::get(), duration);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
