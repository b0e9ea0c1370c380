//! Benchmarks of the consent pallet's calls, each at its worst case.

use super::*;
use consent_primitives::{
	AccessControl, AccessQuery, ActionSet, BenchmarkHelper as _, CategorySet, DataCategory,
	Decision, PurposeSet,
};
use frame_benchmarking::v2::*;
use frame_support::BoundedVec;
use frame_system::RawOrigin;
use sp_core::H256;

const START: consent_primitives::Moment = 1_000_000;

fn full_scope() -> ScopeInput {
	Scope { categories: CategorySet::all(), actions: ActionSet::all(), purposes: PurposeSet::all() }
		.into()
}

/// A patient funded for many items, and a credentialed practitioner.
fn actors<T: Config>() -> (T::AccountId, T::AccountId) {
	T::BenchmarkHelper::set_time(START);
	let patient: T::AccountId = account("patient", 0, 0);
	let practitioner: T::AccountId = account("practitioner", 0, 0);
	T::BenchmarkHelper::credential(&practitioner);
	let plenty = Footprint::from_parts(1000, 1_000_000);
	T::Deposit::ensure_successful(&patient, plenty);
	T::Deposit::ensure_successful(&practitioner, plenty);
	(patient, practitioner)
}

/// As many record ids as a consent may name: the largest terms an index item can hold.
fn most_records<T: Config>() -> BoundedVec<RecordId, T::MaxRecordsPerConsent> {
	BoundedVec::truncate_from(
		(0..T::MaxRecordsPerConsent::get())
			.map(|i| {
				let mut record = H256::zero();
				record.0[..4].copy_from_slice(&i.to_le_bytes());
				record
			})
			.collect(),
	)
}

/// Fill the patient's index item for `grantee` with `n` consents, each naming the most records
/// (the largest item to read and write back).
fn fill_index<T: Config>(
	patient: &T::AccountId,
	grantee: &GranteeOf<T>,
	n: u32,
) -> Result<(), BenchmarkError> {
	for _ in 0..n {
		Pallet::<T>::grant_consent(
			RawOrigin::Signed(patient.clone()).into(),
			grantee.clone(),
			full_scope(),
			most_records::<T>(),
			None,
			Some(START + 10),
		)?;
	}
	Ok(())
}

fn fill_rules<T: Config>(patient: &T::AccountId, n: u32) -> Result<(), BenchmarkError> {
	for _ in 0..n {
		Pallet::<T>::add_deny_rule(
			RawOrigin::Signed(patient.clone()).into(),
			None,
			CategorySet::SENSITIVE.to_list(),
			PurposeSet::all()
				.iter()
				.filter(|p| !p.is_emergency())
				.collect::<PurposeSet>()
				.to_list(),
		)?;
	}
	Ok(())
}

fn open_request<T: Config>(
	patient: &T::AccountId,
	practitioner: &T::AccountId,
) -> Result<RequestId, BenchmarkError> {
	let id = NextRequestId::<T>::get();
	Pallet::<T>::request_access(
		RawOrigin::Signed(practitioner.clone()).into(),
		patient.clone(),
		full_scope(),
		H256::repeat_byte(1),
		None,
		None,
	)?;
	Ok(id)
}

use consent_primitives::{ConsentId, RequestId};

impl<T: Config> Pallet<T> {
	/// Make the access decision for the credentialed `practitioner` on `patient`'s data take
	/// its longest path: every deny rule read and none matching, both index items of the
	/// practitioner (its own consents, and those to its organization or to a role it holds)
	/// full, none covering anything but demographics, then an emergency session of the
	/// practitioner (opened by the benchmark helper) permitting an emergency read or new record.
	/// The patient must be able to pay the deposits. Used by this pallet's `check_access`
	/// benchmark and, through the runtime's benchmark helper, by the calls of other pallets that
	/// decide many accesses at once.
	pub fn benchmark_worst_case_access(
		patient: &T::AccountId,
		practitioner: &T::AccountId,
	) -> Result<(), BenchmarkError> {
		fill_rules::<T>(patient, T::MaxDenyRules::get())?;
		let now = T::Time::now();
		let credential = T::Credentials::credential(practitioner, now)
			.ok_or(BenchmarkError::Stop("no credential"))?;
		let demographics_only = Scope {
			categories: DataCategory::Demographics.into(),
			actions: ActionSet::all(),
			purposes: PurposeSet::all(),
		};
		let organization = credential.organization;
		let organization_grantee = match credential.roles.iter().next() {
			Some(role) => Grantee::Role { organization, role },
			None => Grantee::Organization(organization),
		};
		for grantee in [Grantee::Practitioner(practitioner.clone()), organization_grantee] {
			for _ in 0..T::MaxConsentsPerGrantee::get() {
				if Counts::<T>::get(patient).consents >= T::MaxConsentsPerPatient::get() {
					break;
				}
				Pallet::<T>::grant_consent(
					RawOrigin::Signed(patient.clone()).into(),
					grantee.clone(),
					demographics_only.into(),
					most_records::<T>(),
					None,
					None,
				)?;
			}
		}
		assert_eq!(
			Pallet::<T>::index_keys(practitioner, &credential)
				.iter()
				.map(|key| AccessIndex::<T>::decode_len(patient, key).unwrap_or(0) as u32)
				.sum::<u32>(),
			(2 * T::MaxConsentsPerGrantee::get()).min(T::MaxConsentsPerPatient::get()),
			"both index items are full"
		);
		T::BenchmarkHelper::emergency_session(patient, practitioner);
		Ok(())
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn grant_consent(
		r: Linear<0, { T::MaxRecordsPerConsent::get() }>,
	) -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		let grantee = Grantee::Practitioner(practitioner);
		fill_index::<T>(&patient, &grantee, T::MaxConsentsPerGrantee::get() - 1)?;
		let records: alloc::vec::Vec<H256> = (0..r).map(|i| H256::repeat_byte(i as u8)).collect();
		// Signed by a delegate: the consent also stores who granted it.
		Signer::<T>::put(account::<T::AccountId>("guardian", 0, 0));
		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			grantee.clone(),
			full_scope(),
			BoundedVec::truncate_from(records),
			None,
			Some(START + 1_000),
		);
		assert_eq!(
			AccessIndex::<T>::get(&patient, IndexKey::of(&grantee)).len() as u32,
			T::MaxConsentsPerGrantee::get()
		);
		Signer::<T>::kill();
		Ok(())
	}

	/// What the [`NoteSigner`] extension writes around a delegated call: the signer, before
	/// dispatch, and its removal after.
	#[benchmark]
	fn note_signer() {
		let signer: T::AccountId = account("guardian", 0, 0);
		#[block]
		{
			Signer::<T>::put(signer);
			Signer::<T>::kill();
		}
		assert!(!Signer::<T>::exists());
	}

	#[benchmark]
	fn revoke_consent() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		let grantee = Grantee::Practitioner(practitioner);
		let first = Pallet::<T>::next_consent_id(&patient);
		fill_index::<T>(&patient, &grantee, T::MaxConsentsPerGrantee::get())?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), first);
		assert!(!Consents::<T>::contains_key(&patient, first));
		Ok(())
	}

	#[benchmark]
	fn add_deny_rule() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		fill_rules::<T>(&patient, T::MaxDenyRules::get() - 1)?;
		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			Some(Grantee::Practitioner(practitioner)),
			CategorySet::all().to_list(),
			PurposeSet::all().to_list(),
		);
		assert_eq!(DenyRules::<T>::get(&patient).len() as u32, T::MaxDenyRules::get());
		Ok(())
	}

	#[benchmark]
	fn remove_deny_rule() -> Result<(), BenchmarkError> {
		let (patient, _) = actors::<T>();
		fill_rules::<T>(&patient, T::MaxDenyRules::get())?;
		let last = NextRuleId::<T>::get() - 1;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), last);
		assert_eq!(DenyRules::<T>::get(&patient).len() as u32, T::MaxDenyRules::get() - 1);
		Ok(())
	}

	#[benchmark]
	fn request_access() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		let id = NextRequestId::<T>::get();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(practitioner),
			patient,
			full_scope(),
			H256::repeat_byte(1),
			None,
			Some(START + 1_000),
		);
		assert!(Requests::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn approve_request() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		let grantee = Grantee::Practitioner(practitioner.clone());
		fill_index::<T>(&patient, &grantee, T::MaxConsentsPerGrantee::get() - 1)?;
		let id = open_request::<T>(&patient, &practitioner)?;
		Signer::<T>::put(account::<T::AccountId>("guardian", 0, 0));
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), id, None);
		Signer::<T>::kill();
		assert!(!Requests::<T>::contains_key(id));
		assert_eq!(
			AccessIndex::<T>::get(&patient, IndexKey::of(&grantee)).len() as u32,
			T::MaxConsentsPerGrantee::get()
		);
		Ok(())
	}

	#[benchmark]
	fn deny_request() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		let id = open_request::<T>(&patient, &practitioner)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), id);
		assert!(!Requests::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn cancel_request() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		let id = open_request::<T>(&patient, &practitioner)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(practitioner), id);
		assert!(!Requests::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn reap_consent() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		let grantee = Grantee::Practitioner(practitioner);
		let first = Pallet::<T>::next_consent_id(&patient);
		fill_index::<T>(&patient, &grantee, T::MaxConsentsPerGrantee::get())?;
		T::BenchmarkHelper::set_time(START + 10);
		let reaper: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		reap_expired(
			RawOrigin::Signed(reaper),
			ExpiredItem::Consent { patient: patient.clone(), consent_id: first },
		);
		assert!(!Consents::<T>::contains_key(&patient, first));
		Ok(())
	}

	#[benchmark]
	fn reap_request() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		let id = open_request::<T>(&patient, &practitioner)?;
		T::BenchmarkHelper::set_time(START + T::RequestTtl::get());
		let reaper: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		reap_expired(RawOrigin::Signed(reaper), ExpiredItem::Request { request_id: id });
		assert!(!Requests::<T>::contains_key(id));
		Ok(())
	}

	/// The access decision at its worst case: every deny rule read and none matching, both
	/// index items of the accessor (its own consents, and those to its organization and to a
	/// role it holds) full, none covering the category asked for, then the accessor's open
	/// emergency session read (and its credential again) and permitting.
	#[benchmark]
	fn check_access() -> Result<(), BenchmarkError> {
		let (patient, practitioner) = actors::<T>();
		Pallet::<T>::benchmark_worst_case_access(&patient, &practitioner)?;
		let decision;
		#[block]
		{
			decision = <Pallet<T> as AccessControl<T::AccountId>>::check_access(&AccessQuery {
				patient: patient.clone(),
				accessor: practitioner.clone(),
				category: DataCategory::LabResults,
				action: Action::Read,
				purpose: Purpose::EmergencyTreat,
				record: Some(H256::repeat_byte(7)),
			});
		}
		assert!(
			matches!(decision, Decision::Permit(consent_primitives::PermitReason::Emergency(_))),
			"the worst case ends in the emergency session"
		);
		Ok(())
	}

	/// The migration to storage version 4 over `n` consents stored by version 3: each is read,
	/// decoded, given its new field and written back.
	#[benchmark]
	fn migrate_to_v4(n: Linear<0, 1_000>) -> Result<(), BenchmarkError> {
		use crate::migrations::v4;
		use frame_support::traits::UncheckedOnRuntimeUpgrade;
		let (patient, practitioner) = actors::<T>();
		let deposit = T::Deposit::new(&patient, Pallet::<T>::consent_footprint())?;
		for id in 0..n {
			let old = v4::v3::Consent {
				grantee: Grantee::Practitioner(practitioner.clone()),
				granted_by: Some(practitioner.clone()),
				deposit: deposit.clone(),
			};
			v4::v3::Consents::<T>::insert(&patient, ConsentId::from(id), old);
		}
		#[block]
		{
			v4::InnerMigrateV3ToV4::<T>::on_runtime_upgrade();
		}
		assert_eq!(
			Consents::<T>::iter_values().filter(|c| c.granted_at.is_none()).count(),
			n as usize
		);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
