//! The audit trail as HL7 FHIR R5 resources, as `FHIR-MAPPING.md` maps it.
//!
//! Every builder takes a row from [`crate::model`] and the [`Context`] (genesis hash, base URL,
//! now) and returns a `serde_json::Value` that validates as R5:
//! - [`consent`]: a consent (`decision` permit) or a deny rule (`decision` deny);
//! - [`audit_event`]: a logged read or an emergency-session event (BALP patterns);
//! - [`provenance`]: a record version anchored, amended or erased;
//! - [`task`]: an access request and its fate;
//! - [`capability_statement`], [`operation_outcome`], [`searchset`]: what the endpoint serves
//!   around them.
//!
//! Accounts are referenced logically (`identifier` with system `urn:consent-chain:account`),
//! chain objects by an identifier whose system names the chain (`urn:consent-chain:<genesis>:
//! consent`), and every resource derived from an event carries the block evidence in the extension
//! `urn:consent-chain:fhir:block`.

use crate::model::{
	Activity, AuditKind, AuditRow, ConsentKind, ConsentRow, Context, EndedHow, Evidence,
	GranteeRow, ProvenanceRow, SessionInfo, TaskRow,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Map, Value};

/// Media type of a FHIR JSON response.
pub const FHIR_JSON: &str = "application/fhir+json";
/// Media type of a bulk-data export file (one resource per line).
pub const FHIR_NDJSON: &str = "application/fhir+ndjson";

// Identifier systems and extensions of our own.
const ACCOUNT_SYSTEM: &str = "urn:consent-chain:account";
const CHAIN_SYSTEM: &str = "urn:consent-chain:chain";
const EXT_BLOCK: &str = "urn:consent-chain:fhir:block";
const EXT_STATUS_CHANGED: &str = "urn:consent-chain:fhir:status-changed";
const EXT_DIGEST: &str = "urn:consent-chain:fhir:digest";
const EXT_JUSTIFICATION_HASH: &str = "urn:consent-chain:fhir:justification-hash";
const AUDIT_SUBTYPE: &str = "urn:consent-chain:fhir:audit-subtype";
const AUDIT_DETAIL: &str = "urn:consent-chain:fhir:audit-detail";
const DECISION_REASON: &str = "urn:consent-chain:fhir:decision-reason";
const EMERGENCY_REASON: &str = "urn:consent-chain:fhir:emergency-reason";
const TASK_PARAMETER: &str = "urn:consent-chain:fhir:task-parameter";

// Code systems of HL7, LOINC and DICOM.
const LOINC: &str = "http://loinc.org";
const FHIR_TYPES: &str = "http://hl7.org/fhir/fhir-types";
const RESTFUL_INTERACTION: &str = "http://hl7.org/fhir/restful-interaction";
const TASK_CODE: &str = "http://hl7.org/fhir/CodeSystem/task-code";
const BULK_EXPORT: &str = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export";
const DICOM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const V3_ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const V3_ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const V3_PARTICIPATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
const V3_ROLE_CLASS: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleClass";
const V3_DATA_OPERATION: &str = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";
const V2_0074: &str = "http://terminology.hl7.org/CodeSystem/v2-0074";
const CONSENT_ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const AUDIT_EVENT_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
const AUDIT_EVENT_OUTCOME: &str = "http://terminology.hl7.org/CodeSystem/audit-event-outcome";
const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";
const SECURITY_SOURCE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/security-source-type";
const SECURITY_ROLE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
const PROVENANCE_PARTICIPANT: &str =
	"http://terminology.hl7.org/CodeSystem/provenance-participant-type";

/// The last moment a FHIR `instant` can name: 9999-12-31T23:59:59.999Z.
const MAX_INSTANT_MS: u64 = 253_402_300_799_999;
const DAY_MS: i64 = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Time

fn utc(ms: u64) -> DateTime<Utc> {
	// Within 0..=MAX_INSTANT_MS the conversion cannot fail; the default (the epoch) is never used.
	i64::try_from(ms.min(MAX_INSTANT_MS))
		.ok()
		.and_then(DateTime::from_timestamp_millis)
		.unwrap_or_default()
}

/// ms since epoch -> FHIR instant "2026-11-30T06:15:40.123Z" (UTC, millisecond precision).
///
/// Moments past the year 9999 (which FHIR cannot write) are written as its last millisecond.
pub fn instant(ms: u64) -> String {
	utc(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// ms since epoch -> FHIR `date` "2026-11-30" (the UTC day).
fn date(ms: u64) -> String {
	utc(ms).format("%Y-%m-%d").to_string()
}

/// FHIR dateTime/instant search value parse: accepts "2026-11-30", "2026-11", "2026",
/// "2026-11-30T06:15:40Z", "...+01:00", fractional seconds (and minutes precision,
/// "2026-11-30T06:15Z"; a time without a zone is taken as UTC). The value is given without its
/// search prefix (`ge`, `lt`, ...). Returns (start_ms_inclusive, end_ms_exclusive) of the period
/// the value denotes (a day -> that whole UTC day, a time to the second -> that second), or
/// Err(String message) for malformed input. Moments before 1970 are clamped to 0, so a period
/// wholly before 1970 is empty.
pub fn parse_date_range(s: &str) -> Result<(u64, u64), String> {
	let invalid = || {
		format!(
			"invalid date {s:?}: expected YYYY, YYYY-MM, YYYY-MM-DD or \
			 YYYY-MM-DDThh:mm[:ss[.sss]][Z|(+|-)hh:mm]"
		)
	};
	let (start, end) = match s.split_once('T') {
		None => parse_calendar(s).ok_or_else(invalid)?,
		Some((day, time)) if day.len() == 10 => {
			let (day_start, _) = parse_calendar(day).ok_or_else(invalid)?;
			let (since_midnight, precision, offset) = parse_time(time).ok_or_else(invalid)?;
			let start = day_start + since_midnight - offset;
			(start, start + precision)
		},
		Some(_) => return Err(invalid()),
	};
	let clamp = |ms: i64| u64::try_from(ms).unwrap_or(0);
	Ok((clamp(start), clamp(end)))
}

/// The digits `s[from..to]` as a number, if they are all ASCII digits.
fn digits(s: &str, from: usize, to: usize) -> Option<u32> {
	let part = s.get(from..to)?;
	if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
		return None;
	}
	part.parse().ok()
}

/// Whether `s[at]` is the byte `expected`.
fn separator(s: &str, at: usize, expected: u8) -> bool {
	s.as_bytes().get(at) == Some(&expected)
}

/// UTC midnight of a calendar day, in ms (negative before 1970).
fn midnight(year: i32, month: u32, day: u32) -> Option<i64> {
	Some(
		NaiveDate::from_ymd_opt(year, month, day)?
			.and_hms_opt(0, 0, 0)?
			.and_utc()
			.timestamp_millis(),
	)
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` -> the UTC period it names.
fn parse_calendar(s: &str) -> Option<(i64, i64)> {
	let year = i32::try_from(digits(s, 0, 4)?).ok().filter(|year| *year >= 1)?;
	match s.len() {
		4 => Some((midnight(year, 1, 1)?, midnight(year + 1, 1, 1)?)),
		7 if separator(s, 4, b'-') => {
			let month = digits(s, 5, 7)?;
			let (next_year, next_month) =
				if month == 12 { (year + 1, 1) } else { (year, month + 1) };
			Some((midnight(year, month, 1)?, midnight(next_year, next_month, 1)?))
		},
		10 if separator(s, 4, b'-') && separator(s, 7, b'-') => {
			let start = midnight(year, digits(s, 5, 7)?, digits(s, 8, 10)?)?;
			Some((start, start + DAY_MS))
		},
		_ => None,
	}
}

/// `hh:mm[:ss[.fff]][Z|(+|-)hh:mm]` -> (ms since local midnight, precision in ms, zone offset in
/// ms).
fn parse_time(s: &str) -> Option<(i64, i64, i64)> {
	let hour = digits(s, 0, 2).filter(|hour| *hour <= 23)?;
	let minute = digits(s, 3, 5).filter(|minute| *minute <= 59)?;
	if !separator(s, 2, b':') {
		return None;
	}
	let mut since_midnight = i64::from(hour) * 3_600_000 + i64::from(minute) * 60_000;
	let mut precision = 60_000;
	let mut rest = s.get(5..)?;
	if let Some(after) = rest.strip_prefix(':') {
		// 60: a leap second, which FHIR allows.
		let second = digits(after, 0, 2).filter(|second| *second <= 60)?;
		since_midnight += i64::from(second) * 1000;
		precision = 1000;
		rest = after.get(2..)?;
		if let Some(after) = rest.strip_prefix('.') {
			let len = after.bytes().take_while(u8::is_ascii_digit).count();
			if !(1..=9).contains(&len) {
				return None;
			}
			let millis = after.get(..len.min(3))?;
			let scale = 10_i64.pow(3 - u32::try_from(millis.len()).ok()?);
			since_midnight += i64::from(digits(millis, 0, millis.len())?) * scale;
			precision = scale;
			rest = after.get(len..)?;
		}
	}
	let offset = match rest {
		"" | "Z" => 0,
		_ => {
			let sign = match rest.as_bytes().first() {
				Some(b'+') => 1,
				Some(b'-') => -1,
				_ => return None,
			};
			let hours = digits(rest, 1, 3).filter(|hours| *hours <= 14)?;
			let minutes = digits(rest, 4, 6).filter(|minutes| *minutes <= 59)?;
			if rest.len() != 6 || !separator(rest, 3, b':') {
				return None;
			}
			sign * (i64::from(hours) * 3_600_000 + i64::from(minutes) * 60_000)
		},
	};
	Some((since_midnight, precision, offset))
}

// ---------------------------------------------------------------------------------------------
// Resource ids

/// The Consent id of a consent or a deny rule. Deny-rule ids are chain-wide
/// (`deny-rule-<id>`); consent ids count per patient, so a consent's FHIR id also names the
/// patient, by the first 10 bytes of their account in base32: `consent-<16 digits>-<id>`.
pub fn consent_id(kind: ConsentKind, patient: &str, id: u64) -> String {
	match kind {
		ConsentKind::DenyRule => format!("deny-rule-{id}"),
		ConsentKind::Consent => format!("consent-{}-{id}", account_tag(patient)),
	}
}

/// The value of a consent's or deny rule's chain identifier: `<patient>/<id>` for a consent
/// (ids count per patient), the id for a deny rule.
pub fn consent_identifier_value(kind: ConsentKind, patient: &str, id: u64) -> String {
	match kind {
		ConsentKind::DenyRule => id.to_string(),
		ConsentKind::Consent => format!("{patient}/{id}"),
	}
}

/// The first 10 bytes of an SS58 account in base32 (16 digits), to name it inside an id.
fn account_tag(ss58: &str) -> String {
	use sp_core::crypto::Ss58Codec;
	let raw: [u8; 32] =
		sp_core::crypto::AccountId32::from_ss58check(ss58).map(Into::into).unwrap_or_else(|_| {
			<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(ss58.as_bytes()).0
		});
	base32(&raw[..10])
}

/// The Provenance id of a record version: `<record id in base32>-v<version>`.
///
/// Clients derive it from the record id they know. With a 32-byte record id it has 74 characters
/// or more, past the 64 that R5 allows for an `id`: `fhir.resources` accepts it (up to 255),
/// `validate.py` warns.
pub fn provenance_id(record_id: &str, version: u32) -> String {
	format!("{}-v{version}", record_id_base32(record_id))
}

/// A record id (`0x` + 64 hex digits) as 52 lower-case RFC 4648 base32 digits: a FHIR id has at
/// most 64 characters, so the hex form cannot carry a version.
pub fn record_id_base32(record_id: &str) -> String {
	base32(&hex::decode(record_id.trim_start_matches("0x")).unwrap_or_default())
}

/// Lower-case RFC 4648 base32 without padding (the digits FHIR ids allow).
fn base32(bytes: &[u8]) -> String {
	const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
	let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
	let (mut buffer, mut bits) = (0u32, 0u32);
	for &byte in bytes {
		buffer = (buffer << 8) | u32::from(byte);
		bits += 8;
		while bits >= 5 {
			bits -= 5;
			out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
		}
	}
	if bits > 0 {
		out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
	}
	out
}

/// The Task id of an access request: `request-<id>`.
pub fn task_id(request_id: u64) -> String {
	format!("request-{request_id}")
}

// ---------------------------------------------------------------------------------------------
// Building blocks

/// A JSON object of the fields that are present.
fn object<const N: usize>(fields: [(&str, Option<Value>); N]) -> Value {
	Value::Object(
		fields.into_iter().filter_map(|(key, value)| Some((key.to_owned(), value?))).collect(),
	)
}

/// A JSON array, or nothing if it would be empty (FHIR forbids empty arrays).
fn array(items: Vec<Value>) -> Option<Value> {
	if items.is_empty() {
		None
	} else {
		Some(Value::Array(items))
	}
}

/// A FHIR string, or nothing if it would be empty (FHIR forbids empty strings).
fn text(s: &str) -> Option<Value> {
	if s.is_empty() {
		None
	} else {
		Some(Value::from(s))
	}
}

fn coding(system: &str, code: &str, display: Option<&str>) -> Value {
	object([
		("system", Some(Value::from(system))),
		("code", Some(Value::from(code))),
		("display", display.and_then(text)),
	])
}

fn concept(system: &str, code: &str, display: &str) -> Value {
	json!({ "coding": [coding(system, code, Some(display))] })
}

fn meta(last_updated: u64, security: Vec<Value>) -> Value {
	object([
		("lastUpdated", Some(Value::from(instant(last_updated)))),
		("security", array(security)),
	])
}

/// The identifier system of a kind of chain object: `urn:consent-chain:<genesis>:<kind>`.
fn chain_system(ctx: &Context, kind: &str) -> String {
	format!("urn:consent-chain:{}:{kind}", ctx.genesis)
}

fn chain_identifier(ctx: &Context, kind: &str, value: &str) -> Value {
	json!({ "system": chain_system(ctx, kind), "value": value })
}

/// A logical reference to an account: `Patient`, `Practitioner` or `RelatedPerson`.
fn account_ref(resource_type: &str, account: &str) -> Value {
	json!({
		"type": resource_type,
		"identifier": { "system": ACCOUNT_SYSTEM, "value": account },
	})
}

fn organization_ref(ctx: &Context, organization: u32, name: Option<&str>) -> Value {
	object([
		("type", Some(Value::from("Organization"))),
		("identifier", Some(chain_identifier(ctx, "organization", &organization.to_string()))),
		("display", name.and_then(text)),
	])
}

/// Every practitioner holding `role` at an organization, as a PractitionerRole.
fn role_ref(ctx: &Context, organization: u32, name: Option<&str>, role: &str) -> Value {
	let at = match name.filter(|name| !name.is_empty()) {
		Some(name) => name.to_owned(),
		None => format!("organization {organization}"),
	};
	json!({
		"type": "PractitionerRole",
		"identifier": chain_identifier(ctx, "role", &format!("{organization}/{role}")),
		"display": format!("{role} at {at}"),
	})
}

/// A Consent of this server, by id and by its chain identifier.
fn consent_ref(ctx: &Context, kind: ConsentKind, patient: &str, id: u64) -> Value {
	json!({
		"reference": format!("Consent/{}", consent_id(kind, patient, id)),
		"type": "Consent",
		"identifier": chain_identifier(ctx, kind.as_str(), &consent_identifier_value(kind, patient, id)),
	})
}

/// The chain (and the node serving it) as a Device identified by the genesis hash.
fn chain_device(ctx: &Context) -> Value {
	json!({
		"type": "Device",
		"identifier": { "system": CHAIN_SYSTEM, "value": ctx.genesis },
		"display": "Consent Chain",
	})
}

fn record_ref(ctx: &Context, record_id: &str, version: Option<u32>) -> Value {
	let display = match version {
		Some(version) => format!("record {record_id} version {version}"),
		None => format!("record {record_id}"),
	};
	json!({ "identifier": chain_identifier(ctx, "record", record_id), "display": display })
}

/// `valueUnsignedInt` where it fits (2^31 - 1), `valueInteger64` (a JSON string) otherwise.
fn unsigned_extension(url: &str, n: u32) -> Value {
	match i32::try_from(n) {
		Ok(n) => json!({ "url": url, "valueUnsignedInt": n }),
		Err(_) => json!({ "url": url, "valueInteger64": n.to_string() }),
	}
}

/// Where the resource comes from on chain: block number and hash, extrinsic and event index.
fn block_extension(evidence: &Evidence) -> Value {
	let mut parts = vec![
		// integer64 is written as a JSON string in R5.
		json!({ "url": "number", "valueInteger64": evidence.block.to_string() }),
		json!({ "url": "hash", "valueString": evidence.block_hash }),
	];
	if let Some(extrinsic) = evidence.extrinsic {
		parts.push(unsigned_extension("extrinsic", extrinsic));
	}
	parts.push(unsigned_extension("event", evidence.event_index));
	json!({ "url": EXT_BLOCK, "extension": parts })
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/// The `v3-ActCode` security label of a sensitive category.
fn security_label(category: &str) -> Option<Value> {
	let (code, display) = match category {
		"MentalHealth" => ("PSY", "psychiatry disorder information sensitivity"),
		"SubstanceUse" => ("ETH", "substance abuse information sensitivity"),
		"SexualHealth" => ("STD", "sexually transmitted disease information sensitivity"),
		"Reproductive" => ("SEX", "sexuality and reproductive health information sensitivity"),
		"Genomics" => ("GDIS", "genetic disease information sensitivity"),
		_ => return None,
	};
	Some(coding(V3_ACT_CODE, code, Some(display)))
}

fn security_labels<'a>(categories: impl IntoIterator<Item = &'a str>) -> Vec<Value> {
	categories.into_iter().filter_map(security_label).collect()
}

/// 42 CFR Part 2, the regulation that protects substance use disorder records.
fn part_2() -> Value {
	json!({
		"coding": [coding(V3_ACT_CODE, "42CFRPart2", Some("42 CFR Part2"))],
		"text": "42 CFR Part 2",
	})
}

/// The resource types (and, for observations, the category code) of a non-sensitive category.
fn category_resource_types(category: &str) -> Option<(&'static [&'static str], Option<Value>)> {
	let (types, code): (&'static [&'static str], Option<Value>) = match category {
		"Demographics" => (&["Patient"], None),
		"Allergies" => (&["AllergyIntolerance"], None),
		"Medications" => (&["MedicationRequest", "MedicationStatement"], None),
		"Conditions" => (&["Condition"], None),
		"Procedures" => (&["Procedure"], None),
		"Immunizations" => (&["Immunization"], None),
		"LabResults" => (
			&["Observation", "DiagnosticReport"],
			Some(json!({ "coding": [
				coding(OBSERVATION_CATEGORY, "laboratory", Some("Laboratory")),
				coding(V2_0074, "LAB", Some("Laboratory")),
			] })),
		),
		"Imaging" => (&["ImagingStudy"], None),
		"VitalSigns" => {
			(&["Observation"], Some(concept(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")))
		},
		"ClinicalNotes" => (&["DocumentReference"], None),
		"Billing" => (&["Claim", "Coverage", "ExplanationOfBenefit"], None),
		_ => return None,
	};
	Some((types, code))
}

fn purpose_coding(purpose: &str) -> Value {
	let display = match purpose {
		"TREAT" => Some("treatment"),
		"ETREAT" => Some("Emergency Treatment"),
		"BTG" => Some("break the glass"),
		"HPAYMT" => Some("healthcare payment"),
		"HOPERAT" => Some("healthcare operations"),
		"HRESCH" => Some("healthcare research"),
		"PUBHLTH" => Some("public health"),
		"PATRQT" => Some("patient requested"),
		_ => None,
	};
	coding(V3_ACT_REASON, purpose, display)
}

fn purpose_concept(purpose: &str) -> Value {
	json!({ "coding": [purpose_coding(purpose)] })
}

/// `consentaction` codes: Read is `access`, Write is `collect` and `correct`.
fn action_concepts(action: &str) -> Vec<Value> {
	match action {
		"Read" => vec![concept(CONSENT_ACTION, "access", "Access")],
		"Write" => vec![
			concept(CONSENT_ACTION, "collect", "Collect"),
			concept(CONSENT_ACTION, "correct", "Access and Correct"),
		],
		other => vec![json!({ "text": other })],
	}
}

/// Why access was permitted or denied, or what a reviewer decided, in words.
fn reason_text(reason: &str) -> &str {
	match reason {
		"Owner" => "the accessor is the patient",
		"Delegate" => "the accessor acts for the patient",
		"Consent" => "a consent permits the access",
		"Emergency" => "an emergency session permits the access",
		"DeniedByRule" => "a deny rule of the patient refuses the access",
		"NoConsent" => "no consent or emergency session covers the access",
		"CredentialInvalid" => "the accessor's credential is missing, suspended or expired",
		"Expired" => "the consent has expired",
		"RecordOutOfScope" => "the record is outside the consent's scope",
		"NotYetValid" => "the consent is not valid yet",
		"Justified" => "the emergency access was justified",
		"Unjustified" => "the emergency access was not justified",
		"bond-slashed" => "bond slashed after an unjustified verdict",
		"review-overdue" => "review overdue",
		other => other,
	}
}

/// `{ "type": <kind in system>, "value<value_type>": value }`: an AuditEvent entity detail, a Task
/// input or output.
fn typed_value(system: &str, kind: &str, value_type: &str, value: Value) -> Value {
	let mut typed = Map::new();
	typed.insert(
		"type".to_owned(),
		json!({ "coding": [{ "system": system, "code": kind }], "text": kind }),
	);
	typed.insert(format!("value{value_type}"), value);
	Value::Object(typed)
}

fn reason_concept(code: &str, text: &str) -> Value {
	json!({ "coding": [coding(DECISION_REASON, code, Some(text))], "text": text })
}

// ---------------------------------------------------------------------------------------------
// Consent

/// A consent (`decision` permit, id `consent-<id>`) or a deny rule (`decision` deny, id
/// `deny-rule-<id>`).
///
/// `inactive` once revoked, reaped or removed, or past its end at `ctx.now`; the moment and the
/// way it stopped applying are in the extension `urn:consent-chain:fhir:status-changed` (`at`,
/// `how`: revoked, reaped, removed or expired). One `provision` per category, because the
/// criteria of one provision all apply together (a PSY label and an Observation type in one
/// provision would mean "psychiatric observations").
pub fn consent(ctx: &Context, row: &ConsentRow) -> Value {
	let recorded = row.evidence.recorded_at;
	let expired = row.end.filter(|end| *end <= ctx.now);
	let active = row.ended_at.is_none() && expired.is_none();
	let last_updated = row.ended_at.map_or(recorded, |ended| ended.max(recorded));
	let mut extension = vec![block_extension(&row.evidence)];
	extension.extend(status_change(row, expired));
	let patient = account_ref("Patient", &row.patient);
	let grantor = if row.signer == row.patient {
		patient.clone()
	} else {
		account_ref("RelatedPerson", &row.signer)
	};
	let substance_use = row.categories.iter().any(|category| category == "SubstanceUse");
	object([
		("resourceType", Some(Value::from("Consent"))),
		("id", Some(Value::from(consent_id(row.kind, &row.patient, row.id)))),
		("meta", Some(meta(last_updated, Vec::new()))),
		("extension", Some(Value::Array(extension))),
		(
			"identifier",
			Some(json!([chain_identifier(
				ctx,
				row.kind.as_str(),
				&consent_identifier_value(row.kind, &row.patient, row.id)
			)])),
		),
		("status", Some(Value::from(if active { "active" } else { "inactive" }))),
		("category", Some(json!([concept(LOINC, "59284-0", "Patient Consent")]))),
		("subject", Some(patient)),
		("date", Some(Value::from(date(recorded)))),
		("period", period(row.start, row.end)),
		("grantor", Some(json!([grantor]))),
		("sourceReference", row.request_id.map(|request| json!([task_ref(ctx, request)]))),
		("regulatoryBasis", substance_use.then(|| json!([part_2()]))),
		(
			"decision",
			Some(Value::from(match row.kind {
				ConsentKind::Consent => "permit",
				ConsentKind::DenyRule => "deny",
			})),
		),
		("provision", array(provisions(ctx, row))),
	])
}

fn task_ref(ctx: &Context, request_id: u64) -> Value {
	json!({
		"reference": format!("Task/{}", task_id(request_id)),
		"type": "Task",
		"identifier": chain_identifier(ctx, "request", &request_id.to_string()),
	})
}

fn period(start: Option<u64>, end: Option<u64>) -> Option<Value> {
	if start.is_none() && end.is_none() {
		return None;
	}
	Some(object([
		("start", start.map(|start| Value::from(instant(start)))),
		("end", end.map(|end| Value::from(instant(end)))),
	]))
}

/// When and how a consent or deny rule stopped applying, if it did.
fn status_change(row: &ConsentRow, expired: Option<u64>) -> Option<Value> {
	let (at, how) = match (row.ended_at, expired) {
		(Some(at), _) => (
			at,
			row.ended_how.map(|how| match how {
				EndedHow::Revoked => "revoked",
				EndedHow::Reaped => "reaped",
				EndedHow::Removed => "removed",
			}),
		),
		(None, Some(end)) => (end, Some("expired")),
		(None, None) => return None,
	};
	let mut parts = vec![json!({ "url": "at", "valueInstant": instant(at) })];
	if let Some(how) = how {
		parts.push(json!({ "url": "how", "valueCode": how }));
	}
	Some(json!({ "url": EXT_STATUS_CHANGED, "extension": parts }))
}

fn grantee_ref(ctx: &Context, grantee: &GranteeRow) -> Value {
	match grantee {
		GranteeRow::Practitioner { account } => account_ref("Practitioner", account),
		GranteeRow::Organization { organization, name } => {
			organization_ref(ctx, *organization, name.as_deref())
		},
		GranteeRow::Role { organization, name, role } => {
			role_ref(ctx, *organization, name.as_deref(), role)
		},
	}
}

/// One provision per category: the common criteria (period, grantee, actions, purposes, named
/// records) and the category's own (security label or resource types).
fn provisions(ctx: &Context, row: &ConsentRow) -> Vec<Value> {
	let mut common = Map::new();
	let mut put = |key: &str, value: Option<Value>| {
		if let Some(value) = value {
			common.insert(key.to_owned(), value);
		}
	};
	put("period", period(row.start, row.end));
	put(
		"actor",
		row.grantee.as_ref().map(|grantee| {
			json!([{
				"role": concept(V3_PARTICIPATION_TYPE, "IRCP", "information recipient"),
				"reference": grantee_ref(ctx, grantee),
			}])
		}),
	);
	put("action", array(row.actions.iter().flat_map(|action| action_concepts(action)).collect()));
	put("purpose", array(row.purposes.iter().map(|purpose| purpose_coding(purpose)).collect()));
	put(
		"data",
		array(
			row.records
				.iter()
				.map(
					|record| json!({ "meaning": "instance", "reference": record_ref(ctx, record, None) }),
				)
				.collect(),
		),
	);
	if row.categories.is_empty() {
		return if common.is_empty() { Vec::new() } else { vec![Value::Object(common)] };
	}
	row.categories
		.iter()
		.map(|category| {
			let mut provision = common.clone();
			if let Some(label) = security_label(category) {
				provision.insert("securityLabel".to_owned(), json!([label]));
			} else if let Some((types, code)) = category_resource_types(category) {
				let types = types.iter().map(|&t| coding(FHIR_TYPES, t, Some(t))).collect();
				provision.insert("resourceType".to_owned(), Value::Array(types));
				if let Some(code) = code {
					provision.insert("code".to_owned(), json!([code]));
				}
			} else {
				// A category this service does not know yet: named, never widened to everything.
				provision.insert("code".to_owned(), json!([{ "text": category }]));
			}
			Value::Object(provision)
		})
		.collect()
}

// ---------------------------------------------------------------------------------------------
// AuditEvent

/// A logged read (BALP read: category `rest`, code `read`, action `R`) or an emergency-session
/// event (DICOM `110113` Security Alert, category and code from `urn:consent-chain:fhir:
/// audit-subtype`: `break-glass`, then `session-opened`, `session-ended`, ...); id = `row.id`.
///
/// Outcome `0` success, `4` minor failure (a denied read, an unjustified verdict, an overdue
/// review), `8` serious failure (a slashed bond), as [`AuditRow::outcome_code`], with the reason
/// in `outcome.detail`.
pub fn audit_event(ctx: &Context, row: &AuditRow) -> Value {
	let purpose = row
		.purpose
		.as_deref()
		.or_else(|| row.session.as_ref().map(|session| session.purpose.as_str()))
		.filter(|purpose| !purpose.is_empty());
	object([
		("resourceType", Some(Value::from("AuditEvent"))),
		("id", Some(Value::from(row.id.as_str()))),
		("meta", Some(meta(row.evidence.recorded_at, Vec::new()))),
		("extension", Some(json!([block_extension(&row.evidence)]))),
		("category", Some(Value::Array(event_category(row)))),
		("code", Some(event_code(row.kind))),
		("action", Some(Value::from(event_action(row.kind)))),
		("recorded", Some(Value::from(instant(row.evidence.recorded_at)))),
		("outcome", Some(outcome(row))),
		("authorization", purpose.map(|purpose| json!([purpose_concept(purpose)]))),
		("patient", Some(account_ref("Patient", &row.patient))),
		("agent", Some(Value::Array(agents(ctx, row)))),
		(
			"source",
			Some(json!({
				"observer": chain_device(ctx),
				"type": [concept(SECURITY_SOURCE_TYPE, "4", "Application Server")],
			})),
		),
		("entity", array(entities(ctx, row))),
	])
}

fn break_glass() -> Value {
	concept(AUDIT_SUBTYPE, "break-glass", "Break-glass emergency access")
}

fn event_category(row: &AuditRow) -> Vec<Value> {
	match row.kind {
		AuditKind::Read if row.session.is_some() || row.reason == "Emergency" => {
			vec![concept(AUDIT_EVENT_TYPE, "rest", "Restful Operation"), break_glass()]
		},
		AuditKind::Read => vec![concept(AUDIT_EVENT_TYPE, "rest", "Restful Operation")],
		_ => vec![concept(DICOM, "110113", "Security Alert"), break_glass()],
	}
}

fn event_code(kind: AuditKind) -> Value {
	let display = match kind {
		AuditKind::Read => return concept(RESTFUL_INTERACTION, "read", "read"),
		AuditKind::SessionOpened => "Emergency session opened",
		AuditKind::SessionEnded => "Emergency session ended",
		AuditKind::SessionReviewed => "Emergency session reviewed",
		AuditKind::SessionContested => "Emergency session contested by the patient",
		AuditKind::BondSlashed => "Practitioner's bond slashed",
		AuditKind::ReviewOverdue => "Emergency session review overdue",
	};
	concept(AUDIT_SUBTYPE, kind.as_str(), display)
}

/// Read `R`; opening a session, slashing a bond and noticing an overdue review execute (`E`);
/// ending, reviewing and contesting a session update it (`U`).
fn event_action(kind: AuditKind) -> &'static str {
	match kind {
		AuditKind::Read => "R",
		AuditKind::SessionOpened | AuditKind::BondSlashed | AuditKind::ReviewOverdue => "E",
		AuditKind::SessionEnded | AuditKind::SessionReviewed | AuditKind::SessionContested => "U",
	}
}

/// The outcome code is [`AuditRow::outcome_code`], the one the `outcome` search parameter matches;
/// the reason (permit or deny reason, verdict, slashed bond, overdue review) is its detail.
fn outcome(row: &AuditRow) -> Value {
	let code = row.outcome_code();
	let display = match code {
		"0" => "Success",
		"4" => "Minor failure",
		"8" => "Serious failure",
		_ => "Major failure",
	};
	let reason = match (row.kind, row.reason.as_str()) {
		(AuditKind::BondSlashed, _) => "bond-slashed",
		(AuditKind::ReviewOverdue, _) => "review-overdue",
		(AuditKind::SessionReviewed, "") if row.success => "Justified",
		(AuditKind::SessionReviewed, "") => "Unjustified",
		(_, reason) => reason,
	};
	let detail = if reason.is_empty() {
		None
	} else {
		Some(json!([reason_concept(reason, reason_text(reason))]))
	};
	object([("code", Some(coding(AUDIT_EVENT_OUTCOME, code, Some(display)))), ("detail", detail)])
}

/// The FHIR type of the human agent: the patient, a delegate acting for them, or a practitioner.
fn person_type(row: &AuditRow, account: &str) -> &'static str {
	if account == row.patient {
		"Patient"
	} else if row.kind == AuditKind::SessionContested
		|| (row.kind == AuditKind::Read && row.reason == "Delegate")
	{
		"RelatedPerson"
	} else {
		"Practitioner"
	}
}

/// The human agent (or, without one, the council or the chain itself) and their organization.
fn agents(ctx: &Context, row: &AuditRow) -> Vec<Value> {
	// The practitioner whose bond is slashed or whose review is overdue did not ask for it.
	let requestor = !matches!(row.kind, AuditKind::BondSlashed | AuditKind::ReviewOverdue);
	let first = match &row.agent {
		Some(account) => json!({
			"type": concept(SECURITY_ROLE_TYPE, "humanuser", "Human User"),
			"who": account_ref(person_type(row, account), account),
			"requestor": requestor,
		}),
		None if row.kind == AuditKind::SessionReviewed => json!({
			"who": { "type": "Organization", "display": "Consortium council" },
			"requestor": true,
		}),
		// Nobody acted: the chain did (a session ending at its end, an overdue review).
		None => json!({
			"type": concept(DICOM, "110150", "Application"),
			"who": chain_device(ctx),
			"requestor": false,
		}),
	};
	let mut agents = vec![first];
	if let Some(organization) = row.organization {
		agents.push(json!({
			"type": concept(V3_ROLE_CLASS, "PROV", "healthcare provider"),
			"who": organization_ref(ctx, organization, row.organization_name.as_deref()),
			"requestor": false,
		}));
	}
	agents
}

fn detail(kind: &str, value_type: &str, value: Value) -> Value {
	typed_value(AUDIT_DETAIL, kind, value_type, value)
}

/// The record read, the consent or deny rule that decided, the emergency session involved.
fn entities(ctx: &Context, row: &AuditRow) -> Vec<Value> {
	let mut entities = Vec::new();
	if let Some(record) = &row.record_id {
		let category = row.category.as_deref().filter(|category| !category.is_empty());
		entities.push(object([
			("what", Some(record_ref(ctx, record, None))),
			("role", Some(concept(OBJECT_ROLE, "4", "Domain Resource"))),
			(
				"securityLabel",
				category.and_then(security_label).map(|label| json!([{ "coding": [label] }])),
			),
			(
				"detail",
				category
					.map(|category| json!([detail("category", "String", Value::from(category))])),
			),
		]));
	}
	let decided_by = [(ConsentKind::Consent, row.consent_id), (ConsentKind::DenyRule, row.rule_id)];
	for (kind, id) in decided_by {
		if let Some(id) = id {
			// BALP AuthZconsent: the Consent the decision was based on.
			entities.push(json!({
				"what": consent_ref(ctx, kind, &row.patient, id),
				"role": concept(OBJECT_ROLE, "13", "Security Resource"),
			}));
		}
	}
	if let Some(session) = &row.session {
		entities.push(session_entity(ctx, row, session));
	}
	entities
}

fn session_entity(ctx: &Context, row: &AuditRow, session: &SessionInfo) -> Value {
	let mut details = Vec::new();
	if !session.reason.is_empty() {
		let reason = json!({ "coding": [coding(EMERGENCY_REASON, &session.reason, None)] });
		details.push(detail("reason", "CodeableConcept", reason));
	}
	if let Some(hash) = text(&session.justification_hash) {
		details.push(detail("justification-hash", "String", hash));
	}
	details.extend(
		session
			.categories
			.iter()
			.filter_map(|category| text(category))
			.map(|category| detail("category", "String", category)),
	);
	if let Some(practitioner) = text(&session.practitioner) {
		details.push(detail("practitioner", "String", practitioner));
	}
	if session.end > 0 {
		details.push(detail("session-end", "DateTime", Value::from(instant(session.end))));
	}
	if let Some(hash) = row.notes_hash.as_deref().and_then(text) {
		details.push(detail("notes-hash", "String", hash));
	}
	if let Some(reviewer) = row.reviewer_kind.as_deref().and_then(text) {
		details.push(detail("reviewer", "String", reviewer));
	}
	if let Some(due) = row.due {
		details.push(detail("review-due", "DateTime", Value::from(instant(due))));
	}
	let labels = security_labels(session.categories.iter().map(String::as_str))
		.into_iter()
		.map(|label| json!({ "coding": [label] }))
		.collect();
	object([
		(
			"what",
			Some(json!({
				"identifier": chain_identifier(ctx, "session", &session.session_id.to_string()),
				"display": format!("emergency session {}", session.session_id),
			})),
		),
		("securityLabel", array(labels)),
		("detail", array(details)),
	])
}

// ---------------------------------------------------------------------------------------------
// Provenance

/// A record version anchored (`CREATE`), amended (`UPDATE`) or erased (`NULLIFY`); id
/// [`provenance_id`].
///
/// The author acts on behalf of their organization; an erasure's agent is the patient (or the
/// delegate who signed it) as `performer`. A version after the first points to the one before
/// (`revision`, or `removal` for an erasure). The digest and its algorithm are in the extension
/// `urn:consent-chain:fhir:digest`; a sensitive category is a security label in `meta.security`.
pub fn provenance(ctx: &Context, row: &ProvenanceRow) -> Value {
	let (activity, activity_display) = match row.activity {
		Activity::Create => ("CREATE", "create"),
		Activity::Update => ("UPDATE", "revise"),
		Activity::Nullify => ("NULLIFY", "nullify"),
	};
	let mut extension = vec![block_extension(&row.evidence)];
	if let Some(digest) = row.digest.as_deref().and_then(text) {
		let mut parts = Vec::new();
		if let Some(algorithm) = row.digest_algorithm.as_deref().and_then(text) {
			parts.push(json!({ "url": "algorithm", "valueCode": algorithm }));
		}
		parts.push(json!({ "url": "value", "valueString": digest }));
		extension.push(json!({ "url": EXT_DIGEST, "extension": parts }));
	}
	let previous = match row.activity {
		Activity::Create => None,
		Activity::Update => row.version.checked_sub(1).map(|version| ("revision", version)),
		Activity::Nullify => row.version.checked_sub(1).map(|version| ("removal", version)),
	};
	let entity = previous.map(|(role, version)| {
		json!([{ "role": role, "what": record_ref(ctx, &row.record_id, Some(version)) }])
	});
	object([
		("resourceType", Some(Value::from("Provenance"))),
		("id", Some(Value::from(provenance_id(&row.record_id, row.version)))),
		("meta", Some(meta(row.evidence.recorded_at, security_labels(row.category.as_deref())))),
		("extension", Some(Value::Array(extension))),
		("target", Some(json!([record_ref(ctx, &row.record_id, Some(row.version))]))),
		("recorded", Some(Value::from(instant(row.evidence.recorded_at)))),
		("activity", Some(concept(V3_DATA_OPERATION, activity, activity_display))),
		("patient", Some(account_ref("Patient", &row.patient))),
		("agent", Some(json!([provenance_agent(ctx, row)]))),
		("entity", entity),
	])
}

fn provenance_agent(ctx: &Context, row: &ProvenanceRow) -> Value {
	if row.erased && row.activity != Activity::Nullify {
		// The author went with the record's metadata when the patient erased it.
		return json!({
			"type": concept(PROVENANCE_PARTICIPANT, "author", "Author"),
			"who": { "display": "removed when the record was erased" },
		});
	}
	let account = row.author.as_deref().unwrap_or(&row.patient);
	// Practitioners always have an organization; an author with none who is not the patient is a
	// delegate acting for them.
	let who_type = if account == row.patient {
		"Patient"
	} else if row.organization.is_some() {
		"Practitioner"
	} else {
		"RelatedPerson"
	};
	let participant = match row.activity {
		Activity::Nullify => concept(PROVENANCE_PARTICIPANT, "performer", "Performer"),
		Activity::Create | Activity::Update => concept(PROVENANCE_PARTICIPANT, "author", "Author"),
	};
	object([
		("type", Some(participant)),
		("who", Some(account_ref(who_type, account))),
		(
			"onBehalfOf",
			row.organization.map(|organization| {
				organization_ref(ctx, organization, row.organization_name.as_deref())
			}),
		),
	])
}

// ---------------------------------------------------------------------------------------------
// Task

/// An access request (`intent` proposal; id `request-<id>`): `for` and `owner` are the patient
/// who decides, `requester` the practitioner; the requested scope is in `input` (category,
/// action, purpose, organization), the purposes also in `reason`, the justification hash in the
/// extension `urn:consent-chain:fhir:justification-hash`, the consent an approval created in
/// `output`, and the moment the request lapses in `restriction.period.end`.
pub fn task(ctx: &Context, row: &TaskRow) -> Value {
	let recorded = row.evidence.recorded_at;
	let modified = row.status_changed_at.map_or(recorded, |changed| changed.max(recorded));
	let mut extension = vec![block_extension(&row.evidence)];
	if let Some(hash) = text(&row.justification_hash) {
		extension.push(json!({ "url": EXT_JUSTIFICATION_HASH, "valueString": hash }));
	}
	let patient = account_ref("Patient", &row.patient);
	let mut input: Vec<Value> = row
		.categories
		.iter()
		.map(|category| task_parameter("category", "Code", Value::from(category.as_str())))
		.chain(
			row.actions
				.iter()
				.map(|action| task_parameter("action", "Code", Value::from(action.as_str()))),
		)
		.chain(
			row.purposes
				.iter()
				.map(|purpose| task_parameter("purpose", "Coding", purpose_coding(purpose))),
		)
		.collect();
	if let Some(organization) = row.requester_organization {
		let organization =
			organization_ref(ctx, organization, row.requester_organization_name.as_deref());
		input.push(task_parameter("organization", "Reference", organization));
	}
	let reason =
		row.purposes.iter().map(|purpose| json!({ "concept": purpose_concept(purpose) })).collect();
	let output = row.consent_id.map(|id| {
		json!([task_parameter(
			"consent",
			"Reference",
			consent_ref(ctx, ConsentKind::Consent, &row.patient, id)
		)])
	});
	object([
		("resourceType", Some(Value::from("Task"))),
		("id", Some(Value::from(task_id(row.request_id)))),
		("meta", Some(meta(modified, Vec::new()))),
		("extension", Some(Value::Array(extension))),
		(
			"identifier",
			Some(json!([chain_identifier(ctx, "request", &row.request_id.to_string())])),
		),
		("status", Some(Value::from(row.status.as_str()))),
		("intent", Some(Value::from("proposal"))),
		(
			"code",
			Some(json!({
				"coding": [coding(TASK_CODE, "approve", Some("Activate/approve the focal resource"))],
				"text": "access request",
			})),
		),
		("for", Some(patient.clone())),
		("authoredOn", Some(Value::from(instant(recorded)))),
		("lastModified", Some(Value::from(instant(modified)))),
		("requester", Some(account_ref("Practitioner", &row.requester))),
		("owner", Some(patient)),
		("reason", array(reason)),
		(
			"restriction",
			(row.expires_at > 0).then(|| json!({ "period": { "end": instant(row.expires_at) } })),
		),
		("input", array(input)),
		("output", output),
	])
}

/// A Task `input` or `output`: its kind (`urn:consent-chain:fhir:task-parameter`) and value.
fn task_parameter(kind: &str, value_type: &str, value: Value) -> Value {
	typed_value(TASK_PARAMETER, kind, value_type, value)
}

// ---------------------------------------------------------------------------------------------
// The endpoint

/// A search parameter of the endpoint: name, type, documentation.
type SearchParam = (&'static str, &'static str, &'static str);

/// What every resource type can be searched by besides its own parameters.
const COMMON_SEARCH: [SearchParam; 5] = [
	(
		"patient",
		"reference",
		"The patient: urn:consent-chain:account|<SS58>, Patient/<SS58> or <SS58>",
	),
	(
		"organization",
		"token",
		"The organization involved (grantee, agent, author or requester): its id",
	),
	("date", "date", "When it was recorded on chain (block time), with eq, ge, gt, le or lt"),
	("_count", "number", "Page size; the Bundle links to the next page"),
	("_sort", "special", "date (oldest first, the default) or -date"),
];

/// The four resource types served, each with its own search parameters.
const RESOURCES: [(&str, &[SearchParam]); 4] = [
	(
		"Consent",
		&[
			("actor", "reference", "The grantee: the practitioner's account (SS58)"),
			("status", "token", "active or inactive"),
		],
	),
	(
		"AuditEvent",
		&[
			("agent", "reference", "Who acted: the account (SS58)"),
			("outcome", "token", "0 success, 4 minor failure, 8 serious failure"),
		],
	),
	(
		"Provenance",
		&[
			("agent", "reference", "The author: the account (SS58)"),
			("target", "reference", "The record: its id (0x hex)"),
		],
	),
	(
		"Task",
		&[
			("requester", "reference", "The practitioner who asked: the account (SS58)"),
			("status", "token", "requested, accepted, rejected, cancelled or failed"),
		],
	),
];

/// What `GET /fhir/metadata` answers: the four resource types, read and search, and `$export`.
pub fn capability_statement(ctx: &Context) -> Value {
	let resources: Vec<Value> = RESOURCES
		.iter()
		.map(|(resource_type, own)| {
			let (patient, common) = COMMON_SEARCH.split_at(1);
			let search_params: Vec<Value> = patient
				.iter()
				.chain(own.iter())
				.chain(common)
				.map(|(name, kind, documentation)| {
					json!({ "name": name, "type": kind, "documentation": documentation })
				})
				.collect();
			json!({
				"type": resource_type,
				"interaction": [{ "code": "read" }, { "code": "search-type" }],
				"versioning": "no-version",
				"readHistory": false,
				"searchParam": search_params,
			})
		})
		.collect();
	let security = json!({
		"cors": false,
		"service": [{
			"text": "Bearer token from POST /auth/token after signing a challenge (POST \
				/auth/challenge) with the account's sr25519 key",
		}],
		"description": "Every request needs `Authorization: Bearer <token>`. A patient sees their \
			own trail (and a guardian that of the patients they act for); what others see is \
			what the chain lets them see.",
	});
	json!({
		"resourceType": "CapabilityStatement",
		"id": "consent-audit",
		"name": "ConsentAudit",
		"title": "Consent Chain audit trail",
		"status": "active",
		"date": instant(ctx.now),
		"publisher": "Consent Chain",
		"description": "The consent chain's finalized consents, access log, emergency sessions, \
			record anchors and access requests, as HL7 FHIR R5.",
		"kind": "instance",
		"software": { "name": "consent-audit", "version": env!("CARGO_PKG_VERSION") },
		"implementation": {
			"description": format!("Consent Chain audit trail of chain {}", ctx.genesis),
			"url": ctx.base_url.trim_end_matches('/'),
		},
		"fhirVersion": "5.0.0",
		"format": ["json", FHIR_JSON],
		"rest": [{
			"mode": "server",
			"documentation": "Read-only: every resource is derived from finalized blocks.",
			"security": security,
			"resource": resources,
			"operation": [{ "name": "export", "definition": BULK_EXPORT }],
		}],
	})
}

/// An OperationOutcome with one issue: severity (error|fatal|warning|information), code
/// (invalid, security, login, forbidden, not-found, exception, not-supported, processing), and
/// diagnostics.
pub fn operation_outcome(severity: &str, code: &str, diagnostics: &str) -> Value {
	json!({
		"resourceType": "OperationOutcome",
		"issue": [object([
			("severity", Some(Value::from(severity))),
			("code", Some(Value::from(code))),
			("diagnostics", text(diagnostics)),
		])],
	})
}

/// A searchset Bundle: entries = (resource) each with fullUrl "<base>/<resourceType>/<id>" and
/// search.mode "match"; link self (and next if given). No `total`.
pub fn searchset(
	ctx: &Context,
	self_url: &str,
	next_url: Option<&str>,
	resources: Vec<Value>,
) -> Value {
	let base_url = ctx.base_url.trim_end_matches('/');
	let mut link = vec![json!({ "relation": "self", "url": self_url })];
	if let Some(next_url) = next_url {
		link.push(json!({ "relation": "next", "url": next_url }));
	}
	let entry = resources
		.into_iter()
		.map(|resource| {
			let full_url = match (
				resource.get("resourceType").and_then(Value::as_str),
				resource.get("id").and_then(Value::as_str),
			) {
				(Some(resource_type), Some(id)) => {
					Some(Value::from(format!("{base_url}/{resource_type}/{id}")))
				},
				_ => None,
			};
			object([
				("fullUrl", full_url),
				("resource", Some(resource)),
				("search", Some(json!({ "mode": "match" }))),
			])
		})
		.collect();
	object([
		("resourceType", Some(Value::from("Bundle"))),
		("type", Some(Value::from("searchset"))),
		("timestamp", Some(Value::from(instant(ctx.now)))),
		("link", Some(Value::Array(link))),
		("entry", array(entry)),
	])
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::model::{AuditRow, ProvenanceRow, SessionInfo, TaskStatus};

	const GENESIS: &str = "0x4a5f3c1e9b2d7f0a6c8e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a";
	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
	const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
	const DAVE: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";
	const EVE: &str = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw";
	const RECORD: &str = "0x9c2e4f6a8b0d1c3e5f7a9b1d3f5e7c9a0b2d4f6e8a1c3b5d7f9e0a2c4b6d8f0e";
	const HASH: &str = "0x0d1c2b3a49586776a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2";
	/// 2026-11-30T06:15:40.123Z.
	const NOW: u64 = 1_796_019_340_123;
	/// 2026-11-01T09:00:00Z.
	const NOV_1: u64 = 1_793_523_600_000;
	const HOUR: u64 = 3_600_000;
	const DAY: u64 = 24 * HOUR;

	fn ctx() -> Context {
		Context {
			genesis: GENESIS.into(),
			base_url: "http://127.0.0.1:8090/fhir/".into(),
			now: NOW,
		}
	}

	fn evidence(block: u64, event_index: u32, recorded_at: u64) -> Evidence {
		Evidence {
			block,
			block_hash: format!("0x{block:064x}"),
			extrinsic: Some(2),
			event_index,
			recorded_at,
		}
	}

	fn system(kind: &str) -> String {
		format!("urn:consent-chain:{GENESIS}:{kind}")
	}

	fn strings(items: &[&str]) -> Vec<String> {
		items.iter().map(|item| (*item).to_owned()).collect()
	}

	/// The codes of every coding of a CodeableConcept.
	fn codes(concept: &Value) -> Vec<&str> {
		concept["coding"]
			.as_array()
			.into_iter()
			.flatten()
			.filter_map(|coding| coding["code"].as_str())
			.collect()
	}

	fn extension<'a>(resource: &'a Value, url: &str) -> Option<&'a Value> {
		resource["extension"].as_array()?.iter().find(|e| e["url"] == url)
	}

	fn sub_extension<'a>(extension: &'a Value, url: &str) -> Option<&'a Value> {
		extension["extension"].as_array()?.iter().find(|e| e["url"] == url)
	}

	// --- Sample rows --------------------------------------------------------------------------

	fn consent_row() -> ConsentRow {
		ConsentRow {
			kind: ConsentKind::Consent,
			id: 1,
			patient: ALICE.into(),
			signer: ALICE.into(),
			grantee: Some(GranteeRow::Practitioner { account: BOB.into() }),
			categories: strings(&["LabResults", "Imaging"]),
			actions: strings(&["Read"]),
			purposes: strings(&["TREAT"]),
			records: Vec::new(),
			start: Some(NOV_1),
			end: Some(NOV_1 + 90 * DAY),
			ended_at: None,
			ended_how: None,
			request_id: None,
			evidence: evidence(100, 3, NOV_1),
		}
	}

	/// Signed by a guardian, for an organization, sensitive categories, named records.
	fn guardian_consent_row() -> ConsentRow {
		ConsentRow {
			id: 2,
			signer: DAVE.into(),
			grantee: Some(GranteeRow::Organization {
				organization: 7,
				name: Some("St Mary's Hospital".into()),
			}),
			categories: strings(&["Medications", "MentalHealth", "SubstanceUse"]),
			actions: strings(&["Read", "Write"]),
			purposes: strings(&["TREAT", "HOPERAT"]),
			records: vec![RECORD.into()],
			evidence: evidence(101, 0, NOV_1 + HOUR),
			..consent_row()
		}
	}

	/// For every physician of an organization, created by approving request 12, then revoked.
	fn role_consent_row() -> ConsentRow {
		ConsentRow {
			id: 3,
			grantee: Some(GranteeRow::Role {
				organization: 7,
				name: Some("St Mary's Hospital".into()),
				role: "Physician".into(),
			}),
			categories: strings(&["VitalSigns", "Genomics"]),
			ended_at: Some(NOV_1 + 10 * DAY),
			ended_how: Some(EndedHow::Revoked),
			request_id: Some(12),
			evidence: evidence(102, 1, NOV_1 + 2 * HOUR),
			..consent_row()
		}
	}

	/// Past its end, not reaped yet.
	fn expired_consent_row() -> ConsentRow {
		ConsentRow {
			id: 4,
			grantee: Some(GranteeRow::Organization { organization: 9, name: None }),
			categories: strings(&["Billing"]),
			purposes: strings(&["HPAYMT"]),
			start: Some(NOV_1 - 60 * DAY),
			end: Some(NOV_1 - DAY),
			evidence: evidence(50, 1, NOV_1 - 60 * DAY),
			..consent_row()
		}
	}

	/// Nobody may see the patient's mental-health data.
	fn deny_everyone_row() -> ConsentRow {
		ConsentRow {
			kind: ConsentKind::DenyRule,
			id: 5,
			grantee: None,
			categories: strings(&["MentalHealth"]),
			actions: Vec::new(),
			purposes: Vec::new(),
			start: None,
			end: None,
			evidence: evidence(103, 2, NOV_1 + 3 * HOUR),
			..consent_row()
		}
	}

	/// A deny rule against one researcher, removed since.
	fn removed_deny_rule_row() -> ConsentRow {
		ConsentRow {
			id: 6,
			grantee: Some(GranteeRow::Practitioner { account: EVE.into() }),
			categories: strings(&["Genomics", "LabResults"]),
			purposes: strings(&["HRESCH"]),
			ended_at: Some(NOV_1 + 5 * DAY),
			ended_how: Some(EndedHow::Removed),
			evidence: evidence(104, 0, NOV_1 + 4 * HOUR),
			..deny_everyone_row()
		}
	}

	fn consent_rows() -> Vec<ConsentRow> {
		vec![
			consent_row(),
			guardian_consent_row(),
			role_consent_row(),
			expired_consent_row(),
			deny_everyone_row(),
			removed_deny_rule_row(),
		]
	}

	fn session() -> SessionInfo {
		SessionInfo {
			session_id: 4,
			practitioner: BOB.into(),
			purpose: "ETREAT".into(),
			reason: "Unconscious".into(),
			justification_hash: HASH.into(),
			categories: strings(&["Allergies", "Medications", "MentalHealth"]),
			end: NOV_1 + 20 * DAY + 8 * HOUR,
		}
	}

	/// Bob reads a lab result under consent 1.
	fn read_row() -> AuditRow {
		AuditRow {
			id: "200-4".into(),
			kind: AuditKind::Read,
			patient: ALICE.into(),
			agent: Some(BOB.into()),
			organization: Some(7),
			organization_name: Some("St Mary's Hospital".into()),
			record_id: Some(RECORD.into()),
			category: Some("LabResults".into()),
			purpose: Some("TREAT".into()),
			success: true,
			reason: "Consent".into(),
			consent_id: Some(1),
			rule_id: None,
			session: None,
			notes_hash: None,
			reviewer_kind: None,
			due: None,
			evidence: evidence(200, 4, NOV_1 + 20 * DAY),
		}
	}

	/// Eve's read of mental-health data refused by deny rule 5.
	fn denied_read_row() -> AuditRow {
		AuditRow {
			id: "201-1".into(),
			agent: Some(EVE.into()),
			organization: Some(9),
			organization_name: None,
			category: Some("MentalHealth".into()),
			purpose: Some("HRESCH".into()),
			success: false,
			reason: "DeniedByRule".into(),
			consent_id: None,
			rule_id: Some(5),
			evidence: evidence(201, 1, NOV_1 + 20 * DAY + HOUR),
			..read_row()
		}
	}

	fn no_consent_read_row() -> AuditRow {
		AuditRow {
			id: "202-0".into(),
			success: false,
			reason: "NoConsent".into(),
			consent_id: None,
			evidence: evidence(202, 0, NOV_1 + 20 * DAY + 2 * HOUR),
			..read_row()
		}
	}

	fn owner_read_row() -> AuditRow {
		AuditRow {
			id: "203-0".into(),
			agent: Some(ALICE.into()),
			organization: None,
			organization_name: None,
			purpose: Some("PATRQT".into()),
			reason: "Owner".into(),
			consent_id: None,
			evidence: evidence(203, 0, NOV_1 + 20 * DAY + 3 * HOUR),
			..read_row()
		}
	}

	/// Charlie reads under emergency session 4.
	fn emergency_read_row() -> AuditRow {
		AuditRow {
			id: "211-2".into(),
			agent: Some(CHARLIE.into()),
			category: Some("Medications".into()),
			purpose: Some("ETREAT".into()),
			reason: "Emergency".into(),
			consent_id: None,
			session: Some(session()),
			evidence: evidence(211, 2, NOV_1 + 20 * DAY + 5 * HOUR),
			..read_row()
		}
	}

	fn session_row(id: &str, kind: AuditKind, agent: Option<&str>, success: bool) -> AuditRow {
		AuditRow {
			id: id.into(),
			kind,
			agent: agent.map(str::to_owned),
			record_id: None,
			category: None,
			purpose: None,
			success,
			reason: String::new(),
			consent_id: None,
			session: Some(session()),
			evidence: evidence(210, 1, NOV_1 + 20 * DAY + 4 * HOUR),
			..read_row()
		}
	}

	fn session_rows() -> Vec<AuditRow> {
		vec![
			session_row("210-1", AuditKind::SessionOpened, Some(CHARLIE), true),
			AuditRow {
				organization: None,
				organization_name: None,
				..session_row("260-0", AuditKind::SessionEnded, None, true)
			},
			AuditRow {
				reason: "Justified".into(),
				notes_hash: Some(HASH.into()),
				reviewer_kind: Some("Auditor".into()),
				..session_row("300-2", AuditKind::SessionReviewed, Some(DAVE), true)
			},
			AuditRow {
				organization: None,
				organization_name: None,
				reason: "Unjustified".into(),
				notes_hash: Some(HASH.into()),
				reviewer_kind: Some("Council".into()),
				..session_row("301-0", AuditKind::SessionReviewed, None, false)
			},
			AuditRow {
				organization: None,
				organization_name: None,
				..session_row("270-3", AuditKind::SessionContested, Some(ALICE), true)
			},
			session_row("302-1", AuditKind::BondSlashed, Some(CHARLIE), false),
			AuditRow {
				due: Some(NOV_1 + 27 * DAY),
				..session_row("400-0", AuditKind::ReviewOverdue, Some(CHARLIE), false)
			},
		]
	}

	fn audit_rows() -> Vec<AuditRow> {
		let mut rows = vec![
			read_row(),
			denied_read_row(),
			no_consent_read_row(),
			owner_read_row(),
			emergency_read_row(),
		];
		rows.extend(session_rows());
		rows
	}

	fn anchor_row() -> ProvenanceRow {
		ProvenanceRow {
			record_id: RECORD.into(),
			version: 0,
			activity: Activity::Create,
			patient: ALICE.into(),
			author: Some(BOB.into()),
			organization: Some(7),
			organization_name: Some("St Mary's Hospital".into()),
			category: Some("LabResults".into()),
			digest_algorithm: Some("Sha256".into()),
			digest: Some(HASH.into()),
			erased: false,
			evidence: evidence(120, 0, NOV_1 + 5 * HOUR),
		}
	}

	fn provenance_rows() -> Vec<ProvenanceRow> {
		vec![
			anchor_row(),
			ProvenanceRow {
				version: 1,
				activity: Activity::Update,
				category: Some("MentalHealth".into()),
				digest_algorithm: Some("Blake2b256".into()),
				evidence: evidence(130, 1, NOV_1 + 6 * HOUR),
				..anchor_row()
			},
			// Anchored by the patient herself.
			ProvenanceRow {
				record_id: HASH.into(),
				author: Some(ALICE.into()),
				organization: None,
				organization_name: None,
				category: Some("Demographics".into()),
				evidence: evidence(131, 0, NOV_1 + 7 * HOUR),
				..anchor_row()
			},
			// The anchor of a record erased since: author, organization and category gone.
			ProvenanceRow {
				author: None,
				organization: None,
				organization_name: None,
				category: None,
				erased: true,
				evidence: evidence(121, 0, NOV_1 + 5 * HOUR),
				..anchor_row()
			},
			// Erased: only what the chain keeps.
			ProvenanceRow {
				version: 2,
				activity: Activity::Nullify,
				author: None,
				organization: None,
				organization_name: None,
				category: None,
				evidence: evidence(140, 2, NOV_1 + 8 * HOUR),
				..anchor_row()
			},
		]
	}

	fn task_row(status: TaskStatus) -> TaskRow {
		TaskRow {
			request_id: 12,
			patient: ALICE.into(),
			requester: CHARLIE.into(),
			requester_organization: Some(7),
			requester_organization_name: Some("St Mary's Hospital".into()),
			categories: strings(&["VitalSigns", "Genomics"]),
			actions: strings(&["Read"]),
			purposes: strings(&["TREAT"]),
			justification_hash: HASH.into(),
			expires_at: NOV_1 + 7 * DAY,
			status,
			consent_id: (status == TaskStatus::Accepted).then_some(3),
			status_changed_at: (status != TaskStatus::Requested).then_some(NOV_1 + 2 * HOUR),
			evidence: evidence(90, 1, NOV_1),
		}
	}

	const TASK_STATUSES: [TaskStatus; 5] = [
		TaskStatus::Requested,
		TaskStatus::Accepted,
		TaskStatus::Rejected,
		TaskStatus::Cancelled,
		TaskStatus::Failed,
	];

	/// Every sample resource: what `validate.py` checks when `FHIR_SAMPLES_OUT` is set.
	fn samples() -> Vec<Value> {
		let ctx = ctx();
		let mut samples: Vec<Value> = consent_rows().iter().map(|row| consent(&ctx, row)).collect();
		samples.extend(audit_rows().iter().map(|row| audit_event(&ctx, row)));
		samples.extend(provenance_rows().iter().map(|row| provenance(&ctx, row)));
		samples.extend(TASK_STATUSES.into_iter().map(|status| task(&ctx, &task_row(status))));
		samples.push(capability_statement(&ctx));
		samples.push(operation_outcome("error", "not-found", "Consent/consent-99 is not known"));
		let page = vec![consent(&ctx, &consent_row()), audit_event(&ctx, &read_row())];
		samples.push(searchset(
			&ctx,
			"http://127.0.0.1:8090/fhir/Consent?patient=x&_count=2",
			Some("http://127.0.0.1:8090/fhir/Consent?patient=x&_count=2&_cursor=abc"),
			page,
		));
		samples.push(searchset(
			&ctx,
			"http://127.0.0.1:8090/fhir/Task?patient=x",
			None,
			Vec::new(),
		));
		samples
	}

	// --- Time ---------------------------------------------------------------------------------

	#[test]
	fn instants_are_utc_with_milliseconds() {
		assert_eq!(instant(0), "1970-01-01T00:00:00.000Z");
		assert_eq!(instant(NOW), "2026-11-30T06:15:40.123Z");
		assert_eq!(instant(NOV_1), "2026-11-01T09:00:00.000Z");
		assert_eq!(instant(u64::MAX), "9999-12-31T23:59:59.999Z");
		assert_eq!(date(NOW), "2026-11-30");
	}

	#[test]
	fn date_ranges_cover_the_period_named() {
		let day = 1_795_996_800_000; // 2026-11-30T00:00:00Z
		assert_eq!(parse_date_range("2026"), Ok((1_767_225_600_000, 1_798_761_600_000)));
		assert_eq!(parse_date_range("2026-11"), Ok((1_793_491_200_000, 1_796_083_200_000)));
		assert_eq!(parse_date_range("2026-12"), Ok((1_796_083_200_000, 1_798_761_600_000)));
		assert_eq!(parse_date_range("2026-02"), Ok((1_769_904_000_000, 1_772_323_200_000)));
		assert_eq!(parse_date_range("2026-11-30"), Ok((day, day + 86_400_000)));
		assert_eq!(parse_date_range("2024-02-29"), Ok((1_709_164_800_000, 1_709_251_200_000)));
		let second = 1_796_019_340_000; // 2026-11-30T06:15:40Z
		assert_eq!(parse_date_range("2026-11-30T06:15:40Z"), Ok((second, second + 1000)));
		assert_eq!(parse_date_range("2026-11-30T07:15:40+01:00"), Ok((second, second + 1000)));
		assert_eq!(parse_date_range("2026-11-30T01:45:40-04:30"), Ok((second, second + 1000)));
		assert_eq!(parse_date_range("2026-11-30T06:15:40"), Ok((second, second + 1000)));
		assert_eq!(parse_date_range("2026-11-30T06:15:40.123Z"), Ok((NOW, NOW + 1)));
		assert_eq!(parse_date_range("2026-11-30T06:15:40.1234567Z"), Ok((NOW, NOW + 1)));
		assert_eq!(parse_date_range("2026-11-30T06:15:40.1Z"), Ok((second + 100, second + 200)));
		assert_eq!(parse_date_range("2026-11-30T06:15Z"), Ok((second - 40_000, second + 20_000)));
		assert_eq!(parse_date_range("1970-01-01"), Ok((0, 86_400_000)));
		// Wholly before 1970: empty; straddling it: clamped.
		assert_eq!(parse_date_range("1969"), Ok((0, 0)));
		assert_eq!(parse_date_range("1970-01-01T00:00:00+01:00"), Ok((0, 0)));
		assert_eq!(parse_date_range("1970-01-01T00:30:00+01:00"), Ok((0, 0)));
		assert_eq!(parse_date_range("1970-01-01T01:30:00+01:00"), Ok((1_800_000, 1_801_000)));
		for malformed in [
			"",
			"26",
			"02026",
			"0000",
			"2026-13",
			"2026-00",
			"2026-1",
			"2026-1-01",
			"2026/11/30",
			"2026-02-29",
			"2026-11-31",
			"2026-11-30T",
			"2026-11-30Z",
			"2026-11T06:15Z",
			"2026-11-30T24:00:00Z",
			"2026-11-30T06:60Z",
			"2026-11-30T06:15:61Z",
			"2026-11-30T6:15:40Z",
			"2026-11-30T06:15:40.Z",
			"2026-11-30T06:15:40.1234567890Z",
			"2026-11-30T06:15:40+15:00",
			"2026-11-30T06:15:40+01",
			"2026-11-30T06:15:40+01:00:00",
			"2026-11-30T06:15:40 ",
			"2026-11-30T06:15:40z",
			"ge2026-11-30",
			"٢٠٢٦",
			"2026-11-30T06:15:40Zjunk",
		] {
			let error = parse_date_range(malformed).expect_err(malformed);
			assert!(error.contains("invalid date"), "{malformed}: {error}");
		}
	}

	// --- Ids ----------------------------------------------------------------------------------

	/// FHIR `id` characters, and at most 64 of them (255 for Provenance: see [`provenance_id`]).
	fn is_fhir_id(id: &str) -> bool {
		(1..=64).contains(&id.len())
			&& id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
	}

	#[test]
	fn ids_name_the_chain_object() {
		// Consent ids count per patient: the FHIR id names the patient (Alice's first 10 bytes,
		// d43593c715fdd31c6114, in base32, checked with Python's base64.b32encode).
		assert_eq!(consent_id(ConsentKind::Consent, ALICE, 7), "consent-2q2zhryv7xjryyiu-7");
		assert_ne!(
			consent_id(ConsentKind::Consent, BOB, 7),
			consent_id(ConsentKind::Consent, ALICE, 7)
		);
		assert_eq!(consent_id(ConsentKind::DenyRule, ALICE, 7), "deny-rule-7");
		assert_eq!(task_id(12), "request-12");
		// Base32 of the record id (checked against Python's base64.b32encode).
		let b32 = "tqxe62ulbuod4x32tmot6xt4tifs2t3oriodwxl7tyfcys3nr4ha";
		assert_eq!(record_id_base32(RECORD), b32);
		assert_eq!(provenance_id(RECORD, 0), format!("{b32}-v0"));
		assert_eq!(provenance_id(&RECORD[2..], 3), format!("{b32}-v3"));
		assert_eq!(
			provenance_id(&RECORD.to_uppercase().replace("0X", "0x"), 3),
			format!("{b32}-v3")
		);
		assert_eq!(provenance_id(RECORD, u32::MAX).len(), 64);
		assert!(is_fhir_id(&provenance_id(RECORD, u32::MAX)));
	}

	// --- Consent ------------------------------------------------------------------------------

	#[test]
	fn consent_maps_grant_grantee_and_scope() {
		let c = consent(&ctx(), &consent_row());
		assert_eq!(c["resourceType"], "Consent");
		assert_eq!(c["id"], consent_id(ConsentKind::Consent, ALICE, 1));
		assert_eq!(c["status"], "active");
		assert_eq!(c["decision"], "permit");
		assert_eq!(c["date"], "2026-11-01");
		assert_eq!(c["meta"]["lastUpdated"], "2026-11-01T09:00:00.000Z");
		assert_eq!(
			c["identifier"][0],
			json!({ "system": system("consent"), "value": format!("{ALICE}/1") })
		);
		assert_eq!(codes(&c["category"][0]), ["59284-0"]);
		assert_eq!(c["category"][0]["coding"][0]["system"], "http://loinc.org");
		let patient = json!({
			"type": "Patient",
			"identifier": { "system": "urn:consent-chain:account", "value": ALICE },
		});
		assert_eq!(c["subject"], patient);
		assert_eq!(c["grantor"], json!([patient]));
		assert_eq!(c["period"]["start"], "2026-11-01T09:00:00.000Z");
		assert_eq!(c["period"]["end"], "2027-01-30T09:00:00.000Z");
		assert!(c.get("sourceReference").is_none());
		assert!(c.get("regulatoryBasis").is_none());

		let block = extension(&c, "urn:consent-chain:fhir:block").expect("block evidence");
		assert_eq!(sub_extension(block, "number").expect("number")["valueInteger64"], "100");
		assert_eq!(
			sub_extension(block, "hash").expect("hash")["valueString"],
			format!("0x{:064x}", 100)
		);
		assert_eq!(sub_extension(block, "extrinsic").expect("extrinsic")["valueUnsignedInt"], 2);
		assert_eq!(sub_extension(block, "event").expect("event")["valueUnsignedInt"], 3);
		assert!(extension(&c, "urn:consent-chain:fhir:status-changed").is_none());

		// One provision per category, each with the common criteria.
		let provisions = c["provision"].as_array().expect("provisions");
		assert_eq!(provisions.len(), 2);
		for provision in provisions {
			assert_eq!(provision["period"], c["period"]);
			let actor = &provision["actor"][0];
			assert_eq!(codes(&actor["role"]), ["IRCP"]);
			assert_eq!(actor["reference"]["type"], "Practitioner");
			assert_eq!(actor["reference"]["identifier"]["value"], BOB);
			assert_eq!(actor["reference"]["identifier"]["system"], "urn:consent-chain:account");
			assert_eq!(codes(&provision["action"][0]), ["access"]);
			assert_eq!(provision["purpose"][0]["code"], "TREAT");
			assert_eq!(
				provision["purpose"][0]["system"],
				"http://terminology.hl7.org/CodeSystem/v3-ActReason"
			);
			assert!(provision.get("securityLabel").is_none());
		}
		let lab: Vec<_> = provisions[0]["resourceType"]
			.as_array()
			.expect("lab types")
			.iter()
			.map(|t| t["code"].as_str().unwrap_or_default())
			.collect();
		assert_eq!(lab, ["Observation", "DiagnosticReport"]);
		assert_eq!(codes(&provisions[0]["code"][0]), ["laboratory", "LAB"]);
		assert_eq!(provisions[1]["resourceType"][0]["code"], "ImagingStudy");
		assert_eq!(provisions[1]["resourceType"][0]["system"], "http://hl7.org/fhir/fhir-types");
		assert!(provisions[1].get("code").is_none());
	}

	#[test]
	fn guardian_consent_names_the_delegate_labels_and_records() {
		let c = consent(&ctx(), &guardian_consent_row());
		assert_eq!(c["grantor"][0]["type"], "RelatedPerson");
		assert_eq!(c["grantor"][0]["identifier"]["value"], DAVE);
		assert_eq!(c["subject"]["identifier"]["value"], ALICE);
		assert_eq!(c["regulatoryBasis"][0]["text"], "42 CFR Part 2");
		let provisions = c["provision"].as_array().expect("provisions");
		assert_eq!(provisions.len(), 3);
		let actor = &provisions[0]["actor"][0]["reference"];
		assert_eq!(actor["type"], "Organization");
		assert_eq!(actor["identifier"], json!({ "system": system("organization"), "value": "7" }));
		assert_eq!(actor["display"], "St Mary's Hospital");
		let actions: Vec<_> =
			provisions[0]["action"].as_array().expect("actions").iter().flat_map(codes).collect();
		assert_eq!(actions, ["access", "collect", "correct"]);
		assert_eq!(provisions[0]["resourceType"][1]["code"], "MedicationStatement");
		assert_eq!(provisions[1]["securityLabel"][0]["code"], "PSY");
		assert_eq!(provisions[2]["securityLabel"][0]["code"], "ETH");
		assert_eq!(
			provisions[2]["securityLabel"][0]["system"],
			"http://terminology.hl7.org/CodeSystem/v3-ActCode"
		);
		assert!(provisions[1].get("resourceType").is_none());
		for provision in provisions {
			assert_eq!(provision["data"][0]["meaning"], "instance");
			assert_eq!(
				provision["data"][0]["reference"]["identifier"],
				json!({ "system": system("record"), "value": RECORD })
			);
			assert_eq!(provision["purpose"].as_array().map(Vec::len), Some(2));
		}
	}

	#[test]
	fn revoked_role_consent_is_inactive_and_points_to_its_request() {
		let c = consent(&ctx(), &role_consent_row());
		assert_eq!(c["status"], "inactive");
		assert_eq!(c["meta"]["lastUpdated"], "2026-11-11T09:00:00.000Z");
		let changed = extension(&c, "urn:consent-chain:fhir:status-changed").expect("change");
		assert_eq!(
			sub_extension(changed, "at").expect("at")["valueInstant"],
			"2026-11-11T09:00:00.000Z"
		);
		assert_eq!(sub_extension(changed, "how").expect("how")["valueCode"], "revoked");
		let actor = &c["provision"][0]["actor"][0]["reference"];
		assert_eq!(actor["type"], "PractitionerRole");
		assert_eq!(
			actor["identifier"],
			json!({ "system": system("role"), "value": "7/Physician" })
		);
		assert_eq!(actor["display"], "Physician at St Mary's Hospital");
		assert_eq!(codes(&c["provision"][0]["code"][0]), ["vital-signs"]);
		assert_eq!(c["provision"][1]["securityLabel"][0]["code"], "GDIS");
		let source = &c["sourceReference"][0];
		assert_eq!(source["reference"], "Task/request-12");
		assert_eq!(source["identifier"], json!({ "system": system("request"), "value": "12" }));
	}

	#[test]
	fn consent_past_its_end_is_inactive_since_its_end() {
		let c = consent(&ctx(), &expired_consent_row());
		assert_eq!(c["status"], "inactive");
		let changed = extension(&c, "urn:consent-chain:fhir:status-changed").expect("change");
		assert_eq!(
			sub_extension(changed, "at").expect("at")["valueInstant"],
			"2026-10-31T09:00:00.000Z"
		);
		assert_eq!(sub_extension(changed, "how").expect("how")["valueCode"], "expired");
		let actor = &c["provision"][0]["actor"][0]["reference"];
		assert!(actor.get("display").is_none());
		// Still active the moment before its end.
		let ctx = Context { now: NOV_1 - DAY - 1, ..ctx() };
		assert_eq!(consent(&ctx, &expired_consent_row())["status"], "active");
	}

	#[test]
	fn deny_rules_deny_without_period_or_action() {
		let c = consent(&ctx(), &deny_everyone_row());
		assert_eq!(c["id"], "deny-rule-5");
		assert_eq!(c["decision"], "deny");
		assert_eq!(c["status"], "active");
		assert_eq!(c["identifier"][0], json!({ "system": system("deny-rule"), "value": "5" }));
		assert!(c.get("period").is_none());
		let provisions = c["provision"].as_array().expect("provisions");
		assert_eq!(provisions.len(), 1);
		assert_eq!(
			provisions[0],
			json!({ "securityLabel": [{
				"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
				"code": "PSY",
				"display": "psychiatry disorder information sensitivity",
			}] })
		);

		let c = consent(&ctx(), &removed_deny_rule_row());
		assert_eq!(c["status"], "inactive");
		let changed = extension(&c, "urn:consent-chain:fhir:status-changed").expect("change");
		assert_eq!(sub_extension(changed, "how").expect("how")["valueCode"], "removed");
		let provision = &c["provision"][1];
		assert_eq!(provision["actor"][0]["reference"]["identifier"]["value"], EVE);
		assert_eq!(provision["purpose"][0]["code"], "HRESCH");
		assert!(provision.get("action").is_none());
		assert!(provision.get("period").is_none());

		// A rule with no category, grantee or purpose has no provision at all.
		let bare = ConsentRow { categories: Vec::new(), ..deny_everyone_row() };
		assert!(consent(&ctx(), &bare).get("provision").is_none());
	}

	#[test]
	fn unknown_category_is_named_never_widened() {
		let row = ConsentRow { categories: strings(&["Dental"]), ..consent_row() };
		let c = consent(&ctx(), &row);
		assert_eq!(c["provision"][0]["code"], json!([{ "text": "Dental" }]));
		assert!(c["provision"][0].get("resourceType").is_none());
	}

	// --- AuditEvent ---------------------------------------------------------------------------

	#[test]
	fn permitted_read_follows_balp() {
		let e = audit_event(&ctx(), &read_row());
		assert_eq!(e["resourceType"], "AuditEvent");
		assert_eq!(e["id"], "200-4");
		assert_eq!(codes(&e["category"][0]), ["rest"]);
		assert_eq!(e["category"].as_array().map(Vec::len), Some(1));
		assert_eq!(codes(&e["code"]), ["read"]);
		assert_eq!(e["code"]["coding"][0]["system"], "http://hl7.org/fhir/restful-interaction");
		assert_eq!(e["action"], "R");
		assert_eq!(e["recorded"], "2026-11-21T09:00:00.000Z");
		assert_eq!(e["meta"]["lastUpdated"], e["recorded"]);
		assert_eq!(e["outcome"]["code"]["code"], "0");
		assert_eq!(
			e["outcome"]["code"]["system"],
			"http://terminology.hl7.org/CodeSystem/audit-event-outcome"
		);
		assert_eq!(codes(&e["outcome"]["detail"][0]), ["Consent"]);
		assert_eq!(codes(&e["authorization"][0]), ["TREAT"]);
		assert_eq!(e["patient"]["identifier"]["value"], ALICE);
		let agents = e["agent"].as_array().expect("agents");
		assert_eq!(agents.len(), 2);
		assert_eq!(codes(&agents[0]["type"]), ["humanuser"]);
		assert_eq!(agents[0]["who"]["type"], "Practitioner");
		assert_eq!(agents[0]["who"]["identifier"]["value"], BOB);
		assert_eq!(agents[0]["requestor"], true);
		assert_eq!(codes(&agents[1]["type"]), ["PROV"]);
		assert_eq!(
			agents[1]["who"]["identifier"],
			json!({ "system": system("organization"), "value": "7" })
		);
		assert_eq!(agents[1]["who"]["display"], "St Mary's Hospital");
		assert_eq!(agents[1]["requestor"], false);
		assert_eq!(e["source"]["observer"]["type"], "Device");
		assert_eq!(
			e["source"]["observer"]["identifier"],
			json!({ "system": "urn:consent-chain:chain", "value": GENESIS })
		);
		assert_eq!(codes(&e["source"]["type"][0]), ["4"]);
		let entities = e["entity"].as_array().expect("entities");
		assert_eq!(entities.len(), 2);
		assert_eq!(
			entities[0]["what"]["identifier"],
			json!({ "system": system("record"), "value": RECORD })
		);
		assert_eq!(codes(&entities[0]["role"]), ["4"]);
		assert!(entities[0].get("securityLabel").is_none());
		assert_eq!(entities[0]["detail"][0]["valueString"], "LabResults");
		assert_eq!(
			entities[1]["what"]["reference"],
			format!("Consent/{}", consent_id(ConsentKind::Consent, ALICE, 1))
		);
		assert_eq!(
			entities[1]["what"]["identifier"],
			json!({ "system": system("consent"), "value": format!("{ALICE}/1") })
		);
		assert_eq!(codes(&entities[1]["role"]), ["13"]);
	}

	#[test]
	fn denied_read_is_a_minor_failure_with_its_reason() {
		let e = audit_event(&ctx(), &denied_read_row());
		assert_eq!(e["outcome"]["code"]["code"], "4");
		assert_eq!(e["outcome"]["code"]["display"], "Minor failure");
		assert_eq!(codes(&e["outcome"]["detail"][0]), ["DeniedByRule"]);
		assert_eq!(
			e["outcome"]["detail"][0]["text"],
			"a deny rule of the patient refuses the access"
		);
		assert_eq!(codes(&e["authorization"][0]), ["HRESCH"]);
		let entities = e["entity"].as_array().expect("entities");
		assert_eq!(codes(&entities[0]["securityLabel"][0]), ["PSY"]);
		assert_eq!(entities[1]["what"]["reference"], "Consent/deny-rule-5");
		assert_eq!(entities[1]["what"]["identifier"]["system"], system("deny-rule"));
		assert!(e["agent"][1]["who"].get("display").is_none());

		let e = audit_event(&ctx(), &no_consent_read_row());
		assert_eq!(e["outcome"]["code"]["code"], "4");
		assert_eq!(codes(&e["outcome"]["detail"][0]), ["NoConsent"]);
		assert_eq!(e["entity"].as_array().map(Vec::len), Some(1));
	}

	#[test]
	fn owner_read_names_the_patient_as_agent() {
		let e = audit_event(&ctx(), &owner_read_row());
		assert_eq!(e["agent"].as_array().map(Vec::len), Some(1));
		assert_eq!(e["agent"][0]["who"]["type"], "Patient");
		assert_eq!(codes(&e["authorization"][0]), ["PATRQT"]);
		let delegate =
			AuditRow { agent: Some(DAVE.into()), reason: "Delegate".into(), ..owner_read_row() };
		assert_eq!(audit_event(&ctx(), &delegate)["agent"][0]["who"]["type"], "RelatedPerson");
	}

	#[test]
	fn emergency_read_names_the_session() {
		let e = audit_event(&ctx(), &emergency_read_row());
		assert_eq!(e["outcome"]["code"]["code"], "0");
		assert_eq!(codes(&e["category"][0]), ["rest"]);
		assert_eq!(codes(&e["category"][1]), ["break-glass"]);
		assert_eq!(codes(&e["authorization"][0]), ["ETREAT"]);
		let entities = e["entity"].as_array().expect("entities");
		assert_eq!(entities.len(), 2);
		let session = &entities[1];
		assert_eq!(
			session["what"]["identifier"],
			json!({ "system": system("session"), "value": "4" })
		);
		assert_eq!(codes(&session["securityLabel"][0]), ["PSY"]);
		let details = session["detail"].as_array().expect("details");
		let kinds: Vec<_> = details.iter().flat_map(|d| codes(&d["type"])).collect();
		assert_eq!(
			kinds,
			[
				"reason",
				"justification-hash",
				"category",
				"category",
				"category",
				"practitioner",
				"session-end"
			]
		);
		assert_eq!(codes(&details[0]["valueCodeableConcept"]), ["Unconscious"]);
		assert_eq!(details[1]["valueString"], HASH);
		assert_eq!(details[5]["valueString"], BOB);
		assert_eq!(details[6]["valueDateTime"], "2026-11-21T17:00:00.000Z");
	}

	#[test]
	fn session_events_are_security_alerts() {
		let events: Vec<Value> =
			session_rows().iter().map(|row| audit_event(&ctx(), row)).collect();
		let summary: Vec<(&str, &str, &str)> = events
			.iter()
			.map(|e| {
				(
					e["code"]["coding"][0]["code"].as_str().unwrap_or_default(),
					e["action"].as_str().unwrap_or_default(),
					e["outcome"]["code"]["code"].as_str().unwrap_or_default(),
				)
			})
			.collect();
		assert_eq!(
			summary,
			[
				("session-opened", "E", "0"),
				("session-ended", "U", "0"),
				("session-reviewed", "U", "0"),
				("session-reviewed", "U", "4"),
				("session-contested", "U", "0"),
				("bond-slashed", "E", "8"),
				("review-overdue", "E", "4"),
			]
		);
		for e in &events {
			assert_eq!(codes(&e["category"][0]), ["110113"]);
			assert_eq!(
				e["category"][0]["coding"][0]["system"],
				"http://dicom.nema.org/resources/ontology/DCM"
			);
			assert_eq!(codes(&e["category"][1]), ["break-glass"]);
			assert_eq!(e["code"]["coding"][0]["system"], "urn:consent-chain:fhir:audit-subtype");
			assert_eq!(codes(&e["authorization"][0]), ["ETREAT"]);
			assert!(!e["agent"][0]["who"].is_null());
			let session =
				e["entity"].as_array().and_then(|entities| entities.last()).expect("session");
			assert_eq!(session["what"]["identifier"]["value"], "4");
		}
		let [opened, ended, justified, unjustified, contested, slashed, overdue] = &events[..]
		else {
			panic!("seven session events");
		};
		assert_eq!(opened["code"]["coding"][0]["display"], "Emergency session opened");
		assert_eq!(opened["agent"][0]["who"]["type"], "Practitioner");
		assert_eq!(opened["agent"][0]["requestor"], true);
		assert!(opened["outcome"].get("detail").is_none());
		// Ended at its end: the chain acted.
		assert_eq!(ended["agent"][0]["who"]["type"], "Device");
		assert_eq!(codes(&ended["agent"][0]["type"]), ["110150"]);
		assert_eq!(codes(&justified["outcome"]["detail"][0]), ["Justified"]);
		assert_eq!(justified["agent"][0]["who"]["identifier"]["value"], DAVE);
		let details = justified["entity"][0]["detail"].as_array().expect("details");
		let notes = details.iter().find(|d| codes(&d["type"]) == ["notes-hash"]).expect("notes");
		assert_eq!(notes["valueString"], HASH);
		assert_eq!(codes(&unjustified["outcome"]["detail"][0]), ["Unjustified"]);
		assert_eq!(unjustified["agent"][0]["who"]["display"], "Consortium council");
		assert_eq!(contested["agent"][0]["who"]["type"], "Patient");
		assert_eq!(codes(&slashed["outcome"]["detail"][0]), ["bond-slashed"]);
		assert_eq!(slashed["agent"][0]["requestor"], false);
		assert_eq!(overdue["outcome"]["detail"][0]["text"], "review overdue");
		let details = overdue["entity"][0]["detail"].as_array().expect("details");
		let due = details.iter().find(|d| codes(&d["type"]) == ["review-due"]).expect("due");
		assert_eq!(due["valueDateTime"], "2026-11-28T09:00:00.000Z");
	}

	// --- Provenance ---------------------------------------------------------------------------

	#[test]
	fn anchoring_is_a_create_by_the_author_for_their_organization() {
		let p = provenance(&ctx(), &anchor_row());
		assert_eq!(p["resourceType"], "Provenance");
		assert_eq!(p["id"], provenance_id(RECORD, 0));
		let target = &p["target"][0];
		assert_eq!(target["identifier"], json!({ "system": system("record"), "value": RECORD }));
		assert_eq!(target["display"], format!("record {RECORD} version 0"));
		assert_eq!(p["recorded"], "2026-11-01T14:00:00.000Z");
		assert_eq!(codes(&p["activity"]), ["CREATE"]);
		assert_eq!(p["patient"]["identifier"]["value"], ALICE);
		let agent = &p["agent"][0];
		assert_eq!(codes(&agent["type"]), ["author"]);
		assert_eq!(agent["who"]["type"], "Practitioner");
		assert_eq!(agent["who"]["identifier"]["value"], BOB);
		assert_eq!(agent["onBehalfOf"]["identifier"]["value"], "7");
		assert!(p.get("entity").is_none());
		assert!(p["meta"].get("security").is_none());
		let digest = extension(&p, "urn:consent-chain:fhir:digest").expect("digest");
		assert_eq!(sub_extension(digest, "algorithm").expect("algorithm")["valueCode"], "Sha256");
		assert_eq!(sub_extension(digest, "value").expect("value")["valueString"], HASH);
		assert!(extension(&p, "urn:consent-chain:fhir:block").is_some());
	}

	#[test]
	fn amendment_revises_the_previous_version() {
		let rows = provenance_rows();
		let p = provenance(&ctx(), &rows[1]);
		assert_eq!(codes(&p["activity"]), ["UPDATE"]);
		assert_eq!(p["entity"][0]["role"], "revision");
		assert_eq!(p["entity"][0]["what"]["display"], format!("record {RECORD} version 0"));
		assert_eq!(p["meta"]["security"][0]["code"], "PSY");
		let p = provenance(&ctx(), &rows[2]);
		assert_eq!(p["agent"][0]["who"]["type"], "Patient");
		assert!(p["agent"][0].get("onBehalfOf").is_none());
	}

	#[test]
	fn erasure_keeps_only_what_the_chain_keeps() {
		// An earlier version of the erased record: the digest and the block stay, the author,
		// organization and category go.
		let v0 = provenance(&ctx(), &provenance_rows()[3]);
		assert_eq!(codes(&v0["activity"]), ["CREATE"]);
		assert_eq!(
			v0["agent"][0]["who"],
			json!({ "display": "removed when the record was erased" })
		);
		assert!(!v0.to_string().contains(BOB), "the author is gone: {v0}");
		assert!(!v0.to_string().contains("St Mary"), "the organization is gone: {v0}");
		assert!(v0["meta"].get("security").is_none(), "the category is gone: {v0}");
		let digest = extension(&v0, "urn:consent-chain:fhir:digest").expect("digest kept");
		assert_eq!(sub_extension(digest, "value").expect("value")["valueString"], HASH);
		let p = provenance(&ctx(), &provenance_rows()[4]);
		assert_eq!(codes(&p["activity"]), ["NULLIFY"]);
		assert_eq!(p["id"], provenance_id(RECORD, 2));
		let agent = &p["agent"][0];
		assert_eq!(codes(&agent["type"]), ["performer"]);
		assert_eq!(agent["who"]["type"], "Patient");
		assert_eq!(agent["who"]["identifier"]["value"], ALICE);
		assert!(agent.get("onBehalfOf").is_none());
		assert_eq!(p["entity"][0]["role"], "removal");
		assert_eq!(p["entity"][0]["what"]["display"], format!("record {RECORD} version 1"));
		assert!(p["meta"].get("security").is_none());
		let digest = extension(&p, "urn:consent-chain:fhir:digest").expect("digest kept");
		assert_eq!(sub_extension(digest, "value").expect("value")["valueString"], HASH);
	}

	// --- Task ---------------------------------------------------------------------------------

	#[test]
	fn access_requests_are_proposals() {
		for status in TASK_STATUSES {
			let t = task(&ctx(), &task_row(status));
			assert_eq!(t["resourceType"], "Task");
			assert_eq!(t["id"], "request-12");
			assert_eq!(t["status"], status.as_str());
			assert_eq!(t["intent"], "proposal");
			assert_eq!(codes(&t["code"]), ["approve"]);
			assert_eq!(t["identifier"][0], json!({ "system": system("request"), "value": "12" }));
			assert_eq!(t["for"]["type"], "Patient");
			assert_eq!(t["for"]["identifier"]["value"], ALICE);
			assert_eq!(t["owner"], t["for"]);
			assert_eq!(t["requester"]["type"], "Practitioner");
			assert_eq!(t["requester"]["identifier"]["value"], CHARLIE);
			assert_eq!(t["authoredOn"], "2026-11-01T09:00:00.000Z");
			assert_eq!(t["restriction"]["period"]["end"], "2026-11-08T09:00:00.000Z");
			assert_eq!(codes(&t["reason"][0]["concept"]), ["TREAT"]);
			let input = t["input"].as_array().expect("input");
			let kinds: Vec<_> = input.iter().flat_map(|i| codes(&i["type"])).collect();
			assert_eq!(kinds, ["category", "category", "action", "purpose", "organization"]);
			assert_eq!(input[0]["valueCode"], "VitalSigns");
			assert_eq!(input[3]["valueCoding"]["code"], "TREAT");
			assert_eq!(input[4]["valueReference"]["display"], "St Mary's Hospital");
			let hash = extension(&t, "urn:consent-chain:fhir:justification-hash").expect("hash");
			assert_eq!(hash["valueString"], HASH);
			if status == TaskStatus::Requested {
				assert_eq!(t["lastModified"], t["authoredOn"]);
			} else {
				assert_eq!(t["lastModified"], "2026-11-01T11:00:00.000Z");
				assert_eq!(t["meta"]["lastUpdated"], t["lastModified"]);
			}
			if status == TaskStatus::Accepted {
				let consent = &t["output"][0]["valueReference"];
				assert_eq!(
					consent["reference"],
					format!("Consent/{}", consent_id(ConsentKind::Consent, ALICE, 3))
				);
				assert_eq!(
					consent["identifier"],
					json!({ "system": system("consent"), "value": format!("{ALICE}/3") })
				);
			} else {
				assert!(t.get("output").is_none());
			}
		}
	}

	// --- The endpoint -------------------------------------------------------------------------

	#[test]
	fn capability_statement_lists_what_is_served() {
		let c = capability_statement(&ctx());
		assert_eq!(c["resourceType"], "CapabilityStatement");
		assert_eq!(c["fhirVersion"], "5.0.0");
		assert_eq!(c["kind"], "instance");
		assert_eq!(c["status"], "active");
		assert_eq!(c["implementation"]["url"], "http://127.0.0.1:8090/fhir");
		assert_eq!(c["software"]["name"], "consent-audit");
		let rest = &c["rest"][0];
		assert_eq!(rest["mode"], "server");
		assert_eq!(rest["security"]["cors"], false);
		assert_eq!(rest["operation"][0]["name"], "export");
		let resources = rest["resource"].as_array().expect("resources");
		let summary: Vec<(&str, Vec<&str>)> = resources
			.iter()
			.map(|r| {
				let params = r["searchParam"].as_array().into_iter().flatten();
				(
					r["type"].as_str().unwrap_or_default(),
					params.filter_map(|p| p["name"].as_str()).collect(),
				)
			})
			.collect();
		assert_eq!(
			summary,
			[
				(
					"Consent",
					vec!["patient", "actor", "status", "organization", "date", "_count", "_sort"]
				),
				(
					"AuditEvent",
					vec!["patient", "agent", "outcome", "organization", "date", "_count", "_sort"],
				),
				(
					"Provenance",
					vec!["patient", "agent", "target", "organization", "date", "_count", "_sort"],
				),
				(
					"Task",
					vec![
						"patient",
						"requester",
						"status",
						"organization",
						"date",
						"_count",
						"_sort"
					],
				),
			]
		);
	}

	#[test]
	fn outcome_and_bundles() {
		let o = operation_outcome("error", "invalid", "bad date");
		assert_eq!(
			o,
			json!({ "resourceType": "OperationOutcome", "issue": [{
			"severity": "error", "code": "invalid", "diagnostics": "bad date",
		}] })
		);
		assert!(operation_outcome("fatal", "exception", "")["issue"][0]
			.get("diagnostics")
			.is_none());

		let ctx = ctx();
		let b = searchset(
			&ctx,
			"http://x/fhir/Consent?_count=1",
			Some("http://x/fhir/Consent?_count=1&page=2"),
			vec![consent(&ctx, &consent_row()), task(&ctx, &task_row(TaskStatus::Requested))],
		);
		assert_eq!(b["resourceType"], "Bundle");
		assert_eq!(b["type"], "searchset");
		assert!(b.get("total").is_none());
		assert_eq!(
			b["link"],
			json!([
				{ "relation": "self", "url": "http://x/fhir/Consent?_count=1" },
				{ "relation": "next", "url": "http://x/fhir/Consent?_count=1&page=2" },
			])
		);
		assert_eq!(
			b["entry"][0]["fullUrl"],
			format!(
				"http://127.0.0.1:8090/fhir/Consent/{}",
				consent_id(ConsentKind::Consent, ALICE, 1)
			)
		);
		assert_eq!(b["entry"][1]["fullUrl"], "http://127.0.0.1:8090/fhir/Task/request-12");
		assert_eq!(b["entry"][0]["search"]["mode"], "match");
		assert_eq!(b["entry"][0]["resource"]["id"], consent_id(ConsentKind::Consent, ALICE, 1));
		let empty = searchset(&ctx, "http://x/fhir/Task", None, Vec::new());
		assert!(empty.get("entry").is_none());
		assert_eq!(empty["link"].as_array().map(Vec::len), Some(1));
	}

	/// Every sample is well formed; with `FHIR_SAMPLES_OUT=<file>`, they are also written there,
	/// one JSON per line, for `fhir-validate/validate.py`.
	#[test]
	fn samples_are_well_formed() {
		let samples = samples();
		assert_eq!(samples.len(), 6 + 12 + 5 + 5 + 4);
		for sample in &samples {
			let resource_type = sample["resourceType"].as_str().expect("resourceType");
			assert!(!resource_type.is_empty());
			if let Some(id) = sample.get("id") {
				let id = id.as_str().expect("id is a string");
				assert!(is_fhir_id(id), "{resource_type}/{id}");
			}
			if let Some(updated) = sample["meta"]["lastUpdated"].as_str() {
				assert_eq!(updated.len(), "2026-11-30T06:15:40.123Z".len(), "{updated}");
				assert!(updated.ends_with('Z'));
			}
			assert!(!has_empty_value(sample), "{resource_type}: empty string, array or object");
		}
		if let Some(path) = std::env::var_os("FHIR_SAMPLES_OUT") {
			let lines: Vec<String> = samples.iter().map(Value::to_string).collect();
			std::fs::write(&path, lines.join("\n") + "\n").expect("write FHIR_SAMPLES_OUT");
		}
	}

	/// FHIR forbids empty strings, arrays and objects.
	fn has_empty_value(value: &Value) -> bool {
		match value {
			Value::String(s) => s.is_empty(),
			Value::Array(items) => items.is_empty() || items.iter().any(has_empty_value),
			Value::Object(fields) => fields.is_empty() || fields.values().any(has_empty_value),
			Value::Null => true,
			Value::Bool(_) | Value::Number(_) => false,
		}
	}
}
