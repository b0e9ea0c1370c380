//! Test runtime for the registry.

use crate as pallet_registry;
use frame_support::traits::ConstU32;
use sp_runtime::BuildStorage;

consent_test_support::test_runtime!(timestamp; 2 => Registry = pallet_registry);

impl pallet_registry::Config for Test {
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type Time = Timestamp;
	type MaxAdmins = ConstU32<4>;
	type MaxPractitionersPerOrg = ConstU32<3>;
	type MaxNameLength = ConstU32<32>;
	type WeightInfo = ();
}

/// The wall clock at the start of every test (ms).
pub const NOW: u64 = 1_700_000_000_000;
/// A licence expiry one year after [`NOW`].
pub const NEXT_YEAR: u64 = NOW + 365 * 24 * 3600 * 1000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(NOW);
	});
	ext
}
