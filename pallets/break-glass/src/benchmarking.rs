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

/// The patient under `open` open sessions of other practitioners, then `ended` sessions of yet
/// others that ended (still unsettled, and still in the open-session list until it is pruned).
fn patient_with_sessions<T: Config>(open: u32, ended: u32) -> Result<T::AccountId, BenchmarkError> {
	T::BenchmarkHelper::set_time(NOW);
	let patient: T::AccountId = account("patient", 0, 0);
	fund::<T>(&patient);
	for i in 0..open {
		break_glass_as::<T>(&practitioner::<T>("other", i), &patient)?;
	}
	for i in open..open.saturating_add(ended) {
		let other = practitioner::<T>("other", i);
		let id = break_glass_as::<T>(&other, &patient)?;
		Pallet::<T>::end_session(RawOrigin::Signed(other).into(), id)?;
	}
	Ok(patient)
}

/// The patient with no session yet.
fn patient<T: Config>() -> Result<T::AccountId, BenchmarkError> {
	patient_with_sessions::<T>(0, 0)
}

fn contacts<T: Config>(n: u32) -> ContactsOf<T> {
	BoundedVec::truncate_from((0..n).map(|i| account("contact", i, 0)).collect())
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The patient's open-session list is full, one of its sessions has ended (so every entry is
	/// read and one pruned), and a full contact list; the practitioner has one session left in
	/// the rate window.
	#[benchmark]
	fn break_glass() -> Result<(), BenchmarkError> {
		let patient = patient_with_sessions::<T>(T::MaxConcurrentPerPatient::get() - 1, 1)?;
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
			OpenSessions::<T>::get(&patient).len() as u32,
			T::MaxConcurrentPerPatient::get()
		);
		Ok(())
	}

	#[benchmark]
	fn end_session() -> Result<(), BenchmarkError> {
		let patient = patient::<T>()?;
		let doctor = practitioner::<T>("doctor", 0);
		let id = break_glass_as::<T>(&doctor, &patient)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor), id);
		Ok(())
	}

	/// An auditor finds a session unjustified: slash, privilege withdrawn, removal from a full
	/// list of the patient's open sessions.
	#[benchmark]
	fn review() -> Result<(), BenchmarkError> {
		let patient = patient_with_sessions::<T>(T::MaxConcurrentPerPatient::get() - 1, 0)?;
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
		let patient = patient::<T>()?;
		let doctor = practitioner::<T>("doctor", 0);
		let id = break_glass_as::<T>(&doctor, &patient)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), id);
		assert!(Sessions::<T>::get(id).is_some_and(|s| s.contested));
		Ok(())
	}

	/// Release after the contest window, removing the session from a full open-session list.
	#[benchmark]
	fn settle() -> Result<(), BenchmarkError> {
		let patient = patient_with_sessions::<T>(T::MaxConcurrentPerPatient::get() - 1, 0)?;
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
		let patient = patient::<T>()?;
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
		let patient = patient::<T>()?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), contacts::<T>(c));
		assert_eq!(Policies::<T>::get(&patient).is_some(), c > 0);
		Ok(())
	}

	#[benchmark]
	fn set_opt_out() -> Result<(), BenchmarkError> {
		let patient = patient::<T>()?;
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
