//! # Records pallet
//!
//! Hospitals keep medical records in their own systems; this pallet keeps their fingerprints,
//! their version history, and the trail of who read them. No health data and no free text is
//! stored: a record is a patient account, a data category, a FHIR R5 resource type
//! ([`FhirResourceType`]), and per version a salted digest (see [`consent_primitives::Digest`])
//! with an optional hashed or sealed [`Locator`].
//!
//! ## Calls
//! - [`Pallet::anchor_record`]: an author with *Write* access (the patient, their delegate, or a
//!   practitioner whose consent covers the category, or whose emergency session covers it for an
//!   emergency purpose) anchors version 0. Emergency anchors count against the session's bound;
//! - [`Pallet::amend_record`]: the patient (or delegate), or a practitioner of the organization
//!   of the record's author, with *Write* access on that record, adds a version that supersedes
//!   the current one; nothing is overwritten;
//! - [`Pallet::log_access`]: an accessor logs a read; the call makes the access decision
//!   ([`consent_primitives::AccessControl`]) for the record's category and the record itself and
//!   records the outcome: [`Event::ReadLogged`] if permitted, [`Event::ReadDenied`] if not. A
//!   denied attempt is not an error: the call succeeds in recording it;
//! - [`Pallet::erase_record`]: the patient erases a record (GDPR Art. 17): the record, its
//!   versions (authors, organizations, locators) and the patient's index entry go, every
//!   author's deposit is released, and only the digest chain stays, with a [`Tombstone`] the
//!   patient pays for once (a burnt deposit for what stays for ever).
//!
//! Queries (runtime API `RecordsApi`, RPC `records_verify`, `records_history`, `records_of`):
//! [`Pallet::verify`], [`Pallet::history`], [`Pallet::records_of`].
//!
//! ## Bounds against griefing
//! A patient has at most `MaxRecordsPerPatient` live records (erasing frees a slot), of which an
//! author other than the patient holds at most `MaxRecordsPerAuthor`; a record has at most
//! `MaxVersions` versions, of which one author adds at most `MaxVersionsPerAuthor`. Every
//! version is paid for by its author's deposit.
//!
//! ## Storage
//! - [`Records`]: id → [`Record`]; [`Versions`]: (id, version) → [`Version`], live records only;
//! - [`DigestIndex`]: (id, digest) → version, so verification reads one entry; kept on erasure;
//! - [`Tombstones`]: id → [`Tombstone`], erased records;
//! - [`PatientRecords`]: (patient, id) → anchoring order, with [`RecordCount`], live records;
//! - [`AuthorRecords`]: (patient, author) → live records of the patient by that author;
//! - [`AuthorVersions`]: (id, author) → versions of a live record by that author;
//! - [`NextNonce`]: feeds record ids. An id is `blake2_256(domain, nonce, author, parent hash)`:
//!   unique, and not derivable from anything about the patient.
//!
//! ## Invariants
//! - versions `0..=current` of a live record exist and none beyond; each supersedes the one
//!   before, so the chain from `current` back to 0 is acyclic and complete; each holds its
//!   author's deposit;
//! - [`DigestIndex`] holds exactly the digests of the versions of live and erased records, and a
//!   digest appears at most once in a record's history;
//! - an erased record has a tombstone and no record, version, author count or index entry;
//! - [`RecordCount`], [`AuthorRecords`] and [`AuthorVersions`] equal what they count and stay
//!   within their bounds;
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

use alloc::{collections::BTreeSet, vec::Vec};
use consent_primitives::{
	AccessControl, AccessQuery, Action, CredentialInspect, DataCategory, Decision, Digest, Moment,
	PermitReason, Purpose, RecordId, RecordView, Verification, VersionIndex, VersionView,
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
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// A stored record.
	pub type RecordOf<T> = Record<<T as frame_system::Config>::AccountId>;
	/// A stored version.
	pub type VersionOf<T> = Version<<T as frame_system::Config>::AccountId, <T as Config>::Deposit>;

	/// Configuration of the records pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The currency deposits are held in (inspected by `try_state`).
		type Currency: fungible::InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The deposit an author pays for every version they anchor, priced by its footprint;
		/// also what the patient pays (burnt) for an erased record's tombstone.
		type Deposit: Consideration<Self::AccountId, Footprint>;
		/// Wall-clock time (pallet-timestamp).
		type Time: Time<Moment = Moment>;
		/// The access decision (the consent pallet).
		type Access: AccessControl<Self::AccountId>;
		/// Practitioner credentials (the registry pallet): an author's organization.
		type Credentials: CredentialInspect<Self::AccountId>;
		/// The most versions one record may have.
		#[pallet::constant]
		type MaxVersions: Get<u32>;
		/// The most versions of one record one author other than the patient may add.
		#[pallet::constant]
		type MaxVersionsPerAuthor: Get<u32>;
		/// The most live records one patient may have.
		#[pallet::constant]
		type MaxRecordsPerPatient: Get<u32>;
		/// The most live records of one patient that one author other than the patient may
		/// have anchored.
		#[pallet::constant]
		type MaxRecordsPerAuthor: Get<u32>;
		/// The most reads one `log_access_batch` logs.
		#[pallet::constant]
		type MaxLogBatch: Get<u32>;
		/// Weights of this pallet's calls, generated by its benchmarks.
		type WeightInfo: WeightInfo;
		/// Sets up what the benchmarks need from the other pallets.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: consent_primitives::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a stored record version (and for a tombstone, until it is burnt).
		RecordDeposit,
	}

	/// Live records.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Identity, RecordId, RecordOf<T>>;

	/// Every version of every live record.
	#[pallet::storage]
	pub type Versions<T: Config> =
		StorageDoubleMap<_, Identity, RecordId, Twox64Concat, VersionIndex, VersionOf<T>>;

	/// Which version of a record (live or erased) a digest was anchored as.
	#[pallet::storage]
	pub type DigestIndex<T: Config> =
		StorageDoubleMap<_, Identity, RecordId, Blake2_128Concat, Digest, VersionIndex>;

	/// Erased records: what stays of them.
	#[pallet::storage]
	pub type Tombstones<T: Config> = StorageMap<_, Identity, RecordId, Tombstone>;

	/// A patient's live records, with their anchoring order.
	#[pallet::storage]
	pub type PatientRecords<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, RecordId, u64>;

	/// How many live records a patient has.
	#[pallet::storage]
	pub type RecordCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// How many live records of a patient (first key) an author other than the patient anchored.
	#[pallet::storage]
	pub type AuthorRecords<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		u32,
		ValueQuery,
	>;

	/// How many versions of a live record an author added.
	#[pallet::storage]
	pub type AuthorVersions<T: Config> =
		StorageDoubleMap<_, Identity, RecordId, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

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
			reason: PermitReason,
		},
		/// A read was attempted and denied; the attempt is on record.
		ReadDenied {
			record_id: RecordId,
			patient: T::AccountId,
			accessor: T::AccountId,
			purpose: Purpose,
			reason: consent_primitives::DenyReason,
		},
		/// The patient erased a record: only its digest chain stays; deposits released.
		RecordErased { record_id: RecordId, patient: T::AccountId, versions: u32 },
		/// A batch of reads was logged by `submitter` (a practitioner, or the gateway of
		/// `organization`); each read has its own `ReadLogged` or `ReadDenied` before this.
		BatchLogged {
			submitter: T::AccountId,
			organization: Option<consent_primitives::OrgId>,
			reads: u32,
		},
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
		/// Only the patient, their delegate, or a practitioner of the organization of the
		/// record's author may amend it.
		NotAuthorsOrganization,
		/// The record has as many versions as allowed.
		TooManyVersions,
		/// The caller added as many versions of this record as one author may.
		TooManyVersionsByAuthor,
		/// The patient has as many live records as allowed.
		TooManyRecords,
		/// The caller anchored as many live records of this patient as one author may.
		TooManyRecordsByAuthor,
		/// A sealed locator needs ciphertext.
		InvalidLocator,
		/// The record already has a version with this digest.
		DuplicateDigest,
		/// A counter is exhausted.
		Overflow,
		/// A batch must log at least one read.
		EmptyBatch,
		/// Only a gateway of an active organization may log reads for another account.
		NotGateway,
		/// A gateway logs reads only for practitioners of its own organization.
		NotGatewaysPractitioner,
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
		/// `purpose`: the patient (a delegate calls through their consent-management proxy), a
		/// practitioner with a consent covering it, or one with an emergency session for an
		/// emergency purpose (bounded per session). `resource_type`: the FHIR resource type;
		/// `digest`: the salted commitment to the content; `locator`: optional hashed or sealed
		/// pointer to the content in the author's systems. The author's deposit is held until
		/// the record is erased.
		#[pallet::call_index(0)]
		#[pallet::weight(
			T::WeightInfo::anchor_record().saturating_add(T::Access::check_access_weight())
		)]
		pub fn anchor_record(
			origin: OriginFor<T>,
			patient: T::AccountId,
			category: DataCategory,
			purpose: Purpose,
			resource_type: FhirResourceType,
			digest: Digest,
			locator: Option<Locator>,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			Self::ensure_well_formed(&locator)?;
			let reason = Self::ensure_permitted(&patient, &author, category, purpose, None)?;
			let count = RecordCount::<T>::get(&patient);
			ensure!(count < T::MaxRecordsPerPatient::get(), Error::<T>::TooManyRecords);
			let by_author = (author != patient)
				.then(|| {
					let n = AuthorRecords::<T>::get(&patient, &author);
					ensure!(n < T::MaxRecordsPerAuthor::get(), Error::<T>::TooManyRecordsByAuthor);
					Ok::<_, DispatchError>(n)
				})
				.transpose()?;
			if let PermitReason::Emergency(session) = reason {
				T::Access::note_emergency_write(session)?;
			}
			let nonce = NextNonce::<T>::get();
			let next_nonce = nonce.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let record_id = Self::derive_id(nonce, &author);
			let now = T::Time::now();
			let organization = Self::organization_of(&author, now);
			let version =
				Self::new_version(&author, organization, digest, None, locator, now, true)?;

			Versions::<T>::insert(record_id, 0, version);
			DigestIndex::<T>::insert(record_id, digest, 0);
			if author != patient {
				AuthorVersions::<T>::insert(record_id, &author, 1);
			}
			Records::<T>::insert(
				record_id,
				Record {
					patient: patient.clone(),
					meta: RecordMeta { category, resource_type },
					current: 0,
					created_at: now,
					organization,
					seq: nonce,
				},
			);
			PatientRecords::<T>::insert(&patient, record_id, nonce);
			RecordCount::<T>::insert(&patient, count.saturating_add(1));
			if let Some(n) = by_author {
				AuthorRecords::<T>::insert(&patient, &author, n.saturating_add(1));
			}
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
		/// Must be _Signed_ by the patient (a delegate calls through their consent-management
		/// proxy) or by a practitioner of the organization of the record's author, with *Write*
		/// access to this record for `purpose` (a consent that names records must name this
		/// one). `digest` must differ from every earlier version's. The author's deposit is held
		/// until erasure.
		#[pallet::call_index(1)]
		#[pallet::weight(
			T::WeightInfo::amend_record().saturating_add(T::Access::check_access_weight())
		)]
		pub fn amend_record(
			origin: OriginFor<T>,
			record_id: RecordId,
			purpose: Purpose,
			digest: Digest,
			locator: Option<Locator>,
		) -> DispatchResult {
			let author = ensure_signed(origin)?;
			Self::ensure_well_formed(&locator)?;
			let mut record = Self::live(record_id)?;
			let reason = Self::ensure_permitted(
				&record.patient,
				&author,
				record.meta.category,
				purpose,
				Some(record_id),
			)?;
			let now = T::Time::now();
			let organization = Self::organization_of(&author, now);
			ensure!(
				matches!(reason, PermitReason::Owner | PermitReason::Delegate)
					|| (record.organization.is_some() && organization == record.organization),
				Error::<T>::NotAuthorsOrganization
			);
			ensure!(
				!DigestIndex::<T>::contains_key(record_id, digest),
				Error::<T>::DuplicateDigest
			);
			let index = record.current.checked_add(1).ok_or(Error::<T>::Overflow)?;
			ensure!(index < T::MaxVersions::get(), Error::<T>::TooManyVersions);
			let by_author = (author != record.patient)
				.then(|| {
					let n = AuthorVersions::<T>::get(record_id, &author);
					ensure!(
						n < T::MaxVersionsPerAuthor::get(),
						Error::<T>::TooManyVersionsByAuthor
					);
					Ok::<_, DispatchError>(n)
				})
				.transpose()?;
			let version = Self::new_version(
				&author,
				organization,
				digest,
				Some(record.current),
				locator,
				now,
				false,
			)?;

			Versions::<T>::insert(record_id, index, version);
			DigestIndex::<T>::insert(record_id, digest, index);
			if let Some(n) = by_author {
				AuthorVersions::<T>::insert(record_id, &author, n.saturating_add(1));
			}
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
			let record = Self::live(record_id)?;
			Self::log_read(record_id, record.patient, record.meta.category, accessor, purpose);
			Ok(())
		}

		/// Log many reads at once, as a hospital's record systems do: each read gets its own
		/// access decision and its own [`Event::ReadLogged`] or [`Event::ReadDenied`], exactly as
		/// [`Pallet::log_access`] would, then one [`Event::BatchLogged`].
		///
		/// Must be _Signed_ by the accessor of every read (a practitioner logging their own
		/// reads), or by a gateway of an active organization (`registry.addGateway`) for reads of
		/// that organization's practitioners. Nothing is logged unless every read may be: an
		/// unknown or erased record, or a read the caller may not log, refuses the whole batch.
		///
		/// Weight: charged up front as if every read asked a new (patient, accessor) pair, a
		/// worst-case decision each; refunded to one worst-case decision per distinct pair the
		/// batch holds, as the decisions of one pair read the same storage items (the per-read
		/// work of a worst-case decision is in the batch's own benchmark).
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::log_access_batch_weight(reads.len() as u32, reads.len() as u32))]
		pub fn log_access_batch(
			origin: OriginFor<T>,
			reads: BoundedVec<LoggedRead<T::AccountId>, T::MaxLogBatch>,
		) -> DispatchResultWithPostInfo {
			let submitter = ensure_signed(origin)?;
			ensure!(!reads.is_empty(), Error::<T>::EmptyBatch);
			let now = T::Time::now();
			let gateway = T::Credentials::gateway_organization(&submitter);
			let mut records = Vec::with_capacity(reads.len());
			for read in &reads {
				if read.accessor != submitter {
					let organization = gateway.ok_or(Error::<T>::NotGateway)?;
					ensure!(
						T::Credentials::credential(&read.accessor, now)
							.is_some_and(|c| c.organization == organization),
						Error::<T>::NotGatewaysPractitioner
					);
				}
				let record = Self::live(read.record_id)?;
				records.push((record.patient, record.meta.category));
			}
			let count = reads.len() as u32;
			let mut pairs = BTreeSet::new();
			for (read, (patient, category)) in reads.into_iter().zip(records) {
				pairs.insert((patient.clone(), read.accessor.clone()));
				Self::log_read(read.record_id, patient, category, read.accessor, read.purpose);
			}
			Self::deposit_event(Event::BatchLogged {
				submitter,
				organization: gateway,
				reads: count,
			});
			Ok(Some(Self::log_access_batch_weight(count, pairs.len() as u32)).into())
		}

		/// Erase a record: remove it, its versions (authors, organizations, locators) and the
		/// patient's index entry, release every version's deposit to its author, and keep only
		/// the digest chain with a [`Tombstone`]. The patient pays for what stays with a deposit
		/// that is burnt at once (it can never be released, as nothing links it to them).
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
			let record = Self::live(record_id)?;
			ensure!(record.patient == who, Error::<T>::NotPatient);
			let versions = record.current.saturating_add(1);
			T::Deposit::new(&who, Self::tombstone_footprint(versions))?.burn(&who);
			for index in 0..versions {
				let Some(version) = Versions::<T>::take(record_id, index) else {
					frame_support::defensive!("a version below current is missing");
					continue;
				};
				if index == 0 && version.author != who {
					AuthorRecords::<T>::mutate_exists(&who, &version.author, |n| {
						*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
					});
				}
				version.deposit.drop(&version.author)?;
			}
			let _ = AuthorVersions::<T>::clear_prefix(record_id, versions, None);
			PatientRecords::<T>::remove(&who, record_id);
			RecordCount::<T>::mutate_exists(&who, |n| {
				*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
			});
			Records::<T>::remove(record_id);
			Tombstones::<T>::insert(
				record_id,
				Tombstone { current: record.current, erased_at: T::Time::now() },
			);
			Self::deposit_event(Event::RecordErased { record_id, patient: who, versions });
			Ok(Some(T::WeightInfo::erase_record(versions)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The weight of a batch of `reads` reads that asks `pairs` distinct (patient,
		/// accessor) pairs: the batch, and one worst-case decision per pair.
		pub fn log_access_batch_weight(reads: u32, pairs: u32) -> Weight {
			T::WeightInfo::log_access_batch(reads)
				.saturating_add(T::Access::check_access_weight().saturating_mul(pairs.into()))
		}

		/// Decide one read and put its outcome on record.
		fn log_read(
			record_id: RecordId,
			patient: T::AccountId,
			category: DataCategory,
			accessor: T::AccountId,
			purpose: Purpose,
		) {
			let decision = T::Access::check_access(&AccessQuery {
				patient: patient.clone(),
				accessor: accessor.clone(),
				category,
				action: Action::Read,
				purpose,
				record: Some(record_id),
			});
			Self::deposit_event(match decision {
				Decision::Permit(reason) => {
					Event::ReadLogged { record_id, patient, accessor, purpose, reason }
				},
				Decision::Deny(reason) => {
					Event::ReadDenied { record_id, patient, accessor, purpose, reason }
				},
			});
		}

		/// The live record `record_id`, or why there is none.
		fn live(record_id: RecordId) -> Result<RecordOf<T>, DispatchError> {
			Records::<T>::get(record_id).ok_or_else(|| {
				if Tombstones::<T>::contains_key(record_id) {
					Error::<T>::Erased.into()
				} else {
					Error::<T>::NotFound.into()
				}
			})
		}

		fn ensure_well_formed(locator: &Option<Locator>) -> DispatchResult {
			ensure!(
				locator.as_ref().is_none_or(Locator::is_well_formed),
				Error::<T>::InvalidLocator
			);
			Ok(())
		}

		/// The access decision for a write, which must permit; returns why it does.
		fn ensure_permitted(
			patient: &T::AccountId,
			author: &T::AccountId,
			category: DataCategory,
			purpose: Purpose,
			record: Option<RecordId>,
		) -> Result<PermitReason, DispatchError> {
			match T::Access::check_access(&AccessQuery {
				patient: patient.clone(),
				accessor: author.clone(),
				category,
				action: Action::Write,
				purpose,
				record,
			}) {
				Decision::Permit(reason) => Ok(reason),
				Decision::Deny(_) => Err(Error::<T>::AccessDenied.into()),
			}
		}

		/// The organization of `author`, if they are a credentialed practitioner.
		fn organization_of(
			author: &T::AccountId,
			now: Moment,
		) -> Option<consent_primitives::OrgId> {
			T::Credentials::credential(author, now).map(|c| c.organization)
		}

		/// A version by `author`, with their deposit held (for the record itself too if `first`).
		fn new_version(
			author: &T::AccountId,
			organization: Option<consent_primitives::OrgId>,
			digest: Digest,
			supersedes: Option<VersionIndex>,
			locator: Option<Locator>,
			now: Moment,
			first: bool,
		) -> Result<VersionOf<T>, DispatchError> {
			let footprint = Self::version_footprint(first);
			let deposit = T::Deposit::new(author, footprint)?;
			Ok(Version {
				digest,
				author: author.clone(),
				organization,
				anchored_at: now,
				supersedes,
				locator,
				deposit,
			})
		}

		/// The storage one version takes: itself, its digest entry and its author's count, and
		/// for the first version the record, its place in the patient's list and the author's
		/// record count as well.
		pub(crate) fn version_footprint(first: bool) -> Footprint {
			let account = T::AccountId::max_encoded_len();
			let version = VersionOf::<T>::max_encoded_len()
				.saturating_add(Digest::max_encoded_len())
				.saturating_add(VersionIndex::max_encoded_len())
				.saturating_add(account.saturating_add(4));
			let record = RecordOf::<T>::max_encoded_len()
				.saturating_add(RecordId::max_encoded_len())
				.saturating_add(account.saturating_add(8))
				.saturating_add(account.saturating_mul(2).saturating_add(4));
			Footprint::from_parts(1, if first { version.saturating_add(record) } else { version })
		}

		/// What an erased record of `versions` versions keeps: its tombstone and its digests.
		pub(crate) fn tombstone_footprint(versions: u32) -> Footprint {
			let digests = (Digest::max_encoded_len() + VersionIndex::max_encoded_len())
				.saturating_mul(versions as usize);
			Footprint::from_parts(
				1,
				Tombstone::max_encoded_len()
					.saturating_add(RecordId::max_encoded_len())
					.saturating_add(digests),
			)
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
	/// Whether `digest` is the current version of `record_id`, an older one, or none. An erased
	/// record still answers: its digest chain stays.
	pub fn verify(record_id: RecordId, digest: Digest) -> Verification {
		let current = match Records::<T>::get(record_id) {
			Some(record) => record.current,
			None => match Tombstones::<T>::get(record_id) {
				Some(tombstone) => tombstone.current,
				None => return Verification::UnknownRecord,
			},
		};
		match DigestIndex::<T>::get(record_id, digest) {
			Some(version) if version == current => Verification::Current { version },
			Some(version) => Verification::Superseded { version, current },
			None => Verification::NoMatch,
		}
	}

	/// Every version of the live record `record_id`, oldest first; `None` for an unknown or
	/// erased record.
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
						locator: v.locator.map(|l| l.to_bytes()),
					})
				})
				.collect(),
		)
	}

	/// The patient's live records in anchoring order, from position `from`, at most `limit` (and
	/// at most [`MAX_PAGE`]).
	pub fn records_of(
		patient: &T::AccountId,
		from: u32,
		limit: u32,
	) -> Vec<RecordView<T::AccountId>> {
		let mut ids: Vec<(u64, RecordId)> =
			PatientRecords::<T>::iter_prefix(patient).map(|(id, seq)| (seq, id)).collect();
		ids.sort_unstable();
		ids.into_iter()
			.skip(from as usize)
			.take(limit.min(MAX_PAGE) as usize)
			.filter_map(|(_, id)| {
				Records::<T>::get(id).map(|r| RecordView {
					id,
					patient: r.patient,
					category: Some(r.meta.category),
					resource_type: Some(r.meta.resource_type.name().as_bytes().to_vec()),
					current: r.current,
					created_at: r.created_at,
					erased_at: None,
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
		let mut per_author = BTreeMap::<(T::AccountId, T::AccountId), u32>::new();
		let mut payers = BTreeSet::<T::AccountId>::new();
		let mut version_count = 0usize;
		let mut digest_count = 0usize;
		for (id, record) in Records::<T>::iter() {
			*per_patient.entry(record.patient.clone()).or_default() += 1;
			ensure!(!Tombstones::<T>::contains_key(id), "a live record has a tombstone");
			ensure!(record.current < T::MaxVersions::get(), "too many versions");
			ensure!(
				PatientRecords::<T>::get(&record.patient, id) == Some(record.seq),
				"a live record is not in its patient's index"
			);
			ensure!(
				!Versions::<T>::contains_key(id, record.current.saturating_add(1)),
				"a version beyond current"
			);
			// Walk the chain back from current: strictly decreasing, so acyclic, and complete.
			let mut walked = 0u32;
			let mut by_author = BTreeMap::<T::AccountId, u32>::new();
			let mut at = Some(record.current);
			while let Some(index) = at {
				let version = Versions::<T>::get(id, index).ok_or("a version is missing")?;
				ensure!(
					DigestIndex::<T>::get(id, version.digest) == Some(index),
					"digest index disagrees"
				);
				ensure!(version.supersedes.is_none_or(|p| p < index), "chain not decreasing");
				ensure!(version.supersedes.is_some() || index == 0, "chain ends before version 0");
				if index == 0 {
					ensure!(
						version.organization == record.organization,
						"record organization is not its author's"
					);
					if version.author != record.patient {
						*per_author
							.entry((record.patient.clone(), version.author.clone()))
							.or_default() += 1;
					}
				}
				if version.author != record.patient {
					*by_author.entry(version.author.clone()).or_default() += 1;
				}
				payers.insert(version.author);
				walked += 1;
				at = version.supersedes;
			}
			ensure!(walked == record.current + 1, "chain skips versions");
			for (author, n) in &by_author {
				ensure!(AuthorVersions::<T>::get(id, author) == *n, "author version count");
				ensure!(*n <= T::MaxVersionsPerAuthor::get(), "too many versions by an author");
			}
			ensure!(
				AuthorVersions::<T>::iter_prefix(id).count() == by_author.len(),
				"orphan author version counts"
			);
			version_count += walked as usize;
			digest_count += walked as usize;
		}
		for (id, tombstone) in Tombstones::<T>::iter() {
			ensure!(Versions::<T>::iter_prefix(id).next().is_none(), "an erased record's version");
			ensure!(
				AuthorVersions::<T>::iter_prefix(id).next().is_none(),
				"an erased record's author count"
			);
			let mut indices: Vec<_> = DigestIndex::<T>::iter_prefix(id).map(|(_, v)| v).collect();
			indices.sort_unstable();
			ensure!(
				indices == (0..=tombstone.current).collect::<Vec<_>>(),
				"an erased record's digest chain is incomplete"
			);
			digest_count += indices.len();
		}
		ensure!(Versions::<T>::iter().count() == version_count, "orphan versions");
		ensure!(DigestIndex::<T>::iter().count() == digest_count, "orphan digest entries");
		ensure!(
			AuthorVersions::<T>::iter().count()
				== Records::<T>::iter_keys()
					.map(|id| AuthorVersions::<T>::iter_prefix(id).count())
					.sum::<usize>(),
			"author version counts of unknown records"
		);
		for (patient, count) in RecordCount::<T>::iter() {
			ensure!(per_patient.get(&patient) == Some(&count), "record count disagrees");
			ensure!(count <= T::MaxRecordsPerPatient::get(), "too many records");
		}
		ensure!(
			RecordCount::<T>::iter().count() == per_patient.len(),
			"a patient's records are not counted"
		);
		ensure!(
			PatientRecords::<T>::iter().count() == per_patient.values().sum::<u32>() as usize,
			"orphan patient index entries"
		);
		for ((patient, author), n) in AuthorRecords::<T>::iter().map(|(p, a, n)| ((p, a), n)) {
			ensure!(per_author.get(&(patient, author)) == Some(&n), "author record count");
			ensure!(n <= T::MaxRecordsPerAuthor::get(), "too many records by an author");
		}
		ensure!(
			AuthorRecords::<T>::iter().count() == per_author.len(),
			"an author's records are not counted"
		);
		let reason: T::RuntimeHoldReason = HoldReason::RecordDeposit.into();
		for payer in &payers {
			ensure!(
				!T::Currency::balance_on_hold(&reason, payer).is_zero(),
				"version without a held deposit"
			);
		}
		Ok(())
	}
}
