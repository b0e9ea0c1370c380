//! Stored and call types of the consent pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use consent_primitives::{
	Action, ActionList, ActionSet, CategoryList, CategorySet, ConsentId, CredentialStatus,
	DataCategory, Grantee, Moment, OrgId, Purpose, PurposeList, PurposeSet, RecordId, RequestId,
	Role,
};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_core::H256;

/// What a consent, rule or request covers: categories × actions × purposes.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Scope {
	/// The data categories.
	pub categories: CategorySet,
	/// Read and/or write.
	pub actions: ActionSet,
	/// The purposes of use.
	pub purposes: PurposeSet,
}

impl Scope {
	/// Whether any of the three sets is empty (such a scope covers nothing).
	pub fn is_empty(&self) -> bool {
		self.categories.is_empty() || self.actions.is_empty() || self.purposes.is_empty()
	}

	/// Whether the scope covers one access.
	pub fn covers(&self, category: DataCategory, action: Action, purpose: Purpose) -> bool {
		self.categories.contains(category)
			&& self.actions.contains(action)
			&& self.purposes.contains(purpose)
	}

	/// Whether every access `other` covers is covered by `self`.
	pub fn includes(&self, other: &Scope) -> bool {
		self.categories.is_superset(other.categories)
			&& self.actions.is_superset(other.actions)
			&& self.purposes.is_superset(other.purposes)
	}
}

/// A scope as a caller names it: lists of categories, actions and purposes, each member named
/// once (a wallet shows `categories: [LabResults], actions: [Read], purposes: [Treat]`).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo,
)]
pub struct ScopeInput {
	/// The data categories.
	pub categories: CategoryList,
	/// Read and/or write.
	pub actions: ActionList,
	/// The purposes of use.
	pub purposes: PurposeList,
}

/// Which list of a [`ScopeInput`] names a member twice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RepeatedIn {
	/// The categories.
	Categories,
	/// The actions.
	Actions,
	/// The purposes.
	Purposes,
}

impl ScopeInput {
	/// The scope these lists name, or which list repeats a member.
	pub fn to_scope(&self) -> Result<Scope, RepeatedIn> {
		Ok(Scope {
			categories: CategorySet::from_list(&self.categories)
				.map_err(|_| RepeatedIn::Categories)?,
			actions: ActionSet::from_list(&self.actions).map_err(|_| RepeatedIn::Actions)?,
			purposes: PurposeSet::from_list(&self.purposes).map_err(|_| RepeatedIn::Purposes)?,
		})
	}
}

impl From<Scope> for ScopeInput {
	fn from(scope: Scope) -> Self {
		Self {
			categories: scope.categories.to_list(),
			actions: scope.actions.to_list(),
			purposes: scope.purposes.to_list(),
		}
	}
}

/// Whether `grantee` designates the practitioner `accessor` holding `credential`.
pub fn grantee_matches<AccountId: PartialEq>(
	grantee: &Grantee<AccountId>,
	accessor: &AccountId,
	credential: &CredentialStatus,
) -> bool {
	match grantee {
		Grantee::Practitioner(who) => who == accessor,
		Grantee::Organization(org) => *org == credential.organization,
		Grantee::Role { organization, role } => {
			*organization == credential.organization && credential.roles.contains(*role)
		},
	}
}

/// A patient's consent: who holds it, who signed it and its deposit. The patient and the id are
/// the storage key; what the consent allows ([`Terms`]) is kept where the access decision reads
/// it, in the access index.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
pub struct Consent<AccountId, Ticket>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Ticket: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Who may access.
	pub grantee: Grantee<AccountId>,
	/// The delegate (guardian, representative) who granted it for the patient; `None` when the
	/// patient signed.
	pub granted_by: Option<AccountId>,
	/// The patient's deposit for this item.
	pub deposit: Ticket,
	/// When it was granted (ms since the epoch); `None` for a consent granted before storage
	/// version 4, when the chain did not keep the time (the audit trail has it, from the
	/// `ConsentGranted` event).
	pub granted_at: Option<Moment>,
}

/// Where the access decision finds a patient's consents for an accessor: under the practitioner
/// itself, or under its organization (the consents to the whole organization and to its roles).
/// Two keys whatever the number of roles, so the decision reads two index items.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo)]
pub enum IndexKey<AccountId> {
	/// The consents to one practitioner.
	Practitioner(AccountId),
	/// The consents to an organization and to roles at it.
	Organization(OrgId),
}

impl<AccountId: Clone> IndexKey<AccountId> {
	/// The key a consent to `grantee` is indexed under.
	pub fn of(grantee: &Grantee<AccountId>) -> Self {
		match grantee {
			Grantee::Practitioner(who) => Self::Practitioner(who.clone()),
			Grantee::Organization(org) | Grantee::Role { organization: org, .. } => {
				Self::Organization(*org)
			},
		}
	}
}

/// The role a consent to `grantee` names, if it is a consent to a role.
pub fn role_of<AccountId>(grantee: &Grantee<AccountId>) -> Option<Role> {
	match grantee {
		Grantee::Role { role, .. } => Some(*role),
		_ => None,
	}
}

/// What a consent allows: everything the access decision needs, stored in the access index so
/// that the decision reads no consent one by one.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(MaxRecords))]
pub struct Terms<MaxRecords: Get<u32>> {
	/// The consent.
	pub id: ConsentId,
	/// For a consent to a role of the organization it is indexed under, the role.
	pub role: Option<Role>,
	/// What the holder may access.
	pub scope: Scope,
	/// If not empty, the only records the consent covers.
	pub records: BoundedVec<RecordId, MaxRecords>,
	/// First moment of validity (ms).
	pub start: Moment,
	/// First moment of invalidity (ms), if any.
	pub end: Option<Moment>,
}

impl<MaxRecords: Get<u32>> Terms<MaxRecords> {
	/// Whether the accessor holding `credential` is among those the consent names under its
	/// index key (any practitioner of the organization, or one holding the role).
	pub fn names(&self, credential: &CredentialStatus) -> bool {
		self.role.is_none_or(|role| credential.roles.contains(role))
	}

	/// Whether `now` is inside the validity period.
	pub fn in_period(&self, now: Moment) -> bool {
		self.start <= now && self.end.is_none_or(|end| now < end)
	}

	/// Whether the period is over for good.
	pub fn is_expired(&self, now: Moment) -> bool {
		self.end.is_some_and(|end| end <= now)
	}

	/// Whether the consent reaches `record` (a category-wide access needs a consent that names
	/// no records).
	pub fn reaches(&self, record: Option<RecordId>) -> bool {
		match record {
			_ if self.records.is_empty() => true,
			Some(record) => self.records.contains(&record),
			None => false,
		}
	}
}

/// A patient's deny rule: deny beats every consent.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
pub struct DenyRule<AccountId, Ticket>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Ticket: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Whom the rule is about; `None` is everyone.
	pub grantee: Option<Grantee<AccountId>>,
	/// The categories it protects.
	pub categories: CategorySet,
	/// The purposes it refuses.
	pub purposes: PurposeSet,
	/// The patient's deposit for this item.
	pub deposit: Ticket,
}

impl<AccountId, Ticket> DenyRule<AccountId, Ticket>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Ticket: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Whether the rule refuses this access.
	pub fn matches(
		&self,
		accessor: &AccountId,
		credential: &CredentialStatus,
		category: DataCategory,
		purpose: Purpose,
	) -> bool {
		self.categories.contains(category)
			&& self.purposes.contains(purpose)
			&& self.grantee.as_ref().is_none_or(|g| grantee_matches(g, accessor, credential))
	}
}

/// A practitioner's request for a patient's consent.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
pub struct AccessRequest<AccountId, Ticket>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Ticket: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The practitioner asking.
	pub requester: AccountId,
	/// The patient asked.
	pub patient: AccountId,
	/// What is asked for.
	pub scope: Scope,
	/// Hash of the free-text justification kept off chain.
	pub justification_hash: H256,
	/// Requested start of validity (ms).
	pub start: Moment,
	/// Requested end of validity (ms), if any.
	pub end: Option<Moment>,
	/// When the request lapses unanswered (ms).
	pub expires_at: Moment,
	/// The requester's deposit for this item.
	pub deposit: Ticket,
}

/// An item that anyone may remove once it has expired, returning the deposit to its owner.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo,
)]
pub enum ExpiredItem<AccountId> {
	/// A patient's consent whose period has ended.
	Consent {
		/// The patient.
		patient: AccountId,
		/// The consent.
		consent_id: consent_primitives::ConsentId,
	},
	/// An access request nobody answered in time.
	Request {
		/// The request.
		request_id: RequestId,
	},
}

/// Per-patient bookkeeping in one item: item counts for the bounds, the patient's next consent
/// id and the version of the patient's consents and rules.
///
/// Consent ids are the patient's own (`Consents` is keyed by patient and id), so a revoked id
/// is known to have been the patient's: revoking it again answers `AlreadyRevoked`, while an id
/// the patient never had answers `NotFound`, whoever else holds a consent with that number.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, Default, MaxEncodedLen, TypeInfo)]
pub struct PatientCounts {
	/// Stored consents.
	pub consents: u32,
	/// Pending access requests addressed to the patient.
	pub requests: u32,
	/// The id the patient's next consent gets; ids below it were the patient's.
	pub next_consent: ConsentId,
	/// Bumped by every change of the patient's consents or deny rules, so that gateways can
	/// invalidate what they cached of the patient's decisions.
	pub version: u64,
}
