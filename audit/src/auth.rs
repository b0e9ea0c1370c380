//! Who is asking: a caller proves their account by signing a one-time challenge with its sr25519
//! key (the wallet's key, as `signRaw` does) and gets a short-lived bearer token. What the token
//! may read is decided from chain state when it is issued (council membership, an auditor's
//! credential) and from the trail when it is used (the patients a guardian acts for).

use crate::rpc::Rpc;
use consent_primitives::Role;
use consent_runtime::{AccountId, Runtime};
use rand::RngCore;
use sp_core::crypto::Ss58Codec;
use sp_core::sr25519;
use sp_runtime::traits::Verify;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a challenge may be answered.
const CHALLENGE_TTL: Duration = Duration::from_secs(120);
/// At most this many unanswered challenges are kept (older ones are dropped first).
const MAX_CHALLENGES: usize = 10_000;

/// What a token holder may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
	/// SS58 of the caller.
	pub account: String,
	/// A member of the consortium council: everything.
	pub council: bool,
	/// An active practitioner with the Auditor role: everything involving this organization.
	pub auditor_of: Option<u32>,
}

/// Why a caller was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum AuthError {
	/// 400: the request itself is malformed.
	Invalid(String),
	/// 401: no valid proof of the account.
	Unauthenticated(String),
	/// 503: the chain could not be asked what the caller may read.
	Unavailable(String),
}

struct Pending {
	account: String,
	expires: Instant,
}

struct Issued {
	grant: Grant,
	expires: Instant,
}

/// Challenges and tokens (in memory: a restart signs everyone out).
pub struct Auth {
	rpc: Arc<Rpc>,
	genesis: String,
	ttl: Duration,
	challenges: Mutex<HashMap<String, Pending>>,
	tokens: Mutex<HashMap<String, Issued>>,
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn random_hex(bytes: usize) -> String {
	let mut buf = vec![0u8; bytes];
	rand::rngs::OsRng.fill_bytes(&mut buf);
	hex::encode(buf)
}

/// Parses an SS58 address, refusing anything else.
pub fn parse_account(s: &str) -> Result<AccountId, String> {
	AccountId::from_ss58check(s.trim())
		.map_err(|e| format!("{s:?} is not an SS58 account address ({e:?})"))
}

impl Auth {
	pub fn new(rpc: Arc<Rpc>, genesis: String, ttl: Duration) -> Self {
		Self {
			rpc,
			genesis,
			ttl,
			challenges: Mutex::new(HashMap::new()),
			tokens: Mutex::new(HashMap::new()),
		}
	}

	/// Token lifetime in seconds (the `expires_in` of the token response).
	pub fn ttl_secs(&self) -> u64 {
		self.ttl.as_secs()
	}

	/// A one-time text for `account` to sign.
	pub fn challenge(&self, account: &str) -> Result<String, AuthError> {
		let who = parse_account(account).map_err(AuthError::Invalid)?;
		let account = who.to_ss58check();
		let expires_at = now_ms() + CHALLENGE_TTL.as_millis() as u64;
		let text = format!(
			"consent-audit sign-in\naccount: {account}\nchain: {}\nnonce: {}\nexpires: {}",
			self.genesis,
			random_hex(16),
			crate::fhir::instant(expires_at)
		);
		let mut pending = self
			.challenges
			.lock()
			.map_err(|_| AuthError::Unavailable("challenge store poisoned".into()))?;
		let now = Instant::now();
		pending.retain(|_, p| p.expires > now);
		if pending.len() >= MAX_CHALLENGES {
			if let Some(oldest) =
				pending.iter().min_by_key(|(_, p)| p.expires).map(|(k, _)| k.clone())
			{
				pending.remove(&oldest);
			}
		}
		pending.insert(text.clone(), Pending { account, expires: now + CHALLENGE_TTL });
		Ok(text)
	}

	/// Checks the signature of a challenge and issues a token with what the caller may read.
	pub async fn token(
		&self,
		account: &str,
		challenge: &str,
		signature: &str,
	) -> Result<(String, Grant), AuthError> {
		let who = parse_account(account).map_err(AuthError::Invalid)?;
		let account = who.to_ss58check();
		let sig = hex::decode(signature.trim().trim_start_matches("0x"))
			.map_err(|_| AuthError::Invalid("signature must be 0x-prefixed hex".into()))?;
		let sig = sr25519::Signature::try_from(&sig[..])
			.map_err(|_| AuthError::Invalid("signature must be 64 bytes (sr25519)".into()))?;
		{
			// One use only, whatever the outcome: a wrong signature burns the challenge.
			let mut pending = self
				.challenges
				.lock()
				.map_err(|_| AuthError::Unavailable("challenge store poisoned".into()))?;
			match pending.remove(challenge) {
				Some(p) if p.account == account && p.expires > Instant::now() => {},
				Some(_) => {
					return Err(AuthError::Unauthenticated(
						"the challenge was issued to another account or has expired".into(),
					))
				},
				None => {
					return Err(AuthError::Unauthenticated(
						"unknown or already used challenge: ask for a new one".into(),
					))
				},
			}
		}
		let public = sr25519::Public::from_raw(who.clone().into());
		let wrapped = format!("<Bytes>{challenge}</Bytes>");
		if !sig.verify(challenge.as_bytes(), &public) && !sig.verify(wrapped.as_bytes(), &public) {
			return Err(AuthError::Unauthenticated(
				"the signature does not match the account".into(),
			));
		}
		let grant = self.grant_of(&who).await?;
		let token = random_hex(32);
		let mut tokens = self
			.tokens
			.lock()
			.map_err(|_| AuthError::Unavailable("token store poisoned".into()))?;
		let now = Instant::now();
		tokens.retain(|_, t| t.expires > now);
		tokens.insert(token.clone(), Issued { grant: grant.clone(), expires: now + self.ttl });
		Ok((token, grant))
	}

	/// What a bearer token may read, if it is valid.
	pub fn check(&self, token: &str) -> Option<Grant> {
		let tokens = self.tokens.lock().ok()?;
		tokens.get(token).filter(|t| t.expires > Instant::now()).map(|t| t.grant.clone())
	}

	async fn grant_of(&self, who: &AccountId) -> Result<Grant, AuthError> {
		let unavailable =
			|e: crate::rpc::RpcError| AuthError::Unavailable(format!("cannot read the chain: {e}"));
		let members_key = frame_support::storage::storage_prefix(b"Council", b"Members");
		let members: Vec<AccountId> =
			self.rpc.storage(&members_key, None).await.map_err(unavailable)?.unwrap_or_default();
		let practitioner: Option<pallet_registry::Practitioner> = self
			.rpc
			.storage(&pallet_registry::Practitioners::<Runtime>::hashed_key_for(who), None)
			.await
			.map_err(unavailable)?;
		let auditor_of = practitioner
			.filter(|p| p.roles.contains(Role::Auditor) && p.is_valid_at(now_ms()))
			.map(|p| p.organization);
		Ok(Grant { account: who.to_ss58check(), council: members.contains(who), auditor_of })
	}
}
