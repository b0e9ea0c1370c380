//! # Enrolment pallet
//!
//! Patients who start with zero tokens. A patient's wallet is new and empty: it cannot pay a fee,
//! has no nonce stored and cannot hold a deposit. An **organization's admin enrols** the patient's
//! account in one call, paid by the organization:
//!
//! - the admin's deposit ([`Config::Deposit`]) covers the patient's quota of stored items: up to
//!   [`Config::SponsoredItems`] consents and deny rules whose deposit the consent pallet takes
//!   through [`SponsoredDeposit`] instead of from the patient;
//! - the account gets a *sufficient* reference, so it exists and its nonce is kept;
//! - while the enrolment is active the patient's own calls of the consent suite are free of fees:
//!   the pallets mark them `#[pallet::feeless_if]` on [`consent_primitives::Sponsorship`], and
//!   `pallet-skip-feeless-payment` skips the fee;
//! - abuse is bounded: the [`CountFreeCalls`] transaction extension lets at most
//!   [`Config::FreeCallsPerWindow`] free calls per [`Config::FreeCallWindow`] through, failed ones
//!   included; the next is refused by the pool (`Custom(`[`FREE_CALLS_EXHAUSTED`]`)`) until the
//!   window turns. An account nobody enrolled pays as everyone does.
//!
//! Ending an enrolment ([`Pallet::end_enrolment`], by an admin of the organization or by the
//! patient) stops the free calls at once. The patient's consents and deny rules **stay in force**;
//! the items it sponsored stay sponsored until they are removed (revoked, reaped), and the
//! organization's deposit is released, and the account's sufficient reference dropped, when the
//! last of them is gone.
//!
//! ## Calls
//! - [`Pallet::enrol_patient`]: an admin of an active organization;
//! - [`Pallet::end_enrolment`]: an admin of the enrolling organization, or the patient.
//!
//! ## Storage
//! - [`Enrolments`]: patient → [`Enrolment`] (organization, sponsor, active, items sponsored,
//!   deposit);
//! - [`FreeCalls`]: patient → free calls made in the current window.
//!
//! ## Invariants
//! - an enrolment sponsors at most [`Config::SponsoredItems`] items;
//! - an ended enrolment is kept only while it still sponsors an item;
//! - every enrolled patient's account exists (a sufficient reference).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod extension;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use extension::{CountFreeCalls, FREE_CALLS_EXHAUSTED};
pub use weights::WeightInfo;

use codec::{Decode, Encode, MaxEncodedLen};
use consent_primitives::{Moment, OrgId, OrganizationAdmins, Sponsorship};
use frame_support::{
	traits::{Consideration, Footprint, Get, Time},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// The patient's free calls of the current window are spent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FreeCallsExhausted;

/// A patient's enrolment.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
pub struct Enrolment<AccountId, Ticket>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Ticket: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The organization that enrolled the patient.
	pub organization: OrgId,
	/// The admin whose deposit covers the patient's quota.
	pub sponsor: AccountId,
	/// Whether the patient's calls are free now (false once the enrolment ended).
	pub active: bool,
	/// How many of the patient's stored items the enrolment sponsors now.
	pub sponsored_items: u32,
	/// The sponsor's deposit.
	pub deposit: Ticket,
}

/// The free calls a patient made in one window.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, MaxEncodedLen, TypeInfo)]
pub struct FreeCallCount {
	/// The window (moment / [`Config::FreeCallWindow`]).
	pub window: u64,
	/// Free calls made in it.
	pub calls: u32,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::Saturating;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// A stored enrolment.
	pub type EnrolmentOf<T> =
		Enrolment<<T as frame_system::Config>::AccountId, <T as Config>::Deposit>;

	/// Configuration of the enrolment pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Who administers which organization (the registry pallet).
		type Organizations: OrganizationAdmins<Self::AccountId>;
		/// The deposit held from the enrolling admin, priced by the footprint of the sponsored
		/// quota.
		type Deposit: Consideration<Self::AccountId, Footprint>;
		/// Wall-clock time (pallet-timestamp), for the free-call windows.
		type Time: Time<Moment = Moment>;
		/// How many stored items (consents, deny rules) an enrolment sponsors at once.
		#[pallet::constant]
		type SponsoredItems: Get<u32>;
		/// The footprint of the largest sponsored item; the admin's deposit covers
		/// [`Config::SponsoredItems`] of them.
		#[pallet::constant]
		type SponsoredItemFootprint: Get<Footprint>;
		/// How many free calls a patient may make per window.
		#[pallet::constant]
		type FreeCallsPerWindow: Get<u32>;
		/// The length of a free-call window (ms).
		#[pallet::constant]
		type FreeCallWindow: Get<Moment>;
		/// Weights of this pallet's calls and extension, generated by its benchmarks.
		type WeightInfo: WeightInfo;
		/// Makes an organization for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit an organization's admin pays for an enrolled patient's quota.
		EnrolmentDeposit,
	}

	/// Enrolled patients.
	#[pallet::storage]
	pub type Enrolments<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, EnrolmentOf<T>>;

	/// Free calls of each patient in the current window.
	#[pallet::storage]
	pub type FreeCalls<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, FreeCallCount, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An organization enrolled a patient: their consent calls are free, their quota paid.
		PatientEnrolled { patient: T::AccountId, organization: OrgId, sponsor: T::AccountId },
		/// An enrolment ended (by the organization's admin or the patient): free calls stop;
		/// the consents stay.
		EnrolmentEnded { patient: T::AccountId, organization: OrgId, by: T::AccountId },
		/// The last item an ended enrolment sponsored is gone: the sponsor's deposit is
		/// released.
		EnrolmentClosed { patient: T::AccountId, organization: OrgId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not an admin of the organization.
		NotAdmin,
		/// The organization is unknown or suspended.
		OrganizationInactive,
		/// The account is already enrolled (or its ended enrolment still sponsors items).
		AlreadyEnrolled,
		/// The account is not enrolled.
		NotEnrolled,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::FreeCallWindow::get() > 0, "a free-call window lasts some time");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Enrol a patient account: from now on the patient's own consent calls are free (within
		/// the rate limit) and the deposits of up to [`Config::SponsoredItems`] of their consents
		/// and deny rules are covered.
		///
		/// Must be _Signed_ by an admin of `organization`, which must be active. The admin pays
		/// the fee and the deposit for the patient's quota; the deposit is released when the
		/// enrolment is over and nothing it sponsors is left.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::enrol_patient())]
		pub fn enrol_patient(
			origin: OriginFor<T>,
			organization: OrgId,
			patient: T::AccountId,
		) -> DispatchResult {
			let admin = ensure_signed(origin)?;
			ensure!(T::Organizations::is_admin(organization, &admin), Error::<T>::NotAdmin);
			ensure!(
				T::Organizations::organization_active(organization),
				Error::<T>::OrganizationInactive
			);
			ensure!(!Enrolments::<T>::contains_key(&patient), Error::<T>::AlreadyEnrolled);
			let deposit = T::Deposit::new(&admin, Self::quota_footprint())?;
			let _ = frame_system::Pallet::<T>::inc_sufficients(&patient);
			Enrolments::<T>::insert(
				&patient,
				Enrolment {
					organization,
					sponsor: admin.clone(),
					active: true,
					sponsored_items: 0,
					deposit,
				},
			);
			Self::deposit_event(Event::PatientEnrolled { patient, organization, sponsor: admin });
			Ok(())
		}

		/// End a patient's enrolment: their calls are no longer free. Their consents and deny
		/// rules stay in force; the sponsor's deposit is released once none of the items it
		/// covers is left.
		///
		/// Must be _Signed_ by an admin of the enrolling organization, or by the patient.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::end_enrolment())]
		pub fn end_enrolment(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut enrolment = Enrolments::<T>::get(&patient)
				.filter(|e| e.active)
				.ok_or(Error::<T>::NotEnrolled)?;
			ensure!(
				who == patient || T::Organizations::is_admin(enrolment.organization, &who),
				Error::<T>::NotAdmin
			);
			enrolment.active = false;
			FreeCalls::<T>::remove(&patient);
			Self::deposit_event(Event::EnrolmentEnded {
				patient: patient.clone(),
				organization: enrolment.organization,
				by: who,
			});
			Self::store_or_close(&patient, enrolment)
		}
	}

	impl<T: Config> Pallet<T> {
		/// The footprint the sponsor's deposit pays for: the whole quota, as that many items of
		/// the largest size (price it with [`PricePerItem`] so that it costs what the items
		/// would cost one by one).
		pub fn quota_footprint() -> Footprint {
			let item = T::SponsoredItemFootprint::get();
			let items = u64::from(T::SponsoredItems::get());
			Footprint { count: item.count.saturating_mul(items), size: item.size }
		}

		/// Whether `patient`'s calls are free now.
		pub fn is_sponsored(patient: &T::AccountId) -> bool {
			Enrolments::<T>::get(patient).is_some_and(|e| e.active)
		}

		/// The window `now` falls in.
		fn window(now: Moment) -> u64 {
			now.checked_div(T::FreeCallWindow::get()).unwrap_or_default()
		}

		/// How many free calls `patient` may still make in the current window.
		pub fn free_calls_left(patient: &T::AccountId) -> u32 {
			let count = FreeCalls::<T>::get(patient);
			let used = if count.window == Self::window(T::Time::now()) { count.calls } else { 0 };
			T::FreeCallsPerWindow::get().saturating_sub(used)
		}

		/// Count one free call of `patient`, or refuse it when the window's are spent.
		pub fn count_free_call(patient: &T::AccountId) -> Result<(), FreeCallsExhausted> {
			let window = Self::window(T::Time::now());
			FreeCalls::<T>::try_mutate(patient, |count| {
				if count.window != window {
					*count = FreeCallCount { window, calls: 0 };
				}
				if count.calls >= T::FreeCallsPerWindow::get() {
					return Err(FreeCallsExhausted);
				}
				count.calls.saturating_inc();
				Ok(())
			})
		}

		/// Take one item of `patient`'s sponsored quota, if they are enrolled and have one left.
		/// Writes only when it takes one: a patient nobody enrolled costs one read.
		pub fn take_sponsored_item(patient: &T::AccountId) -> bool {
			let Some(mut enrolment) = Enrolments::<T>::get(patient) else { return false };
			if !enrolment.active || enrolment.sponsored_items >= T::SponsoredItems::get() {
				return false;
			}
			enrolment.sponsored_items.saturating_inc();
			Enrolments::<T>::insert(patient, enrolment);
			true
		}

		/// Give back one item of `patient`'s sponsored quota (the item was removed).
		pub fn return_sponsored_item(patient: &T::AccountId) -> DispatchResult {
			let Some(mut enrolment) = Enrolments::<T>::get(patient) else {
				frame_support::defensive!("a sponsored item of a patient with no enrolment");
				return Ok(());
			};
			enrolment.sponsored_items = enrolment.sponsored_items.saturating_sub(1);
			Self::store_or_close(patient, enrolment)
		}

		/// Keep an enrolment, or close it (release the deposit, drop the account's sufficient
		/// reference) when it is over and sponsors nothing.
		fn store_or_close(patient: &T::AccountId, enrolment: EnrolmentOf<T>) -> DispatchResult {
			if enrolment.active || enrolment.sponsored_items > 0 {
				Enrolments::<T>::insert(patient, enrolment);
				return Ok(());
			}
			Enrolments::<T>::remove(patient);
			enrolment.deposit.drop(&enrolment.sponsor)?;
			let _ = frame_system::Pallet::<T>::dec_sufficients(patient);
			Self::deposit_event(Event::EnrolmentClosed {
				patient: patient.clone(),
				organization: enrolment.organization,
			});
			Ok(())
		}

		#[cfg(any(feature = "try-runtime", test))]
		pub(crate) fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			for (patient, enrolment) in Enrolments::<T>::iter() {
				ensure!(
					enrolment.sponsored_items <= T::SponsoredItems::get(),
					"an enrolment sponsors more than its quota"
				);
				ensure!(
					enrolment.active || enrolment.sponsored_items > 0,
					"an ended enrolment kept with nothing to sponsor"
				);
				ensure!(
					frame_system::Pallet::<T>::sufficients(&patient) > 0,
					"an enrolled patient's account has no sufficient reference"
				);
			}
			Ok(())
		}
	}
}

impl<T: Config> Sponsorship<T::AccountId> for Pallet<T> {
	fn covers_fees(patient: &T::AccountId) -> bool {
		Pallet::<T>::is_sponsored(patient)
	}

	fn sponsors_items(patient: &T::AccountId) -> bool {
		Enrolments::<T>::get(patient).is_some_and(|e| e.sponsored_items > 0)
	}
}

/// A deposit ticket that the patient's enrolment covers while it has quota left, and that is
/// otherwise the `Inner` consideration held from the patient. The consent pallet uses it as its
/// `Deposit`, so a zero-balance enrolled patient can store consents and deny rules.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
#[codec(encode_bound(Inner: Encode))]
#[codec(decode_bound(Inner: Decode))]
#[codec(mel_bound(Inner: MaxEncodedLen))]
pub enum SponsoredDeposit<T, Inner: Clone + PartialEq + Eq + core::fmt::Debug> {
	/// Held from the patient, as without an enrolment.
	Held(Inner),
	/// Covered by the patient's enrolment (one item of its quota).
	Sponsored(core::marker::PhantomData<T>),
}

impl<T, Inner> Consideration<T::AccountId, Footprint> for SponsoredDeposit<T, Inner>
where
	T: Config + Send + Sync,
	Inner: Consideration<T::AccountId, Footprint> + Clone + PartialEq + Eq + core::fmt::Debug,
{
	fn new(who: &T::AccountId, footprint: Footprint) -> Result<Self, sp_runtime::DispatchError> {
		if Pallet::<T>::take_sponsored_item(who) {
			return Ok(Self::Sponsored(Default::default()));
		}
		Inner::new(who, footprint).map(Self::Held)
	}

	fn update(
		self,
		who: &T::AccountId,
		footprint: Footprint,
	) -> Result<Self, sp_runtime::DispatchError> {
		match self {
			Self::Held(inner) => inner.update(who, footprint).map(Self::Held),
			sponsored => Ok(sponsored),
		}
	}

	fn drop(self, who: &T::AccountId) -> Result<(), sp_runtime::DispatchError> {
		match self {
			Self::Held(inner) => inner.drop(who),
			Self::Sponsored(_) => Pallet::<T>::return_sponsored_item(who),
		}
	}

	fn burn(self, who: &T::AccountId) {
		match self {
			Self::Held(inner) => inner.burn(who),
			Self::Sponsored(_) => {
				let _ = Pallet::<T>::return_sponsored_item(who);
			},
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_successful(who: &T::AccountId, footprint: Footprint) {
		Inner::ensure_successful(who, footprint)
	}
}

/// The price of `count` items of `size` bytes each: `count × (Base + PerByte × size)`, the sum
/// of what each item's deposit costs under `LinearStoragePrice<Base, PerByte>` (which prices one
/// footprint as `Base + PerByte × count × size`).
pub struct PricePerItem<Base, PerByte, Balance>(
	core::marker::PhantomData<(Base, PerByte, Balance)>,
);

impl<Base, PerByte, Balance> sp_runtime::traits::Convert<Footprint, Balance>
	for PricePerItem<Base, PerByte, Balance>
where
	Base: Get<Balance>,
	PerByte: Get<Balance>,
	Balance: From<u64> + sp_runtime::Saturating,
{
	fn convert(footprint: Footprint) -> Balance {
		let one = PerByte::get().saturating_mul(footprint.size.into()).saturating_add(Base::get());
		one.saturating_mul(footprint.count.into())
	}
}

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// An active organization that `admin` administers, and funds for `admin`'s deposit.
	fn organization(admin: &AccountId) -> OrgId;
}
