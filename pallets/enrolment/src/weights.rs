// This file is part of Consent Chain.
// SPDX-License-Identifier: Apache-2.0

//! Weights for `pallet_enrolment`: replaced by `scripts/bench-weights` with the generated file.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_enrolment`.
pub trait WeightInfo {
	fn enrol_patient() -> Weight;
	fn end_enrolment() -> Weight;
	fn count_free_call() -> Weight;
}

/// Weights for `pallet_enrolment` measured on the reference machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn enrol_patient() -> Weight {
		Weight::from_parts(0, 0).saturating_add(T::DbWeight::get().reads_writes(4, 3))
	}
	fn end_enrolment() -> Weight {
		Weight::from_parts(0, 0).saturating_add(T::DbWeight::get().reads_writes(3, 4))
	}
	fn count_free_call() -> Weight {
		Weight::from_parts(0, 0).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
}

impl WeightInfo for () {
	fn enrol_patient() -> Weight {
		Weight::from_parts(0, 0).saturating_add(ParityDbWeight::get().reads_writes(4, 3))
	}
	fn end_enrolment() -> Weight {
		Weight::from_parts(0, 0).saturating_add(ParityDbWeight::get().reads_writes(3, 4))
	}
	fn count_free_call() -> Weight {
		Weight::from_parts(0, 0).saturating_add(ParityDbWeight::get().reads_writes(2, 1))
	}
}
