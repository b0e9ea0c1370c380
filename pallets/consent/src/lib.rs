//! # Consent pallet
//!
//! What a patient has allowed, what they refuse, who asked, and the one function that answers
//! "may this account do this action on this category of this patient's data, for this purpose,
//! now?": `check_access`, this pallet's [`consent_primitives::AccessControl`], exposed as the
//! `ConsentApi` runtime API and the node's `consent_checkAccess` RPC method.
//!
//! ## Calls
//! All patient calls must be _Signed_ by the patient; a guardian or legal representative makes
//! them through pallet-proxy with the runtime's consent-management proxy type, which dispatches
//! them as the patient.
//! - [`Pallet::grant_consent`], [`Pallet::revoke_consent`]: the patient's consents;
//! - [`Pallet::add_deny_rule`], [`Pallet::remove_deny_rule`]: rules that beat every consent;
//! - [`Pallet::request_access`] (a practitioner with a valid credential),
//!   [`Pallet::approve_request`], [`Pallet::deny_request`] (the patient),
//!   [`Pallet::cancel_request`] (the requester);
//! - [`Pallet::reap_expired`]: anyone removes an expired consent or request; the deposit goes
//!   back to its owner.
//!
//! Calls take scopes as lists of names ([`ScopeInput`]: `categories: [LabResults]`,
//! `purposes: [TREAT]`); a member named twice is refused (`DuplicateCategory`, ...). The
//! patient's own calls (grant, revoke, deny rules, answering requests) are free of fees for a
//! patient an organization enrolled ([`Config::Sponsorship`], `#[pallet::feeless_if]`), and their
//! events name the `signer`: the patient, or the delegate who signed through pallet-proxy
//! (recorded by the [`NoteSigner`] transaction extension).
//!
//! ## Storage
//! - [`Consents`]: (patient, id) → [`Consent`] (grantee, signer, deposit, grant time);
//!   [`AccessIndex`]: (patient, [`IndexKey`]) → the [`Terms`] of the consents to a practitioner,
//!   or to an organization and its roles. The access decision reads two index items (the accessor's own
//!   and its organization's), never a consent one by one, so its cost does not grow with the
//!   number of consents a patient holds nor with the accessor's roles;
//! - [`DenyRules`]: patient → bounded list of rules;
//! - [`Requests`]: id → [`AccessRequest`], with [`PendingByRequester`] counts;
//! - [`Counts`]: per-patient item counts, next consent id and version (bumped by every change of
//!   the patient's consents or rules, so gateways can invalidate caches), in one item;
//! - [`Signer`]: the signer of the delegated call being dispatched, never kept between
//!   extrinsics.
//!
//! ## Invariants
//! - every consent, rule and request holds its owner's deposit (a `Consideration` under
//!   [`HoldReason::StorageDeposit`], or an enrolment's sponsorship), released when the item is
//!   removed;
//! - [`AccessIndex`] holds exactly one [`Terms`] per consent of [`Consents`], under the key of its
//!   grantee;
//! - counts equal the items stored, and never exceed their `Max*` bound;
//! - a failed call changes nothing.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
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
	AccessControl, AccessQuery, Action, CategoryList, CategorySet, ConsentView, CredentialInspect,
	CredentialStatus, Decision, DelegateCheck, DenyReason, EmergencyAccess, Grantee, PermitReason,
	Purpose, PurposeList, PurposeSet, RecordId, Sponsorship,
};
use frame_support::traits::{Consideration, Contains, Footprint, Get, Time};

mod extension;
pub use extension::NoteSigner;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use consent_primitives::{ConsentId, Moment, RequestId, RuleId};
	use frame_support::{pallet_prelude::*, traits::fungible};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;
	use sp_runtime::Saturating;

	/// The in-code storage version.
	/// 2: sets are stored as lists of names; no chain ran version 1 in production, so there is
	/// no migration. 4: a consent keeps when it was granted ([`migrations::v4`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(4);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The deposit ticket of one stored item.
	pub type TicketOf<T> = <T as Config>::Deposit;
	/// A stored consent.
	pub type ConsentOf<T> = Consent<<T as frame_system::Config>::AccountId, TicketOf<T>>;
	/// What a stored consent allows.
	pub type TermsOf<T> = Terms<<T as Config>::MaxRecordsPerConsent>;
	/// A key of the access index.
	pub type IndexKeyOf<T> = IndexKey<<T as frame_system::Config>::AccountId>;
	/// A stored deny rule.
	pub type DenyRuleOf<T> = DenyRule<<T as frame_system::Config>::AccountId, TicketOf<T>>;
	/// A stored access request.
	pub type RequestOf<T> = AccessRequest<<T as frame_system::Config>::AccountId, TicketOf<T>>;
	/// A grantee.
	pub type GranteeOf<T> = Grantee<<T as frame_system::Config>::AccountId>;

	/// Configuration of the consent pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The currency deposits are held in (inspected by `try_state`).
		type Currency: fungible::InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The deposit held for every stored consent, rule and request, priced by its footprint.
		type Deposit: Consideration<Self::AccountId, Footprint>;
		/// Wall-clock time (pallet-timestamp): validity periods are moments, not blocks.
		type Time: Time<Moment = Moment>;
		/// Practitioner credentials (the registry pallet).
		type Credentials: CredentialInspect<Self::AccountId>;
		/// Emergency sessions (the break-glass pallet, or `()`).
		type Emergency: EmergencyAccess<Self::AccountId>;
		/// Who acts for a patient (consent-management proxies).
		type Delegates: DelegateCheck<Self::AccountId>;
		/// Patients whose own calls are free of fees (the enrolment pallet, or `()`): the
		/// patient's calls of this pallet are `#[pallet::feeless_if]` on it.
		type Sponsorship: Sponsorship<Self::AccountId>;
		/// The calls through which one account signs for another (pallet-proxy's `proxy` and
		/// `proxy_announced`): for these the [`NoteSigner`] extension records the signer, so that
		/// events and consents name a delegate apart from the patient.
		type DelegatedCalls: Contains<<Self as frame_system::Config>::RuntimeCall>;
		/// The most consents a patient may hold.
		#[pallet::constant]
		type MaxConsentsPerPatient: Get<u32>;
		/// The most consents a patient may hold for one practitioner, and for one organization
		/// and its roles together (the size of an access index item).
		#[pallet::constant]
		type MaxConsentsPerGrantee: Get<u32>;
		/// The most records one consent may name.
		#[pallet::constant]
		type MaxRecordsPerConsent: Get<u32>;
		/// The most deny rules a patient may set.
		#[pallet::constant]
		type MaxDenyRules: Get<u32>;
		/// The most pending access requests addressed to one patient.
		#[pallet::constant]
		type MaxPendingPerPatient: Get<u32>;
		/// The most pending access requests one practitioner may have open.
		#[pallet::constant]
		type MaxPendingPerRequester: Get<u32>;
		/// How long an unanswered access request stays open (ms).
		#[pallet::constant]
		type RequestTtl: Get<Moment>;
		/// Whether a patient may opt out of emergency access with a deny rule that names ETREAT
		/// or BTG (the break-glass pallet's `AllowOptOut`, so that both say the same).
		#[pallet::constant]
		type AllowEmergencyOptOut: Get<bool>;
		/// Weights of this pallet's calls, generated by its benchmarks.
		type WeightInfo: WeightInfo;
		/// Sets up what the benchmarks need from the other pallets.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: consent_primitives::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a stored consent, deny rule or access request.
		StorageDeposit,
	}

	/// A patient's consents.
	#[pallet::storage]
	pub type Consents<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, ConsentId, ConsentOf<T>>;

	/// The terms of a patient's consents, under the practitioner they name or the organization
	/// whose members or roles they name: what the access decision reads.
	#[pallet::storage]
	pub type AccessIndex<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		IndexKeyOf<T>,
		BoundedVec<TermsOf<T>, T::MaxConsentsPerGrantee>,
		ValueQuery,
	>;

	/// A patient's deny rules.
	#[pallet::storage]
	pub type DenyRules<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<(RuleId, DenyRuleOf<T>), T::MaxDenyRules>,
		ValueQuery,
	>;

	/// Pending access requests.
	#[pallet::storage]
	pub type Requests<T: Config> = StorageMap<_, Twox64Concat, RequestId, RequestOf<T>>;

	/// The pending request of a practitioner (second key) to a patient (first key): at most one,
	/// so that no practitioner can fill a patient's request slots.
	#[pallet::storage]
	pub type OpenRequests<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		RequestId,
	>;

	/// How many requests each practitioner has pending.
	#[pallet::storage]
	pub type PendingByRequester<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Per-patient item counts, next consent id and version.
	#[pallet::storage]
	pub type Counts<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, PatientCounts, ValueQuery>;

	/// The account that signed the extrinsic being dispatched, while it is a delegated call (see
	/// [`Config::DelegatedCalls`]); set by the [`NoteSigner`] extension before dispatch and
	/// removed after it, so it is never left in state between extrinsics.
	#[pallet::storage]
	pub type Signer<T: Config> = StorageValue<_, T::AccountId>;

	/// The next deny rule id.
	#[pallet::storage]
	pub type NextRuleId<T: Config> = StorageValue<_, RuleId, ValueQuery>;

	/// The next request id.
	#[pallet::storage]
	pub type NextRequestId<T: Config> = StorageValue<_, RequestId, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A patient granted a consent; `signer` is the patient, or the delegate who signed for
		/// them.
		ConsentGranted {
			patient: T::AccountId,
			signer: T::AccountId,
			consent_id: ConsentId,
			grantee: GranteeOf<T>,
			scope: Scope,
			start: Moment,
			end: Option<Moment>,
		},
		/// A patient (or the delegate `signer`) revoked a consent; it no longer permits anything.
		ConsentRevoked { patient: T::AccountId, signer: T::AccountId, consent_id: ConsentId },
		/// An expired consent was removed and its deposit returned to the patient.
		ConsentReaped { patient: T::AccountId, consent_id: ConsentId, reaper: T::AccountId },
		/// A patient added a deny rule.
		DenyRuleAdded {
			patient: T::AccountId,
			signer: T::AccountId,
			rule_id: RuleId,
			grantee: Option<GranteeOf<T>>,
			categories: CategorySet,
			purposes: PurposeSet,
		},
		/// A patient (or the delegate `signer`) removed a deny rule.
		DenyRuleRemoved { patient: T::AccountId, signer: T::AccountId, rule_id: RuleId },
		/// A practitioner asked a patient for access.
		AccessRequested {
			request_id: RequestId,
			patient: T::AccountId,
			requester: T::AccountId,
			scope: Scope,
			justification_hash: H256,
			expires_at: Moment,
		},
		/// The patient (or the delegate `signer`) approved a request; the consent it created.
		RequestApproved {
			request_id: RequestId,
			patient: T::AccountId,
			signer: T::AccountId,
			consent_id: ConsentId,
		},
		/// The patient (or the delegate `signer`) denied a request.
		RequestDenied { request_id: RequestId, patient: T::AccountId, signer: T::AccountId },
		/// The requester withdrew a request.
		RequestCancelled { request_id: RequestId, requester: T::AccountId },
		/// An unanswered request lapsed and was removed; the requester's deposit was returned.
		RequestReaped { request_id: RequestId, reaper: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such consent of this patient.
		NotFound,
		/// The consent was already revoked or reaped.
		AlreadyRevoked,
		/// A scope must name at least one category, one action and one purpose.
		EmptyScope,
		/// The period ends before it starts.
		InvalidPeriod,
		/// The period is already over.
		PeriodInPast,
		/// The grantee is not a credentialed practitioner or an active organization.
		UnknownGrantee,
		/// The patient holds as many consents as allowed (in all, or for this grantee).
		TooManyConsents,
		/// The patient has as many deny rules as allowed.
		TooManyDenyRules,
		/// No such deny rule of this patient.
		RuleNotFound,
		/// No such pending request.
		RequestNotFound,
		/// The patient has as many pending requests as allowed.
		TooManyRequests,
		/// The practitioner has as many pending requests as allowed.
		TooManyOpenRequests,
		/// Only the patient (or their delegate) may answer this request.
		NotPatient,
		/// Only the requester may cancel this request.
		NotRequester,
		/// The request lapsed; it can only be reaped.
		RequestExpired,
		/// The item has not expired.
		NotExpired,
		/// The caller's practitioner credential is missing, suspended or expired.
		CredentialInvalid,
		/// The approved scope is wider than the one requested.
		ScopeExceedsRequest,
		/// A practitioner cannot ask themself for access.
		SelfRequest,
		/// The practitioner already has a pending request to this patient: cancel it (or let it
		/// lapse and reap it) first.
		RequestAlreadyOpen,
		/// The runtime does not let patients opt out of emergency access: a deny rule may not
		/// name ETREAT or BTG.
		EmergencyOptOutNotAllowed,
		/// The categories list names a category twice.
		DuplicateCategory,
		/// The actions list names an action twice.
		DuplicateAction,
		/// The purposes list names a purpose twice.
		DuplicatePurpose,
		/// An id counter is exhausted.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// The configuration's relations: every bound admits at least one item, a grantee's
		/// consents fit in a patient's, and requests live for a while.
		fn integrity_test() {
			consent_primitives::assert_positive!(T: MaxConsentsPerPatient);
			assert!(
				(1..=T::MaxConsentsPerPatient::get()).contains(&T::MaxConsentsPerGrantee::get()),
				"MaxConsentsPerGrantee must be within 1..=MaxConsentsPerPatient"
			);
			consent_primitives::assert_positive!(T:
				MaxRecordsPerConsent,
				MaxDenyRules,
				MaxPendingPerPatient,
				MaxPendingPerRequester,
			);
			assert!(T::RequestTtl::get() > 0, "RequestTtl is 0: requests would lapse at once");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Grant a consent.
		///
		/// Must be _Signed_ by the patient (a delegate calls through their consent-management
		/// proxy). `grantee`: a practitioner, an organization, or a role at an organization;
		/// `scope`: categories × actions × purposes, none empty; `records`: if not empty, the only
		/// records covered; `start` (default now) and optional `end`, in ms since the epoch. The
		/// patient's deposit is held until the consent is revoked or reaped.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::grant_consent(records.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _g: &GranteeOf<T>, _s: &ScopeInput,
			_r: &BoundedVec<RecordId, T::MaxRecordsPerConsent>, _b: &Option<Moment>,
			_e: &Option<Moment>| -> bool { Pallet::<T>::sponsored(origin) })]
		pub fn grant_consent(
			origin: OriginFor<T>,
			grantee: GranteeOf<T>,
			scope: ScopeInput,
			records: BoundedVec<RecordId, T::MaxRecordsPerConsent>,
			start: Option<Moment>,
			end: Option<Moment>,
		) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let scope = Self::scope_of(&scope)?;
			let now = T::Time::now();
			let start = start.unwrap_or(now);
			Self::ensure_valid_grant(&grantee, &scope, start, end, now)?;
			let signer = Self::signer_for(&patient);
			let consent_id = Self::store_consent(
				&patient,
				&signer,
				grantee.clone(),
				scope,
				records,
				start,
				end,
			)?;
			Self::deposit_event(Event::ConsentGranted {
				patient,
				signer,
				consent_id,
				grantee,
				scope,
				start,
				end,
			});
			Ok(())
		}

		/// Revoke a consent: it stops permitting at once and the deposit is released.
		///
		/// Must be _Signed_ by the patient (or through their delegate).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::revoke_consent())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _c: &ConsentId| -> bool {
			Pallet::<T>::sponsored(origin)
		})]
		pub fn revoke_consent(origin: OriginFor<T>, consent_id: ConsentId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::remove_consent(&patient, consent_id)?;
			let signer = Self::signer_for(&patient);
			Self::deposit_event(Event::ConsentRevoked { patient, signer, consent_id });
			Ok(())
		}

		/// Add a deny rule: no consent permits what it matches.
		///
		/// Must be _Signed_ by the patient (or through their delegate). `grantee`: whom it is
		/// about, or `None` for everyone; `categories` and `purposes` must not be empty.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::add_deny_rule())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _g: &Option<GranteeOf<T>>,
			_c: &CategoryList, _p: &PurposeList| -> bool { Pallet::<T>::sponsored(origin) })]
		pub fn add_deny_rule(
			origin: OriginFor<T>,
			grantee: Option<GranteeOf<T>>,
			categories: CategoryList,
			purposes: PurposeList,
		) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let categories =
				CategorySet::from_list(&categories).map_err(|_| Error::<T>::DuplicateCategory)?;
			let purposes =
				PurposeSet::from_list(&purposes).map_err(|_| Error::<T>::DuplicatePurpose)?;
			ensure!(!categories.is_empty() && !purposes.is_empty(), Error::<T>::EmptyScope);
			ensure!(
				T::AllowEmergencyOptOut::get() || !purposes.iter().any(Purpose::is_emergency),
				Error::<T>::EmergencyOptOutNotAllowed
			);
			let mut rules = DenyRules::<T>::get(&patient);
			ensure!((rules.len() as u32) < T::MaxDenyRules::get(), Error::<T>::TooManyDenyRules);
			let rule_id = NextRuleId::<T>::get();
			let next = rule_id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::Deposit::new(&patient, Footprint::from_mel::<DenyRuleOf<T>>())?;
			let rule = DenyRule { grantee: grantee.clone(), categories, purposes, deposit };
			rules.try_push((rule_id, rule)).map_err(|_| Error::<T>::TooManyDenyRules)?;
			DenyRules::<T>::insert(&patient, rules);
			NextRuleId::<T>::put(next);
			Self::bump_version(&patient);
			let signer = Self::signer_for(&patient);
			Self::deposit_event(Event::DenyRuleAdded {
				patient,
				signer,
				rule_id,
				grantee,
				categories,
				purposes,
			});
			Ok(())
		}

		/// Remove a deny rule and release its deposit.
		///
		/// Must be _Signed_ by the patient (or through their delegate).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_deny_rule())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _r: &RuleId| -> bool {
			Pallet::<T>::sponsored(origin)
		})]
		pub fn remove_deny_rule(origin: OriginFor<T>, rule_id: RuleId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let mut rules = DenyRules::<T>::get(&patient);
			let position =
				rules.iter().position(|(id, _)| *id == rule_id).ok_or(Error::<T>::RuleNotFound)?;
			let (_, rule) = rules.remove(position);
			rule.deposit.drop(&patient)?;
			if rules.is_empty() {
				DenyRules::<T>::remove(&patient);
			} else {
				DenyRules::<T>::insert(&patient, rules);
			}
			Self::bump_version(&patient);
			let signer = Self::signer_for(&patient);
			Self::deposit_event(Event::DenyRuleRemoved { patient, signer, rule_id });
			Ok(())
		}

		/// Ask a patient for access.
		///
		/// Must be _Signed_ by a practitioner whose credential is valid. `scope` is what is asked
		/// for, `justification_hash` the hash of the free-text reason kept off chain, `start`
		/// (default now) and `end` the requested period. The request lapses after
		/// [`Config::RequestTtl`]; the requester's deposit is held until it is answered,
		/// cancelled or reaped.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::request_access())]
		pub fn request_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			scope: ScopeInput,
			justification_hash: H256,
			start: Option<Moment>,
			end: Option<Moment>,
		) -> DispatchResult {
			let requester = ensure_signed(origin)?;
			let scope = Self::scope_of(&scope)?;
			let now = T::Time::now();
			ensure!(
				T::Credentials::credential(&requester, now).is_some_and(|c| c.valid),
				Error::<T>::CredentialInvalid
			);
			ensure!(requester != patient, Error::<T>::SelfRequest);
			let start = start.unwrap_or(now);
			Self::ensure_valid_scope_and_period(&scope, start, end, now)?;
			ensure!(
				!OpenRequests::<T>::contains_key(&patient, &requester),
				Error::<T>::RequestAlreadyOpen
			);
			let mut counts = Counts::<T>::get(&patient);
			ensure!(counts.requests < T::MaxPendingPerPatient::get(), Error::<T>::TooManyRequests);
			let open = PendingByRequester::<T>::get(&requester);
			ensure!(open < T::MaxPendingPerRequester::get(), Error::<T>::TooManyOpenRequests);
			let request_id = NextRequestId::<T>::get();
			let next = request_id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let expires_at = now.saturating_add(T::RequestTtl::get());
			let deposit = T::Deposit::new(&requester, Footprint::from_mel::<RequestOf<T>>())?;

			counts.requests.saturating_inc();
			Counts::<T>::insert(&patient, counts);
			PendingByRequester::<T>::insert(&requester, open.saturating_add(1));
			OpenRequests::<T>::insert(&patient, &requester, request_id);
			NextRequestId::<T>::put(next);
			Requests::<T>::insert(
				request_id,
				AccessRequest {
					requester: requester.clone(),
					patient: patient.clone(),
					scope,
					justification_hash,
					start,
					end,
					expires_at,
					deposit,
				},
			);
			Self::deposit_event(Event::AccessRequested {
				request_id,
				patient,
				requester,
				scope,
				justification_hash,
				expires_at,
			});
			Ok(())
		}

		/// Approve a request: creates a consent for the requester, with the requested scope or
		/// a narrower `scope`, and the requested period.
		///
		/// Must be _Signed_ by the patient (or through their delegate). The patient's deposit is
		/// held for the consent; the requester's deposit for the request is released.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::approve_request())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _r: &RequestId, _s: &Option<ScopeInput>|
			-> bool { Pallet::<T>::sponsored(origin) })]
		pub fn approve_request(
			origin: OriginFor<T>,
			request_id: RequestId,
			scope: Option<ScopeInput>,
		) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let scope = scope.as_ref().map(Self::scope_of).transpose()?;
			let request = Requests::<T>::get(request_id).ok_or(Error::<T>::RequestNotFound)?;
			ensure!(request.patient == patient, Error::<T>::NotPatient);
			let now = T::Time::now();
			ensure!(now < request.expires_at, Error::<T>::RequestExpired);
			let scope = scope.unwrap_or(request.scope);
			ensure!(request.scope.includes(&scope), Error::<T>::ScopeExceedsRequest);
			let grantee = Grantee::Practitioner(request.requester.clone());
			let (start, end) = (request.start.max(now), request.end);
			Self::ensure_valid_grant(&grantee, &scope, start, end, now)?;
			let signer = Self::signer_for(&patient);
			let consent_id = Self::store_consent(
				&patient,
				&signer,
				grantee.clone(),
				scope,
				Default::default(),
				start,
				end,
			)?;
			Self::remove_request(request_id, request)?;
			Self::deposit_event(Event::ConsentGranted {
				patient: patient.clone(),
				signer: signer.clone(),
				consent_id,
				grantee,
				scope,
				start,
				end,
			});
			Self::deposit_event(Event::RequestApproved { request_id, patient, signer, consent_id });
			Ok(())
		}

		/// Deny a request; the requester's deposit is released.
		///
		/// Must be _Signed_ by the patient (or through their delegate).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::deny_request())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _r: &RequestId| -> bool {
			Pallet::<T>::sponsored(origin)
		})]
		pub fn deny_request(origin: OriginFor<T>, request_id: RequestId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			let request = Requests::<T>::get(request_id).ok_or(Error::<T>::RequestNotFound)?;
			ensure!(request.patient == patient, Error::<T>::NotPatient);
			Self::remove_request(request_id, request)?;
			let signer = Self::signer_for(&patient);
			Self::deposit_event(Event::RequestDenied { request_id, patient, signer });
			Ok(())
		}

		/// Withdraw a request; its deposit is released.
		///
		/// Must be _Signed_ by the practitioner who made it.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::cancel_request())]
		pub fn cancel_request(origin: OriginFor<T>, request_id: RequestId) -> DispatchResult {
			let requester = ensure_signed(origin)?;
			let request = Requests::<T>::get(request_id).ok_or(Error::<T>::RequestNotFound)?;
			ensure!(request.requester == requester, Error::<T>::NotRequester);
			Self::remove_request(request_id, request)?;
			Self::deposit_event(Event::RequestCancelled { request_id, requester });
			Ok(())
		}

		/// Remove an expired consent or a lapsed request; the deposit goes back to its owner.
		///
		/// Must be _Signed_ by anyone (permissionless clean-up).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::reap_consent().max(T::WeightInfo::reap_request()))]
		pub fn reap_expired(
			origin: OriginFor<T>,
			item: ExpiredItem<T::AccountId>,
		) -> DispatchResultWithPostInfo {
			let reaper = ensure_signed(origin)?;
			let now = T::Time::now();
			match item {
				ExpiredItem::Consent { patient, consent_id } => {
					let consent =
						Consents::<T>::get(&patient, consent_id).ok_or(Error::<T>::NotFound)?;
					let terms = Self::terms_of(&patient, &consent.grantee, consent_id)
						.ok_or(Error::<T>::NotFound)?;
					ensure!(terms.is_expired(now), Error::<T>::NotExpired);
					Self::remove_consent(&patient, consent_id)?;
					Self::deposit_event(Event::ConsentReaped { patient, consent_id, reaper });
					Ok(Some(T::WeightInfo::reap_consent()).into())
				},
				ExpiredItem::Request { request_id } => {
					let request =
						Requests::<T>::get(request_id).ok_or(Error::<T>::RequestNotFound)?;
					ensure!(request.expires_at <= now, Error::<T>::NotExpired);
					Self::remove_request(request_id, request)?;
					Self::deposit_event(Event::RequestReaped { request_id, reaper });
					Ok(Some(T::WeightInfo::reap_request()).into())
				},
			}
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether the call's origin is a patient an organization sponsors: their own calls are
		/// free of fees (the `feeless_if` of the patient calls).
		pub fn sponsored(origin: &OriginFor<T>) -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| T::Sponsorship::covers_fees(&who))
		}

		/// Who signed the call the patient's origin makes: the delegate that [`NoteSigner`]
		/// recorded for a delegated call, else the patient.
		pub fn signer_for(patient: &T::AccountId) -> T::AccountId {
			Signer::<T>::get().unwrap_or_else(|| patient.clone())
		}

		/// The scope a caller's lists name, refusing a repeated member with a named error.
		fn scope_of(input: &ScopeInput) -> Result<Scope, Error<T>> {
			input.to_scope().map_err(|repeated| match repeated {
				RepeatedIn::Categories => Error::<T>::DuplicateCategory,
				RepeatedIn::Actions => Error::<T>::DuplicateAction,
				RepeatedIn::Purposes => Error::<T>::DuplicatePurpose,
			})
		}

		fn ensure_valid_scope_and_period(
			scope: &Scope,
			start: Moment,
			end: Option<Moment>,
			now: Moment,
		) -> DispatchResult {
			ensure!(!scope.is_empty(), Error::<T>::EmptyScope);
			if let Some(end) = end {
				ensure!(end > start, Error::<T>::InvalidPeriod);
				ensure!(end > now, Error::<T>::PeriodInPast);
			}
			Ok(())
		}

		fn ensure_valid_grant(
			grantee: &GranteeOf<T>,
			scope: &Scope,
			start: Moment,
			end: Option<Moment>,
			now: Moment,
		) -> DispatchResult {
			Self::ensure_valid_scope_and_period(scope, start, end, now)?;
			let known = match grantee {
				Grantee::Practitioner(who) => T::Credentials::credential(who, now).is_some(),
				Grantee::Organization(org) | Grantee::Role { organization: org, .. } => {
					T::Credentials::organization_active(*org)
				},
			};
			ensure!(known, Error::<T>::UnknownGrantee);
			Ok(())
		}

		/// Store a consent (deposit, index, counts, version); nothing is written on error.
		fn store_consent(
			patient: &T::AccountId,
			signer: &T::AccountId,
			grantee: GranteeOf<T>,
			scope: Scope,
			records: BoundedVec<RecordId, T::MaxRecordsPerConsent>,
			start: Moment,
			end: Option<Moment>,
		) -> Result<ConsentId, DispatchError> {
			let mut counts = Counts::<T>::get(patient);
			ensure!(counts.consents < T::MaxConsentsPerPatient::get(), Error::<T>::TooManyConsents);
			let key = IndexKey::of(&grantee);
			let indexed = AccessIndex::<T>::decode_len(patient, &key).unwrap_or(0);
			ensure!(
				(indexed as u32) < T::MaxConsentsPerGrantee::get(),
				Error::<T>::TooManyConsents
			);
			let consent_id = counts.next_consent;
			let next = consent_id.checked_add(1).ok_or(Error::<T>::Overflow)?;
			let deposit = T::Deposit::new(patient, Self::consent_footprint())?;

			// Appended to the stored item: the terms already there are neither decoded nor
			// encoded again, so a grant costs the same whatever the grantee already holds.
			let terms =
				Terms { id: consent_id, role: role_of(&grantee), scope, records, start, end };
			AccessIndex::<T>::try_append(patient, &key, terms)
				.map_err(|_| Error::<T>::TooManyConsents)?;
			let granted_by = (signer != patient).then(|| signer.clone());
			let granted_at = Some(T::Time::now());
			Consents::<T>::insert(
				patient,
				consent_id,
				Consent { grantee, granted_by, deposit, granted_at },
			);
			counts.consents.saturating_inc();
			counts.next_consent = next;
			counts.version = counts.version.wrapping_add(1);
			Counts::<T>::insert(patient, counts);
			Ok(consent_id)
		}

		/// Remove a consent (deposit, index, counts, version); nothing is written on error.
		fn remove_consent(patient: &T::AccountId, consent_id: ConsentId) -> DispatchResult {
			let consent = Consents::<T>::get(patient, consent_id).ok_or_else(|| {
				if consent_id < Counts::<T>::get(patient).next_consent {
					Error::<T>::AlreadyRevoked
				} else {
					Error::<T>::NotFound
				}
			})?;
			consent.deposit.drop(patient)?;
			Consents::<T>::remove(patient, consent_id);
			AccessIndex::<T>::mutate_exists(patient, IndexKey::of(&consent.grantee), |index| {
				if let Some(list) = index {
					list.retain(|terms| terms.id != consent_id);
					if list.is_empty() {
						*index = None;
					}
				}
			});
			Self::decrement_counts(patient, |c| {
				c.consents.saturating_dec();
				c.version = c.version.wrapping_add(1);
			});
			Ok(())
		}

		/// Remove a request and release the requester's deposit.
		fn remove_request(request_id: RequestId, request: RequestOf<T>) -> DispatchResult {
			request.deposit.drop(&request.requester)?;
			Requests::<T>::remove(request_id);
			OpenRequests::<T>::remove(&request.patient, &request.requester);
			PendingByRequester::<T>::mutate_exists(&request.requester, |open| {
				*open = open.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
			});
			Self::decrement_counts(&request.patient, |c| c.requests.saturating_dec());
			Ok(())
		}

		/// Apply `f` to the patient's counts, removing the entry once it is all zero (a patient
		/// who ever held a consent keeps it: it remembers which consent ids were theirs).
		fn decrement_counts(patient: &T::AccountId, f: impl FnOnce(&mut PatientCounts)) {
			Counts::<T>::mutate_exists(patient, |counts| {
				if let Some(c) = counts {
					f(c);
					if *c == PatientCounts::default() {
						*counts = None;
					}
				}
			});
		}

		fn bump_version(patient: &T::AccountId) {
			Counts::<T>::mutate(patient, |c| c.version = c.version.wrapping_add(1));
		}

		/// What a consent's deposit pays for: the consent and its terms in the access index.
		pub(crate) fn consent_footprint() -> Footprint {
			Footprint::from_parts(
				1,
				ConsentOf::<T>::max_encoded_len().saturating_add(TermsOf::<T>::max_encoded_len()),
			)
		}
	}
}

impl<T: Config> Pallet<T> {
	/// What an emergency session may be used for (SPEC step 5): reading for an emergency
	/// purpose, or anchoring a new record (no `record` yet) that documents emergency care.
	pub fn emergency_may(action: Action, purpose: Purpose, record: Option<RecordId>) -> bool {
		purpose.is_emergency() && (action == Action::Read || record.is_none())
	}

	/// The id `patient`'s next consent will get.
	pub fn next_consent_id(patient: &T::AccountId) -> consent_primitives::ConsentId {
		Counts::<T>::get(patient).next_consent
	}

	/// The version of the patient's consents and rules (runtime API `consent_version`).
	pub fn consent_version(patient: &T::AccountId) -> u64 {
		Counts::<T>::get(patient).version
	}

	/// The two index keys under which a consent may name `accessor`: itself, and its
	/// organization (whose entries name the whole organization or one role).
	pub(crate) fn index_keys(
		accessor: &T::AccountId,
		credential: &CredentialStatus,
	) -> [IndexKeyOf<T>; 2] {
		[IndexKey::Practitioner(accessor.clone()), IndexKey::Organization(credential.organization)]
	}

	/// The terms of the patient's consent `id` to `grantee`.
	fn terms_of(
		patient: &T::AccountId,
		grantee: &GranteeOf<T>,
		id: consent_primitives::ConsentId,
	) -> Option<TermsOf<T>> {
		AccessIndex::<T>::get(patient, IndexKey::of(grantee)).into_iter().find(|t| t.id == id)
	}

	/// A patient's consents, for the patient's own view (runtime API `consents_of`).
	pub fn consents_of(patient: &T::AccountId) -> Vec<ConsentView<T::AccountId>> {
		let now = T::Time::now();
		let mut views: Vec<_> = AccessIndex::<T>::iter_prefix_values(patient)
			.flatten()
			.filter_map(|terms| {
				let Some(consent) = Consents::<T>::get(patient, terms.id) else {
					frame_support::defensive!("indexed consent missing");
					return None;
				};
				Some(ConsentView {
					id: terms.id,
					active: terms.in_period(now),
					grantee: consent.grantee,
					categories: terms.scope.categories,
					actions: terms.scope.actions,
					purposes: terms.scope.purposes,
					records: terms.records.into_inner(),
					start: terms.start,
					end: terms.end,
					granted_by: consent.granted_by,
				})
			})
			.collect();
		views.sort_by_key(|v| v.id);
		views
	}

	#[cfg(any(feature = "try-runtime", test))]
	pub(crate) fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		use frame_support::{ensure, traits::fungible::InspectHold};
		use sp_runtime::traits::Zero;
		let mut consents = BTreeMap::<T::AccountId, u32>::new();
		let mut owners = BTreeMap::<T::AccountId, ()>::new();
		for (patient, id, consent) in Consents::<T>::iter() {
			ensure!(
				Self::terms_of(&patient, &consent.grantee, id)
					.is_some_and(|terms| terms.role == role_of(&consent.grantee)),
				"consent missing from the access index"
			);
			ensure!(id < Self::next_consent_id(&patient), "consent id not yet handed out");
			*consents.entry(patient.clone()).or_default() += 1;
			owners.insert(patient, ());
		}
		for (patient, key, index) in AccessIndex::<T>::iter() {
			ensure!(!index.is_empty(), "empty access index entry");
			for terms in index {
				ensure!(
					Consents::<T>::get(&patient, terms.id)
						.is_some_and(|c| IndexKey::of(&c.grantee) == key),
					"index names a consent that is not there"
				);
			}
		}
		let mut requests = BTreeMap::<T::AccountId, u32>::new();
		let mut open = BTreeMap::<T::AccountId, u32>::new();
		for (request_id, request) in Requests::<T>::iter() {
			ensure!(
				OpenRequests::<T>::get(&request.patient, &request.requester) == Some(request_id),
				"request missing from the open-request index"
			);
			*requests.entry(request.patient).or_default() += 1;
			*open.entry(request.requester.clone()).or_default() += 1;
			owners.insert(request.requester, ());
		}
		for (_, _, request_id) in OpenRequests::<T>::iter() {
			ensure!(Requests::<T>::contains_key(request_id), "open-request index names no request");
		}
		for (patient, rules) in DenyRules::<T>::iter() {
			ensure!(!rules.is_empty(), "empty deny rule list stored");
			owners.insert(patient, ());
		}
		for (patient, counts) in Counts::<T>::iter() {
			ensure!(
				counts.consents == consents.get(&patient).copied().unwrap_or_default(),
				"consent count disagrees"
			);
			ensure!(
				counts.requests == requests.get(&patient).copied().unwrap_or_default(),
				"request count disagrees"
			);
		}
		ensure!(
			consents.keys().chain(requests.keys()).all(Counts::<T>::contains_key),
			"items without counts"
		);
		for (requester, n) in PendingByRequester::<T>::iter() {
			ensure!(open.get(&requester).copied() == Some(n), "open request count disagrees");
		}
		ensure!(open.len() == PendingByRequester::<T>::iter().count(), "requester without count");
		let reason: T::RuntimeHoldReason = HoldReason::StorageDeposit.into();
		for owner in owners.keys() {
			ensure!(
				!T::Currency::balance_on_hold(&reason, owner).is_zero()
					|| T::Sponsorship::sponsors_items(owner),
				"stored item without a held or sponsored deposit"
			);
		}
		ensure!(!Signer::<T>::exists(), "a signer left in state after dispatch");
		Ok(())
	}
}

impl<T: Config> AccessControl<T::AccountId> for Pallet<T> {
	/// The access decision, in the order the specification gives:
	/// 1. the patient, or their delegate: permit;
	/// 2. anyone else must hold a valid practitioner credential;
	/// 3. a matching deny rule denies;
	/// 4. an active consent that covers the access (and the record, if it names records) permits;
	/// 5. an active emergency session of the accessor for the patient that covers the category
	///    permits, but only a `Read` for purpose ETREAT or BTG, or a `Write` of a *new* record
	///    (`record` is `None`) for one of those purposes: never another purpose, never an amend;
	/// 6. otherwise deny, saying why (out of the consent's records, not yet valid, expired, or no
	///    consent).
	///
	/// Reads at most: the accessor's delegation and credential, the deny rules, two items of the
	/// access index (the accessor's own consents, and those to its organization and its roles),
	/// never a consent one by one, and the accessor's emergency session for the patient.
	fn check_access(query: &AccessQuery<T::AccountId>) -> Decision {
		let AccessQuery { patient, accessor, category, action, purpose, record } = query;
		let (category, action, purpose, record) = (*category, *action, *purpose, *record);
		if accessor == patient {
			return Decision::Permit(PermitReason::Owner);
		}
		if T::Delegates::is_delegate(patient, accessor) {
			return Decision::Permit(PermitReason::Delegate);
		}
		let now = T::Time::now();
		let Some(credential) = T::Credentials::credential(accessor, now).filter(|c| c.valid) else {
			return Decision::Deny(DenyReason::CredentialInvalid);
		};
		if let Some((rule_id, _)) = DenyRules::<T>::get(patient)
			.iter()
			.find(|(_, rule)| rule.matches(accessor, &credential, category, purpose))
		{
			return Decision::Deny(DenyReason::DeniedByRule(*rule_id));
		}

		let (mut expired, mut not_yet_valid, mut out_of_scope) = (false, false, false);
		for key in Self::index_keys(accessor, &credential) {
			for terms in AccessIndex::<T>::get(patient, &key) {
				if !terms.names(&credential) || !terms.scope.covers(category, action, purpose) {
					continue;
				}
				if now < terms.start {
					not_yet_valid = true;
				} else if !terms.in_period(now) {
					expired = true;
				} else if !terms.reaches(record) {
					out_of_scope = true;
				} else {
					return Decision::Permit(PermitReason::Consent(terms.id));
				}
			}
		}
		if Self::emergency_may(action, purpose, record) {
			if let Some(session) = T::Emergency::active_session(patient, accessor, category, now) {
				return Decision::Permit(PermitReason::Emergency(session));
			}
		}
		Decision::Deny(if out_of_scope {
			DenyReason::RecordOutOfScope
		} else if not_yet_valid {
			DenyReason::NotYetValid
		} else if expired {
			DenyReason::Expired
		} else {
			DenyReason::NoConsent
		})
	}

	fn check_access_weight() -> frame_support::weights::Weight {
		T::WeightInfo::check_access()
	}

	fn note_emergency_write(session: consent_primitives::SessionId) -> sp_runtime::DispatchResult {
		T::Emergency::note_write(session)
	}
}
