//! Stored types of the records pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use consent_primitives::{DataCategory, Moment, OrgId, Purpose, RecordId, VersionIndex};
use frame_support::{
	traits::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// Declares [`FhirResourceType`]: one variant per resource type, encoded as its position in the
/// list (new FHIR resource types are appended, never inserted, so encodings stay stable).
macro_rules! fhir_resource_types {
	($($name:ident),+ $(,)?) => {
		/// A FHIR R5 resource type (<https://hl7.org/fhir/R5/resourcelist.html>): the kind of
		/// resource a record anchors. A closed list, so no free text reaches the chain.
		#[derive(
			Encode,
			Decode,
			DecodeWithMemTracking,
			Clone,
			Copy,
			PartialEq,
			Eq,
			PartialOrd,
			Ord,
			Debug,
			MaxEncodedLen,
			TypeInfo,
		)]
		pub enum FhirResourceType {
			$(
				#[doc = concat!("`", stringify!($name), "`")]
				$name,
			)+
		}

		impl FhirResourceType {
			/// Every resource type, in encoding order.
			pub const ALL: &'static [FhirResourceType] = &[$(FhirResourceType::$name),+];

			/// The resource type's FHIR name, e.g. `Observation`.
			pub fn name(&self) -> &'static str {
				match self {
					$(FhirResourceType::$name => stringify!($name),)+
				}
			}

			/// The resource type named `name` (case-sensitive, as FHIR spells it).
			pub fn from_name(name: &[u8]) -> Option<Self> {
				Self::ALL.iter().copied().find(|t| t.name().as_bytes() == name)
			}
		}
	};
}

fhir_resource_types! {
	Account, ActivityDefinition, ActorDefinition, AdministrableProductDefinition, AdverseEvent,
	AllergyIntolerance, Appointment, AppointmentResponse, ArtifactAssessment, AuditEvent, Basic,
	Binary, BiologicallyDerivedProduct, BiologicallyDerivedProductDispense, BodyStructure, Bundle,
	CapabilityStatement, CarePlan, CareTeam, ChargeItem, ChargeItemDefinition, Citation, Claim,
	ClaimResponse, ClinicalImpression, ClinicalUseDefinition, CodeSystem, Communication,
	CommunicationRequest, CompartmentDefinition, Composition, ConceptMap, Condition,
	ConditionDefinition, Consent, Contract, Coverage, CoverageEligibilityRequest,
	CoverageEligibilityResponse, DetectedIssue, Device, DeviceAssociation, DeviceDefinition,
	DeviceDispense, DeviceMetric, DeviceRequest, DeviceUsage, DiagnosticReport, DocumentReference,
	Encounter, EncounterHistory, Endpoint, EnrollmentRequest, EnrollmentResponse, EpisodeOfCare,
	EventDefinition, Evidence, EvidenceReport, EvidenceVariable, ExampleScenario,
	ExplanationOfBenefit, FamilyMemberHistory, Flag, FormularyItem, GenomicStudy, Goal,
	GraphDefinition, Group, GuidanceResponse, HealthcareService, ImagingSelection, ImagingStudy,
	Immunization, ImmunizationEvaluation, ImmunizationRecommendation, ImplementationGuide,
	Ingredient, InsurancePlan, InventoryItem, InventoryReport, Invoice, Library, Linkage, List,
	Location, ManufacturedItemDefinition, Measure, MeasureReport, Medication,
	MedicationAdministration, MedicationDispense, MedicationKnowledge, MedicationRequest,
	MedicationStatement, MedicinalProductDefinition, MessageDefinition, MessageHeader,
	MolecularSequence, NamingSystem, NutritionIntake, NutritionOrder, NutritionProduct,
	Observation, ObservationDefinition, OperationDefinition, OperationOutcome, Organization,
	OrganizationAffiliation, PackagedProductDefinition, Parameters, Patient, PaymentNotice,
	PaymentReconciliation, Permission, Person, PlanDefinition, Practitioner, PractitionerRole,
	Procedure, Provenance, Questionnaire, QuestionnaireResponse, RegulatedAuthorization,
	RelatedPerson, RequestOrchestration, Requirements, ResearchStudy, ResearchSubject,
	RiskAssessment, Schedule, SearchParameter, ServiceRequest, Slot, Specimen, SpecimenDefinition,
	StructureDefinition, StructureMap, Subscription, SubscriptionStatus, SubscriptionTopic,
	Substance, SubstanceDefinition, SubstanceNucleicAcid, SubstancePolymer, SubstanceProtein,
	SubstanceReferenceInformation, SubstanceSourceMaterial, SupplyDelivery, SupplyRequest, Task,
	TerminologyCapabilities, TestPlan, TestReport, TestScript, Transport, ValueSet,
	VerificationResult, VisionPrescription,
}

/// The longest sealed locator ciphertext, in bytes: room for an object key or a FHIR server's
/// resource path, not for a document.
pub const MAX_SEALED_LOCATOR_LEN: u32 = 128;

/// Where the author's systems keep a record's content, in a form that carries no PHI: either a
/// hash the author's systems resolve, or an AEAD-sealed pointer only they can open. A fixed
/// format, so a readable address cannot be stored by mistake.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo,
)]
pub enum Locator {
	/// A 32-byte hash of the storage key (e.g. SHA-256 of the object key).
	Hash([u8; 32]),
	/// A pointer sealed with an AEAD cipher (AES-256-GCM or ChaCha20-Poly1305): 12-byte nonce,
	/// ciphertext (not empty), 16-byte authentication tag.
	Sealed {
		nonce: [u8; 12],
		ciphertext: BoundedVec<u8, ConstU32<MAX_SEALED_LOCATOR_LEN>>,
		tag: [u8; 16],
	},
}

impl Locator {
	/// Whether the locator is well formed: a sealed one has ciphertext.
	pub fn is_well_formed(&self) -> bool {
		match self {
			Locator::Hash(_) => true,
			Locator::Sealed { ciphertext, .. } => !ciphertext.is_empty(),
		}
	}

	/// The locator's SCALE encoding, as the history query returns it.
	pub fn to_bytes(&self) -> alloc::vec::Vec<u8> {
		self.encode()
	}
}

/// What a record is: the metadata erasure removes.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo)]
pub struct RecordMeta {
	/// The data category.
	pub category: DataCategory,
	/// The FHIR resource type.
	pub resource_type: FhirResourceType,
}

/// A live (not erased) record. Its versions are stored apart, keyed by (record, version).
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
pub struct Record<AccountId>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The patient the record is about.
	pub patient: AccountId,
	/// Category and resource type.
	pub meta: RecordMeta,
	/// The current version; versions `0..=current` exist.
	pub current: VersionIndex,
	/// When the record was first anchored (ms).
	pub created_at: Moment,
	/// The organization of the record's author (version 0), whose practitioners may amend it
	/// beside the patient; `None` if the author was not a practitioner.
	pub organization: Option<OrgId>,
	/// The anchoring order among all records, for listing a patient's records in order.
	pub seq: u64,
}

/// What an erased record leaves in state: the length of its digest chain (whose digests stay in
/// the digest index, so verification still answers) and when it was erased. Nothing names the
/// patient, an author or an organization.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo)]
pub struct Tombstone {
	/// The version that was current when the record was erased.
	pub current: VersionIndex,
	/// When it was erased (ms).
	pub erased_at: Moment,
}

/// One version of a live record.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, MaxEncodedLen, TypeInfo,
)]
pub struct Version<AccountId, Ticket>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Ticket: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The salted commitment.
	pub digest: consent_primitives::Digest,
	/// Who anchored it; they paid its deposit.
	pub author: AccountId,
	/// The author's organization, if the author is a credentialed practitioner.
	pub organization: Option<OrgId>,
	/// When it was anchored (ms).
	pub anchored_at: Moment,
	/// The version it superseded (`None` for the first).
	pub supersedes: Option<VersionIndex>,
	/// Where the content is, sealed or hashed.
	pub locator: Option<Locator>,
	/// The author's deposit; released to them on erasure.
	pub deposit: Ticket,
}

/// One read in a batch a gateway (or a practitioner) logs: who read which record, for what.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, MaxEncodedLen, TypeInfo,
)]
pub struct LoggedRead<AccountId> {
	/// The record read.
	pub record_id: RecordId,
	/// The practitioner who read it (or tried to).
	pub accessor: AccountId,
	/// The purpose of use.
	pub purpose: Purpose,
}
