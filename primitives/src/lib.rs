//! # Consent Chain primitives
//!
//! The shared vocabulary of every Consent Chain pallet, runtime API and client:
//!
//! - [`DataCategory`] and [`CategorySet`]: what part of a patient's record is concerned, modelled
//!   on FHIR security labels / US Core, with the *sensitive* categories marked;
//! - [`Purpose`] and [`PurposeSet`]: why, from HL7 v3 `PurposeOfUse`;
//! - [`Action`] and [`ActionSet`]: read, or write (anchor or amend a record);
//! - [`Role`] and [`RoleSet`]: what a credentialed practitioner is;
//! - [`Grantee`]: who a consent or deny rule is about;
//! - [`Decision`]: the one answer of the access decision;
//! - [`Digest`], [`Verification`], [`RecordView`]: anchored records and what verification answers;
//! - the cross-pallet traits ([`CredentialInspect`], [`EmergencyAccess`], [`DelegateCheck`],
//!   [`AccessControl`]): a pallet never reads another pallet's storage, it asks through these;
//! - the macros the pallets share: [`assert_positive!`] for their `integrity_test`, and
//!   [`dataless_extension!`] for a transaction extension that carries no data.
//!
//! No health data is ever carried by these types: only codes, ids, hashes and decisions.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod emergency;
mod macros;
mod records;
pub use emergency::*;
pub use records::*;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::H256;
use sp_runtime::DispatchResult;

/// A wall-clock moment in milliseconds since the Unix epoch (pallet-timestamp's unit).
pub type Moment = u64;
/// Identifier of a consortium organization.
pub type OrgId = u32;
/// Identifier of a consent.
pub type ConsentId = u64;
/// Identifier of a patient deny rule.
pub type RuleId = u64;
/// Identifier of an access request.
pub type RequestId = u64;
/// Identifier of an emergency (break-glass) session.
pub type SessionId = u64;
/// Identifier of an anchored record: derived so that it cannot be guessed from patient data.
pub type RecordId = H256;

/// A list names the same member twice (a call argument that must list each member once).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DuplicateMember;

/// The name of a variant in metadata and JSON: its standard code if it has one.
macro_rules! variant_name {
	($variant:ident) => {
		stringify!($variant)
	};
	($variant:ident, $code:literal) => {
		$code
	};
}

/// Declares a fieldless enum, the set type whose members are its variants, and the bounded list
/// type that calls take.
///
/// Sets are kept as a bit mask in memory but SCALE-encoded, described in metadata and serialized
/// as the *list* of their members' names, in variant order: a wallet, polkadot.js apps,
/// `toHuman()`, polkadot-api and a Ledger show `[LabResults, Imaging]`, never `192`.
macro_rules! bit_enum_and_set {
	(
		$(#[$enum_meta:meta])* enum $enum:ident;
		$(#[$set_meta:meta])* set $set:ident($repr:ty);
		$(#[$list_meta:meta])* list $list:ident;
		$( $(#[$var_meta:meta])* $variant:ident $(as $code:literal)? = $bit:literal ),+ $(,)?
	) => {
		$(#[$enum_meta])*
		#[derive(
			Encode, Decode, DecodeWithMemTracking, Clone, Copy, PartialEq, Eq, PartialOrd, Ord,
			Debug, MaxEncodedLen, Serialize, Deserialize,
		)]
		pub enum $enum {
			$( $(#[$var_meta])* $(#[serde(rename = $code)])? $variant = $bit ),+
		}

		/// Described by the name clients show: the variant's, or its standard code where it has
		/// one (HL7 `TREAT` rather than `Treat`).
		impl TypeInfo for $enum {
			type Identity = Self;

			fn type_info() -> scale_info::Type {
				scale_info::Type::builder()
					.path(scale_info::Path::new(stringify!($enum), module_path!()))
					.variant(
						scale_info::build::Variants::new()
							$( .variant(variant_name!($variant $(, $code)?), |v| v.index($bit)) )+
					)
			}
		}

		impl $enum {
			/// Every variant, in bit order.
			pub const ALL: &'static [$enum] = &[$($enum::$variant),+];
			/// How many variants there are (the longest list without repeats).
			pub const COUNT: u32 = Self::ALL.len() as u32;

			/// The single-bit mask of this variant.
			pub const fn mask(self) -> $repr {
				1 << (self as u8)
			}
		}

		$(#[$list_meta])*
		///
		/// What calls take: each member named once (a repeat is refused with the pallet's named
		/// error), at most one entry per variant.
		pub type $list = sp_runtime::BoundedVec<$enum, sp_core::ConstU32<{ $enum::COUNT }>>;

		$(#[$set_meta])*
		///
		/// SCALE-encoded as the list of its members in variant order (compact length, then each
		/// member's index); decoding refuses unknown members, repeats and any other order, so
		/// every set has exactly one encoding.
		#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
		pub struct $set($repr);

		impl $set {
			/// The mask of every known member.
			pub const VALID_MASK: $repr = 0 $(| (1 << $bit))+;

			/// The empty set.
			pub const fn empty() -> Self {
				Self(0)
			}

			/// Every known member.
			pub const fn all() -> Self {
				Self(Self::VALID_MASK)
			}

			/// A set from a raw mask, or `None` if the mask has a bit that names no member.
			// For a set whose members use every bit the mask test is trivially true.
			#[allow(clippy::bad_bit_mask)]
			pub const fn from_bits(bits: $repr) -> Option<Self> {
				if bits & !Self::VALID_MASK == 0 {
					Some(Self(bits))
				} else {
					None
				}
			}

			/// The set of the members of `list`, refusing a member named twice.
			pub fn from_list(list: &[$enum]) -> Result<Self, DuplicateMember> {
				list.iter().try_fold(Self::empty(), |set, item| {
					if set.contains(*item) { Err(DuplicateMember) } else { Ok(set.with(*item)) }
				})
			}

			/// The members as the list type calls take.
			pub fn to_list(self) -> $list {
				sp_runtime::BoundedVec::truncate_from(self.iter().collect())
			}

			/// The raw mask.
			pub const fn bits(self) -> $repr {
				self.0
			}

			/// How many members the set has.
			pub const fn len(self) -> usize {
				self.0.count_ones() as usize
			}

			/// Whether the set has no member.
			pub const fn is_empty(self) -> bool {
				self.0 == 0
			}

			/// Whether `item` is a member.
			pub const fn contains(self, item: $enum) -> bool {
				self.0 & item.mask() != 0
			}

			/// Whether every member of `other` is a member of `self`.
			pub const fn is_superset(self, other: Self) -> bool {
				self.0 & other.0 == other.0
			}

			/// Whether the sets share a member.
			pub const fn intersects(self, other: Self) -> bool {
				self.0 & other.0 != 0
			}

			/// The members of both sets.
			pub const fn intersection(self, other: Self) -> Self {
				Self(self.0 & other.0)
			}

			/// The members of either set.
			pub const fn union(self, other: Self) -> Self {
				Self(self.0 | other.0)
			}

			/// `self` with `item` added.
			pub const fn with(self, item: $enum) -> Self {
				Self(self.0 | item.mask())
			}

			/// The members, in bit order.
			pub fn iter(self) -> impl Iterator<Item = $enum> {
				$enum::ALL.iter().copied().filter(move |item| self.contains(*item))
			}
		}

		impl From<$enum> for $set {
			fn from(item: $enum) -> Self {
				Self(item.mask())
			}
		}

		impl From<$set> for $list {
			fn from(set: $set) -> Self {
				set.to_list()
			}
		}

		impl FromIterator<$enum> for $set {
			fn from_iter<I: IntoIterator<Item = $enum>>(items: I) -> Self {
				items.into_iter().fold(Self::empty(), Self::with)
			}
		}

		impl Encode for $set {
			fn size_hint(&self) -> usize {
				1 + self.len()
			}

			fn encode_to<W: codec::Output + ?Sized>(&self, dest: &mut W) {
				codec::Compact(self.len() as u32).encode_to(dest);
				for item in self.iter() {
					item.encode_to(dest);
				}
			}
		}

		impl codec::EncodeLike for $set {}

		impl Decode for $set {
			fn decode<I: codec::Input>(input: &mut I) -> Result<Self, codec::Error> {
				let len = codec::Compact::<u32>::decode(input)?.0;
				if len > $enum::COUNT {
					return Err(concat!(stringify!($set), ": more members than variants").into());
				}
				let mut set = Self::empty();
				let mut last: Option<$enum> = None;
				for _ in 0..len {
					let item = $enum::decode(input)?;
					if last.is_some_and(|last| last >= item) {
						return Err(
							concat!(stringify!($set), ": members repeated or out of order").into()
						);
					}
					last = Some(item);
					set = set.with(item);
				}
				Ok(set)
			}
		}

		impl DecodeWithMemTracking for $set {}

		impl MaxEncodedLen for $set {
			fn max_encoded_len() -> usize {
				<codec::Compact<u32> as codec::CompactLen<u32>>::compact_len(&$enum::COUNT)
					+ $enum::ALL.len() * $enum::max_encoded_len()
			}
		}

		impl TypeInfo for $set {
			type Identity = Self;

			fn type_info() -> scale_info::Type {
				scale_info::Type::builder()
					.path(scale_info::Path::new(stringify!($set), module_path!()))
					.docs(&[concat!("The members of a set of ", stringify!($enum), ", in variant order.")])
					.composite(scale_info::build::Fields::unnamed().field(|f| {
						f.ty::<alloc::vec::Vec<$enum>>()
							.type_name(concat!("Vec<", stringify!($enum), ">"))
					}))
			}
		}

		impl Serialize for $set {
			fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
				serializer.collect_seq(self.iter())
			}
		}

		impl<'de> Deserialize<'de> for $set {
			fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
				let list = alloc::vec::Vec::<$enum>::deserialize(deserializer)?;
				Self::from_list(&list).map_err(|_| {
					serde::de::Error::custom(concat!(stringify!($set), ": a member is named twice"))
				})
			}
		}
	};
}

bit_enum_and_set! {
	/// A category of health data (FHIR security labels / US Core).
	enum DataCategory;
	/// A set of [`DataCategory`].
	set CategorySet(u32);
	/// A list of [`DataCategory`], as calls take it.
	list CategoryList;
	/// Name, birth date, contact details.
	Demographics = 0,
	/// Allergies and intolerances.
	Allergies = 1,
	/// Medication statements and prescriptions.
	Medications = 2,
	/// Problems and diagnoses.
	Conditions = 3,
	/// Procedures performed.
	Procedures = 4,
	/// Immunization history.
	Immunizations = 5,
	/// Laboratory results.
	LabResults = 6,
	/// Imaging studies and reports.
	Imaging = 7,
	/// Vital signs.
	VitalSigns = 8,
	/// Free-text clinical notes.
	ClinicalNotes = 9,
	/// Billing and claims.
	Billing = 10,
	/// Sensitive: mental health.
	MentalHealth = 11,
	/// Sensitive: substance use disorder records (42 CFR Part 2).
	SubstanceUse = 12,
	/// Sensitive: sexual health.
	SexualHealth = 13,
	/// Sensitive: reproductive health.
	Reproductive = 14,
	/// Sensitive: genomic data.
	Genomics = 15,
}

impl DataCategory {
	/// Whether the category is sensitive and so needs explicit consent or an explicit policy.
	pub const fn is_sensitive(self) -> bool {
		matches!(
			self,
			Self::MentalHealth
				| Self::SubstanceUse
				| Self::SexualHealth
				| Self::Reproductive
				| Self::Genomics
		)
	}
}

impl CategorySet {
	/// The sensitive categories.
	pub const SENSITIVE: Self = Self(
		DataCategory::MentalHealth.mask()
			| DataCategory::SubstanceUse.mask()
			| DataCategory::SexualHealth.mask()
			| DataCategory::Reproductive.mask()
			| DataCategory::Genomics.mask(),
	);

	/// Every category that is not sensitive.
	pub const fn non_sensitive() -> Self {
		Self(Self::VALID_MASK & !Self::SENSITIVE.0)
	}
}

bit_enum_and_set! {
	/// A purpose of use (HL7 v3 `PurposeOfUse`).
	enum Purpose;
	/// A set of [`Purpose`].
	set PurposeSet(u8);
	/// A list of [`Purpose`], as calls take it.
	list PurposeList;
	/// `TREAT`: treatment.
	Treat as "TREAT" = 0,
	/// `ETREAT`: emergency treatment.
	EmergencyTreat as "ETREAT" = 1,
	/// `BTG`: break the glass.
	BreakTheGlass as "BTG" = 2,
	/// `HPAYMT`: healthcare payment.
	Payment as "HPAYMT" = 3,
	/// `HOPERAT`: healthcare operations.
	Operations as "HOPERAT" = 4,
	/// `HRESCH`: healthcare research.
	Research as "HRESCH" = 5,
	/// `PUBHLTH`: public health.
	PublicHealth as "PUBHLTH" = 6,
	/// `PATRQT`: patient requested.
	PatientRequest as "PATRQT" = 7,
}

impl Purpose {
	/// The HL7 v3 `PurposeOfUse` code.
	pub const fn code(self) -> &'static str {
		match self {
			Self::Treat => "TREAT",
			Self::EmergencyTreat => "ETREAT",
			Self::BreakTheGlass => "BTG",
			Self::Payment => "HPAYMT",
			Self::Operations => "HOPERAT",
			Self::Research => "HRESCH",
			Self::PublicHealth => "PUBHLTH",
			Self::PatientRequest => "PATRQT",
		}
	}

	/// Whether this purpose may open an emergency session.
	pub const fn is_emergency(self) -> bool {
		matches!(self, Self::EmergencyTreat | Self::BreakTheGlass)
	}
}

bit_enum_and_set! {
	/// What an accessor does with the data.
	enum Action;
	/// A set of [`Action`].
	set ActionSet(u8);
	/// A list of [`Action`], as calls take it.
	list ActionList;
	/// Read the data.
	Read = 0,
	/// Anchor or amend a record.
	Write = 1,
}

bit_enum_and_set! {
	/// The role of a credentialed practitioner within their organization.
	enum Role;
	/// A set of [`Role`].
	set RoleSet(u16);
	/// A list of [`Role`], as calls take it.
	list RoleList;
	/// A physician.
	Physician = 0,
	/// A nurse.
	Nurse = 1,
	/// A pharmacist.
	Pharmacist = 2,
	/// A researcher.
	Researcher = 3,
	/// A privacy officer who reviews emergency sessions.
	Auditor = 4,
	/// A laboratory or imaging technician.
	Technician = 5,
	/// A paramedic or emergency responder.
	Paramedic = 6,
	/// Billing and claims staff.
	Billing = 7,
}

/// Who a consent or a deny rule is about.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Serialize,
	Deserialize,
)]
pub enum Grantee<AccountId> {
	/// One practitioner account.
	Practitioner(AccountId),
	/// Every practitioner of an organization.
	Organization(OrgId),
	/// Every practitioner holding `role` at `organization`.
	Role {
		/// The organization.
		organization: OrgId,
		/// The role within it.
		role: Role,
	},
}

/// Why access was permitted.
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
	Serialize,
	Deserialize,
)]
pub enum PermitReason {
	/// The accessor is the patient.
	Owner,
	/// The accessor acts for the patient through a consent-management proxy.
	Delegate,
	/// An active consent covers the access.
	Consent(ConsentId),
	/// An active emergency session covers the access.
	Emergency(SessionId),
}

/// Why access was denied.
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
	Serialize,
	Deserialize,
)]
pub enum DenyReason {
	/// A patient deny rule matches; deny beats permit.
	DeniedByRule(RuleId),
	/// No consent and no emergency session covers the access.
	NoConsent,
	/// The accessor's credential is missing, suspended, revoked or expired, or their organization
	/// is suspended.
	CredentialInvalid,
	/// A consent would cover the access but it is outside its validity period.
	Expired,
	/// A consent covers the category but names records and this record is not one of them.
	RecordOutOfScope,
	/// A consent would cover the access but its period has not started yet.
	NotYetValid,
}

/// The access decision.
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
	Serialize,
	Deserialize,
)]
pub enum Decision {
	/// Access is permitted.
	Permit(PermitReason),
	/// Access is denied.
	Deny(DenyReason),
}

impl Decision {
	/// Whether the decision permits.
	pub const fn is_permit(&self) -> bool {
		matches!(self, Self::Permit(_))
	}
}

/// A patient's consent as clients see it (runtime API and RPC).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
pub struct ConsentView<AccountId> {
	/// The consent id.
	pub id: ConsentId,
	/// Who may access.
	pub grantee: Grantee<AccountId>,
	/// The categories covered.
	pub categories: CategorySet,
	/// The actions covered.
	pub actions: ActionSet,
	/// The purposes covered.
	pub purposes: PurposeSet,
	/// If not empty, the only records covered.
	pub records: alloc::vec::Vec<RecordId>,
	/// First moment of validity (ms).
	pub start: Moment,
	/// End of validity (ms), if any.
	pub end: Option<Moment>,
	/// Whether the consent is inside its period now.
	pub active: bool,
	/// The delegate who granted it for the patient, if the patient did not sign.
	pub granted_by: Option<AccountId>,
}

/// What the registry says of a practitioner at a moment.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo)]
pub struct CredentialStatus {
	/// The organization that credentialed the practitioner.
	pub organization: OrgId,
	/// The practitioner's roles.
	pub roles: RoleSet,
	/// Active, unexpired, and the organization is active.
	pub valid: bool,
	/// Holds the break-glass privilege (meaningful only while `valid`).
	pub break_glass: bool,
}

/// Read access to practitioner credentials (implemented by the registry pallet).
pub trait CredentialInspect<AccountId> {
	/// The credential of `who` as of `now`, or `None` if `who` was never credentialed.
	fn credential(who: &AccountId, now: Moment) -> Option<CredentialStatus>;

	/// Whether `organization` exists and is not suspended.
	fn organization_active(organization: OrgId) -> bool;

	/// The active organization whose gateway `who` is: a gateway logs reads for that
	/// organization's practitioners. Default: no gateways.
	fn gateway_organization(who: &AccountId) -> Option<OrgId> {
		let _ = who;
		None
	}
}

/// Changes to credentials that other pallets may ask for (implemented by the registry pallet).
pub trait CredentialManage<AccountId> {
	/// Withdraw the break-glass privilege of `who` (after an unjustified emergency session).
	fn withdraw_break_glass(who: &AccountId) -> DispatchResult;
}

/// Emergency sessions, as seen by the access decision (implemented by the break-glass pallet).
pub trait EmergencyAccess<AccountId> {
	/// The active emergency session of `accessor` for `patient` that covers `category` at `now`.
	fn active_session(
		patient: &AccountId,
		accessor: &AccountId,
		category: DataCategory,
		now: Moment,
	) -> Option<SessionId>;

	/// Count one new record anchored under `session` (the decision permitted a `Write` because
	/// of it); fails once the session has anchored as many records as it may.
	fn note_write(session: SessionId) -> DispatchResult;
}

/// No emergency sessions at all.
impl<AccountId> EmergencyAccess<AccountId> for () {
	fn active_session(
		_: &AccountId,
		_: &AccountId,
		_: DataCategory,
		_: Moment,
	) -> Option<SessionId> {
		None
	}

	fn note_write(_: SessionId) -> DispatchResult {
		Ok(())
	}
}

/// Whether an account acts for a patient (implemented in the runtime over pallet-proxy's
/// consent-management proxy type).
pub trait DelegateCheck<AccountId> {
	/// Whether `delegate` is a consent-management delegate of `patient`.
	fn is_delegate(patient: &AccountId, delegate: &AccountId) -> bool;
}

/// Nobody is anybody's delegate.
impl<AccountId> DelegateCheck<AccountId> for () {
	fn is_delegate(_: &AccountId, _: &AccountId) -> bool {
		false
	}
}

/// One access question, as SPEC asks it: may `accessor` perform `action` on `category` of
/// `patient`'s data for `purpose`, now, optionally on one `record`? The same struct is the
/// argument of [`AccessControl::check_access`], of the runtime API and of the
/// `consent_checkAccess` RPC (a JSON object with these fields; `record` may be left out).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Serialize, Deserialize)]
pub struct AccessQuery<AccountId> {
	/// Whose data.
	pub patient: AccountId,
	/// Who would access it.
	pub accessor: AccountId,
	/// Which category of the patient's data.
	pub category: DataCategory,
	/// Read it, or write (anchor or amend) a record of it.
	pub action: Action,
	/// Why.
	pub purpose: Purpose,
	/// One record, if the access is to a record (a consent may cover named records only).
	#[serde(default)]
	pub record: Option<RecordId>,
}

/// The one access decision (implemented by the consent pallet).
pub trait AccessControl<AccountId> {
	/// What SPEC's ordered rules answer to `query`, now.
	fn check_access(query: &AccessQuery<AccountId>) -> Decision;

	/// The weight of one [`AccessControl::check_access`] at its worst case, for the calls of
	/// other pallets that make the decision.
	fn check_access_weight() -> sp_runtime::Weight;

	/// Count a new record anchored under the emergency session `session`, after
	/// [`AccessControl::check_access`] answered `Permit(Emergency(session))` for a `Write`: a
	/// session may anchor only a bounded number of records. Fails (and the anchoring call with
	/// it) once the session's bound is reached.
	fn note_emergency_write(session: SessionId) -> DispatchResult;
}

/// Who administers the consortium's organizations (implemented by the registry pallet).
pub trait OrganizationAdmins<AccountId> {
	/// Whether `who` is an admin of `organization`.
	fn is_admin(organization: OrgId, who: &AccountId) -> bool;
	/// Whether `organization` exists and is not suspended.
	fn organization_active(organization: OrgId) -> bool;
}

/// Patients an organization sponsors (implemented by the enrolment pallet): their own calls of
/// the consent suite are free of fees (the pallets mark them `#[pallet::feeless_if]`, and
/// `pallet-skip-feeless-payment` skips the fee).
pub trait Sponsorship<AccountId> {
	/// Whether `patient` is enrolled by an organization now, so that their own consent calls are
	/// free of fees.
	fn covers_fees(patient: &AccountId) -> bool;

	/// Whether an enrolment (active or ended) still pays the deposit of some of `patient`'s
	/// stored items, so that they hold none themself.
	fn sponsors_items(patient: &AccountId) -> bool;
}

/// Nobody is sponsored: everybody pays.
impl<AccountId> Sponsorship<AccountId> for () {
	fn covers_fees(_: &AccountId) -> bool {
		false
	}

	fn sponsors_items(_: &AccountId) -> bool {
		false
	}
}

/// What the suite's benchmarks need from the rest of the runtime (implemented in the runtime).
pub trait BenchmarkHelper<AccountId> {
	/// Make `who` a practitioner with a valid credential, every role and the break-glass
	/// privilege, at an organization of their own.
	fn credential(who: &AccountId);
	/// Set the wall clock (ms).
	fn set_time(now: Moment);
	/// Make `who` a practitioner with every role (the Auditor's among them) at the organization of
	/// the practitioner `of`.
	fn colleague(of: &AccountId, who: &AccountId);
	/// Open an emergency session of the practitioner `who` (made by [`Self::credential`]) on
	/// `patient`'s non-sensitive categories. Default: nothing (a runtime without emergency
	/// access).
	fn emergency_session(patient: &AccountId, who: &AccountId) {
		let _ = (patient, who);
	}
	/// Have `patient` consent to the organization of the practitioner `of` reading and writing
	/// every category of their data for every purpose. Default: nothing (a runtime without a
	/// consent pallet).
	fn consent_to_organization(patient: &AccountId, of: &AccountId) {
		let _ = (patient, of);
	}
	/// Make `gateway` a gateway of the organization of the practitioner `of`. Default: nothing
	/// (a runtime without gateways).
	fn gateway(of: &AccountId, gateway: &AccountId) {
		let _ = (of, gateway);
	}
	/// Make the access decision for the practitioner `who` (made by [`Self::credential`]) on
	/// `patient`'s data take its longest path, ending in an emergency session that permits
	/// emergency reads (the consent pallet's `check_access` benchmark case). Default: only the
	/// session ([`Self::emergency_session`]).
	fn worst_case_access(patient: &AccountId, who: &AccountId) {
		Self::emergency_session(patient, who);
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn category_bits_are_stable_and_distinct() {
		assert_eq!(DataCategory::ALL.len(), 16);
		assert_eq!(CategorySet::all().bits(), 0xFFFF);
		assert_eq!(DataCategory::Demographics.mask(), 1);
		assert_eq!(DataCategory::Genomics.mask(), 1 << 15);
	}

	#[test]
	fn sensitive_categories_are_the_five_named_in_the_spec() {
		let sensitive: Vec<_> = DataCategory::ALL.iter().filter(|c| c.is_sensitive()).collect();
		assert_eq!(
			sensitive,
			vec![
				&DataCategory::MentalHealth,
				&DataCategory::SubstanceUse,
				&DataCategory::SexualHealth,
				&DataCategory::Reproductive,
				&DataCategory::Genomics
			]
		);
		assert!(!CategorySet::non_sensitive().intersects(CategorySet::SENSITIVE));
		assert_eq!(CategorySet::non_sensitive().union(CategorySet::SENSITIVE), CategorySet::all());
	}

	#[test]
	fn sets_encode_as_the_list_of_their_members() {
		let labs_and_imaging: CategorySet =
			[DataCategory::Imaging, DataCategory::LabResults].into_iter().collect();
		// compact length 2, then the indices of LabResults (6) and Imaging (7), in variant order
		assert_eq!(labs_and_imaging.encode(), vec![2 << 2, 6, 7]);
		assert_eq!(CategorySet::empty().encode(), vec![0]);
		assert_eq!(
			labs_and_imaging.encode(),
			vec![DataCategory::LabResults, DataCategory::Imaging].encode(),
			"the same bytes as a SCALE list of the enum"
		);
		assert_eq!(CategorySet::decode(&mut &labs_and_imaging.encode()[..]), Ok(labs_and_imaging));
		assert_eq!(
			ActionSet::decode(&mut &vec![Action::Read, Action::Write].encode()[..]).unwrap(),
			[Action::Read, Action::Write].into_iter().collect()
		);
	}

	#[test]
	fn decoding_refuses_unknown_repeated_or_unordered_members() {
		let decode = |bytes: Vec<u8>| CategorySet::decode(&mut &bytes[..]);
		assert!(decode(vec![1 << 2, 16]).is_err(), "index 16 names no category");
		assert!(decode(vec![2 << 2, 6, 6]).is_err(), "a repeat");
		assert!(decode(vec![2 << 2, 7, 6]).is_err(), "out of order");
		assert!(decode(vec![17 << 2]).is_err(), "more members than categories");
		assert!(decode(vec![1 << 2]).is_err(), "truncated");
		assert!(RoleSet::decode(&mut &vec![8u8].encode()[..]).is_err());
		assert!(PurposeSet::decode(&mut &Purpose::ALL.to_vec().encode()[..]).is_ok());
	}

	#[test]
	fn lists_become_sets_only_without_repeats() {
		assert_eq!(
			CategorySet::from_list(&[DataCategory::Imaging, DataCategory::LabResults]),
			Ok([DataCategory::LabResults, DataCategory::Imaging].into_iter().collect())
		);
		assert_eq!(
			PurposeSet::from_list(&[Purpose::Treat, Purpose::Research, Purpose::Treat]),
			Err(DuplicateMember)
		);
		assert_eq!(RoleSet::from_list(&[]), Ok(RoleSet::empty()));
		let all = CategorySet::all().to_list();
		assert_eq!(all.len() as u32, DataCategory::COUNT);
		assert_eq!(CategorySet::from_list(&all), Ok(CategorySet::all()));
	}

	#[test]
	fn metadata_describes_sets_as_lists_of_names() {
		let mut registry = scale_info::Registry::new();
		let set = registry.register_type(&scale_info::meta_type::<CategorySet>());
		let registry: scale_info::PortableRegistry = registry.into();
		let ty = registry.resolve(set.id).unwrap();
		assert_eq!(ty.path.segments.last().map(String::as_str), Some("CategorySet"));
		let scale_info::TypeDef::Composite(composite) = &ty.type_def else {
			panic!("a set is a composite: {:?}", ty.type_def)
		};
		let inner = registry.resolve(composite.fields[0].ty.id).unwrap();
		let scale_info::TypeDef::Sequence(seq) = &inner.type_def else {
			panic!("wrapping a sequence: {:?}", inner.type_def)
		};
		let element = registry.resolve(seq.type_param.id).unwrap();
		let scale_info::TypeDef::Variant(variants) = &element.type_def else {
			panic!("of an enum: {:?}", element.type_def)
		};
		let lab = variants.variants.iter().find(|v| v.name == "LabResults").unwrap();
		assert_eq!(lab.index, 6, "the index the encoding uses");

		// Purposes are named by their HL7 code, at the index the encoding uses.
		let mut registry = scale_info::Registry::new();
		let purpose = registry.register_type(&scale_info::meta_type::<Purpose>());
		let registry: scale_info::PortableRegistry = registry.into();
		let scale_info::TypeDef::Variant(variants) =
			&registry.resolve(purpose.id).unwrap().type_def
		else {
			panic!("a purpose is an enum")
		};
		for p in Purpose::ALL {
			let v = variants.variants.iter().find(|v| v.name == p.code()).unwrap();
			assert_eq!(v.index, *p as u8);
			assert_eq!(p.encode(), vec![v.index]);
		}
	}

	#[test]
	fn sets_serialize_as_names() {
		let set: PurposeSet = [Purpose::Treat, Purpose::Research].into_iter().collect();
		let json = serde_json::to_string(&set).unwrap();
		assert_eq!(json, r#"["TREAT","HRESCH"]"#);
		assert_eq!(serde_json::from_str::<PurposeSet>(&json).unwrap(), set);
		assert!(serde_json::from_str::<PurposeSet>(r#"["TREAT","TREAT"]"#).is_err());
		assert_eq!(
			serde_json::to_string(&CategorySet::from(DataCategory::LabResults)).unwrap(),
			r#"["LabResults"]"#
		);
	}

	#[test]
	fn purpose_codes_follow_hl7() {
		let codes: Vec<_> = Purpose::ALL.iter().map(|p| p.code()).collect();
		assert_eq!(
			codes,
			["TREAT", "ETREAT", "BTG", "HPAYMT", "HOPERAT", "HRESCH", "PUBHLTH", "PATRQT"]
		);
		let emergency: Vec<_> = Purpose::ALL.iter().filter(|p| p.is_emergency()).collect();
		assert_eq!(emergency, vec![&Purpose::EmergencyTreat, &Purpose::BreakTheGlass]);
	}

	#[test]
	fn max_encoded_len_is_tight() {
		assert_eq!(CategorySet::max_encoded_len(), 1 + 16);
		assert_eq!(PurposeSet::max_encoded_len(), 1 + 8);
		assert_eq!(CategorySet::all().encode().len(), CategorySet::max_encoded_len());
		assert_eq!(RoleSet::all().encode().len(), RoleSet::max_encoded_len());
		assert_eq!(Decision::max_encoded_len(), 1 + 1 + 8);
		assert_eq!(Grantee::<u64>::max_encoded_len(), 1 + 8);
	}

	#[test]
	fn decision_round_trips() {
		for d in [
			Decision::Permit(PermitReason::Consent(7)),
			Decision::Permit(PermitReason::Emergency(3)),
			Decision::Deny(DenyReason::DeniedByRule(9)),
			Decision::Deny(DenyReason::NoConsent),
		] {
			assert_eq!(Decision::decode(&mut &d.encode()[..]).unwrap(), d);
		}
		assert!(Decision::Permit(PermitReason::Owner).is_permit());
		assert!(!Decision::Deny(DenyReason::Expired).is_permit());
	}

	proptest! {
		#[test]
		fn set_algebra_matches_membership(a in 0u32..=0xFFFF, b in 0u32..=0xFFFF) {
			let (a, b) = (CategorySet::from_bits(a).unwrap(), CategorySet::from_bits(b).unwrap());
			for c in DataCategory::ALL {
				prop_assert_eq!(a.intersection(b).contains(*c), a.contains(*c) && b.contains(*c));
				prop_assert_eq!(a.union(b).contains(*c), a.contains(*c) || b.contains(*c));
			}
			prop_assert_eq!(a.is_superset(b), b.iter().all(|c| a.contains(c)));
			prop_assert_eq!(a.iter().collect::<CategorySet>(), a);
			prop_assert_eq!(CategorySet::decode(&mut &a.encode()[..]).unwrap(), a);
		}
	}
}
