//! # Break-glass pallet
//!
//! An unconscious patient cannot sign a consent. This pallet lets a credentialed clinician with
//! the break-glass privilege get to the data that saves their life at once, and makes every such
//! access justified, limited, visible to the patient and reviewed.
//!
//! ## The life of a session
//! 1. [`Pallet::break_glass`]: the practitioner declares purpose ETREAT or BTG, a coded reason and
//!    the hash of their free-text justification. A session opens for the configured duration
//!    (at most `MaxDuration`) over the emergency categories (non-sensitive unless the runtime
//!    allows sensitive ones); the practitioner's bond is held. [`Event::SessionOpened`] names the
//!    patient, practitioner, organization, end, and the patient's emergency contacts.
//! 2. While open, the session permits, through the consent pallet's access decision
//!    ([`consent_primitives::EmergencyAccess`]), reads of its categories for ETREAT or BTG, and
//!    the anchoring of at most `MaxWritesPerSession` *new* records that document the emergency
//!    care (never an amend of another's record, never another purpose). It stops at its end
//!    (checked at the moment of use), at [`Pallet::end_session`] (by the practitioner, or by the
//!    patient or their delegate), when the patient contests it, or at a verdict.
//! 3. [`Pallet::review`]: an auditor (a practitioner with the Auditor role at the same
//!    organization, never the session's own practitioner) or the governance origin gives a
//!    verdict. *Unjustified*: the bond is slashed to the patient (or the configured beneficiary)
//!    and the practitioner's break-glass privilege withdrawn. *Justified* by governance: the bond
//!    is released. *Justified* by an auditor: the bond is released by [`Pallet::settle`] once the
//!    contest window has passed.
//! 4. [`Pallet::contest`]: the patient contests a session before its review, or after an
//!    auditor's *Justified* within the contest window; then only the governance origin decides.
//! 5. A session without a verdict past `end + ReviewWindow` is *overdue*: listed by the runtime
//!    API (`breakGlass_overdueReviews`) and flagged once by [`Pallet::report_overdue`] (anyone).
//!
//! Limits apply to what is *open* and to each practitioner's own rate, never to the review
//! backlog: one open session per (patient, practitioner), at most `MaxConcurrentPerPatient` open
//! sessions per patient, at most `MaxSessionsPerWindow` sessions per practitioner in any
//! `RateWindow`. Sessions awaiting review, overdue or inside their contest window never refuse a
//! new session: a long ICU stay with late reviews does not lock emergency access out. Each
//! unsettled session is paid for by its practitioner's bond, and the rate limit bounds how many
//! one practitioner can leave behind.
//!
//! Patient policy: [`Pallet::set_emergency_contacts`]; [`Pallet::set_opt_out`] only where the
//! runtime's `AllowOptOut` is true.
//!
//! ## Invariants
//! - every session holds its practitioner's bond under [`HoldReason::Bond`];
//! - [`PatientSessions`] lists exactly the stored sessions, under their patient;
//! - [`OpenSessions`] names only stored sessions of that patient, at most
//!   `MaxConcurrentPerPatient` (ended ones are pruned when the next session opens);
//! - [`ActiveSession`] entries name a session of that patient and practitioner;
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
	CategoryList, CategorySet, CredentialInspect, CredentialManage, DataCategory, EmergencyAccess,
	EmergencyReason, EmergencySessionState, EmergencySessionView, Moment, Purpose, Role, SessionId,
	Verdict,
};
use frame_support::traits::{
	fungible::{Inspect, Mutate, MutateHold},
	tokens::{Fortitude, Precision, Restriction},
	Consideration, Footprint, Get, Time,
};

/// The balance type of the bond.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_core::H256;

	/// The in-code storage version.
	/// 2: sets are stored as lists of names; no chain ran version 1 in production, so there is
	/// no migration.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// A stored session.
	pub type EmergencySessionOf<T> =
		EmergencySession<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
	/// A stored patient policy.
	pub type PolicyOf<T> = PatientPolicy<
		<T as frame_system::Config>::AccountId,
		<T as Config>::MaxContacts,
		<T as Config>::Deposit,
	>;
	/// A patient's emergency contacts.
	pub type ContactsOf<T> =
		BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxContacts>;

	/// Configuration of the break-glass pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The currency bonds are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;
		/// The deposit a patient pays for storing their policy.
		type Deposit: Consideration<Self::AccountId, Footprint>;
		/// Wall-clock time (pallet-timestamp).
		type Time: Time<Moment = Moment>;
		/// Practitioner credentials and the break-glass privilege (the registry pallet).
		type Credentials: CredentialInspect<Self::AccountId> + CredentialManage<Self::AccountId>;
		/// Patients whose own calls are free of fees (the enrolment pallet, or `()`): the
		/// patient's calls of this pallet (contacts, opt-out, contest, end) are
		/// `#[pallet::feeless_if]` on it.
		type Sponsorship: consent_primitives::Sponsorship<Self::AccountId>;
		/// Who may review any session, decide contested ones and set the session duration (the
		/// consortium council; root in development).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The bond held from the practitioner for each session.
		#[pallet::constant]
		type Bond: Get<BalanceOf<Self>>;
		/// Where a slashed bond goes; `None`: to the patient.
		#[pallet::constant]
		type SlashBeneficiary: Get<Option<Self::AccountId>>;
		/// The session duration until governance sets another (ms).
		#[pallet::constant]
		type DefaultDuration: Get<Moment>;
		/// The hard cap on a session's duration (ms).
		#[pallet::constant]
		type MaxDuration: Get<Moment>;
		/// How long after a session's end its review is due (ms).
		#[pallet::constant]
		type ReviewWindow: Get<Moment>;
		/// How long after an auditor's *Justified* the patient may still contest (ms).
		#[pallet::constant]
		type ContestWindow: Get<Moment>;
		/// The most open sessions a patient may be under at once.
		#[pallet::constant]
		type MaxConcurrentPerPatient: Get<u32>;
		/// The most new records one session may anchor (documenting the emergency care).
		#[pallet::constant]
		type MaxWritesPerSession: Get<u32>;
		/// The most sessions a practitioner may open in any `RateWindow`.
		#[pallet::constant]
		type MaxSessionsPerWindow: Get<u32>;
		/// The rolling window of the practitioner rate limit (ms).
		#[pallet::constant]
		type RateWindow: Get<Moment>;
		/// Whether a session may cover the sensitive categories.
		#[pallet::constant]
		type AllowSensitive: Get<bool>;
		/// Whether a patient may opt out of break-glass access.
		#[pallet::constant]
		type AllowOptOut: Get<bool>;
		/// The most emergency contacts a patient may name.
		#[pallet::constant]
		type MaxContacts: Get<u32>;
		/// Weights of this pallet's calls, generated by its benchmarks.
		type WeightInfo: WeightInfo;
		/// Sets up what the benchmarks need from the other pallets.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: consent_primitives::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A practitioner's bond for an emergency session.
		Bond,
		/// A patient's deposit for their break-glass policy.
		PolicyDeposit,
	}

	/// Sessions not yet settled.
	#[pallet::storage]
	pub type Sessions<T: Config> = StorageMap<_, Twox64Concat, SessionId, EmergencySessionOf<T>>;

	/// A patient's unsettled sessions (whatever their review state). Not bounded per patient:
	/// each entry is paid for by a practitioner's bond, and each practitioner's rate is bounded.
	#[pallet::storage]
	pub type PatientSessions<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, SessionId, ()>;

	/// A patient's sessions that were open when last looked at: what the concurrency limit
	/// counts. Ended ones are pruned when the next session opens.
	#[pallet::storage]
	pub type OpenSessions<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<SessionId, T::MaxConcurrentPerPatient>,
		ValueQuery,
	>;

	/// The latest session of a practitioner for a patient: what the access decision reads.
	#[pallet::storage]
	pub type ActiveSession<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		SessionId,
	>;

	/// When a practitioner opened their recent sessions (ms), for the rate limit.
	#[pallet::storage]
	pub type RecentStarts<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<Moment, T::MaxSessionsPerWindow>,
		ValueQuery,
	>;

	/// Patients' break-glass policies.
	#[pallet::storage]
	pub type Policies<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PolicyOf<T>>;

	/// The duration of new sessions (ms), at most `MaxDuration`.
	#[pallet::storage]
	pub type SessionDuration<T: Config> = StorageValue<_, Moment, ValueQuery, T::DefaultDuration>;

	/// The next session id.
	#[pallet::storage]
	pub type NextSessionId<T: Config> = StorageValue<_, SessionId, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The session duration (ms), if not the runtime's default.
		pub session_duration: Option<Moment>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(duration) = self.session_duration {
				assert!(
					duration > 0 && duration <= T::MaxDuration::get(),
					"genesis: session duration outside (0, MaxDuration]"
				);
				SessionDuration::<T>::put(duration);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A practitioner broke the glass: an emergency session is open until `end`.
		SessionOpened {
			session_id: SessionId,
			patient: T::AccountId,
			practitioner: T::AccountId,
			organization: consent_primitives::OrgId,
			purpose: Purpose,
			reason: EmergencyReason,
			justification_hash: H256,
			categories: CategorySet,
			end: Moment,
			contacts: ContactsOf<T>,
		},
		/// A session was ended early, by its practitioner or by the patient (or their delegate).
		SessionEnded { session_id: SessionId, ended_by: T::AccountId, at: Moment },
		/// A session was reviewed.
		SessionReviewed {
			session_id: SessionId,
			reviewer: Reviewer<T::AccountId>,
			verdict: Verdict,
			notes_hash: H256,
		},
		/// The bond went back to the practitioner; the session is settled.
		BondReleased { session_id: SessionId, practitioner: T::AccountId, amount: BalanceOf<T> },
		/// The bond was slashed to `beneficiary`; the session is settled.
		BondSlashed {
			session_id: SessionId,
			practitioner: T::AccountId,
			beneficiary: T::AccountId,
			amount: BalanceOf<T>,
		},
		/// The patient contested a session: it ended at `at` if still open, and only governance
		/// may decide it now.
		SessionContested { session_id: SessionId, patient: T::AccountId, at: Moment },
		/// A session's review is overdue.
		ReviewOverdue {
			session_id: SessionId,
			patient: T::AccountId,
			practitioner: T::AccountId,
			organization: consent_primitives::OrgId,
			due: Moment,
		},
		/// A patient set their emergency contacts.
		EmergencyContactsSet { patient: T::AccountId, contacts: ContactsOf<T> },
		/// A patient opted out of (or back into) break-glass access.
		OptOutSet { patient: T::AccountId, opted_out: bool },
		/// Governance set the duration of new sessions.
		SessionDurationSet { duration: Moment },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller's practitioner credential is missing, suspended or expired.
		CredentialInvalid,
		/// The caller does not hold the break-glass privilege.
		NoPrivilege,
		/// The purpose must be ETREAT or BTG.
		InvalidPurpose,
		/// The session must cover at least one category.
		EmptyScope,
		/// The categories list names a category twice.
		DuplicateCategory,
		/// The runtime does not allow emergency access to sensitive categories.
		SensitiveNotAllowed,
		/// The patient opted out of break-glass access.
		OptedOut,
		/// The runtime does not allow patients to opt out.
		OptOutNotAllowed,
		/// A practitioner cannot break the glass on themself.
		SelfAccess,
		/// The practitioner already has an open session for this patient.
		AlreadyOpen,
		/// The patient is under as many open sessions as allowed.
		TooManyConcurrent,
		/// The session has anchored as many records as a session may.
		TooManyWrites,
		/// The practitioner opened as many sessions as allowed in the rate window.
		RateLimited,
		/// No such session.
		NotFound,
		/// Only the session's practitioner or its patient (or their delegate) may end it.
		NotParticipant,
		/// The session has already ended.
		AlreadyEnded,
		/// The caller is not an auditor of the session's organization.
		NotAuditor,
		/// A practitioner may not review their own session.
		SelfReview,
		/// The session is contested: only the governance origin may decide it.
		NeedsGovernance,
		/// An auditor already gave a verdict.
		AlreadyReviewed,
		/// Only the patient (or their delegate) may contest.
		NotPatient,
		/// The session is already contested.
		AlreadyContested,
		/// The contest window has passed.
		ContestClosed,
		/// The session cannot be settled yet (no verdict, contested, or contest window open).
		NotSettleable,
		/// The review is not overdue.
		NotOverdue,
		/// The overdue review was already reported.
		AlreadyReported,
		/// The duration must be positive and at most `MaxDuration`.
		InvalidDuration,
		/// An id counter is exhausted.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The configuration's relations: the default session fits the cap, reviews and
		/// contests have time, and every limit admits at least one session and one write.
		fn integrity_test() {
			assert!(
				(1..=T::MaxDuration::get()).contains(&T::DefaultDuration::get()),
				"DefaultDuration must be within 1..=MaxDuration"
			);
			consent_primitives::assert_positive!(T:
				ReviewWindow,
				ContestWindow,
				RateWindow,
				MaxConcurrentPerPatient,
				MaxSessionsPerWindow,
				MaxWritesPerSession,
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Break the glass: open an emergency session on `patient`'s data.
		///
		/// Must be _Signed_ by a practitioner with a valid credential and the break-glass
		/// privilege. `purpose`: ETREAT or BTG; `reason`: the coded reason; `justification_hash`:
		/// hash of the free-text justification kept off chain; `categories`: the scope (default:
		/// every non-sensitive category). The practitioner's bond is held until the session is
		/// settled.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::break_glass())]
		pub fn break_glass(
			origin: OriginFor<T>,
			patient: T::AccountId,
			purpose: Purpose,
			reason: EmergencyReason,
			justification_hash: H256,
			categories: Option<CategoryList>,
		) -> DispatchResult {
			let practitioner = ensure_signed(origin)?;
			let categories = categories
				.map(|list| CategorySet::from_list(&list))
				.transpose()
				.map_err(|_| Error::<T>::DuplicateCategory)?;
			ensure!(practitioner != patient, Error::<T>::SelfAccess);
			ensure!(purpose.is_emergency(), Error::<T>::InvalidPurpose);
			let now = T::Time::now();
			let credential = T::Credentials::credential(&practitioner, now)
				.filter(|c| c.valid)
				.ok_or(Error::<T>::CredentialInvalid)?;
			ensure!(credential.break_glass, Error::<T>::NoPrivilege);
			let categories = categories.unwrap_or_else(CategorySet::non_sensitive);
			ensure!(!categories.is_empty(), Error::<T>::EmptyScope);
			ensure!(
				T::AllowSensitive::get() || !categories.intersects(CategorySet::SENSITIVE),
				Error::<T>::SensitiveNotAllowed
			);
			let policy = Policies::<T>::get(&patient);
			ensure!(
				!(T::AllowOptOut::get() && policy.as_ref().is_some_and(|p| p.opted_out)),
				Error::<T>::OptedOut
			);
			if let Some(open) = ActiveSession::<T>::get(&patient, &practitioner) {
				ensure!(
					Sessions::<T>::get(open).is_none_or(|s| s.end <= now),
					Error::<T>::AlreadyOpen
				);
			}
			let mut open = OpenSessions::<T>::get(&patient);
			open.retain(|id| Sessions::<T>::get(*id).is_some_and(|s| now < s.end));
			let mut starts = RecentStarts::<T>::get(&practitioner);
			starts.retain(|start| start.saturating_add(T::RateWindow::get()) > now);
			starts.try_push(now).map_err(|_| Error::<T>::RateLimited)?;
			let session_id = NextSessionId::<T>::get();
			let next = session_id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			open.try_push(session_id).map_err(|_| Error::<T>::TooManyConcurrent)?;
			let bond = T::Bond::get();
			T::Currency::hold(&HoldReason::Bond.into(), &practitioner, bond)?;

			let end = now.saturating_add(SessionDuration::<T>::get().min(T::MaxDuration::get()));
			Sessions::<T>::insert(
				session_id,
				EmergencySession {
					patient: patient.clone(),
					practitioner: practitioner.clone(),
					organization: credential.organization,
					purpose,
					reason,
					justification_hash,
					categories,
					start: now,
					end,
					bond,
					review: Review::Pending,
					contested: false,
					overdue_reported: false,
					writes: 0,
				},
			);
			PatientSessions::<T>::insert(&patient, session_id, ());
			OpenSessions::<T>::insert(&patient, open);
			ActiveSession::<T>::insert(&patient, &practitioner, session_id);
			RecentStarts::<T>::insert(&practitioner, starts);
			NextSessionId::<T>::put(next);
			Self::deposit_event(Event::SessionOpened {
				session_id,
				patient,
				practitioner,
				organization: credential.organization,
				purpose,
				reason,
				justification_hash,
				categories,
				end,
				contacts: policy.map(|p| p.contacts).unwrap_or_default(),
			});
			Ok(())
		}

		/// End an open session now. It still awaits its review.
		///
		/// Must be _Signed_ by the session's practitioner, or by its patient (a delegate calls
		/// through their consent-management proxy).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::end_session())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _s: &SessionId| -> bool {
			Pallet::<T>::sponsored(origin)
		})]
		pub fn end_session(origin: OriginFor<T>, session_id: SessionId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut session = Sessions::<T>::get(session_id).ok_or(Error::<T>::NotFound)?;
			ensure!(
				session.practitioner == who || session.patient == who,
				Error::<T>::NotParticipant
			);
			let now = T::Time::now();
			ensure!(now < session.end, Error::<T>::AlreadyEnded);
			session.end = now;
			Sessions::<T>::insert(session_id, session);
			Self::deposit_event(Event::SessionEnded { session_id, ended_by: who, at: now });
			Ok(())
		}

		/// Give a verdict on a session (ending it if still open).
		///
		/// Origin: the governance origin, or _Signed_ by an auditor of the session's
		/// organization who is not its practitioner (not on a contested session, and once).
		/// `notes_hash`: hash of the reviewer's notes kept off chain. *Unjustified* slashes the
		/// bond and withdraws the practitioner's privilege; *Justified* releases the bond (after
		/// the contest window if an auditor decided).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::review())]
		pub fn review(
			origin: OriginFor<T>,
			session_id: SessionId,
			verdict: Verdict,
			notes_hash: H256,
		) -> DispatchResult {
			let reviewer = match T::GovernanceOrigin::try_origin(origin) {
				Ok(_) => Reviewer::Governance,
				Err(origin) => Reviewer::Auditor(ensure_signed(origin)?),
			};
			let mut session = Sessions::<T>::get(session_id).ok_or(Error::<T>::NotFound)?;
			let now = T::Time::now();
			if let Reviewer::Auditor(auditor) = &reviewer {
				Self::ensure_auditor(auditor, &session, now)?;
			}
			session.end = session.end.min(now);
			Self::deposit_event(Event::SessionReviewed {
				session_id,
				reviewer: reviewer.clone(),
				verdict,
				notes_hash,
			});
			match (verdict, reviewer) {
				(Verdict::Unjustified, _) => Self::slash(session_id, session)?,
				(Verdict::Justified, Reviewer::Governance) => Self::release(session_id, session)?,
				(Verdict::Justified, Reviewer::Auditor(auditor)) => {
					session.review = Review::Justified { auditor, at: now };
					Sessions::<T>::insert(session_id, session);
				},
			}
			Ok(())
		}

		/// Contest a session: before its review, or within the contest window after an auditor
		/// found it justified. An open session ends at once; only the governance origin may then
		/// decide it.
		///
		/// Must be _Signed_ by the patient (a delegate calls through their consent-management
		/// proxy).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::contest())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _s: &SessionId| -> bool {
			Pallet::<T>::sponsored(origin)
		})]
		pub fn contest(origin: OriginFor<T>, session_id: SessionId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut session = Sessions::<T>::get(session_id).ok_or(Error::<T>::NotFound)?;
			ensure!(session.patient == who, Error::<T>::NotPatient);
			ensure!(!session.contested, Error::<T>::AlreadyContested);
			let now = T::Time::now();
			if let Review::Justified { at, .. } = session.review {
				let closes = at.saturating_add(T::ContestWindow::get());
				ensure!(now < closes, Error::<T>::ContestClosed);
			}
			session.review = Review::Pending;
			session.contested = true;
			session.end = session.end.min(now);
			let at = session.end;
			Sessions::<T>::insert(session_id, session);
			Self::deposit_event(Event::SessionContested { session_id, patient: who, at });
			Ok(())
		}

		/// Release the bond of a session an auditor found justified, once the contest window has
		/// passed without a contest.
		///
		/// Any _Signed_ origin.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, session_id: SessionId) -> DispatchResult {
			ensure_signed(origin)?;
			let session = Sessions::<T>::get(session_id).ok_or(Error::<T>::NotFound)?;
			let Review::Justified { at, .. } = session.review else {
				return Err(Error::<T>::NotSettleable.into());
			};
			let closes = at.saturating_add(T::ContestWindow::get());
			ensure!(!session.contested && T::Time::now() >= closes, Error::<T>::NotSettleable);
			Self::release(session_id, session)
		}

		/// Flag a session whose review window passed without a verdict ([`Event::ReviewOverdue`],
		/// once).
		///
		/// Any _Signed_ origin.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::report_overdue())]
		pub fn report_overdue(origin: OriginFor<T>, session_id: SessionId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut session = Sessions::<T>::get(session_id).ok_or(Error::<T>::NotFound)?;
			let due = Self::review_due(&session);
			ensure!(
				session.review == Review::Pending && T::Time::now() >= due,
				Error::<T>::NotOverdue
			);
			ensure!(!session.overdue_reported, Error::<T>::AlreadyReported);
			session.overdue_reported = true;
			Self::deposit_event(Event::ReviewOverdue {
				session_id,
				patient: session.patient.clone(),
				practitioner: session.practitioner.clone(),
				organization: session.organization,
				due,
			});
			Sessions::<T>::insert(session_id, session);
			Ok(())
		}

		/// Name the accounts to notify when the glass is broken on the patient (empty: none).
		///
		/// Must be _Signed_ by the patient (or through their delegate). A deposit is held while a
		/// policy is stored.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_emergency_contacts(contacts.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _c: &ContactsOf<T>| -> bool {
			Pallet::<T>::sponsored(origin)
		})]
		pub fn set_emergency_contacts(
			origin: OriginFor<T>,
			contacts: ContactsOf<T>,
		) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::update_policy(&patient, |choices| choices.contacts = contacts.clone())?;
			Self::deposit_event(Event::EmergencyContactsSet { patient, contacts });
			Ok(())
		}

		/// Opt out of break-glass access (or back in), where the runtime allows it.
		///
		/// Must be _Signed_ by the patient (or through their delegate).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_opt_out())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _o: &bool| -> bool {
			Pallet::<T>::sponsored(origin)
		})]
		pub fn set_opt_out(origin: OriginFor<T>, opted_out: bool) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			ensure!(T::AllowOptOut::get(), Error::<T>::OptOutNotAllowed);
			Self::update_policy(&patient, |choices| choices.opted_out = opted_out)?;
			Self::deposit_event(Event::OptOutSet { patient, opted_out });
			Ok(())
		}

		/// Set the duration of new sessions (ms), at most `MaxDuration`.
		///
		/// Origin: the governance origin.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_session_duration())]
		pub fn set_session_duration(origin: OriginFor<T>, duration: Moment) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(duration > 0 && duration <= T::MaxDuration::get(), Error::<T>::InvalidDuration);
			SessionDuration::<T>::put(duration);
			Self::deposit_event(Event::SessionDurationSet { duration });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether the call's origin is a patient an organization sponsors (free of fees).
		pub fn sponsored(origin: &OriginFor<T>) -> bool {
			use consent_primitives::Sponsorship;
			ensure_signed(origin.clone()).is_ok_and(|who| T::Sponsorship::covers_fees(&who))
		}

		fn ensure_auditor(
			auditor: &T::AccountId,
			session: &EmergencySessionOf<T>,
			now: Moment,
		) -> DispatchResult {
			ensure!(*auditor != session.practitioner, Error::<T>::SelfReview);
			let credential = T::Credentials::credential(auditor, now).filter(|c| c.valid);
			ensure!(
				credential
					.is_some_and(|c| c.organization == session.organization
						&& c.roles.contains(Role::Auditor)),
				Error::<T>::NotAuditor
			);
			ensure!(!session.contested, Error::<T>::NeedsGovernance);
			ensure!(session.review == Review::Pending, Error::<T>::AlreadyReviewed);
			Ok(())
		}

		/// Slash the bond, withdraw the privilege, remove the session.
		fn slash(session_id: SessionId, session: EmergencySessionOf<T>) -> DispatchResult {
			let beneficiary = T::SlashBeneficiary::get().unwrap_or_else(|| session.patient.clone());
			let amount = T::Currency::transfer_on_hold(
				&HoldReason::Bond.into(),
				&session.practitioner,
				&beneficiary,
				session.bond,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?;
			// A practitioner removed from the registry has no privilege left to withdraw.
			let _ = T::Credentials::withdraw_break_glass(&session.practitioner);
			Self::remove(session_id, &session);
			Self::deposit_event(Event::BondSlashed {
				session_id,
				practitioner: session.practitioner,
				beneficiary,
				amount,
			});
			Ok(())
		}

		/// Release the bond, remove the session.
		fn release(session_id: SessionId, session: EmergencySessionOf<T>) -> DispatchResult {
			let amount = T::Currency::release(
				&HoldReason::Bond.into(),
				&session.practitioner,
				session.bond,
				Precision::BestEffort,
			)?;
			Self::remove(session_id, &session);
			Self::deposit_event(Event::BondReleased {
				session_id,
				practitioner: session.practitioner,
				amount,
			});
			Ok(())
		}

		fn remove(session_id: SessionId, session: &EmergencySessionOf<T>) {
			Sessions::<T>::remove(session_id);
			PatientSessions::<T>::remove(&session.patient, session_id);
			OpenSessions::<T>::mutate_exists(&session.patient, |ids| {
				if let Some(list) = ids {
					list.retain(|id| *id != session_id);
					if list.is_empty() {
						*ids = None;
					}
				}
			});
			if ActiveSession::<T>::get(&session.patient, &session.practitioner) == Some(session_id)
			{
				ActiveSession::<T>::remove(&session.patient, &session.practitioner);
			}
		}

		/// Apply `f` to the patient's policy choices, storing the policy with its deposit, or
		/// removing both when the choices are back to the default.
		fn update_policy(
			patient: &T::AccountId,
			f: impl FnOnce(&mut PolicyChoices<T::AccountId, T::MaxContacts>),
		) -> DispatchResult {
			let stored = Policies::<T>::get(patient);
			let mut choices = stored
				.as_ref()
				.map(|p| PolicyChoices { opted_out: p.opted_out, contacts: p.contacts.clone() })
				.unwrap_or_default();
			f(&mut choices);
			let PolicyChoices { opted_out, contacts } = choices.clone();
			match stored {
				Some(policy) if choices.is_default() => {
					policy.deposit.drop(patient)?;
					Policies::<T>::remove(patient);
				},
				Some(policy) => {
					Policies::<T>::insert(patient, PatientPolicy { opted_out, contacts, ..policy })
				},
				None if choices.is_default() => {},
				None => {
					let deposit = T::Deposit::new(patient, Footprint::from_mel::<PolicyOf<T>>())?;
					Policies::<T>::insert(patient, PatientPolicy { opted_out, contacts, deposit });
				},
			}
			Ok(())
		}

		pub(crate) fn review_due(session: &EmergencySessionOf<T>) -> Moment {
			session.end.saturating_add(T::ReviewWindow::get())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Where `session` stands at `now`.
	pub fn state(session: &EmergencySessionOf<T>, now: Moment) -> EmergencySessionState {
		if now < session.end {
			return EmergencySessionState::Open;
		}
		match session.review {
			Review::Justified { .. } => EmergencySessionState::Justified,
			Review::Pending if session.contested => EmergencySessionState::Contested,
			Review::Pending if now >= Self::review_due(session) => EmergencySessionState::Overdue,
			Review::Pending => EmergencySessionState::AwaitingReview,
		}
	}

	fn view(
		id: SessionId,
		session: EmergencySessionOf<T>,
		now: Moment,
	) -> EmergencySessionView<T::AccountId> {
		EmergencySessionView {
			id,
			state: Self::state(&session, now),
			review_due: Self::review_due(&session),
			patient: session.patient,
			practitioner: session.practitioner,
			organization: session.organization,
			purpose: session.purpose,
			reason: session.reason,
			justification_hash: session.justification_hash,
			categories: session.categories,
			start: session.start,
			end: session.end,
		}
	}

	/// The patient's unsettled sessions, oldest first.
	pub fn sessions_of(patient: &T::AccountId) -> Vec<EmergencySessionView<T::AccountId>> {
		let now = T::Time::now();
		let mut ids: Vec<SessionId> = PatientSessions::<T>::iter_key_prefix(patient).collect();
		ids.sort_unstable();
		ids.into_iter()
			.filter_map(|id| Sessions::<T>::get(id).map(|s| Self::view(id, s, now)))
			.collect()
	}

	/// Every session whose review is overdue, oldest first.
	pub fn overdue_reviews() -> Vec<EmergencySessionView<T::AccountId>> {
		let now = T::Time::now();
		let mut overdue: Vec<_> = Sessions::<T>::iter()
			.filter(|(_, s)| Self::state(s, now) == EmergencySessionState::Overdue)
			.map(|(id, s)| Self::view(id, s, now))
			.collect();
		overdue.sort_by_key(|v| v.id);
		overdue
	}

	#[cfg(any(feature = "try-runtime", test))]
	pub(crate) fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		use frame_support::{ensure, traits::fungible::InspectHold};
		use sp_runtime::Saturating;
		let mut bonds = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut per_patient = BTreeMap::<T::AccountId, u32>::new();
		for (id, session) in Sessions::<T>::iter() {
			ensure!(
				PatientSessions::<T>::contains_key(&session.patient, id),
				"session missing from its patient's list"
			);
			ensure!(session.start <= session.end, "session ends before it starts");
			ensure!(session.writes <= T::MaxWritesPerSession::get(), "too many writes");
			let bond = bonds.entry(session.practitioner.clone()).or_default();
			*bond = bond.saturating_add(session.bond);
			*per_patient.entry(session.patient).or_default() += 1;
		}
		let mut listed = BTreeMap::<T::AccountId, u32>::new();
		for (patient, id, ()) in PatientSessions::<T>::iter() {
			ensure!(
				Sessions::<T>::get(id).is_some_and(|s| s.patient == patient),
				"session list names another patient's session"
			);
			*listed.entry(patient).or_default() += 1;
		}
		ensure!(listed == per_patient, "session list disagrees");
		for (patient, ids) in OpenSessions::<T>::iter() {
			ensure!(!ids.is_empty(), "empty open-session list stored");
			for id in ids {
				ensure!(
					Sessions::<T>::get(id).is_some_and(|s| s.patient == patient),
					"open-session list names another patient's session"
				);
			}
		}
		for (patient, practitioner, id) in ActiveSession::<T>::iter() {
			ensure!(
				Sessions::<T>::get(id)
					.is_some_and(|s| s.patient == patient && s.practitioner == practitioner),
				"active index names another session"
			);
		}
		for (practitioner, total) in bonds {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::Bond.into(), &practitioner) >= total,
				"session without its bond"
			);
		}
		Ok(())
	}
}

impl<T: Config> EmergencyAccess<T::AccountId> for Pallet<T> {
	fn active_session(
		patient: &T::AccountId,
		accessor: &T::AccountId,
		category: DataCategory,
		now: Moment,
	) -> Option<SessionId> {
		let id = ActiveSession::<T>::get(patient, accessor)?;
		let session = Sessions::<T>::get(id)?;
		// The session stands on the credential it was opened with: still valid, still at the
		// organization that answers for the session, still holding the privilege.
		let credential_holds = T::Credentials::credential(accessor, now)
			.is_some_and(|c| c.valid && c.break_glass && c.organization == session.organization);
		(now < session.end && session.categories.contains(category) && credential_holds)
			.then_some(id)
	}

	fn note_write(session_id: SessionId) -> sp_runtime::DispatchResult {
		Sessions::<T>::try_mutate(session_id, |session| {
			let session = session.as_mut().ok_or(Error::<T>::NotFound)?;
			frame_support::ensure!(
				session.writes < T::MaxWritesPerSession::get(),
				Error::<T>::TooManyWrites
			);
			session.writes = session.writes.saturating_add(1);
			Ok(())
		})
	}
}
