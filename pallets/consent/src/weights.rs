//! Bootstrap weights for `pallet_consent`: replaced by the benchmark CLI's output.
#![allow(unused_parens, unused_imports, missing_docs)]
use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;
pub trait WeightInfo {
	fn grant_consent(r: u32) -> Weight;
	fn revoke_consent() -> Weight;
	fn add_deny_rule() -> Weight;
	fn remove_deny_rule() -> Weight;
	fn request_access() -> Weight;
	fn approve_request() -> Weight;
	fn deny_request() -> Weight;
	fn cancel_request() -> Weight;
	fn reap_consent() -> Weight;
	fn reap_request() -> Weight;
}
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn grant_consent(_r: u32) -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn revoke_consent() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn add_deny_rule() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn remove_deny_rule() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn request_access() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn approve_request() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn deny_request() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn cancel_request() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn reap_consent() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn reap_request() -> Weight { Weight::from_parts(1_000_000_000, 0) }
}
impl WeightInfo for () {
	fn grant_consent(_r: u32) -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn revoke_consent() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn add_deny_rule() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn remove_deny_rule() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn request_access() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn approve_request() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn deny_request() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn cancel_request() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn reap_consent() -> Weight { Weight::from_parts(1_000_000_000, 0) }
	fn reap_request() -> Weight { Weight::from_parts(1_000_000_000, 0) }
}
