//! Benchmarks of the registry's calls, each at its worst case.

use super::*;
use alloc::vec::Vec;
use consent_primitives::{OrgId, Role, RoleSet};
use frame_benchmarking::v2::*;
use frame_support::{traits::EnsureOrigin, BoundedVec};
use frame_system::RawOrigin;
use sp_core::{Get, H256};

const FAR_FUTURE: u64 = u64::MAX / 2;

fn admins<T: Config>(n: u32) -> BoundedVec<T::AccountId, T::MaxAdmins> {
	let admins: Vec<T::AccountId> = (0..n).map(|i| account("admin", i, 0)).collect();
	BoundedVec::truncate_from(admins)
}

/// A valid name of the longest length, different for each `seed`.
fn name<T: Config>(seed: u8) -> OrgNameOf<T> {
	let mut name: Vec<u8> = b"Organization ".to_vec();
	name.resize(T::MaxNameLength::get() as usize, b'a' + seed % 26);
	BoundedVec::truncate_from(name)
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// An organization with the most admins; the returned admin is the last one (longest scan).
fn organization<T: Config>() -> Result<(OrgId, T::AccountId), BenchmarkError> {
	let admins = admins::<T>(T::MaxAdmins::get());
	let admin = admins.last().cloned().ok_or(BenchmarkError::Weightless)?;
	let id = Pallet::<T>::do_admit(name::<T>(1), admins)?;
	Ok((id, admin))
}

fn practitioner<T: Config>(org: OrgId) -> Result<T::AccountId, BenchmarkError> {
	let who: T::AccountId = account("practitioner", 0, 0);
	let roles = RoleSet::from(Role::Physician);
	Pallet::<T>::do_register(org, who.clone(), roles, FAR_FUTURE, H256::zero(), false)?;
	Ok(who)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn admit_organization(a: Linear<1, { T::MaxAdmins::get() }>) -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let id = NextOrgId::<T>::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, name::<T>(7), admins::<T>(a));
		assert!(Organizations::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn suspend_organization() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let (org, _) = organization::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, org);
		assert!(!<Pallet<T> as consent_primitives::CredentialInspect<T::AccountId>>::organization_active(org));
		Ok(())
	}

	#[benchmark]
	fn reinstate_organization() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let (org, _) = organization::<T>()?;
		Organizations::<T>::mutate(org, |o| {
			if let Some(o) = o {
				o.status = OrgStatus::Suspended
			}
		});
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, org);
		assert!(
			<Pallet<T> as consent_primitives::CredentialInspect<T::AccountId>>::organization_active(
				org
			)
		);
		Ok(())
	}

	#[benchmark]
	fn remove_organization() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let (org, _) = organization::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, org);
		assert!(!Organizations::<T>::contains_key(org));
		Ok(())
	}

	#[benchmark]
	fn set_admins(a: Linear<1, { T::MaxAdmins::get() }>) -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let (org, _) = organization::<T>()?;
		let new_admins: Vec<T::AccountId> = (0..a).map(|i| account("new-admin", i, 0)).collect();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, org, BoundedVec::truncate_from(new_admins));
		assert_eq!(Organizations::<T>::get(org).map(|o| o.admins.len() as u32), Some(a));
		Ok(())
	}

	#[benchmark]
	fn register_practitioner() -> Result<(), BenchmarkError> {
		let (org, admin) = organization::<T>()?;
		let who: T::AccountId = account("practitioner", 1, 0);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(admin),
			org,
			who.clone(),
			RoleSet::all().to_list(),
			FAR_FUTURE,
			H256::repeat_byte(2),
			true,
		);
		assert!(Practitioners::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn update_practitioner() -> Result<(), BenchmarkError> {
		let (org, admin) = organization::<T>()?;
		let who = practitioner::<T>(org)?;
		#[extrinsic_call]
		_(
			RawOrigin::Signed(admin),
			who.clone(),
			RoleSet::all().to_list(),
			FAR_FUTURE + 1,
			H256::repeat_byte(3),
		);
		assert_eq!(Practitioners::<T>::get(&who).map(|p| p.licence_expiry), Some(FAR_FUTURE + 1));
		Ok(())
	}

	#[benchmark]
	fn set_break_glass() -> Result<(), BenchmarkError> {
		let (org, admin) = organization::<T>()?;
		let who = practitioner::<T>(org)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone(), true);
		assert_eq!(Practitioners::<T>::get(&who).map(|p| p.break_glass), Some(true));
		Ok(())
	}

	#[benchmark]
	fn suspend_practitioner() -> Result<(), BenchmarkError> {
		let (org, admin) = organization::<T>()?;
		let who = practitioner::<T>(org)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone());
		assert_eq!(
			Practitioners::<T>::get(&who).map(|p| p.status),
			Some(CredentialState::Suspended)
		);
		Ok(())
	}

	#[benchmark]
	fn reinstate_practitioner() -> Result<(), BenchmarkError> {
		let (org, admin) = organization::<T>()?;
		let who = practitioner::<T>(org)?;
		Practitioners::<T>::mutate(&who, |p| {
			if let Some(p) = p {
				p.status = CredentialState::Suspended
			}
		});
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone());
		assert_eq!(Practitioners::<T>::get(&who).map(|p| p.status), Some(CredentialState::Active));
		Ok(())
	}

	#[benchmark]
	fn revoke_practitioner() -> Result<(), BenchmarkError> {
		let (org, admin) = organization::<T>()?;
		let who = practitioner::<T>(org)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone());
		assert!(!Practitioners::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn lift_break_glass_bar() -> Result<(), BenchmarkError> {
		let who: T::AccountId = account("barred", 0, 0);
		BreakGlassBarred::<T>::insert(&who, ());
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(!BreakGlassBarred::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn rename_organization() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let (org, _) = organization::<T>()?;
		let new_name = name::<T>(2);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, org, new_name.clone());
		assert_eq!(OrganizationNames::<T>::get(&new_name), Some(org));
		assert!(!OrganizationNames::<T>::contains_key(name::<T>(1)));
		Ok(())
	}

	#[benchmark]
	fn add_gateway() -> Result<(), BenchmarkError> {
		let (org, admin) = organization::<T>()?;
		let gateway: T::AccountId = account("gateway", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), org, gateway.clone());
		assert_eq!(Gateways::<T>::get(&gateway), Some(org));
		Ok(())
	}

	/// By an admin (the longer path: the governance origin is tried first).
	#[benchmark]
	fn remove_gateway() -> Result<(), BenchmarkError> {
		let (org, admin) = organization::<T>()?;
		let gateway: T::AccountId = account("gateway", 0, 0);
		Gateways::<T>::insert(&gateway, org);
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), gateway.clone());
		assert!(!Gateways::<T>::contains_key(&gateway));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
