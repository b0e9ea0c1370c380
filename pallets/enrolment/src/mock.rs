//! Test runtime for the enrolment pallet: a stand-in registry, and a `Clinic` pallet whose one
//! call is free for sponsored patients, as the consent pallet's patient calls are.

use crate as pallet_enrolment;
use consent_primitives::{OrgId, OrganizationAdmins};
use core::cell::RefCell;
use frame_support::{
	parameter_types,
	traits::{fungible::HoldConsideration, ConstU32, ConstU64, Footprint},
};
use sp_runtime::BuildStorage;

/// A pallet with one call that enrolled patients make for free.
#[frame_support::pallet(dev_mode)]
pub mod clinic {
	use consent_primitives::Sponsorship;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config + crate::Config {}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Free for a sponsored patient.
		#[pallet::call_index(0)]
		#[pallet::feeless_if(|origin: &OriginFor<T>| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| crate::Pallet::<T>::covers_fees(&who))
		})]
		pub fn ping(origin: OriginFor<T>) -> DispatchResult {
			ensure_signed(origin)?;
			Ok(())
		}
	}
}

consent_test_support::test_runtime!(balances; 3 => Enrolment = pallet_enrolment, 4 => Clinic = crate::mock::clinic);

impl clinic::Config for Test {}

thread_local! {
	/// (organization, admin, active)
	static ORGANIZATIONS: RefCell<Vec<(OrgId, u64, bool)>> = const { RefCell::new(Vec::new()) };
}

/// The registry as the tests set it.
pub struct MockOrganizations;

impl MockOrganizations {
	pub fn add(organization: OrgId, admin: u64) {
		ORGANIZATIONS.with(|o| o.borrow_mut().push((organization, admin, true)));
	}

	pub fn suspend(organization: OrgId) {
		ORGANIZATIONS.with(|o| {
			for entry in o.borrow_mut().iter_mut().filter(|e| e.0 == organization) {
				entry.2 = false;
			}
		});
	}
}

impl OrganizationAdmins<u64> for MockOrganizations {
	fn is_admin(organization: OrgId, who: &u64) -> bool {
		ORGANIZATIONS.with(|o| o.borrow().iter().any(|e| e.0 == organization && e.1 == *who))
	}

	fn organization_active(organization: OrgId) -> bool {
		ORGANIZATIONS.with(|o| o.borrow().iter().any(|e| e.0 == organization && e.2))
	}
}

parameter_types! {
	pub const EnrolmentHold: RuntimeHoldReason =
		RuntimeHoldReason::Enrolment(pallet_enrolment::HoldReason::EnrolmentDeposit);
	/// A consent-sized item: one entry of 100 bytes.
	pub const ItemFootprint: Footprint = Footprint { count: 1, size: 100 };
}

/// 10 per item and 1 per byte: the quota of 4 items costs 4 × (10 + 100) = 440.
pub type Deposit = HoldConsideration<
	u64,
	Balances,
	EnrolmentHold,
	pallet_enrolment::PricePerItem<ConstU64<10>, ConstU64<1>, u64>,
>;

impl pallet_enrolment::Config for Test {
	type Organizations = MockOrganizations;
	type Deposit = Deposit;
	type Time = Timestamp;
	type SponsoredItems = ConstU32<4>;
	type SponsoredItemFootprint = ItemFootprint;
	type FreeCallsPerWindow = ConstU32<3>;
	type FreeCallWindow = ConstU64<HOUR>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockOrganizations;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for MockOrganizations {
	fn organization(admin: &u64) -> OrgId {
		use frame_support::traits::fungible::Mutate;
		Self::add(7, *admin);
		let _ = Balances::set_balance(admin, 1_000_000);
		7
	}
}

/// One hour, in ms.
pub const HOUR: u64 = 3_600_000;
/// The wall clock at the start of every test (ms), at the start of a window.
pub const NOW: u64 = 1_700_002_800_000;
/// The deposit of the whole quota.
pub const QUOTA_DEPOSIT: u64 = 4 * (10 + 100);

pub const ORG: OrgId = 0;
pub const ADMIN: u64 = 1;
pub const OTHER_ORG: OrgId = 1;
pub const OTHER_ADMIN: u64 = 2;
pub const PATIENT: u64 = 10;
pub const STRANGER: u64 = 99;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ADMIN, 10_000), (OTHER_ADMIN, 10_000), (STRANGER, 10_000)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		ORGANIZATIONS.with(|o| o.borrow_mut().clear());
		MockOrganizations::add(ORG, ADMIN);
		MockOrganizations::add(OTHER_ORG, OTHER_ADMIN);
		System::set_block_number(1);
		Timestamp::set_timestamp(NOW);
	});
	ext
}
