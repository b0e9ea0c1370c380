//! # Records pallet
//!
//! Hospitals keep medical records in their own systems; this pallet keeps their fingerprints,
//! their version history, and the trail of who read them. No health data is stored: a record is
//! a patient account, a data category, a FHIR resource type name, and per version a salted
//! digest (see [`consent_primitives::Digest`]) with an optional opaque locator.
//!
//! ## Calls
//! - [`Pallet::anchor_record`]: an author with *Write* access (the patient, their delegate, or a
//!   practitioner whose consent or emergency session covers the category) anchors version 0;
//! - [`Pallet::amend_record`]: an author with *Write* access on that record adds a version that
//!   supersedes the current one; nothing is overwritten;
//! - [`Pallet::log_access`]: an accessor logs a read; the call makes the access decision
//!   ([`consent_primitives::AccessControl`]) for the record's category and the record itself and
//!   records the outcome: [`Event::ReadLogged`] if permitted, [`Event::ReadDenied`] if not. A
//!   denied attempt is not an error: the call succeeds in recording it;
//! - [`Pallet::erase_record`]: the patient tombstones a record (GDPR Art. 17): metadata and
//!   locators are removed and deposits released, the digest chain stays, and the record takes no
//!   more versions or reads.
//!
//! Queries (runtime API `RecordsApi`, RPC `records_verify`, `records_history`, `records_of`):
//! [`Pallet::verify`], [`Pallet::history`], [`Pallet::records_of`].
//!
//! ## Storage
//! - [`Records`]: id → [`Record`]; [`Versions`]: (id, version) → [`Version`];
//! - [`DigestIndex`]: (id, digest) → version, so verification reads one entry;
//! - [`PatientRecords`]: (patient, position) → id, with [`RecordCount`], for paged listing;
//! - [`NextNonce`]: feeds record ids. An id is `blake2_256(domain, nonce, author, parent hash)`:
//!   unique, and not derivable from anything about the patient.
//!
//! ## Invariants
//! - versions `0..=current` of a record exist and none beyond; each supersedes the one before, so
//!   the chain from `current` back to 0 is acyclic and complete;
//! - [`DigestIndex`] holds exactly the digests of the versions, and a digest appears at most once
//!   in a record's history;
//! - a live record's versions each hold their author's deposit; an erased record holds none and
//!   keeps no metadata or locator;
//! - [`RecordCount`] equals the patient's [`PatientRecords`] entries, at most
//!   `MaxRecordsPerPatient` (erased records keep their place);
//! - a failed call changes nothing.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use consent_primitives::{
	AccessControl, Action, CredentialInspect, DataCategory, Decision, Digest, Moment, Purpose,
	RecordId, RecordView, Verification, VersionIndex, VersionView,
};
use frame_support::traits::{Consideration, Footprint, Get, Time};

/// The most records one page of [`Pallet::records_of`] returns.
pub const MAX_PAGE: u32 = 100;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::fungible};
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// A stored record.
	pub type RecordOf<T> = Record<<T as frame_system::Config>::AccountId>;
	/// A stored version.
	pub type VersionOf<T> = Version<
		<T as frame_system::Config>::AccountId,
		<T as Config>::Deposit,
		<T as Config>::MaxLocatorLen,
	>;
	/// An opaque locator.
	pub type LocatorOf<T> = BoundedVec<u8, <T as Config>::MaxLocatorLen>;

	/// Configuration of the records pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The currency deposits are held in (inspected by `try_state`).
		type Currency: fungible::InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The deposit an author pays for every version they anchor, priced by its footprint.
		type Deposit: Consideration<Self::AccountId, Footprint>
			+ Clone
			+ PartialEq
			+ Eq
			+ core::fmt::Debug
			+ MaxEncodedLen
			+ TypeInfo;
		/// Wall-clock time (pallet-timestamp).
		type Time: Time<Moment = Moment>;
		/// The access decision (the consent pallet).
		type Access: AccessControl<Self::AccountId>;
		/// Practitioner credentials (the registry pallet): an author's organization.
		type Credentials: CredentialInspect<Self::AccountId>;
		/// The most versions one record may have.
		#[pallet::constant]
		type MaxVersions: Get<u32>;
		/// The most records (erased ones included) one patient may have.
		#[pallet::constant]
		type MaxRecordsPerPatient: Get<u32>;
		/// The longest locator, in bytes.
		#[pallet::constant]
		type MaxLocatorLen: Get<u32>;
		/// Weights of this pallet's calls, generated by its benchmarks.
		type WeightInfo: WeightInfo;
		/// Sets up what the benchmarks need from the other pallets.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: consent_primitives::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a stored record version.
		RecordDeposit,
	}

	/// Anchored records.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Identity, RecordId, RecordOf<T>>;

	/// Every version of every record.
	#[pallet::storage]
	pub type Versions<T: Config> =
		StorageDoubleMap<_, Identity, RecordId, Twox64Concat, VersionIndex, VersionOf<T>>;

	/// Which version of a record a digest was anchored as.
	#[pallet::storage]
	pub type DigestIndex<T: Config> =
		StorageDoubleMap<_, Identity, RecordId, Blake2_128Concat, Digest, VersionIndex>;

	/// A patient's records, by the position they were anchored in.
	#[pallet::storage]
	pub type PatientRecords<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u32, RecordId>;

	/// How many records a patient has.
	#[pallet::storage]
	pub type RecordCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Feeds record ids; bumped by every anchor.
	#[pallet::storage]
	pub type NextNonce<T: Config> = StorageValue<_, u64, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A record was anchored (version 0).
		RecordAnchored {
			record_id: RecordId,
			patient: T::AccountId,
			author: T::AccountId,
			organization: Option<consent_primitives::OrgId>,
			category: DataCategory,
			digest: Digest,
		},
		/// A new version superseded the current one.
		RecordAmended {
			record_id: RecordId,
			patient: T::AccountId,
			author: T::AccountId,
			organization: Option<consent_primitives::OrgId>,
			version: VersionIndex,
			digest: Digest,
		},
		/// A permitted read was logged.
		ReadLogged {
			record_id: RecordId,
			patient: T::AccountId,
			accessor: T::AccountId,
			purpose: Purpose,
			reason: consent_primitives::PermitReason,
		},
		/// A read was attempted and denied; the attempt is on record.
		ReadDenied {
			record_id: RecordId,
			patient: T::AccountId,
			accessor: T::AccountId,
			purpose: Purpose,
			reason: consent_primitives::DenyReason,
		},
		/// The patient erased a record: metadata and locators removed, digests kept, deposits
		/// released.
		RecordErased { record_id: RecordId, patient: T::AccountId, versions: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such record.
		NotFound,
		/// The record was erased; it takes no more versions or reads.
		Erased,
		/// The access decision denies the caller this action on this record.
		AccessDenied,
		/// Only the patient (or their delegate) may erase a record.
		NotPatient,
		/// The record has as many versions as allowed.
		TooManyVersions,
		/// The patient has as many records as allowed.
		TooManyRecords,
		/// Not a FHIR resource type name (an upper-case letter, then letters and digits).
		InvalidResourceType,
		/// A locator must be opaque (ciphertext or a hash): not empty, not a plain URL.
		InvalidLocator,
		/// The record already has a version with this digest.
		DuplicateDigest,
		/// A counter is exhausted.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Anchor a new record: its version 0.
		///
		/// Must be _Signed_ by an author with *Write* access to `category` of `patient`'s data for
		/// `purpose`: the patient (a delegate calls through their consent-management proxy) or a
		/// practitioner with a consent or an emergency session covering it. `resource_type`: a
		/// FHIR resource type name; `digest`: the salted commitment to the content; `locator`:
		/// optional opaque bytes (ciphertext or a hash) telling the author's systems where the
		/// content is. The author's deposit is held until the record is erased.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::anchor_record().saturating_add(T::Access::check_access_weight())
		)]
		pub fn anchor_record(
			origin: OriginFor<T>,
			patient: T::AccountId,
			category: DataCategory,
			purpose: Purpose,
			resource_type: ResourceType,
			digest: Digest,
			locator: Option<LocatorOf<T>>,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			ensure!(is_resource_type(&resource_type), Error::<T>::InvalidResourceType);
			Self::ensure_opaque(&locator)?;
			Self::ensure_permitted(&patient, &author, category, purpose, None)?;
			let count = RecordCount::<T>::get(&patient);
			ensure!(count < T::MaxRecordsPerPatient::get(), Error::<T>::TooManyRecords);
			let nonce = NextNonce::<T>::get();
			let next_nonce = nonce.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let record_id = Self::derive_id(nonce, &author);
			let now = T::Time::now();
			let version = Self::new_version(&author, digest, None, locator, now, true)?;
			let organization = version.organization;

			Versions::<T>::insert(record_id, 0, version);
			DigestIndex::<T>::insert(record_id, digest, 0);
			Records::<T>::insert(
				record_id,
				Record {
					patient: patient.clone(),
					meta: Some(RecordMeta { category, resource_type }),
					current: 0,
					created_at: now,
					erased_at: None,
				},
			);
			PatientRecords::<T>::insert(&patient, count, record_id);
			RecordCount::<T>::insert(&patient, count.saturating_add(1));
			NextNonce::<T>::put(next_nonce);
			Self::deposit_event(Event::RecordAnchored {
				record_id,
				patient,
				author,
				organization,
				category,
				digest,
			});
			Ok(())
		}

		/// Add a version that supersedes the record's current one.
		///
		/// Must be _Signed_ by an author with *Write* access to this record for `purpose` (see
		/// [`Pallet::anchor_record`]; a consent that names records must name this one). `digest`
		/// must differ from every earlier version's. The author's deposit is held until erasure.
		#[pallet::call_index(1)]
		#[pallet::weight(
			T::WeightInfo::amend_record().saturating_add(T::Access::check_access_weight())
		)]
		pub fn amend_record(
			origin: OriginFor<T>,
			record_id: RecordId,
			purpose: Purpose,
			digest: Digest,
			locator: Option<LocatorOf<T>>,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			Self::ensure_opaque(&locator)?;
			let mut record = Records::<T>::get(record_id).ok_or(Error::<T>::NotFound)?;
			let meta = record.meta.as_ref().ok_or(Error::<T>::Erased)?;
			Self::ensure_permitted(
				&record.patient,
				&author,
				meta.category,
				purpose,
				Some(record_id),
			)?;
			ensure!(
				!DigestIndex::<T>::contains_key(record_id, digest),
				Error::<T>::DuplicateDigest
			);
			let index = record.current.checked_add(1).ok_or(Error::<T>::Overflow)?;
			ensure!(index < T::MaxVersions::get(), Error::<T>::TooManyVersions);
			let now = T::Time::now();
			let version =
				Self::new_version(&author, digest, Some(record.current), locator, now, false)?;
			let organization = version.organization;

			Versions::<T>::insert(record_id, index, version);
			DigestIndex::<T>::insert(record_id, digest, index);
			record.current = index;
			let patient = record.patient.clone();
			Records::<T>::insert(record_id, record);
			Self::deposit_event(Event::RecordAmended {
				record_id,
				patient,
				author,
				organization,
				version: index,
				digest,
			});
			Ok(())
		}

		/// Log a read of a record: the access decision is made for the record's category, the
		/// record itself and `purpose`, and its outcome recorded as [`Event::ReadLogged`] or
		/// [`Event::ReadDenied`]. A denial is recorded, not refused.
		///
		/// Must be _Signed_ by the account that read (or tried to read) the record.
		#[pallet::call_index(2)]
		#[pallet::weight(
			T::WeightInfo::log_access().saturating_add(T::Access::check_access_weight())
		)]
		pub fn log_access(
			origin: OriginFor<T>,
			record_id: RecordId,
			purpose: Purpose,
		) -> DispatchResult {
			let accessor = ensure_signed(origin)?;
			let record = Records::<T>::get(record_id).ok_or(Error::<T>::NotFound)?;
			let meta = record.meta.ok_or(Error::<T>::Erased)?;
			let patient = record.patient;
			let decision = T::Access::check_access(
				&patient,
				&accessor,
				meta.category,
				Action::Read,
				purpose,
				Some(record_id),
			);
			Self::deposit_event(match decision {
				Decision::Permit(reason) => {
					Event::ReadLogged { record_id, patient, accessor, purpose, reason }
				},
				Decision::Deny(reason) => {
					Event::ReadDenied { record_id, patient, accessor, purpose, reason }
				},
			});
			Ok(())
		}

		/// Erase a record: remove its category, resource type and every locator, release every
		/// version's deposit to its author, keep the digest chain. The record takes no more
		/// versions or reads.
		///
		/// Must be _Signed_ by the patient (a delegate calls through their consent-management
		/// proxy).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::erase_record(T::MaxVersions::get()))]
		pub fn erase_record(
			origin: OriginFor<T>,
			record_id: RecordId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut record = Records::<T>::get(record_id).ok_or(Error::<T>::NotFound)?;
			ensure!(record.patient == who, Error::<T>::NotPatient);
			ensure!(record.erased_at.is_none(), Error::<T>::Erased);
			let versions = record.current.saturating_add(1);
			for index in 0..versions {
				let Some(mut version) = Versions::<T>::get(record_id, index) else {
					frame_support::defensive!("a version below current is missing");
					continue;
				};
				if let Some(deposit) = version.deposit.take() {
					deposit.drop(&version.author)?;
				}
				version.locator = None;
				Versions::<T>::insert(record_id, index, version);
			}
			record.meta = None;
			record.erased_at = Some(T::Time::now());
			Records::<T>::insert(record_id, record);
			Self::deposit_event(Event::RecordErased { record_id, patient: who, versions });
			Ok(Some(T::WeightInfo::erase_record(versions)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		fn ensure_opaque(locator: &Option<LocatorOf<T>>) -> DispatchResult {
			ensure!(
				locator.as_ref().is_none_or(|l| is_opaque_locator(l)),
				Error::<T>::InvalidLocator
			);
			Ok(())
		}

		fn ensure_permitted(
			patient: &T::AccountId,
			author: &T::AccountId,
			category: DataCategory,
			purpose: Purpose,
			record: Option<RecordId>,
		) -> DispatchResult {
			let decision =
				T::Access::check_access(patient, author, category, Action::Write, purpose, record);
			ensure!(decision.is_permit(), Error::<T>::AccessDenied);
			Ok(())
		}

		/// A version by `author`, with their deposit held (for the record itself too if `first`).
		fn new_version(
			author: &T::AccountId,
			digest: Digest,
			supersedes: Option<VersionIndex>,
			locator: Option<LocatorOf<T>>,
			now: Moment,
			first: bool,
		) -> Result<VersionOf<T>, DispatchError> {
			let footprint = Self::version_footprint(first);
			let deposit = T::Deposit::new(author, footprint)?;
			let organization = T::Credentials::credential(author, now).map(|c| c.organization);
			Ok(Version {
				digest,
				author: author.clone(),
				organization,
				anchored_at: now,
				supersedes,
				locator,
				deposit: Some(deposit),
			})
		}

		/// The storage one version takes: itself and its digest entry, and for the first version
		/// the record and its place in the patient's list as well.
		pub(crate) fn version_footprint(first: bool) -> Footprint {
			let version = VersionOf::<T>::max_encoded_len()
				.saturating_add(Digest::max_encoded_len())
				.saturating_add(VersionIndex::max_encoded_len());
			let record = RecordOf::<T>::max_encoded_len()
				.saturating_add(RecordId::max_encoded_len())
				.saturating_add(T::AccountId::max_encoded_len());
			Footprint::from_parts(1, if first { version.saturating_add(record) } else { version })
		}

		/// A fresh record id: unique by the nonce, and carrying nothing about the patient.
		fn derive_id(nonce: u64, author: &T::AccountId) -> RecordId {
			let parent = frame_system::Pallet::<T>::parent_hash();
			(b"consent-chain/record", nonce, author, parent)
				.using_encoded(sp_io::hashing::blake2_256)
				.into()
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Whether `digest` is the current version of `record_id`, an older one, or none.
	pub fn verify(record_id: RecordId, digest: Digest) -> Verification {
		let Some(record) = Records::<T>::get(record_id) else {
			return Verification::UnknownRecord;
		};
		match DigestIndex::<T>::get(record_id, digest) {
			Some(version) if version == record.current => Verification::Current { version },
			Some(version) => Verification::Superseded { version, current: record.current },
			None => Verification::NoMatch,
		}
	}

	/// Every version of `record_id`, oldest first.
	pub fn history(record_id: RecordId) -> Option<Vec<VersionView<T::AccountId>>> {
		let record = Records::<T>::get(record_id)?;
		Some(
			(0..=record.current)
				.filter_map(|index| {
					Versions::<T>::get(record_id, index).map(|v| VersionView {
						version: index,
						digest: v.digest,
						author: v.author,
						organization: v.organization,
						anchored_at: v.anchored_at,
						supersedes: v.supersedes,
						locator: v.locator.map(|l| l.into_inner()),
					})
				})
				.collect(),
		)
	}

	/// The patient's records in anchoring order, from position `from`, at most `limit` (and at
	/// most [`MAX_PAGE`]).
	pub fn records_of(
		patient: &T::AccountId,
		from: u32,
		limit: u32,
	) -> Vec<RecordView<T::AccountId>> {
		let end = RecordCount::<T>::get(patient).min(from.saturating_add(limit.min(MAX_PAGE)));
		(from..end)
			.filter_map(|position| PatientRecords::<T>::get(patient, position))
			.filter_map(|id| {
				Records::<T>::get(id).map(|r| RecordView {
					id,
					patient: r.patient,
					category: r.meta.as_ref().map(|m| m.category),
					resource_type: r.meta.map(|m| m.resource_type.into_inner()),
					current: r.current,
					created_at: r.created_at,
					erased_at: r.erased_at,
				})
			})
			.collect()
	}

	#[cfg(any(feature = "try-runtime", test))]
	pub(crate) fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		use frame_support::{ensure, traits::fungible::InspectHold};
		use sp_runtime::traits::Zero;

		let mut per_patient = BTreeMap::<T::AccountId, u32>::new();
		let mut payers = BTreeMap::<T::AccountId, ()>::new();
		let mut version_count = 0usize;
		for (id, record) in Records::<T>::iter() {
			*per_patient.entry(record.patient.clone()).or_default() += 1;
			let erased = record.erased_at.is_some();
			ensure!(erased == record.meta.is_none(), "erasure and metadata disagree");
			ensure!(record.current < T::MaxVersions::get(), "too many versions");
			ensure!(
				!Versions::<T>::contains_key(id, record.current.saturating_add(1)),
				"a version beyond current"
			);
			// Walk the chain back from current: strictly decreasing, so acyclic, and complete.
			let mut walked = 0u32;
			let mut at = Some(record.current);
			while let Some(index) = at {
				let version = Versions::<T>::get(id, index).ok_or("a version is missing")?;
				ensure!(
					DigestIndex::<T>::get(id, version.digest) == Some(index),
					"digest index disagrees"
				);
				ensure!(version.supersedes.is_none_or(|p| p < index), "chain not decreasing");
				ensure!(version.supersedes.is_some() || index == 0, "chain ends before version 0");
				if erased {
					ensure!(
						version.deposit.is_none() && version.locator.is_none(),
						"erased version keeps a deposit or locator"
					);
				} else {
					ensure!(version.deposit.is_some(), "live version without a deposit");
					payers.insert(version.author.clone(), ());
				}
				walked += 1;
				at = version.supersedes;
			}
			ensure!(walked == record.current + 1, "chain skips versions");
			version_count += walked as usize;
		}
		ensure!(Versions::<T>::iter().count() == version_count, "orphan versions");
		ensure!(DigestIndex::<T>::iter().count() == version_count, "orphan digest entries");
		for (patient, count) in RecordCount::<T>::iter() {
			ensure!(per_patient.get(&patient) == Some(&count), "record count disagrees");
			ensure!(count <= T::MaxRecordsPerPatient::get(), "too many records");
			for position in 0..count {
				let id = PatientRecords::<T>::get(&patient, position)
					.ok_or("a patient's record position is empty")?;
				ensure!(
					Records::<T>::get(id).is_some_and(|r| r.patient == patient),
					"patient index names another patient's record"
				);
			}
		}
		ensure!(
			PatientRecords::<T>::iter().count() == per_patient.values().sum::<u32>() as usize,
			"orphan patient index entries"
		);
		let reason: T::RuntimeHoldReason = HoldReason::RecordDeposit.into();
		for payer in payers.keys() {
			ensure!(
				!T::Currency::balance_on_hold(&reason, payer).is_zero(),
				"version without a held deposit"
			);
		}
		Ok(())
	}
}
