//! Test runtime for the consortium pallet; root stands for the council here (the council's
//! thresholds are exercised against the real runtime in `runtime/tests/governance.rs` and the
//! end-to-end tests).

use crate as pallet_consortium;
use frame_support::traits::{ConstU32, Contains};
use sp_runtime::BuildStorage;

consent_test_support::test_runtime!(system; 1 => Consortium = pallet_consortium);

/// The floor of the mock's set, as in the runtime.
pub const MIN_VALIDATORS: u32 = 3;

/// Like the runtime's filter: no runtime upgrade by blob.
pub struct NoCodeByBlob;
impl Contains<RuntimeCall> for NoCodeByBlob {
	fn contains(call: &RuntimeCall) -> bool {
		!matches!(
			call,
			RuntimeCall::System(
				frame_system::Call::set_code { .. }
					| frame_system::Call::set_code_without_checks { .. }
			)
		)
	}
}

impl pallet_consortium::Config for Test {
	type RuntimeCall = RuntimeCall;
	type ValidatorOrigin = frame_system::EnsureRoot<u64>;
	type EnactOrigin = frame_system::EnsureRoot<u64>;
	type CallFilter = NoCodeByBlob;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<5>;
	type WeightInfo = ();
}

/// Externalities whose genesis set is `validators`.
pub fn new_test_ext_with(validators: Vec<u64>) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_consortium::GenesisConfig::<Test> { validators }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Four validators, one above the floor.
pub fn new_test_ext() -> sp_io::TestExternalities {
	new_test_ext_with(vec![1, 2, 3, 4])
}
