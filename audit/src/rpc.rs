//! A JSON-RPC client for the node's HTTP endpoint (the port that also serves WebSocket), and
//! typed reads of the chain state the service needs, decoded with the runtime's own types.

use codec::Decode;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use sp_core::H256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// An RPC failure: transport, node error, or an answer of the wrong shape.
#[derive(Debug)]
pub struct RpcError(pub String);

impl std::fmt::Display for RpcError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.0)
	}
}
impl std::error::Error for RpcError {}

/// The node's RPC, over HTTP.
pub struct Rpc {
	url: hyper::Uri,
	client: Client<HttpConnector, Full<bytes::Bytes>>,
	id: AtomicU64,
}

/// `0x`-prefixed lower-case hex.
pub fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// Bytes from `0x`-prefixed hex.
pub fn unhex(s: &str) -> Result<Vec<u8>, RpcError> {
	hex::decode(s.trim_start_matches("0x")).map_err(|e| RpcError(format!("bad hex {s:?}: {e}")))
}

impl Rpc {
	/// A client for `url` (`http://127.0.0.1:9944`; `ws://` is read as `http://`).
	pub fn new(url: &str) -> Result<Self, RpcError> {
		let url = url.replacen("ws://", "http://", 1).replacen("wss://", "https://", 1);
		let url: hyper::Uri =
			url.parse().map_err(|e| RpcError(format!("bad node URL {url:?}: {e}")))?;
		if url.scheme_str() != Some("http") {
			return Err(RpcError(format!(
				"node URL must be http:// (or ws://) on a trusted network: {url}"
			)));
		}
		let mut connector = HttpConnector::new();
		connector.set_connect_timeout(Some(Duration::from_secs(10)));
		let client = Client::builder(TokioExecutor::new()).build(connector);
		Ok(Self { url, client, id: AtomicU64::new(1) })
	}

	/// Calls `method` and returns its `result`.
	pub async fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
		let id = self.id.fetch_add(1, Ordering::Relaxed);
		let body =
			json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
		let request = hyper::Request::post(self.url.clone())
			.header("content-type", "application/json")
			.body(Full::new(bytes::Bytes::from(body)))
			.map_err(|e| RpcError(e.to_string()))?;
		let response = tokio::time::timeout(Duration::from_secs(60), self.client.request(request))
			.await
			.map_err(|_| RpcError(format!("{method}: no answer in 60 s")))?
			.map_err(|e| RpcError(format!("{method}: {e}")))?;
		let bytes = response
			.into_body()
			.collect()
			.await
			.map_err(|e| RpcError(format!("{method}: {e}")))?
			.to_bytes();
		let mut answer: Value = serde_json::from_slice(&bytes)
			.map_err(|e| RpcError(format!("{method}: not JSON: {e}")))?;
		if let Some(error) = answer.get("error") {
			return Err(RpcError(format!("{method}: {error}")));
		}
		Ok(answer.get_mut("result").map(Value::take).unwrap_or(Value::Null))
	}

	/// The hash of block `number`, if the node has it.
	pub async fn block_hash(&self, number: u64) -> Result<Option<H256>, RpcError> {
		let v = self.call("chain_getBlockHash", json!([number])).await?;
		match v.as_str() {
			Some(s) => Ok(Some(H256::from_slice(&fixed32(s)?))),
			None => Ok(None),
		}
	}

	/// The last finalized block: (number, hash).
	pub async fn finalized(&self) -> Result<(u64, H256), RpcError> {
		let hash = self.call("chain_getFinalizedHead", json!([])).await?;
		let hash =
			hash.as_str().ok_or_else(|| RpcError("chain_getFinalizedHead: no hash".into()))?;
		let header = self.call("chain_getHeader", json!([hash])).await?;
		let number = header
			.get("number")
			.and_then(Value::as_str)
			.and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok())
			.ok_or_else(|| RpcError("chain_getHeader: no number".into()))?;
		Ok((number, H256::from_slice(&fixed32(hash)?)))
	}

	/// Raw storage at `key` in the state of block `at` (`None` = best block).
	pub async fn storage_raw(
		&self,
		key: &[u8],
		at: Option<H256>,
	) -> Result<Option<Vec<u8>>, RpcError> {
		let at = at.map(|h| Value::String(hex0x(h.as_bytes()))).unwrap_or(Value::Null);
		let v = self.call("state_getStorage", json!([hex0x(key), at])).await?;
		v.as_str().map(unhex).transpose()
	}

	/// The value at `key`, decoded as `V`.
	pub async fn storage<V: Decode>(
		&self,
		key: &[u8],
		at: Option<H256>,
	) -> Result<Option<V>, RpcError> {
		match self.storage_raw(key, at).await? {
			None => Ok(None),
			Some(bytes) => V::decode(&mut &bytes[..])
				.map(Some)
				.map_err(|e| RpcError(format!("cannot decode storage {}: {e}", hex0x(key)))),
		}
	}

	/// The runtime's `spec_version` at block `at`.
	pub async fn spec_version(&self, at: H256) -> Result<u32, RpcError> {
		let v = self.call("state_getRuntimeVersion", json!([hex0x(at.as_bytes())])).await?;
		v.get("specVersion")
			.and_then(Value::as_u64)
			.and_then(|n| u32::try_from(n).ok())
			.ok_or_else(|| RpcError("state_getRuntimeVersion: no specVersion".into()))
	}
}

fn fixed32(s: &str) -> Result<[u8; 32], RpcError> {
	let bytes = unhex(s)?;
	bytes.try_into().map_err(|_| RpcError(format!("not a 32-byte hash: {s}")))
}
