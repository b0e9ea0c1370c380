//! Bootstrap weights for `pallet_registry`: replaced by the benchmark CLI's output.
#![allow(unused_parens, unused_imports, missing_docs)]
use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;
pub trait WeightInfo {
	fn admit_organization(a: u32) -> Weight;
	fn suspend_organization() -> Weight;
	fn reinstate_organization() -> Weight;
	fn remove_organization() -> Weight;
	fn set_admins(a: u32) -> Weight;
	fn register_practitioner() -> Weight;
	fn update_practitioner() -> Weight;
	fn set_break_glass() -> Weight;
	fn suspend_practitioner() -> Weight;
	fn reinstate_practitioner() -> Weight;
	fn revoke_practitioner() -> Weight;
}
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn admit_organization(_a: u32) -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn suspend_organization() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn reinstate_organization() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn remove_organization() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn set_admins(_a: u32) -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn register_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn update_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn set_break_glass() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn suspend_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn reinstate_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn revoke_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
}
impl WeightInfo for () {
	fn admit_organization(_a: u32) -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn suspend_organization() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn reinstate_organization() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn remove_organization() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn set_admins(_a: u32) -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn register_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn update_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn set_break_glass() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn suspend_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn reinstate_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn revoke_practitioner() -> Weight { Weight::from_parts(1_000_000_000, 0) }
}
