//! The durable store: SQLite (one file, the default) or PostgreSQL (a consortium), chosen by URL,
//! with one schema and one set of statements for both.
//!
//! Every statement uses `$1 … $n` placeholders in increasing order of first appearance, which
//! PostgreSQL reads as positions and SQLite as parameters numbered in that same order; columns
//! are `BIGINT` and `TEXT` only, so values map one to one. What the ingester derives from a run of
//! blocks is written in one transaction together with the cursor: a crash at any moment leaves
//! either the whole run or none of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A value bound to or read from a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
	Int(i64),
	Text(String),
	/// A NULL in a `BIGINT` column.
	NullInt,
	/// A NULL in a `TEXT` column.
	NullText,
}

impl Val {
	pub fn int(v: impl TryInto<i64>) -> Self {
		v.try_into().map(Val::Int).unwrap_or(Val::NullInt)
	}
	pub fn text(v: impl Into<String>) -> Self {
		Val::Text(v.into())
	}
	pub fn opt_int<T: TryInto<i64>>(v: Option<T>) -> Self {
		v.map(Val::int).unwrap_or(Val::NullInt)
	}
	pub fn opt_text<T: Into<String>>(v: Option<T>) -> Self {
		v.map(|t| Val::Text(t.into())).unwrap_or(Val::NullText)
	}
	pub fn as_i64(&self) -> Option<i64> {
		match self {
			Val::Int(v) => Some(*v),
			_ => None,
		}
	}
	pub fn as_str(&self) -> Option<&str> {
		match self {
			Val::Text(v) => Some(v),
			_ => None,
		}
	}
}

/// A statement and its parameters.
pub type Stmt = (String, Vec<Val>);
/// Rows of values, in the statement's column order.
pub type Rows = Vec<Vec<Val>>;

/// Where ingest stands: the last block whose events are stored, and the chain it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
	pub block: u64,
	pub hash: String,
	pub genesis: String,
}

/// An error from either database, as text for logs and `OperationOutcome`s.
#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.0)
	}
}
impl std::error::Error for DbError {}
impl From<rusqlite::Error> for DbError {
	fn from(e: rusqlite::Error) -> Self {
		DbError(format!("sqlite: {e}"))
	}
}
impl From<tokio_postgres::Error> for DbError {
	fn from(e: tokio_postgres::Error) -> Self {
		DbError(format!("postgres: {e}"))
	}
}

/// The schema, identical on both databases.
const SCHEMA: &[&str] = &[
	"CREATE TABLE IF NOT EXISTS cursor (id BIGINT PRIMARY KEY, block BIGINT NOT NULL, hash TEXT NOT NULL, genesis TEXT NOT NULL)",
	// One row per served resource: the model row as JSON, and the columns searches filter on.
	"CREATE TABLE IF NOT EXISTS resource (
		rtype TEXT NOT NULL,
		id TEXT NOT NULL,
		patient TEXT NOT NULL,
		agent TEXT,
		organization BIGINT,
		recorded BIGINT NOT NULL,
		seq BIGINT NOT NULL,
		status TEXT,
		until_ms BIGINT,
		body TEXT NOT NULL,
		PRIMARY KEY (rtype, id)
	)",
	"CREATE INDEX IF NOT EXISTS resource_patient ON resource (rtype, patient, recorded, seq)",
	"CREATE INDEX IF NOT EXISTS resource_agent ON resource (rtype, agent, recorded, seq)",
	"CREATE INDEX IF NOT EXISTS resource_org ON resource (rtype, organization, recorded, seq)",
	"CREATE INDEX IF NOT EXISTS resource_time ON resource (rtype, recorded, seq)",
	// What ingest looks up while it maps later events.
	"CREATE TABLE IF NOT EXISTS session (id BIGINT PRIMARY KEY, patient TEXT NOT NULL, practitioner TEXT NOT NULL, organization BIGINT NOT NULL, body TEXT NOT NULL)",
	// A record's category, which later events (amend, reads) do not repeat.
	"CREATE TABLE IF NOT EXISTS record (id TEXT PRIMARY KEY, category TEXT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS practitioner (account TEXT PRIMARY KEY, organization BIGINT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS organization (id BIGINT PRIMARY KEY, name TEXT NOT NULL)",
	// Consent-management proxies: who may read a patient's trail as their guardian, until when.
	"CREATE TABLE IF NOT EXISTS delegation (delegator TEXT NOT NULL, delegate TEXT NOT NULL, until_ms BIGINT, PRIMARY KEY (delegator, delegate))",
	"CREATE INDEX IF NOT EXISTS delegation_delegate ON delegation (delegate)",
];

/// SQLite: one writer connection, a few readers (WAL lets them read while ingest writes).
pub struct Sqlite {
	writer: Mutex<rusqlite::Connection>,
	readers: Vec<Mutex<rusqlite::Connection>>,
	next: AtomicUsize,
}

/// PostgreSQL: one connection for ingest transactions, one shared by readers (pipelined).
pub struct Postgres {
	writer: tokio::sync::Mutex<tokio_postgres::Client>,
	reader: tokio_postgres::Client,
	statements: tokio::sync::Mutex<HashMap<String, tokio_postgres::Statement>>,
}

/// The store, chosen by URL.
pub enum Store {
	Sqlite(Sqlite),
	Postgres(Box<Postgres>),
}

fn open_sqlite(path: &str) -> Result<rusqlite::Connection, DbError> {
	let conn = rusqlite::Connection::open(path)?;
	conn.busy_timeout(std::time::Duration::from_secs(30))?;
	// WAL: readers never block the writer. NORMAL: a commit survives a process crash (SIGKILL);
	// a power cut may lose the last commits, which the cursor (in the same transactions) then
	// re-ingests from the chain.
	conn.pragma_update(None, "journal_mode", "WAL")?;
	conn.pragma_update(None, "synchronous", "NORMAL")?;
	conn.pragma_update(None, "foreign_keys", "ON")?;
	Ok(conn)
}

fn sqlite_value(v: &Val) -> rusqlite::types::Value {
	match v {
		Val::Int(i) => rusqlite::types::Value::Integer(*i),
		Val::Text(t) => rusqlite::types::Value::Text(t.clone()),
		Val::NullInt | Val::NullText => rusqlite::types::Value::Null,
	}
}

fn sqlite_rows(conn: &rusqlite::Connection, sql: &str, params: &[Val]) -> Result<Rows, DbError> {
	let mut stmt = conn.prepare_cached(sql)?;
	let n = stmt.column_count();
	let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(sqlite_value)))?;
	let mut out = Vec::new();
	while let Some(row) = rows.next()? {
		let mut vals = Vec::with_capacity(n);
		for i in 0..n {
			vals.push(match row.get_ref(i)? {
				rusqlite::types::ValueRef::Integer(v) => Val::Int(v),
				rusqlite::types::ValueRef::Text(t) => {
					Val::Text(String::from_utf8_lossy(t).into_owned())
				},
				rusqlite::types::ValueRef::Null => Val::NullText,
				other => return Err(DbError(format!("unexpected sqlite value {other:?}"))),
			});
		}
		out.push(vals);
	}
	Ok(out)
}

fn pg_params(params: &[Val]) -> Vec<Box<dyn tokio_postgres::types::ToSql + Sync + Send>> {
	params
		.iter()
		.map(|v| -> Box<dyn tokio_postgres::types::ToSql + Sync + Send> {
			match v {
				Val::Int(i) => Box::new(*i),
				Val::Text(t) => Box::new(t.clone()),
				Val::NullInt => Box::new(None::<i64>),
				Val::NullText => Box::new(None::<String>),
			}
		})
		.collect()
}

fn pg_rows(rows: Vec<tokio_postgres::Row>) -> Result<Rows, DbError> {
	use tokio_postgres::types::Type;
	rows.into_iter()
		.map(|row| {
			(0..row.len())
				.map(|i| {
					let ty = row.columns()[i].type_().clone();
					Ok(if ty == Type::INT8 || ty == Type::INT4 || ty == Type::INT2 {
						let v: Option<i64> = if ty == Type::INT8 {
							row.try_get(i)?
						} else if ty == Type::INT4 {
							row.try_get::<_, Option<i32>>(i)?.map(i64::from)
						} else {
							row.try_get::<_, Option<i16>>(i)?.map(i64::from)
						};
						v.map(Val::Int).unwrap_or(Val::NullInt)
					} else {
						row.try_get::<_, Option<String>>(i)?.map(Val::Text).unwrap_or(Val::NullText)
					})
				})
				.collect::<Result<Vec<_>, DbError>>()
		})
		.collect()
}

impl Postgres {
	async fn statement(
		&self,
		client: &tokio_postgres::Client,
		sql: &str,
	) -> Result<tokio_postgres::Statement, DbError> {
		let mut cache = self.statements.lock().await;
		if let Some(s) = cache.get(sql) {
			return Ok(s.clone());
		}
		let s = client.prepare(sql).await?;
		cache.insert(sql.to_string(), s.clone());
		Ok(s)
	}
}

async fn pg_connect(url: &str) -> Result<tokio_postgres::Client, DbError> {
	let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
	tokio::spawn(async move {
		if let Err(e) = connection.await {
			tracing::error!("postgres connection closed: {e}");
		}
	});
	Ok(client)
}

impl Store {
	/// Opens (and creates the schema of) `sqlite:<path>` or `postgres://…` / `postgresql://…`.
	pub async fn open(url: &str) -> Result<Store, DbError> {
		let store = if let Some(path) = url.strip_prefix("sqlite:") {
			let path = path.trim_start_matches("//");
			if path.is_empty() {
				return Err(DbError(
					"sqlite URL names no file: use sqlite:/path/to/audit.db".into(),
				));
			}
			let writer = open_sqlite(path)?;
			let readers =
				(0..4).map(|_| open_sqlite(path).map(Mutex::new)).collect::<Result<_, _>>()?;
			Store::Sqlite(Sqlite { writer: Mutex::new(writer), readers, next: AtomicUsize::new(0) })
		} else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
			let writer = pg_connect(url).await?;
			let reader = pg_connect(url).await?;
			Store::Postgres(Box::new(Postgres {
				writer: tokio::sync::Mutex::new(writer),
				reader,
				statements: tokio::sync::Mutex::new(HashMap::new()),
			}))
		} else {
			return Err(DbError(format!(
				"unknown database URL {url:?}: use sqlite:/path/to/audit.db or postgres://user@host:port/db"
			)));
		};
		for ddl in SCHEMA {
			store.execute_all(&[((*ddl).to_string(), vec![])]).await?;
		}
		Ok(store)
	}

	/// Which database this is, for logs and the benchmark report.
	pub fn kind(&self) -> &'static str {
		match self {
			Store::Sqlite(_) => "sqlite",
			Store::Postgres(_) => "postgres",
		}
	}

	/// Runs `stmts` in one transaction (all or nothing).
	pub async fn execute_all(&self, stmts: &[Stmt]) -> Result<(), DbError> {
		match self {
			Store::Sqlite(db) => tokio::task::block_in_place(|| {
				let mut conn =
					db.writer.lock().map_err(|_| DbError("sqlite writer poisoned".into()))?;
				let tx = conn.transaction()?;
				for (sql, params) in stmts {
					let mut stmt = tx.prepare_cached(sql)?;
					stmt.execute(rusqlite::params_from_iter(params.iter().map(sqlite_value)))?;
				}
				tx.commit()?;
				Ok(())
			}),
			Store::Postgres(db) => {
				let mut client = db.writer.lock().await;
				let tx = client.transaction().await?;
				for (sql, params) in stmts {
					let stmt = db.statement(tx.client(), sql).await?;
					let boxed = pg_params(params);
					let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = boxed
						.iter()
						.map(|b| b.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync))
						.collect();
					tx.execute(&stmt, &refs).await?;
				}
				tx.commit().await?;
				Ok(())
			},
		}
	}

	/// Runs one query on a reader connection.
	pub async fn query(&self, sql: &str, params: &[Val]) -> Result<Rows, DbError> {
		match self {
			Store::Sqlite(db) => tokio::task::block_in_place(|| {
				let i = db.next.fetch_add(1, Ordering::Relaxed) % db.readers.len();
				let conn =
					db.readers[i].lock().map_err(|_| DbError("sqlite reader poisoned".into()))?;
				sqlite_rows(&conn, sql, params)
			}),
			Store::Postgres(db) => {
				let stmt = db.statement(&db.reader, sql).await?;
				let boxed = pg_params(params);
				let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = boxed
					.iter()
					.map(|b| b.as_ref() as &(dyn tokio_postgres::types::ToSql + Sync))
					.collect();
				pg_rows(db.reader.query(&stmt, &refs).await?)
			},
		}
	}

	/// Refreshes the planner's statistics (and, on PostgreSQL, vacuums): what autovacuum does
	/// by itself on a running server, run by the benchmark after each bulk load.
	pub async fn analyze(&self) -> Result<(), DbError> {
		match self {
			Store::Sqlite(db) => tokio::task::block_in_place(|| {
				let conn =
					db.writer.lock().map_err(|_| DbError("sqlite writer poisoned".into()))?;
				conn.execute_batch("ANALYZE")?;
				Ok(())
			}),
			Store::Postgres(db) => {
				db.writer.lock().await.batch_execute("VACUUM ANALYZE resource").await?;
				Ok(())
			},
		}
	}

	/// Where ingest stands, if it ever committed.
	pub async fn cursor(&self) -> Result<Option<Cursor>, DbError> {
		let rows = self
			.query("SELECT block, hash, genesis FROM cursor WHERE id = $1", &[Val::Int(1)])
			.await?;
		Ok(rows.into_iter().next().and_then(|r| {
			Some(Cursor {
				block: u64::try_from(r.first()?.as_i64()?).ok()?,
				hash: r.get(1)?.as_str()?.to_string(),
				genesis: r.get(2)?.as_str()?.to_string(),
			})
		}))
	}

	/// A statement that moves the cursor (to put last in an ingest transaction).
	pub fn set_cursor(cursor: &Cursor) -> Stmt {
		(
			"INSERT INTO cursor (id, block, hash, genesis) VALUES ($1, $2, $3, $4) \
			 ON CONFLICT (id) DO UPDATE SET block = excluded.block, hash = excluded.hash, genesis = excluded.genesis"
				.into(),
			vec![Val::Int(1), Val::int(cursor.block), Val::text(&cursor.hash), Val::text(&cursor.genesis)],
		)
	}

	/// Counts the resources of a type (tests, the benchmark, `/status`).
	pub async fn count(&self, rtype: &str) -> Result<u64, DbError> {
		let rows = self
			.query("SELECT COUNT(*) FROM resource WHERE rtype = $1", &[Val::text(rtype)])
			.await?;
		Ok(rows.first().and_then(|r| r.first()).and_then(Val::as_i64).unwrap_or(0).max(0) as u64)
	}
}

/// The columns a resource row is searched by.
#[derive(Clone, Debug)]
pub struct Indexed {
	pub rtype: &'static str,
	pub id: String,
	pub patient: String,
	pub agent: Option<String>,
	pub organization: Option<u32>,
	pub recorded: u64,
	pub seq: u64,
	pub status: Option<String>,
	pub until: Option<u64>,
}

/// Insert or replace one resource row.
pub fn upsert_resource(ix: &Indexed, body: &str) -> Stmt {
	(
		"INSERT INTO resource (rtype, id, patient, agent, organization, recorded, seq, status, until_ms, body) \
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
		 ON CONFLICT (rtype, id) DO UPDATE SET patient = excluded.patient, agent = excluded.agent, \
		 organization = excluded.organization, recorded = excluded.recorded, seq = excluded.seq, \
		 status = excluded.status, until_ms = excluded.until_ms, body = excluded.body"
			.into(),
		vec![
			Val::text(ix.rtype),
			Val::text(&ix.id),
			Val::text(&ix.patient),
			Val::opt_text(ix.agent.clone()),
			Val::opt_int(ix.organization),
			Val::int(ix.recorded),
			Val::int(ix.seq),
			Val::opt_text(ix.status.clone()),
			Val::opt_int(ix.until),
			Val::text(body),
		],
	)
}
