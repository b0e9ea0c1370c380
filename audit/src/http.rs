//! The REST API: sign-in, FHIR R5 read and search, bulk export, status.
//!
//! Every answer of the FHIR endpoint is `application/fhir+json` (NDJSON for `$export`); every
//! refusal is an `OperationOutcome` with the HTTP status that says why: 400 malformed, 401 no
//! valid token, 403 not yours, 404 unknown, 405 wrong method.

use crate::auth::{parse_account, Auth, AuthError, Grant};
use crate::db::{DbError, Store, Val};
use crate::fhir::{self, FHIR_JSON, FHIR_NDJSON};
use crate::ingest::Progress;
use crate::model::*;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Default and largest page size of a search.
const DEFAULT_COUNT: i64 = 50;
const MAX_COUNT: i64 = 500;
/// Largest `$export`: more asks for a shorter period.
const MAX_EXPORT: usize = 200_000;
/// Largest accepted request body (sign-in JSON).
const MAX_BODY: usize = 16 * 1024;

/// Everything a request needs.
pub struct App {
	pub store: Arc<Store>,
	pub auth: Auth,
	pub progress: Arc<Progress>,
	pub genesis: String,
	/// `http://host:port` as clients reach it (links, `fullUrl`).
	pub public_url: String,
	/// Why ingest stopped, if it did.
	pub ingest_error: std::sync::Mutex<Option<String>>,
	/// Web origins whose pages may call the API (the web app), exactly as browsers send them.
	pub allowed_origins: Vec<String>,
}

type Resp = Response<Full<Bytes>>;

/// A refusal: HTTP status, `OperationOutcome` issue code, and a sentence.
#[derive(Debug)]
pub struct Refusal(pub StatusCode, pub &'static str, pub String);

impl Refusal {
	fn invalid(msg: impl Into<String>) -> Self {
		Self(StatusCode::BAD_REQUEST, "invalid", msg.into())
	}
	fn forbidden(msg: impl Into<String>) -> Self {
		Self(StatusCode::FORBIDDEN, "forbidden", msg.into())
	}
	fn not_found(msg: impl Into<String>) -> Self {
		Self(StatusCode::NOT_FOUND, "not-found", msg.into())
	}
}

impl From<DbError> for Refusal {
	fn from(e: DbError) -> Self {
		tracing::error!("database: {e}");
		Self(
			StatusCode::INTERNAL_SERVER_ERROR,
			"exception",
			"the audit database could not answer; try again".into(),
		)
	}
}

impl From<AuthError> for Refusal {
	fn from(e: AuthError) -> Self {
		match e {
			AuthError::Invalid(m) => Self::invalid(m),
			AuthError::Unauthenticated(m) => Self(StatusCode::UNAUTHORIZED, "login", m),
			AuthError::Unavailable(m) => Self(StatusCode::SERVICE_UNAVAILABLE, "transient", m),
		}
	}
}

fn respond(status: StatusCode, content_type: &str, body: String) -> Resp {
	let mut r = Response::new(Full::new(Bytes::from(body)));
	*r.status_mut() = status;
	if let Ok(v) = content_type.parse() {
		r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
	}
	r.headers_mut()
		.insert(hyper::header::CACHE_CONTROL, hyper::header::HeaderValue::from_static("no-store"));
	r
}

fn fhir_json(status: StatusCode, body: &Value) -> Resp {
	respond(status, &format!("{FHIR_JSON}; charset=utf-8"), body.to_string())
}

fn refusal(r: Refusal) -> Resp {
	let Refusal(status, code, msg) = r;
	let mut resp = fhir_json(status, &fhir::operation_outcome("error", code, &msg));
	if status == StatusCode::UNAUTHORIZED {
		resp.headers_mut().insert(
			hyper::header::WWW_AUTHENTICATE,
			hyper::header::HeaderValue::from_static("Bearer realm=\"consent-audit\""),
		);
	}
	resp
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Handles one request; never fails (errors become `OperationOutcome`s).
pub async fn handle(app: Arc<App>, req: Request<Incoming>) -> Result<Resp, Infallible> {
	let method = req.method().clone();
	let path = req.uri().path().to_string();
	let query = req.uri().query().unwrap_or("").to_string();
	let origin = req
		.headers()
		.get(hyper::header::ORIGIN)
		.and_then(|o| o.to_str().ok())
		.filter(|o| app.allowed_origins.iter().any(|a| a == o))
		.map(str::to_string);
	let mut resp = if method == Method::OPTIONS && origin.is_some() {
		// A browser's preflight for a call from an allowed origin.
		let mut r = respond(StatusCode::NO_CONTENT, "text/plain", String::new());
		let h = r.headers_mut();
		h.insert(
			hyper::header::ACCESS_CONTROL_ALLOW_METHODS,
			hyper::header::HeaderValue::from_static("GET, POST"),
		);
		h.insert(
			hyper::header::ACCESS_CONTROL_ALLOW_HEADERS,
			hyper::header::HeaderValue::from_static("authorization, content-type, accept"),
		);
		h.insert(
			hyper::header::ACCESS_CONTROL_MAX_AGE,
			hyper::header::HeaderValue::from_static("600"),
		);
		r
	} else {
		match route(&app, req, &method, &path, &query).await {
			Ok(resp) => resp,
			Err(r) => {
				if r.0.is_server_error() {
					tracing::warn!("{method} {path}: {} {}", r.0, r.2);
				}
				refusal(r)
			},
		}
	};
	if let Some(origin) = origin.and_then(|o| o.parse().ok()) {
		resp.headers_mut().insert(hyper::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
		resp.headers_mut()
			.insert(hyper::header::VARY, hyper::header::HeaderValue::from_static("Origin"));
	}
	Ok(resp)
}

async fn route(
	app: &App,
	req: Request<Incoming>,
	method: &Method,
	path: &str,
	query: &str,
) -> Result<Resp, Refusal> {
	let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
	let only = |allowed: &Method| -> Result<(), Refusal> {
		if method == allowed {
			Ok(())
		} else {
			Err(Refusal(
				StatusCode::METHOD_NOT_ALLOWED,
				"not-supported",
				format!("{method} is not supported on {path}"),
			))
		}
	};
	match segments.as_slice() {
		["status"] => {
			only(&Method::GET)?;
			Ok(status(app))
		},
		["auth", "challenge"] => {
			only(&Method::POST)?;
			let body = read_json(req).await?;
			let account = string_field(&body, "account")?;
			let challenge = app.auth.challenge(&account)?;
			Ok(respond(
				StatusCode::OK,
				"application/json",
				json!({ "challenge": challenge }).to_string(),
			))
		},
		["auth", "token"] => {
			only(&Method::POST)?;
			let body = read_json(req).await?;
			let (account, challenge, signature) = (
				string_field(&body, "account")?,
				string_field(&body, "challenge")?,
				string_field(&body, "signature")?,
			);
			let (token, grant) = app.auth.token(&account, &challenge, &signature).await?;
			let answer = json!({
				"access_token": token,
				"token_type": "Bearer",
				"expires_in": app.auth.ttl_secs(),
				"account": grant.account,
				"council": grant.council,
				"auditorOf": grant.auditor_of,
			});
			Ok(respond(StatusCode::OK, "application/json", answer.to_string()))
		},
		["fhir", "metadata"] => {
			only(&Method::GET)?;
			Ok(fhir_json(StatusCode::OK, &fhir::capability_statement(&context(app))))
		},
		["fhir", rest @ ..] => {
			only(&Method::GET)?;
			let grant = bearer(app, &req)?;
			match rest {
				["$export"] => export(app, &grant, query).await,
				[rtype] => search(app, &grant, rtype, query).await,
				[rtype, id] => read(app, &grant, rtype, id).await,
				_ => Err(Refusal::not_found(format!("no FHIR interaction at {path}"))),
			}
		},
		_ => Err(Refusal::not_found(format!("nothing at {path}: the FHIR endpoint is /fhir"))),
	}
}

fn status(app: &App) -> Resp {
	let ingested = app.progress.ingested.load(Ordering::Relaxed);
	let finalized = app.progress.finalized.load(Ordering::Relaxed);
	let error = app.ingest_error.lock().ok().and_then(|e| e.clone());
	let body = json!({
		"genesis": app.genesis,
		"ingested": (ingested >= 0).then_some(ingested),
		"finalized": (finalized >= 0).then_some(finalized),
		"database": app.store.kind(),
		"ingestError": error,
	});
	respond(StatusCode::OK, "application/json", body.to_string())
}

async fn read_json(req: Request<Incoming>) -> Result<Value, Refusal> {
	let body = Limited::new(req.into_body(), MAX_BODY)
		.collect()
		.await
		.map_err(|_| {
			Refusal::invalid(format!("the request body must be JSON of at most {MAX_BODY} bytes"))
		})?
		.to_bytes();
	serde_json::from_slice(&body)
		.map_err(|e| Refusal::invalid(format!("the request body is not JSON: {e}")))
}

fn string_field(body: &Value, name: &str) -> Result<String, Refusal> {
	body.get(name)
		.and_then(Value::as_str)
		.map(str::to_string)
		.ok_or_else(|| Refusal::invalid(format!("the request body needs a string field {name:?}")))
}

fn bearer(app: &App, req: &Request<Incoming>) -> Result<Grant, Refusal> {
	let header = req
		.headers()
		.get(hyper::header::AUTHORIZATION)
		.and_then(|h| h.to_str().ok())
		.ok_or_else(|| {
			Refusal(
				StatusCode::UNAUTHORIZED,
				"login",
				"sign in first: POST /auth/challenge, sign it, POST /auth/token, then send Authorization: Bearer <token>".into(),
			)
		})?;
	let token = header.strip_prefix("Bearer ").ok_or_else(|| {
		Refusal(
			StatusCode::UNAUTHORIZED,
			"login",
			"the Authorization header must be 'Bearer <token>'".into(),
		)
	})?;
	app.auth.check(token.trim()).ok_or_else(|| {
		Refusal(
			StatusCode::UNAUTHORIZED,
			"login",
			"the token is unknown or has expired: sign in again".into(),
		)
	})
}

fn context(app: &App) -> Context {
	Context {
		genesis: app.genesis.clone(),
		base_url: format!("{}/fhir", app.public_url),
		now: now_ms(),
	}
}

/// The SQL condition limiting rows to what `grant` may read, with its parameters appended.
fn access_filter(grant: &Grant, params: &mut Vec<Val>) -> String {
	if grant.council {
		return "1 = 1".into();
	}
	let mut p = |v: Val| {
		params.push(v);
		format!("${}", params.len())
	};
	let own = p(Val::text(&grant.account));
	let delegate = p(Val::text(&grant.account));
	let now = p(Val::int(now_ms()));
	let mut sql = format!(
		"(patient = {own} OR patient IN (SELECT delegator FROM delegation WHERE delegate = {delegate} \
		 AND (until_ms IS NULL OR until_ms > {now}))"
	);
	if let Some(org) = grant.auditor_of {
		sql.push_str(&format!(" OR organization = {}", p(Val::int(org))));
	}
	sql.push(')');
	sql
}

/// Whether `grant` may read a resource about `patient` involving `organization`.
async fn may_read(
	app: &App,
	grant: &Grant,
	patient: &str,
	organization: Option<i64>,
) -> Result<bool, Refusal> {
	if grant.council || grant.account == patient {
		return Ok(true);
	}
	if grant.auditor_of.is_some() && grant.auditor_of.map(i64::from) == organization {
		return Ok(true);
	}
	let rows = app
		.store
		.query(
			"SELECT 1 FROM delegation WHERE delegator = $1 AND delegate = $2 AND (until_ms IS NULL OR until_ms > $3)",
			&[Val::text(patient), Val::text(&grant.account), Val::int(now_ms())],
		)
		.await?;
	Ok(!rows.is_empty())
}

/// An account given as `<ss58>`, `urn:consent-chain:account|<ss58>` or `Patient/<ss58>`.
fn account_param(name: &str, value: &str) -> Result<String, Refusal> {
	let v = value
		.strip_prefix("urn:consent-chain:account|")
		.or_else(|| value.split_once('/').map(|(_, v)| v))
		.unwrap_or(value);
	parse_account(v)
		.map(|a| a.to_ss58check())
		.map_err(|e| Refusal::invalid(format!("search parameter {name}: {e}")))
}

/// The resource types served, and the search parameters each accepts besides the common ones.
fn search_params(rtype: &str) -> Option<&'static [&'static str]> {
	Some(match rtype {
		"Consent" => &["actor", "status"],
		"AuditEvent" => &["agent", "outcome"],
		"Provenance" => &["agent", "target"],
		"Task" => &["requester", "status"],
		_ => return None,
	})
}

const COMMON_PARAMS: &[&str] =
	&["patient", "organization", "date", "_count", "_cursor", "_format", "_sort"];

fn body_to_resource(ctx: &Context, rtype: &str, body: &str) -> Result<Value, Refusal> {
	let corrupt = |e: serde_json::Error| {
		tracing::error!("stored {rtype} row does not parse: {e}");
		Refusal(
			StatusCode::INTERNAL_SERVER_ERROR,
			"exception",
			"a stored row could not be read".into(),
		)
	};
	Ok(match rtype {
		"Consent" => fhir::consent(ctx, &serde_json::from_str(body).map_err(corrupt)?),
		"AuditEvent" => fhir::audit_event(ctx, &serde_json::from_str(body).map_err(corrupt)?),
		"Provenance" => fhir::provenance(ctx, &serde_json::from_str(body).map_err(corrupt)?),
		_ => fhir::task(ctx, &serde_json::from_str(body).map_err(corrupt)?),
	})
}

/// A date search value with its prefix, as a condition on `recorded`.
fn date_condition(value: &str, params: &mut Vec<Val>) -> Result<String, Refusal> {
	let (prefix, rest) = match value.get(..2) {
		Some(p @ ("eq" | "ne" | "gt" | "lt" | "ge" | "le" | "sa" | "eb" | "ap")) => {
			(p, &value[2..])
		},
		_ => ("eq", value),
	};
	let (start, end) = fhir::parse_date_range(rest)
		.map_err(|e| Refusal::invalid(format!("search parameter date: {e}")))?;
	let mut p = |v: u64| {
		params.push(Val::int(v));
		format!("${}", params.len())
	};
	Ok(match prefix {
		"eq" => {
			let s = p(start);
			let e = p(end);
			format!("recorded >= {s} AND recorded < {e}")
		},
		"ge" => format!("recorded >= {}", p(start)),
		"gt" | "sa" => format!("recorded >= {}", p(end)),
		"le" => format!("recorded < {}", p(end)),
		"lt" | "eb" => format!("recorded < {}", p(start)),
		other => {
			return Err(Refusal::invalid(format!(
				"date prefix {other:?} is not supported (use eq, ge, gt, le, lt)"
			)))
		},
	})
}

pub(crate) async fn search(
	app: &App,
	grant: &Grant,
	rtype: &str,
	query: &str,
) -> Result<Resp, Refusal> {
	let extra = search_params(rtype).ok_or_else(|| {
		Refusal::not_found(format!(
			"this server serves Consent, AuditEvent, Provenance and Task, not {rtype:?}"
		))
	})?;
	let ctx = context(app);
	let mut params = vec![Val::text(rtype)];
	let mut conds = vec!["rtype = $1".to_string()];
	let mut count = DEFAULT_COUNT;
	let mut newest_first = false;
	let mut after: Option<(i64, i64)> = None;
	let mut kept: Vec<(String, String)> = Vec::new();
	for (key, value) in form_urlencoded::parse(query.as_bytes()) {
		let (key, value) = (key.into_owned(), value.into_owned());
		if !COMMON_PARAMS.contains(&key.as_str()) && !extra.contains(&key.as_str()) {
			let mut known: Vec<&str> = COMMON_PARAMS.iter().chain(extra.iter()).copied().collect();
			known.retain(|k| *k != "_cursor");
			return Err(Refusal::invalid(format!(
				"unknown search parameter {key:?} for {rtype}; supported: {}",
				known.join(", ")
			)));
		}
		if value.is_empty() {
			return Err(Refusal::invalid(format!("search parameter {key} has no value")));
		}
		let push = |params: &mut Vec<Val>, v: Val| {
			params.push(v);
			format!("${}", params.len())
		};
		match key.as_str() {
			"patient" => {
				let who = account_param("patient", &value)?;
				if !grant.council
					&& grant.auditor_of.is_none()
					&& !may_read(app, grant, &who, None).await?
				{
					return Err(Refusal::forbidden(format!(
						"{} may not read the trail of patient {who}: only their own, or a patient they act for as guardian",
						grant.account
					)));
				}
				let p = push(&mut params, Val::text(who));
				conds.push(format!("patient = {p}"));
			},
			"actor" | "agent" | "requester" => {
				let who = account_param(&key, &value)?;
				let p = push(&mut params, Val::text(who));
				conds.push(format!("agent = {p}"));
			},
			"organization" => {
				let v = value.rsplit(['|', '/']).next().unwrap_or(&value);
				let org: i64 = v.parse().map_err(|_| {
					Refusal::invalid(format!(
						"search parameter organization: {value:?} is not an organization id"
					))
				})?;
				let p = push(&mut params, Val::Int(org));
				conds.push(format!("organization = {p}"));
			},
			"date" => conds.push(date_condition(&value, &mut params)?),
			"outcome" => {
				let code = value.rsplit('|').next().unwrap_or(&value);
				if !["0", "4", "8", "12"].contains(&code) {
					return Err(Refusal::invalid(format!("search parameter outcome: {value:?} is not an audit-event-outcome code (0, 4, 8, 12)")));
				}
				let p = push(&mut params, Val::text(code));
				conds.push(format!("status = {p}"));
			},
			"status" if rtype == "Consent" => {
				let now = now_ms();
				match value.as_str() {
					"active" => {
						let a = push(&mut params, Val::text("granted"));
						let n = push(&mut params, Val::int(now));
						conds
							.push(format!("status = {a} AND (until_ms IS NULL OR until_ms > {n})"));
					},
					"inactive" => {
						let a = push(&mut params, Val::text("ended"));
						let n = push(&mut params, Val::int(now));
						conds.push(format!("(status = {a} OR until_ms <= {n})"));
					},
					other => {
						return Err(Refusal::invalid(format!(
							"Consent status {other:?}: use active or inactive"
						)))
					},
				}
			},
			"status" => {
				let s = TaskStatus::parse(&value).ok_or_else(|| {
					Refusal::invalid(format!("Task status {value:?}: use requested, accepted, rejected, cancelled or failed"))
				})?;
				let p = push(&mut params, Val::text(s.as_str()));
				conds.push(format!("status = {p}"));
			},
			"target" => {
				let record = value.rsplit(['|', '/']).next().unwrap_or(&value).to_ascii_lowercase();
				let hex = record.trim_start_matches("0x");
				if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
					return Err(Refusal::invalid(format!(
						"search parameter target: {value:?} is not a record id (32 bytes of hex)"
					)));
				}
				let p = push(&mut params, Val::text(format!("{}-v%", fhir::record_id_base32(hex))));
				conds.push(format!("id LIKE {p}"));
			},
			"_count" => {
				count =
					value.parse::<i64>().ok().filter(|c| (1..=MAX_COUNT).contains(c)).ok_or_else(
						|| {
							Refusal::invalid(format!(
							"_count must be a whole number from 1 to {MAX_COUNT}, not {value:?}"
						))
						},
					)?;
			},
			"_cursor" => {
				let parsed = value
					.split_once('.')
					.and_then(|(r, s)| Some((r.parse().ok()?, s.parse().ok()?)));
				after =
					Some(parsed.ok_or_else(|| {
						Refusal::invalid("_cursor is not one this server issued")
					})?);
				continue;
			},
			"_sort" => {
				newest_first = match value.as_str() {
					"date" | "_lastUpdated" => false,
					"-date" | "-_lastUpdated" => true,
					other => {
						return Err(Refusal::invalid(format!("_sort {other:?}: use date or -date")))
					},
				};
			},
			"_format"
				if !["json", "application/fhir+json", "application/json"]
					.contains(&value.as_str()) =>
			{
				return Err(Refusal(
					StatusCode::NOT_ACCEPTABLE,
					"not-supported",
					"only JSON is served".into(),
				));
			},
			_ => {},
		}
		kept.push((key, value));
	}
	conds.push(access_filter(grant, &mut params));
	if let Some((recorded, seq)) = after {
		params.push(Val::Int(recorded));
		let r = params.len();
		params.push(Val::Int(seq));
		let cmp = if newest_first { "<" } else { ">" };
		conds.push(format!("(recorded, seq) {cmp} (${r}, ${})", r + 1));
	}
	params.push(Val::Int(count + 1));
	let order = if newest_first { "recorded DESC, seq DESC" } else { "recorded, seq" };
	let sql = format!(
		"SELECT body, recorded, seq FROM resource WHERE {} ORDER BY {order} LIMIT ${}",
		conds.join(" AND "),
		params.len()
	);
	let rows = app.store.query(&sql, &params).await?;
	let more = rows.len() as i64 > count;
	let mut resources = Vec::new();
	let mut last = None;
	for row in rows.iter().take(count as usize) {
		let body = row.first().and_then(Val::as_str).unwrap_or_default();
		resources.push(body_to_resource(&ctx, rtype, body)?);
		last = Some((
			row.get(1).and_then(Val::as_i64).unwrap_or(0),
			row.get(2).and_then(Val::as_i64).unwrap_or(0),
		));
	}
	let encode = |pairs: &[(String, String)]| {
		let mut s = form_urlencoded::Serializer::new(String::new());
		for (k, v) in pairs {
			s.append_pair(k, v);
		}
		s.finish()
	};
	let base = format!("{}/{rtype}", ctx.base_url);
	let self_url = format!("{base}?{}", encode(&kept));
	let next_url = match (more, last) {
		(true, Some((r, s))) => {
			let mut next = kept.clone();
			next.push(("_cursor".into(), format!("{r}.{s}")));
			Some(format!("{base}?{}", encode(&next)))
		},
		_ => None,
	};
	Ok(fhir_json(StatusCode::OK, &fhir::searchset(&ctx, &self_url, next_url.as_deref(), resources)))
}

async fn read(app: &App, grant: &Grant, rtype: &str, id: &str) -> Result<Resp, Refusal> {
	if search_params(rtype).is_none() {
		return Err(Refusal::not_found(format!(
			"this server serves Consent, AuditEvent, Provenance and Task, not {rtype:?}"
		)));
	}
	if id.is_empty()
		|| id.len() > 128
		|| !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
	{
		return Err(Refusal::invalid(format!("{id:?} is not a FHIR id")));
	}
	let rows = app
		.store
		.query(
			"SELECT body, patient, organization FROM resource WHERE rtype = $1 AND id = $2",
			&[Val::text(rtype), Val::text(id)],
		)
		.await?;
	let row = rows
		.first()
		.ok_or_else(|| Refusal::not_found(format!("{rtype}/{id} is not in the trail")))?;
	let patient = row.get(1).and_then(Val::as_str).unwrap_or_default();
	if !may_read(app, grant, patient, row.get(2).and_then(Val::as_i64)).await? {
		return Err(Refusal::forbidden(format!("{} may not read {rtype}/{id}", grant.account)));
	}
	let body = row.first().and_then(Val::as_str).unwrap_or_default();
	Ok(fhir_json(StatusCode::OK, &body_to_resource(&context(app), rtype, body)?))
}

/// `$export`: every resource of the given types recorded in a period, one per line.
async fn export(app: &App, grant: &Grant, query: &str) -> Result<Resp, Refusal> {
	let mut types: Vec<String> =
		vec!["Consent".into(), "AuditEvent".into(), "Provenance".into(), "Task".into()];
	let (mut since, mut until) = (None, None);
	for (key, value) in form_urlencoded::parse(query.as_bytes()) {
		match key.as_ref() {
			"_type" => {
				types = value.split(',').map(|t| t.trim().to_string()).collect();
				if let Some(bad) = types.iter().find(|t| search_params(t).is_none()) {
					return Err(Refusal::invalid(format!(
						"_type {bad:?}: export Consent, AuditEvent, Provenance or Task"
					)));
				}
			},
			"_since" => {
				let (start, _) = fhir::parse_date_range(&value)
					.map_err(|e| Refusal::invalid(format!("_since: {e}")))?;
				since = Some(start);
			},
			"_until" => {
				let (_, end) = fhir::parse_date_range(&value)
					.map_err(|e| Refusal::invalid(format!("_until: {e}")))?;
				until = Some(end);
			},
			"_outputFormat"
				if ["application/fhir+ndjson", "application/ndjson", "ndjson"]
					.contains(&value.as_ref()) => {},
			other => {
				return Err(Refusal::invalid(format!(
					"unknown $export parameter {other:?}; supported: _type, _since, _until, _outputFormat"
				)))
			},
		}
	}
	let ctx = context(app);
	let mut out = String::new();
	let mut n = 0usize;
	for rtype in &types {
		let mut params = vec![Val::text(rtype)];
		let mut conds = vec!["rtype = $1".to_string()];
		if let Some(since) = since {
			params.push(Val::int(since));
			conds.push(format!("recorded >= ${}", params.len()));
		}
		if let Some(until) = until {
			params.push(Val::int(until));
			conds.push(format!("recorded < ${}", params.len()));
		}
		conds.push(access_filter(grant, &mut params));
		// One more than may still be exported, to know when the period is too long.
		params.push(Val::int(MAX_EXPORT + 1 - n));
		let sql = format!(
			"SELECT body FROM resource WHERE {} ORDER BY recorded, seq LIMIT ${}",
			conds.join(" AND "),
			params.len()
		);
		for row in app.store.query(&sql, &params).await? {
			n += 1;
			if n > MAX_EXPORT {
				return Err(Refusal(
					StatusCode::PAYLOAD_TOO_LARGE,
					"too-costly",
					format!(
						"more than {MAX_EXPORT} resources: export a shorter period (_since/_until)"
					),
				));
			}
			let body = row.first().and_then(Val::as_str).unwrap_or_default();
			out.push_str(&body_to_resource(&ctx, rtype, body)?.to_string());
			out.push('\n');
		}
	}
	Ok(respond(StatusCode::OK, FHIR_NDJSON, out))
}
