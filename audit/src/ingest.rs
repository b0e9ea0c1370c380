//! Follows the node's finalized blocks and turns the consent suite's events into rows.
//!
//! Events are decoded with the runtime's own types (`consent_runtime::RuntimeEvent`), read from
//! `System.Events` in the state of each finalized block. A run of blocks is written in one
//! transaction together with the cursor, so a crash (even SIGKILL) loses nothing and a restart
//! repeats nothing: it resumes after the last committed block.

use crate::db::{self, Cursor, DbError, Stmt, Store, Val};
use crate::model::*;
use crate::rpc::{hex0x, Rpc, RpcError};
use codec::Decode;
use consent_runtime::{AccountId, ProxyType, Runtime, RuntimeEvent};
use frame_system::{EventRecord, Phase};
use serde::Serialize;
use serde_json::Value;
use sp_core::crypto::Ss58Codec;
use sp_core::H256;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Blocks written per transaction while catching up.
const BATCH_BLOCKS: u64 = 64;

/// What went wrong while ingesting.
#[derive(Debug)]
pub enum IngestError {
	/// The node did not answer as expected; retried.
	Rpc(RpcError),
	/// The database refused; retried.
	Db(DbError),
	/// Ingest cannot go on with this database or this binary; the message says what to do.
	Fatal(String),
}

impl std::fmt::Display for IngestError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::Rpc(e) => write!(f, "node: {e}"),
			Self::Db(e) => write!(f, "database: {e}"),
			Self::Fatal(e) => f.write_str(e),
		}
	}
}
impl From<RpcError> for IngestError {
	fn from(e: RpcError) -> Self {
		Self::Rpc(e)
	}
}
impl From<DbError> for IngestError {
	fn from(e: DbError) -> Self {
		Self::Db(e)
	}
}

/// Progress, shared with the HTTP layer (`/status`): -1 = none yet.
pub struct Progress {
	pub ingested: AtomicI64,
	pub finalized: AtomicI64,
}

impl Progress {
	pub fn new() -> Self {
		Self { ingested: AtomicI64::new(-1), finalized: AtomicI64::new(-1) }
	}
}

impl Default for Progress {
	fn default() -> Self {
		Self::new()
	}
}

/// SS58 (generic prefix 42, as the chain's wallets show it).
pub fn ss58(account: &AccountId) -> String {
	account.to_ss58check()
}

/// The chain's name for a value of a fieldless enum (`LabResults`, `TREAT`), or the variant of a
/// data-carrying one (`Consent` for `Consent(3)`).
pub fn name_of<T: Serialize>(value: &T) -> String {
	match serde_json::to_value(value) {
		Ok(Value::String(s)) => s,
		Ok(Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
		Ok(other) => other.to_string(),
		Err(_) => String::new(),
	}
}

/// The member names of a set (sets serialize as the list of their members).
pub fn names_of<T: Serialize>(set: &T) -> Vec<String> {
	match serde_json::to_value(set) {
		Ok(Value::Array(items)) => {
			items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
		},
		_ => Vec::new(),
	}
}

/// The stable order of a row: block, then event index.
pub fn seq_of(ev: &Evidence) -> u64 {
	ev.block.saturating_mul(1_000_000).saturating_add(u64::from(ev.event_index))
}

/// The resource row of a consent or deny rule.
pub fn consent_stmt(row: &ConsentRow, organization: Option<u32>) -> Stmt {
	let agent = match &row.grantee {
		Some(GranteeRow::Practitioner { account }) => Some(account.clone()),
		_ => None,
	};
	db::upsert_resource(
		&db::Indexed {
			rtype: "Consent",
			id: crate::fhir::consent_id(row.kind, &row.patient, row.id),
			patient: row.patient.clone(),
			agent,
			organization,
			recorded: row.evidence.recorded_at,
			seq: seq_of(&row.evidence),
			status: Some(if row.ended_at.is_some() { "ended" } else { "granted" }.into()),
			until: row.end,
		},
		&serde_json::to_string(row).unwrap_or_default(),
	)
}

/// The resource row of an `AuditEvent`.
pub fn audit_stmt(row: &AuditRow) -> Stmt {
	db::upsert_resource(
		&db::Indexed {
			rtype: "AuditEvent",
			id: row.id.clone(),
			patient: row.patient.clone(),
			agent: row.agent.clone(),
			organization: row.organization,
			recorded: row.evidence.recorded_at,
			seq: seq_of(&row.evidence),
			status: Some(row.outcome_code().into()),
			until: None,
		},
		&serde_json::to_string(row).unwrap_or_default(),
	)
}

/// The resource row of a `Provenance`.
pub fn provenance_stmt(row: &ProvenanceRow) -> Stmt {
	db::upsert_resource(
		&db::Indexed {
			rtype: "Provenance",
			id: crate::fhir::provenance_id(&row.record_id, row.version),
			patient: row.patient.clone(),
			agent: row.author.clone(),
			organization: row.organization,
			recorded: row.evidence.recorded_at,
			seq: seq_of(&row.evidence),
			status: Some(row.activity.as_str().into()),
			until: None,
		},
		&serde_json::to_string(row).unwrap_or_default(),
	)
}

/// The resource row of a `Task`.
pub fn task_stmt(row: &TaskRow) -> Stmt {
	db::upsert_resource(
		&db::Indexed {
			rtype: "Task",
			id: crate::fhir::task_id(row.request_id),
			patient: row.patient.clone(),
			agent: Some(row.requester.clone()),
			organization: row.requester_organization,
			recorded: row.evidence.recorded_at,
			seq: seq_of(&row.evidence),
			status: Some(row.status.as_str().into()),
			until: Some(row.expires_at),
		},
		&serde_json::to_string(row).unwrap_or_default(),
	)
}

/// What ingest remembers between events (and re-reads from the database or the chain after a
/// restart).
#[derive(Default)]
struct Caches {
	practitioner_org: HashMap<String, Option<u32>>,
	org_name: HashMap<u32, Option<String>>,
	sessions: HashMap<u64, (String, String, u32, SessionInfo)>,
	/// A record's category, by record id.
	records: HashMap<String, String>,
	/// By FHIR id (consent ids count per patient).
	consents: HashMap<String, (ConsentRow, Option<u32>)>,
	/// Provenance rows written since the last commit, by FHIR id (an erasure in the same run
	/// must find them).
	provenance: HashMap<String, ProvenanceRow>,
	tasks: HashMap<u64, TaskRow>,
}

/// Follows one node into one store.
pub struct Ingester {
	rpc: Arc<Rpc>,
	store: Arc<Store>,
	progress: Arc<Progress>,
	genesis: String,
	caches: Caches,
	poll: Duration,
}

impl Ingester {
	/// Checks that the store belongs to this chain (or is empty) and that this binary decodes the
	/// chain's runtime.
	pub async fn new(
		rpc: Arc<Rpc>,
		store: Arc<Store>,
		progress: Arc<Progress>,
		poll: Duration,
	) -> Result<Self, IngestError> {
		let genesis = rpc
			.block_hash(0)
			.await?
			.ok_or_else(|| IngestError::Fatal("the node has no genesis block".into()))?;
		let genesis = hex0x(genesis.as_bytes());
		if let Some(cursor) = store.cursor().await? {
			if cursor.genesis != genesis {
				return Err(IngestError::Fatal(format!(
					"the database holds the trail of chain {} but the node serves chain {genesis}: use another database",
					cursor.genesis
				)));
			}
			let hash = rpc.block_hash(cursor.block).await?.map(|h| hex0x(h.as_bytes()));
			if hash.as_deref() != Some(cursor.hash.as_str()) {
				return Err(IngestError::Fatal(format!(
					"block {} of the node is {hash:?}, the database stored {}: the database belongs to another history",
					cursor.block, cursor.hash
				)));
			}
			progress.ingested.store(cursor.block as i64, Ordering::Relaxed);
		}
		Ok(Self { rpc, store, progress, genesis, caches: Caches::default(), poll })
	}

	/// The chain's genesis hash (`0x` hex).
	pub fn genesis(&self) -> &str {
		&self.genesis
	}

	/// Follows finalized blocks for ever; transient errors are logged and retried.
	pub async fn run(mut self) -> Result<(), IngestError> {
		loop {
			match self.step().await {
				Ok(true) => tokio::time::sleep(self.poll).await,
				Ok(false) => {},
				Err(IngestError::Fatal(e)) => return Err(IngestError::Fatal(e)),
				Err(e) => {
					tracing::warn!("ingest: {e}; retrying");
					// What was cached for the failed run may not be stored: forget it.
					self.caches = Caches::default();
					tokio::time::sleep(Duration::from_secs(2)).await;
				},
			}
		}
	}

	/// Ingests up to [`BATCH_BLOCKS`] finalized blocks in one transaction. `Ok(true)` when it
	/// has caught up with finality.
	pub async fn step(&mut self) -> Result<bool, IngestError> {
		let (finalized, _) = self.rpc.finalized().await?;
		self.progress.finalized.store(finalized as i64, Ordering::Relaxed);
		let next = self.store.cursor().await?.map(|c| c.block + 1).unwrap_or(0);
		if next > finalized {
			return Ok(true);
		}
		let last = finalized.min(next + BATCH_BLOCKS - 1);
		let mut stmts = Vec::new();
		let mut cursor = None;
		for number in next..=last {
			let hash = self.rpc.block_hash(number).await?.ok_or_else(|| {
				IngestError::Fatal(format!("the node has no block {number}: is it pruned?"))
			})?;
			self.block(number, hash, &mut stmts).await?;
			cursor = Some(Cursor {
				block: number,
				hash: hex0x(hash.as_bytes()),
				genesis: self.genesis.clone(),
			});
		}
		if let Some(cursor) = cursor {
			stmts.push(Store::set_cursor(&cursor));
			self.store.execute_all(&stmts).await?;
			self.caches.provenance.clear();
			self.progress.ingested.store(cursor.block as i64, Ordering::Relaxed);
			tracing::debug!("ingested blocks {next}..={last} ({} statements)", stmts.len());
		}
		Ok(last == finalized)
	}

	async fn block(
		&mut self,
		number: u64,
		hash: H256,
		out: &mut Vec<Stmt>,
	) -> Result<(), IngestError> {
		// Events are decoded with the types of the runtime this binary was built with. A later
		// runtime may have changed them: stop (the cursor stays) and say which release to run.
		// Earlier runtimes are decoded; a block whose events do not decode stops ingest too.
		let spec = self.rpc.spec_version(hash).await?;
		let ours = consent_runtime::VERSION.spec_version;
		if spec > ours {
			return Err(IngestError::Fatal(format!(
				"block {number} runs runtime spec_version {spec}; this consent-audit knows spec_version {ours}: \
				 run the consent-audit of that runtime's release (ingest resumes where it stopped)"
			)));
		}
		let now: u64 = self
			.rpc
			.storage(&pallet_timestamp::Now::<Runtime>::hashed_key(), Some(hash))
			.await?
			.unwrap_or(0);
		let raw = self
			.rpc
			.storage_raw(&frame_support::storage::storage_prefix(b"System", b"Events"), Some(hash))
			.await?
			.unwrap_or_default();
		let events = if raw.is_empty() {
			Vec::new()
		} else {
			<Vec<EventRecord<RuntimeEvent, H256>>>::decode(&mut &raw[..]).map_err(|e| {
				IngestError::Fatal(format!(
					"the events of block {number} (runtime spec_version {spec}) do not decode with this \
					 consent-audit's types (spec_version {ours}): {e}"
				))
			})?
		};
		let block_hash = hex0x(hash.as_bytes());
		for (index, record) in events.into_iter().enumerate() {
			let evidence = Evidence {
				block: number,
				block_hash: block_hash.clone(),
				extrinsic: match record.phase {
					Phase::ApplyExtrinsic(i) => Some(i),
					_ => None,
				},
				event_index: index as u32,
				recorded_at: now,
			};
			self.event(record.event, evidence, hash, out).await?;
		}
		Ok(())
	}

	async fn practitioner_org(
		&mut self,
		who: &AccountId,
		at: H256,
	) -> Result<Option<u32>, IngestError> {
		let key = ss58(who);
		if let Some(org) = self.caches.practitioner_org.get(&key) {
			return Ok(*org);
		}
		let rows = self
			.store
			.query("SELECT organization FROM practitioner WHERE account = $1", &[Val::text(&key)])
			.await?;
		let org = match rows.first().and_then(|r| r.first()).and_then(Val::as_i64) {
			Some(org) => u32::try_from(org).ok(),
			None => self
				.rpc
				.storage::<pallet_registry::Practitioner>(
					&pallet_registry::Practitioners::<Runtime>::hashed_key_for(who),
					Some(at),
				)
				.await?
				.map(|p| p.organization),
		};
		self.caches.practitioner_org.insert(key, org);
		Ok(org)
	}

	async fn org_name(&mut self, org: u32, at: H256) -> Result<Option<String>, IngestError> {
		if let Some(name) = self.caches.org_name.get(&org) {
			return Ok(name.clone());
		}
		let rows = self
			.store
			.query("SELECT name FROM organization WHERE id = $1", &[Val::int(org)])
			.await?;
		let name = match rows.first().and_then(|r| r.first()).and_then(Val::as_str) {
			Some(name) => Some(name.to_string()),
			None => {
				type Org = pallet_registry::Organization<
					AccountId,
					<Runtime as pallet_registry::Config>::MaxAdmins,
					<Runtime as pallet_registry::Config>::MaxNameLength,
				>;
				self.rpc
					.storage::<Org>(
						&pallet_registry::Organizations::<Runtime>::hashed_key_for(org),
						Some(at),
					)
					.await?
					.map(|o| String::from_utf8_lossy(&o.name).into_owned())
			},
		};
		self.caches.org_name.insert(org, name.clone());
		Ok(name)
	}

	async fn org_of(
		&mut self,
		who: &AccountId,
		at: H256,
	) -> Result<(Option<u32>, Option<String>), IngestError> {
		match self.practitioner_org(who, at).await? {
			Some(org) => Ok((Some(org), self.org_name(org, at).await?)),
			None => Ok((None, None)),
		}
	}

	async fn session(
		&mut self,
		id: u64,
	) -> Result<Option<(String, String, u32, SessionInfo)>, IngestError> {
		if let Some(s) = self.caches.sessions.get(&id) {
			return Ok(Some(s.clone()));
		}
		let rows = self
			.store
			.query(
				"SELECT patient, practitioner, organization, body FROM session WHERE id = $1",
				&[Val::int(id)],
			)
			.await?;
		let found = rows.first().and_then(|r| {
			Some((
				r.first()?.as_str()?.to_string(),
				r.get(1)?.as_str()?.to_string(),
				u32::try_from(r.get(2)?.as_i64()?).ok()?,
				serde_json::from_str::<SessionInfo>(r.get(3)?.as_str()?).ok()?,
			))
		});
		if let Some(s) = &found {
			self.caches.sessions.insert(id, s.clone());
		}
		Ok(found)
	}

	async fn record_category(&mut self, record: &str) -> Result<Option<String>, IngestError> {
		if let Some(category) = self.caches.records.get(record) {
			return Ok(Some(category.clone()));
		}
		let rows = self
			.store
			.query("SELECT category FROM record WHERE id = $1", &[Val::text(record)])
			.await?;
		let found = rows.first().and_then(|r| r.first()?.as_str().map(str::to_string));
		if let Some(category) = &found {
			self.caches.records.insert(record.to_string(), category.clone());
		}
		Ok(found)
	}

	async fn consent(
		&mut self,
		kind: ConsentKind,
		patient: &AccountId,
		id: u64,
	) -> Result<Option<(ConsentRow, Option<u32>)>, IngestError> {
		let fhir_id = crate::fhir::consent_id(kind, &ss58(patient), id);
		if let Some(c) = self.caches.consents.get(&fhir_id) {
			return Ok(Some(c.clone()));
		}
		let rows = self
			.store
			.query(
				"SELECT body, organization FROM resource WHERE rtype = $1 AND id = $2",
				&[Val::text("Consent"), Val::text(fhir_id)],
			)
			.await?;
		Ok(rows.first().and_then(|r| {
			let row = serde_json::from_str::<ConsentRow>(r.first()?.as_str()?).ok()?;
			let org = r.get(1).and_then(Val::as_i64).and_then(|o| u32::try_from(o).ok());
			Some((row, org))
		}))
	}

	async fn task(&mut self, id: u64) -> Result<Option<TaskRow>, IngestError> {
		if let Some(t) = self.caches.tasks.get(&id) {
			return Ok(Some(t.clone()));
		}
		let rows = self
			.store
			.query(
				"SELECT body FROM resource WHERE rtype = $1 AND id = $2",
				&[Val::text("Task"), Val::text(crate::fhir::task_id(id))],
			)
			.await?;
		Ok(rows.first().and_then(|r| serde_json::from_str::<TaskRow>(r.first()?.as_str()?).ok()))
	}

	fn put_consent(&mut self, row: ConsentRow, org: Option<u32>, out: &mut Vec<Stmt>) {
		out.push(consent_stmt(&row, org));
		let fhir_id = crate::fhir::consent_id(row.kind, &row.patient, row.id);
		self.caches.consents.insert(fhir_id, (row, org));
	}

	fn put_provenance(&mut self, row: ProvenanceRow, out: &mut Vec<Stmt>) {
		out.push(provenance_stmt(&row));
		let id = crate::fhir::provenance_id(&row.record_id, row.version);
		self.caches.provenance.insert(id, row);
	}

	fn put_task(&mut self, row: TaskRow, out: &mut Vec<Stmt>) {
		out.push(task_stmt(&row));
		self.caches.tasks.insert(row.request_id, row);
	}

	async fn grantee(
		&mut self,
		grantee: &consent_primitives::Grantee<AccountId>,
		at: H256,
	) -> Result<(GranteeRow, Option<u32>), IngestError> {
		use consent_primitives::Grantee;
		Ok(match grantee {
			Grantee::Practitioner(who) => {
				let org = self.practitioner_org(who, at).await?;
				(GranteeRow::Practitioner { account: ss58(who) }, org)
			},
			Grantee::Organization(org) => {
				let name = self.org_name(*org, at).await?;
				(GranteeRow::Organization { organization: *org, name }, Some(*org))
			},
			Grantee::Role { organization, role } => {
				let name = self.org_name(*organization, at).await?;
				(
					GranteeRow::Role { organization: *organization, name, role: name_of(role) },
					Some(*organization),
				)
			},
		})
	}

	/// The record ids a consent is limited to, read from the chain at the grant's block.
	async fn consent_records(
		&self,
		patient: &AccountId,
		id: u64,
		at: H256,
	) -> Result<Vec<String>, IngestError> {
		let views = self
			.rpc
			.call("consent_consentsOf", serde_json::json!([ss58(patient), hex0x(at.as_bytes())]))
			.await?;
		Ok(views
			.as_array()
			.and_then(|all| all.iter().find(|v| v.get("id").and_then(Value::as_u64) == Some(id)))
			.and_then(|v| v.get("records"))
			.and_then(Value::as_array)
			.map(|r| r.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
			.unwrap_or_default())
	}

	fn audit_row(&self, kind: AuditKind, patient: String, evidence: Evidence) -> AuditRow {
		AuditRow {
			id: format!("{}-{}", evidence.block, evidence.event_index),
			kind,
			patient,
			agent: None,
			organization: None,
			organization_name: None,
			record_id: None,
			category: None,
			purpose: None,
			success: true,
			reason: String::new(),
			consent_id: None,
			rule_id: None,
			session: None,
			notes_hash: None,
			reviewer_kind: None,
			due: None,
			evidence,
		}
	}

	async fn event(
		&mut self,
		event: RuntimeEvent,
		ev: Evidence,
		at: H256,
		out: &mut Vec<Stmt>,
	) -> Result<(), IngestError> {
		match event {
			RuntimeEvent::Registry(e) => self.registry_event(e, out),
			RuntimeEvent::Consent(e) => self.consent_event(e, ev, at, out).await?,
			RuntimeEvent::Records(e) => self.records_event(e, ev, at, out).await?,
			RuntimeEvent::BreakGlass(e) => self.break_glass_event(e, ev, at, out).await?,
			RuntimeEvent::Proxy(e) => self.proxy_event(e, out),
			_ => {},
		}
		Ok(())
	}

	fn registry_event(&mut self, e: pallet_registry::Event<Runtime>, out: &mut Vec<Stmt>) {
		use pallet_registry::Event as E;
		match e {
			E::OrganizationAdmitted { organization, name }
			| E::OrganizationRenamed { organization, name } => {
				let name = String::from_utf8_lossy(&name).into_owned();
				out.push((
					"INSERT INTO organization (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name"
						.into(),
					vec![Val::int(organization), Val::text(&name)],
				));
				self.caches.org_name.insert(organization, Some(name));
			},
			E::PractitionerRegistered { practitioner, organization, .. } => {
				let key = ss58(&practitioner);
				out.push((
					"INSERT INTO practitioner (account, organization) VALUES ($1, $2) \
					 ON CONFLICT (account) DO UPDATE SET organization = excluded.organization"
						.into(),
					vec![Val::text(&key), Val::int(organization)],
				));
				self.caches.practitioner_org.insert(key, Some(organization));
			},
			_ => {},
		}
	}

	fn proxy_event(&mut self, e: pallet_proxy::Event<Runtime>, out: &mut Vec<Stmt>) {
		use pallet_proxy::Event as E;
		match e {
			E::ProxyAdded { delegator, delegatee, proxy_type, .. } => {
				let until = match proxy_type {
					ProxyType::ConsentManagement => None,
					ProxyType::ConsentManagementUntil(until) => Some(until),
					// Only consent-management proxies are guardians; an `Any` proxy is the
					// patient's own second key, not someone acting for them.
					ProxyType::Any => return,
				};
				out.push((
					"INSERT INTO delegation (delegator, delegate, until_ms) VALUES ($1, $2, $3) \
					 ON CONFLICT (delegator, delegate) DO UPDATE SET until_ms = excluded.until_ms"
						.into(),
					vec![
						Val::text(ss58(&delegator)),
						Val::text(ss58(&delegatee)),
						Val::opt_int(until),
					],
				));
			},
			E::ProxyRemoved { delegator, delegatee, proxy_type, .. }
				if proxy_type != ProxyType::Any =>
			{
				out.push((
					"DELETE FROM delegation WHERE delegator = $1 AND delegate = $2".into(),
					vec![Val::text(ss58(&delegator)), Val::text(ss58(&delegatee))],
				));
			},
			_ => {},
		}
	}

	async fn consent_event(
		&mut self,
		e: pallet_consent::Event<Runtime>,
		ev: Evidence,
		at: H256,
		out: &mut Vec<Stmt>,
	) -> Result<(), IngestError> {
		use pallet_consent::Event as E;
		let now = ev.recorded_at;
		match e {
			E::ConsentGranted { patient, signer, consent_id, grantee, scope, start, end } => {
				let (grantee, org) = self.grantee(&grantee, at).await?;
				let records = self.consent_records(&patient, consent_id, at).await?;
				let row = ConsentRow {
					kind: ConsentKind::Consent,
					id: consent_id,
					patient: ss58(&patient),
					signer: ss58(&signer),
					grantee: Some(grantee),
					categories: names_of(&scope.categories),
					actions: names_of(&scope.actions),
					purposes: names_of(&scope.purposes),
					records,
					start: Some(start),
					end,
					ended_at: None,
					ended_how: None,
					request_id: None,
					evidence: ev,
				};
				self.put_consent(row, org, out);
			},
			E::ConsentRevoked { patient, consent_id, .. } => {
				let how = EndedHow::Revoked;
				self.end_consent(ConsentKind::Consent, &patient, consent_id, now, how, out).await?
			},
			E::ConsentReaped { patient, consent_id, .. } => {
				let how = EndedHow::Reaped;
				self.end_consent(ConsentKind::Consent, &patient, consent_id, now, how, out).await?
			},
			E::DenyRuleRemoved { patient, rule_id, .. } => {
				let how = EndedHow::Removed;
				self.end_consent(ConsentKind::DenyRule, &patient, rule_id, now, how, out).await?
			},
			E::DenyRuleAdded { patient, signer, rule_id, grantee, categories, purposes } => {
				let (grantee, org) = match grantee {
					Some(g) => {
						let (g, org) = self.grantee(&g, at).await?;
						(Some(g), org)
					},
					None => (None, None),
				};
				let row = ConsentRow {
					kind: ConsentKind::DenyRule,
					id: rule_id,
					patient: ss58(&patient),
					signer: ss58(&signer),
					grantee,
					categories: names_of(&categories),
					actions: Vec::new(),
					purposes: names_of(&purposes),
					records: Vec::new(),
					start: None,
					end: None,
					ended_at: None,
					ended_how: None,
					request_id: None,
					evidence: ev,
				};
				self.put_consent(row, org, out);
			},
			E::AccessRequested {
				request_id,
				patient,
				requester,
				scope,
				justification_hash,
				expires_at,
			} => {
				let (org, org_name) = self.org_of(&requester, at).await?;
				let row = TaskRow {
					request_id,
					patient: ss58(&patient),
					requester: ss58(&requester),
					requester_organization: org,
					requester_organization_name: org_name,
					categories: names_of(&scope.categories),
					actions: names_of(&scope.actions),
					purposes: names_of(&scope.purposes),
					justification_hash: hex0x(justification_hash.as_bytes()),
					expires_at,
					status: TaskStatus::Requested,
					consent_id: None,
					status_changed_at: None,
					evidence: ev,
				};
				self.put_task(row, out);
			},
			E::RequestApproved { request_id, patient, consent_id, .. } => {
				self.settle_task(request_id, TaskStatus::Accepted, Some(consent_id), now, out)
					.await?;
				if let Some((mut row, org)) =
					self.consent(ConsentKind::Consent, &patient, consent_id).await?
				{
					row.request_id = Some(request_id);
					self.put_consent(row, org, out);
				}
			},
			E::RequestDenied { request_id, .. } => {
				self.settle_task(request_id, TaskStatus::Rejected, None, now, out).await?
			},
			E::RequestCancelled { request_id, .. } => {
				self.settle_task(request_id, TaskStatus::Cancelled, None, now, out).await?
			},
			E::RequestReaped { request_id, .. } => {
				self.settle_task(request_id, TaskStatus::Failed, None, now, out).await?
			},
		}
		Ok(())
	}

	async fn end_consent(
		&mut self,
		kind: ConsentKind,
		patient: &AccountId,
		id: u64,
		now: u64,
		how: EndedHow,
		out: &mut Vec<Stmt>,
	) -> Result<(), IngestError> {
		match self.consent(kind, patient, id).await? {
			Some((mut row, org)) => {
				row.ended_at = Some(now);
				row.ended_how = Some(how);
				self.put_consent(row, org, out);
			},
			None => tracing::warn!("ended {} {id} was never granted in this trail", kind.as_str()),
		}
		Ok(())
	}

	async fn settle_task(
		&mut self,
		id: u64,
		status: TaskStatus,
		consent: Option<u64>,
		now: u64,
		out: &mut Vec<Stmt>,
	) -> Result<(), IngestError> {
		match self.task(id).await? {
			Some(mut row) => {
				row.status = status;
				row.consent_id = consent;
				row.status_changed_at = Some(now);
				self.put_task(row, out);
			},
			None => tracing::warn!("request {id} settled but never requested in this trail"),
		}
		Ok(())
	}

	async fn records_event(
		&mut self,
		e: pallet_records::Event<Runtime>,
		ev: Evidence,
		at: H256,
		out: &mut Vec<Stmt>,
	) -> Result<(), IngestError> {
		use consent_primitives::{DenyReason, PermitReason};
		use pallet_records::Event as E;
		match e {
			E::RecordAnchored { record_id, patient, author, organization, category, digest } => {
				let record = hex0x(record_id.as_bytes());
				let category = name_of(&category);
				let org_name = match organization {
					Some(org) => self.org_name(org, at).await?,
					None => None,
				};
				out.push((
					"INSERT INTO record (id, category) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING"
						.into(),
					vec![Val::text(&record), Val::text(&category)],
				));
				self.caches.records.insert(record.clone(), category.clone());
				self.put_provenance(
					ProvenanceRow {
						record_id: record,
						version: 0,
						activity: Activity::Create,
						patient: ss58(&patient),
						author: Some(ss58(&author)),
						organization,
						organization_name: org_name,
						category: Some(category),
						digest_algorithm: Some(name_of(&digest.algorithm)),
						digest: Some(hex0x(digest.hash.as_bytes())),
						erased: false,
						evidence: ev,
					},
					out,
				);
			},
			E::RecordAmended { record_id, patient, author, organization, version, digest } => {
				let record = hex0x(record_id.as_bytes());
				let category = self.record_category(&record).await?;
				let org_name = match organization {
					Some(org) => self.org_name(org, at).await?,
					None => None,
				};
				self.put_provenance(
					ProvenanceRow {
						record_id: record,
						version,
						activity: Activity::Update,
						patient: ss58(&patient),
						author: Some(ss58(&author)),
						organization,
						organization_name: org_name,
						category,
						digest_algorithm: Some(name_of(&digest.algorithm)),
						digest: Some(hex0x(digest.hash.as_bytes())),
						erased: false,
						evidence: ev,
					},
					out,
				);
			},
			E::RecordErased { record_id, patient, versions } => {
				// The chain keeps only the digest chain: the trail forgets the author, the
				// organization and the category of every version too.
				let record = hex0x(record_id.as_bytes());
				let prefix = format!("{}-v", crate::fhir::record_id_base32(&record));
				let mut versions_of: HashMap<String, ProvenanceRow> = HashMap::new();
				let stored = self
					.store
					.query(
						"SELECT id, body FROM resource WHERE rtype = $1 AND id LIKE $2",
						&[Val::text("Provenance"), Val::text(format!("{prefix}%"))],
					)
					.await?;
				for row in stored {
					if let (Some(id), Some(body)) =
						(row.first().and_then(Val::as_str), row.get(1).and_then(Val::as_str))
					{
						if let Ok(p) = serde_json::from_str::<ProvenanceRow>(body) {
							versions_of.insert(id.to_string(), p);
						}
					}
				}
				for (id, p) in &self.caches.provenance {
					if id.starts_with(&prefix) {
						versions_of.insert(id.clone(), p.clone());
					}
				}
				for (_, mut p) in versions_of {
					p.author = None;
					p.organization = None;
					p.organization_name = None;
					p.category = None;
					p.erased = true;
					self.put_provenance(p, out);
				}
				out.push(("DELETE FROM record WHERE id = $1".into(), vec![Val::text(&record)]));
				self.caches.records.remove(&record);
				self.put_provenance(
					ProvenanceRow {
						record_id: record,
						version: versions,
						activity: Activity::Nullify,
						patient: ss58(&patient),
						author: None,
						organization: None,
						organization_name: None,
						category: None,
						digest_algorithm: None,
						digest: None,
						erased: false,
						evidence: ev,
					},
					out,
				);
			},
			E::ReadLogged { record_id, patient, accessor, purpose, reason } => {
				let mut row =
					self.read_row(record_id, &patient, &accessor, &purpose, ev, at).await?;
				row.reason = name_of(&reason);
				match reason {
					PermitReason::Consent(id) => row.consent_id = Some(id),
					PermitReason::Emergency(id) => {
						row.session = self.session(id).await?.map(|s| s.3)
					},
					PermitReason::Owner | PermitReason::Delegate => {},
				}
				out.push(audit_stmt(&row));
			},
			E::ReadDenied { record_id, patient, accessor, purpose, reason } => {
				let mut row =
					self.read_row(record_id, &patient, &accessor, &purpose, ev, at).await?;
				row.success = false;
				row.reason = name_of(&reason);
				if let DenyReason::DeniedByRule(id) = reason {
					row.rule_id = Some(id);
				}
				out.push(audit_stmt(&row));
			},
			E::BatchLogged { .. } => {},
		}
		Ok(())
	}

	async fn read_row(
		&mut self,
		record_id: H256,
		patient: &AccountId,
		accessor: &AccountId,
		purpose: &consent_primitives::Purpose,
		ev: Evidence,
		at: H256,
	) -> Result<AuditRow, IngestError> {
		let record = hex0x(record_id.as_bytes());
		let category = self.record_category(&record).await?;
		let (org, org_name) = self.org_of(accessor, at).await?;
		let mut row = self.audit_row(AuditKind::Read, ss58(patient), ev);
		row.agent = Some(ss58(accessor));
		row.organization = org;
		row.organization_name = org_name;
		row.record_id = Some(record);
		row.category = category;
		row.purpose = Some(name_of(purpose));
		Ok(row)
	}

	async fn break_glass_event(
		&mut self,
		e: pallet_break_glass::Event<Runtime>,
		ev: Evidence,
		at: H256,
		out: &mut Vec<Stmt>,
	) -> Result<(), IngestError> {
		use pallet_break_glass::Event as E;
		let (session_id, kind) = match &e {
			E::SessionOpened { session_id, .. } => (*session_id, AuditKind::SessionOpened),
			E::SessionEnded { session_id, .. } => (*session_id, AuditKind::SessionEnded),
			E::SessionReviewed { session_id, .. } => (*session_id, AuditKind::SessionReviewed),
			E::SessionContested { session_id, .. } => (*session_id, AuditKind::SessionContested),
			E::BondSlashed { session_id, .. } => (*session_id, AuditKind::BondSlashed),
			E::ReviewOverdue { session_id, .. } => (*session_id, AuditKind::ReviewOverdue),
			_ => return Ok(()),
		};
		if let E::SessionOpened {
			patient,
			practitioner,
			organization,
			purpose,
			reason,
			justification_hash,
			categories,
			end,
			..
		} = &e
		{
			let info = SessionInfo {
				session_id,
				practitioner: ss58(practitioner),
				purpose: name_of(purpose),
				reason: name_of(reason),
				justification_hash: hex0x(justification_hash.as_bytes()),
				categories: names_of(categories),
				end: *end,
			};
			let entry = (ss58(patient), ss58(practitioner), *organization, info);
			out.push((
				"INSERT INTO session (id, patient, practitioner, organization, body) VALUES ($1, $2, $3, $4, $5) \
				 ON CONFLICT (id) DO NOTHING"
					.into(),
				vec![
					Val::int(session_id),
					Val::text(&entry.0),
					Val::text(&entry.1),
					Val::int(entry.2),
					Val::text(serde_json::to_string(&entry.3).unwrap_or_default()),
				],
			));
			self.caches.sessions.insert(session_id, entry);
		}
		let Some((patient, practitioner, org, info)) = self.session(session_id).await? else {
			tracing::warn!("event of emergency session {session_id}, never opened in this trail");
			return Ok(());
		};
		let mut row = self.audit_row(kind, patient, ev);
		row.organization = Some(org);
		row.organization_name = self.org_name(org, at).await?;
		row.purpose = Some(info.purpose.clone());
		row.session = Some(info);
		row.agent = Some(practitioner);
		match e {
			E::SessionEnded { ended_by, .. } => row.agent = Some(ss58(&ended_by)),
			E::SessionReviewed { reviewer, verdict, notes_hash, .. } => {
				match reviewer {
					pallet_break_glass::Reviewer::Auditor(who) => {
						row.agent = Some(ss58(&who));
						row.reviewer_kind = Some("Auditor".into());
					},
					pallet_break_glass::Reviewer::Governance => {
						row.agent = None;
						row.reviewer_kind = Some("Council".into());
					},
				}
				row.success = verdict == consent_primitives::Verdict::Justified;
				row.reason = name_of(&verdict);
				row.notes_hash = Some(hex0x(notes_hash.as_bytes()));
			},
			E::SessionContested { patient, .. } => row.agent = Some(ss58(&patient)),
			E::BondSlashed { .. } => row.success = false,
			E::ReviewOverdue { due, .. } => {
				row.success = false;
				row.due = Some(due);
			},
			_ => {},
		}
		out.push(audit_stmt(&row));
		Ok(())
	}
}
