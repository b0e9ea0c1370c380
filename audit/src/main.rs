//! `consent-audit`: keeps the consent chain's audit trail for ever and serves it as HL7 FHIR R5.
//!
//! `serve` follows a node's finalized blocks into SQLite or PostgreSQL and answers FHIR reads and
//! searches for signed-in callers; `bench` measures ingest and search on synthetic events.

mod auth;
mod bench;
mod db;
mod fhir;
mod http;
mod ingest;
mod model;
mod rpc;

use clap::{Parser, Subcommand};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
	name = "consent-audit",
	version,
	about = "The consent chain's audit trail, kept for ever and served as FHIR R5"
)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Follow a node's finalized blocks into the database and serve the trail.
	Serve {
		/// The node's RPC endpoint (HTTP; the same port as its WebSocket).
		#[arg(long, default_value = "http://127.0.0.1:9944")]
		node: String,
		/// `sqlite:/path/to/audit.db` (one file, created if missing) or `postgres://user@host:port/db`.
		#[arg(long, default_value = "sqlite:consent-audit.db")]
		database: String,
		/// Address to listen on (port 0 picks a free one; the real address is printed).
		#[arg(long, default_value = "127.0.0.1:8090")]
		listen: SocketAddr,
		/// URL clients reach the service at, for links in Bundles (default: http://<listen>).
		#[arg(long)]
		public_url: Option<String>,
		/// How often to ask the node for its finalized head (ms).
		#[arg(long, default_value_t = 1000)]
		poll_ms: u64,
		/// Lifetime of a sign-in token (s).
		#[arg(long, default_value_t = 900)]
		token_ttl: u64,
		/// A web origin whose pages may call the service (the web app), e.g.
		/// http://127.0.0.1:8080; repeat for several. None by default.
		#[arg(long = "allow-origin")]
		allow_origins: Vec<String>,
	},
	/// Ingest synthetic events and measure ingest rate and search latency.
	Bench {
		/// The database to fill (use an empty one: it is written to).
		#[arg(long)]
		database: String,
		/// Total events to ingest.
		#[arg(long, default_value_t = 1_000_000)]
		events: u64,
		/// Event counts at which search latency is measured (comma-separated).
		#[arg(long, value_delimiter = ',', default_value = "1000,100000,1000000")]
		checkpoints: Vec<u64>,
		/// Searches per query kind at each checkpoint.
		#[arg(long, default_value_t = 200)]
		queries: usize,
		/// Write the report as JSON to this file too.
		#[arg(long)]
		json: Option<std::path::PathBuf>,
	},
}

#[tokio::main]
async fn main() {
	tracing_subscriber::fmt()
		.with_writer(std::io::stderr)
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
		)
		.init();
	let result = match Cli::parse().command {
		Command::Serve {
			node,
			database,
			listen,
			public_url,
			poll_ms,
			token_ttl,
			allow_origins,
		} => {
			serve(
				node,
				database,
				listen,
				public_url,
				Duration::from_millis(poll_ms),
				Duration::from_secs(token_ttl),
				allow_origins,
			)
			.await
		},
		Command::Bench { database, events, checkpoints, queries, json } => {
			bench::run(&database, events, &checkpoints, queries, json.as_deref()).await
		},
	};
	if let Err(e) = result {
		eprintln!("consent-audit: {e}");
		std::process::exit(1);
	}
}

async fn serve(
	node: String,
	database: String,
	listen: SocketAddr,
	public_url: Option<String>,
	poll: Duration,
	token_ttl: Duration,
	allowed_origins: Vec<String>,
) -> Result<(), String> {
	let rpc = Arc::new(rpc::Rpc::new(&node).map_err(|e| e.to_string())?);
	let store = Arc::new(
		db::Store::open(&database).await.map_err(|e| format!("database {database}: {e}"))?,
	);
	let progress = Arc::new(ingest::Progress::new());
	// The node may still be starting (compose starts both at once): wait for it, but stop at once
	// if the database belongs to another chain.
	let ingester = loop {
		match ingest::Ingester::new(rpc.clone(), store.clone(), progress.clone(), poll).await {
			Ok(ingester) => break ingester,
			Err(ingest::IngestError::Fatal(e)) => return Err(format!("cannot follow {node}: {e}")),
			Err(e) => {
				tracing::warn!("waiting for the node at {node}: {e}");
				tokio::time::sleep(Duration::from_secs(2)).await;
			},
		}
	};
	let genesis = ingester.genesis().to_string();
	let listener = tokio::net::TcpListener::bind(listen)
		.await
		.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
	let local = listener.local_addr().map_err(|e| e.to_string())?;
	let app = Arc::new(http::App {
		store: store.clone(),
		auth: auth::Auth::new(rpc.clone(), genesis.clone(), token_ttl),
		progress,
		genesis,
		public_url: public_url
			.unwrap_or_else(|| format!("http://{local}"))
			.trim_end_matches('/')
			.to_string(),
		ingest_error: std::sync::Mutex::new(None),
		allowed_origins,
	});
	let follower = app.clone();
	tokio::spawn(async move {
		if let Err(e) = ingester.run().await {
			tracing::error!("ingest stopped: {e}");
			if let Ok(mut slot) = follower.ingest_error.lock() {
				*slot = Some(e.to_string());
			}
		}
	});
	println!("consent-audit listening on http://{local}");
	tracing::info!("following {node} into {} ({database})", store.kind());
	let shutdown = async {
		let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
			.map_err(|e| e.to_string())?;
		tokio::select! {
			_ = tokio::signal::ctrl_c() => {},
			_ = term.recv() => {},
		}
		Ok::<(), String>(())
	};
	tokio::pin!(shutdown);
	loop {
		tokio::select! {
			accepted = listener.accept() => {
				let (stream, _) = match accepted {
					Ok(a) => a,
					Err(e) => { tracing::warn!("accept: {e}"); continue; },
				};
				let app = app.clone();
				tokio::spawn(async move {
					let service = hyper::service::service_fn(move |req| http::handle(app.clone(), req));
					if let Err(e) = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
						.serve_connection(TokioIo::new(stream), service)
						.await
					{
						tracing::debug!("connection: {e}");
					}
				});
			},
			done = &mut shutdown => {
				done?;
				tracing::info!("stopping: every committed block stays committed");
				return Ok(());
			},
		}
	}
}
