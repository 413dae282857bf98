//! The embedded backend: the [`Table`](crate::Table) and [`Queue`](crate::Queue) ports on one SQLite file, so a
//! laptop runs Vigil with no AWS account and the same semantics as DynamoDB/SQS.
//!
//! ```ignore
//! let db = EmbeddedDb::open(Path::new("vigil.db"))?;
//! let table = db.table();                       // impl Table, cheap to clone
//! let queue = db.queue(vec![spec_jobs, spec_dlq])?; // impl Queue, cheap to clone
//! ```
//!
//! One connection behind a mutex serves every request (a second one, on a thread of its own, only copies the WAL into
//! the file after bulk writes); calls run on tokio's blocking pool. Serialising all access is what makes each
//! multi-step operation (condition check + write, transaction, counter, receive) atomic without retry loops, and one
//! writer is all SQLite allows anyway. The file is in WAL mode with `synchronous = NORMAL`: a
//! committed write survives the process dying; only an OS crash or power loss can lose the last commits.
//!
//! Where DynamoDB leaves room, this backend chooses:
//! - a query returns `last_key` only when more items follow (it reads one row past the limit to know);
//! - items with equal GSI sort keys come back ordered by base `PK`, then `SK`;
//! - a failed transaction reports the first failing operation, with the item as stored;
//! - like DynamoDB, it rejects (as [`StoreError::Invalid`](crate::StoreError::Invalid)) what DynamoDB would: empty or
//!   non-string key attributes (GSI keys included), updates naming `PK`/`SK` or the same attribute twice, items over
//!   400 KB (measured as JSON), empty transactions, queries with `limit` 0.
//!
//! Expired items (`expires_at` in the past) stay readable until [`EmbeddedTable::sweep_expired`] deletes them, as
//! DynamoDB's TTL deletes lazily too.

mod queue;
mod table;

pub use queue::EmbeddedQueue;
pub use table::EmbeddedTable;

use crate::{QueueError, QueueSpec, StoreError};
use rusqlite::{Connection, ErrorCode};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// Bumped when the schema changes; a file written by a newer schema is refused rather than misread.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk TEXT NOT NULL,
    sk TEXT NOT NULL,
    -- An item is in GSIn only when it has both GSInPK and GSInSK; otherwise both columns are NULL.
    g1pk TEXT, g1sk TEXT,
    g2pk TEXT, g2sk TEXT,
    g3pk TEXT, g3sk TEXT,
    g4pk TEXT, g4sk TEXT,
    expires_at INTEGER,
    body TEXT NOT NULL,
    UNIQUE (pk, sk)
);
-- Key columns use the BINARY collation, which compares UTF-8 bytes, as DynamoDB compares strings.
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (g1pk, g1sk, pk, sk) WHERE g1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (g2pk, g2sk, pk, sk) WHERE g2pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi3 ON items (g3pk, g3sk, pk, sk) WHERE g3pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi4 ON items (g4pk, g4sk, pk, sk) WHERE g4pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_expiry ON items (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS queues (
    name TEXT PRIMARY KEY,
    dead_letter TEXT,
    max_receives INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    attributes TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    -- Epoch milliseconds: delays and visibility timeouts outlive a restart.
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt TEXT
);
CREATE INDEX IF NOT EXISTS messages_visible ON messages (queue, visible_at, seq);
CREATE UNIQUE INDEX IF NOT EXISTS messages_receipt ON messages (receipt) WHERE receipt IS NOT NULL;
";

/// One embedded database file holding the table and the queues. Cheap to clone; every clone shares the connection.
#[derive(Clone)]
pub struct EmbeddedDb {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EmbeddedDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedDb").finish_non_exhaustive()
    }
}

pub(crate) struct Shared {
    conn: Mutex<Connection>,
    /// Copies the WAL into the database file beside the writer (files only; see [`Checkpointer`]).
    checkpointer: Option<Checkpointer>,
    /// Wakes long-polling receivers when a message is sent or made visible, so they need not poll fast.
    pub(crate) arrivals: Notify,
}

impl EmbeddedDb {
    /// Opens (creating if needed, with its parent directory) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_checkpointing_every(path, CHECKPOINT_EVERY)
    }

    fn open_checkpointing_every(path: &Path, every: Duration) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn =
            Connection::open(path).map_err(|e| StoreError::Backend(format!("cannot open {}: {e}", path.display())))?;
        // Another process (a CLI seeding the same file) may hold the write lock for a moment.
        conn.busy_timeout(Duration::from_secs(5)).map_err(store_err)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(store_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend(format!("{} cannot use WAL mode (got {mode})", path.display())));
        }
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(store_err)?;
        // SQLite's default page cache is 2 MB: a bulk import into a table of millions of rows, whose five indexes
        // take keys in no particular order, would then read most index pages from disk. 128 MB keeps their upper
        // levels and recent leaves in memory (it is a ceiling, not an allocation).
        conn.pragma_update(None, "cache_size", -131_072).map_err(store_err)?;
        // Pages past the cache are read through a memory map of the file (the OS page cache) instead of a read call
        // each; writes still go through the WAL, so durability is unchanged. Address space, not memory.
        conn.pragma_update(None, "mmap_size", 4_i64 << 30).map_err(store_err)?;
        // SQLite checkpoints (copies the WAL into the file and syncs both) once the WAL passes 1,000 pages (4 MB), so
        // a bulk write checkpointed after nearly every batch, writing the same hot index pages again each time.
        // The [`Checkpointer`] thread beside the writer checkpoints instead, after bulk writes and now and then;
        // the writer's own checkpoint at 65,536 pages (256 MB) is the backstop. What a commit survives is the same
        // (WAL mode, synchronous NORMAL). The WAL file is cut back to 64 MB after a checkpoint.
        conn.pragma_update(None, "wal_autocheckpoint", 65_536).map_err(store_err)?;
        conn.pragma_update(None, "journal_size_limit", 64_i64 << 20).map_err(store_err)?;
        let checkpointer = Checkpointer::start(path, every)?;
        Self::init(conn, Some(checkpointer))
    }

    /// A private database that lives as long as this value (and its clones); for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(store_err)?, None)
    }

    fn init(conn: Connection, checkpointer: Option<Checkpointer>) -> Result<Self, StoreError> {
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(store_err)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Backend(format!(
                "database schema version {version} is newer than this build understands ({SCHEMA_VERSION})"
            )));
        }
        conn.execute_batch(SCHEMA).map_err(store_err)?;
        // Queries build their SQL per shape (index, sort condition, direction, start); keep every shape prepared.
        conn.set_prepared_statement_cache_capacity(256);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(store_err)?;
        Ok(Self { shared: Arc::new(Shared { conn: Mutex::new(conn), checkpointer, arrivals: Notify::new() }) })
    }

    /// The single table.
    pub fn table(&self) -> EmbeddedTable {
        EmbeddedTable::new(self.shared.clone())
    }

    /// The queues named in `specs` (created if new, their settings updated if not). Every dead-letter queue must be
    /// among the specs too.
    pub fn queue(&self, specs: Vec<QueueSpec>) -> Result<EmbeddedQueue, QueueError> {
        EmbeddedQueue::new(self.shared.clone(), specs)
    }
}

/// Bytes of items a bulk write may add before the [`Checkpointer`] is asked to run: with their index entries and
/// pages, about a quarter of the WAL size at which the writer would checkpoint by itself.
const CHECKPOINT_AFTER_BYTES: u64 = 32 << 20;

/// How often the [`Checkpointer`] runs without being asked: ordinary writes (one record at a time) are not counted,
/// and without this their WAL would grow to the writer's 256 MB backstop before reaching the database file. A
/// passive checkpoint with nothing new to copy costs next to nothing.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(30);

/// A thread with its own connection to the file that runs a passive checkpoint when bulk writes have added enough,
/// and every [`CHECKPOINT_EVERY`] otherwise. A passive checkpoint copies what is committed in the WAL into the
/// database file without blocking the writer, so an import goes on writing on one core while the other
/// checkpoints, instead of stopping for a second or so in the commit that crossed `wal_autocheckpoint` (which stays
/// as the backstop). It ends when the database is dropped.
pub(crate) struct Checkpointer {
    written: std::sync::atomic::AtomicU64,
    wake: std::sync::mpsc::SyncSender<()>,
}

impl Checkpointer {
    fn start(db: &Path, every: Duration) -> Result<Self, StoreError> {
        let conn = Connection::open(db)
            .map_err(|e| StoreError::Backend(format!("cannot open {} for checkpoints: {e}", db.display())))?;
        // One request waiting is enough: the checkpoint it runs covers every commit before it.
        let (wake, asked) = std::sync::mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("vigil-checkpoint".into())
            .spawn(move || {
                use std::sync::mpsc::RecvTimeoutError;
                while !matches!(asked.recv_timeout(every), Err(RecvTimeoutError::Disconnected)) {
                    // Busy (the writer's own checkpoint is running) or failed: the next request tries again.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::debug!(error = %e, "background checkpoint skipped");
                    }
                }
            })
            .map_err(|e| StoreError::Backend(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Self { written: 0.into(), wake })
    }

    /// Counts `bytes` of items written in bulk, and asks for a checkpoint each [`CHECKPOINT_AFTER_BYTES`]; never
    /// waits.
    fn wrote(&self, bytes: u64) {
        use std::sync::atomic::Ordering;
        let before = self.written.fetch_add(bytes, Ordering::Relaxed);
        if crosses_a_checkpoint(before, bytes) {
            let _ = self.wake.try_send(());
        }
    }
}

/// Whether writing `bytes` more after `before` passes a multiple of [`CHECKPOINT_AFTER_BYTES`].
fn crosses_a_checkpoint(before: u64, bytes: u64) -> bool {
    before / CHECKPOINT_AFTER_BYTES != before.saturating_add(bytes) / CHECKPOINT_AFTER_BYTES
}

/// The error types the blocking runner can report its own failures in.
pub(crate) trait BackendError: Send + 'static {
    fn backend(msg: String) -> Self;
}

impl BackendError for StoreError {
    fn backend(msg: String) -> Self {
        StoreError::Backend(msg)
    }
}

impl BackendError for QueueError {
    fn backend(msg: String) -> Self {
        QueueError::Backend(msg)
    }
}

impl Shared {
    /// Runs `f` with the connection on the blocking pool, so SQLite's file I/O never stalls an async worker.
    pub(crate) async fn run<T, E, F>(self: &Arc<Self>, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: BackendError,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let shared = self.clone();
        let task = tokio::task::spawn_blocking(move || shared.with_conn(f));
        match task.await {
            Ok(result) => result,
            Err(e) => Err(E::backend(format!("embedded database task failed: {e}"))),
        }
    }

    /// After a bulk write of `bytes` of items: lets the checkpointer copy the WAL into the file now and then.
    pub(crate) fn after_bulk_write(&self, bytes: u64) {
        if let Some(c) = &self.checkpointer {
            c.wrote(bytes);
        }
    }

    /// Runs `f` with the connection on the current thread (for setup outside a runtime).
    pub(crate) fn with_conn<T, E, F>(&self, f: F) -> Result<T, E>
    where
        E: BackendError,
        F: FnOnce(&mut Connection) -> Result<T, E>,
    {
        // A poisoned lock means a call panicked mid-operation; refuse rather than guess at the connection's state.
        let mut conn = self.conn.lock().map_err(|_| E::backend("embedded database lock poisoned".into()))?;
        f(&mut conn)
    }
}

/// SQLite errors as table errors: lock contention with another process is retryable, the rest is a backend fault.
pub(crate) fn store_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
        _ => StoreError::Backend(format!("sqlite: {e}")),
    }
}

pub(crate) fn queue_err(e: rusqlite::Error) -> QueueError {
    QueueError::Backend(format!("sqlite: {e}"))
}

/// Milliseconds since the Unix epoch (0 if the clock is before it, which only a broken clock is).
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// 128 random bits as hex: message IDs and receipt handles.
pub(crate) fn random_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Index, Item, Key, OutgoingMessage, Query, Queue, Table, Update};
    use serde_json::json;

    fn item(v: serde_json::Value) -> Item {
        v.as_object().cloned().unwrap_or_default()
    }

    fn specs() -> Vec<QueueSpec> {
        vec![
            QueueSpec { name: "jobs".into(), dead_letter: Some("jobs-dlq".into()), max_receives: 3 },
            QueueSpec { name: "jobs-dlq".into(), dead_letter: None, max_receives: 1000 },
        ]
    }

    #[tokio::test]
    async fn data_survives_reopening_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested").join("vigil.db");
        {
            let db = EmbeddedDb::open(&path).expect("open");
            let t = db.table();
            t.put(
                item(json!({"PK": "C#acme", "SK": "COMPANY", "GSI1PK": "COMPANIES", "GSI1SK": "acme", "n": 1})),
                None,
            )
            .await
            .expect("put");
            assert_eq!(t.increment(&Key::new("C#acme", "COUNTER#record"), 7).await.expect("increment"), 7);
            let q = db.queue(specs()).expect("queues");
            q.send("jobs", OutgoingMessage::new("kept")).await.expect("send");
        }
        let db = EmbeddedDb::open(&path).expect("reopen");
        let t = db.table();
        let got = t.get(&Key::new("C#acme", "COMPANY")).await.expect("get");
        assert_eq!(got.and_then(|i| i.get("n").cloned()), Some(json!(1)));
        let page = t.query(&Query::new(Index::Gsi1, "COMPANIES")).await.expect("query");
        assert_eq!(page.items.len(), 1);
        assert_eq!(t.increment(&Key::new("C#acme", "COUNTER#record"), 1).await.expect("increment"), 8);
        let q = db.queue(specs()).expect("queues again");
        let got = q.receive("jobs", 10, 30, 0).await.expect("receive");
        assert_eq!(got.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["kept"]);
    }

    #[test]
    fn a_file_from_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vigil.db");
        drop(EmbeddedDb::open(&path).expect("open"));
        let conn = Connection::open(&path).expect("raw open");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("bump");
        drop(conn);
        assert!(matches!(EmbeddedDb::open(&path), Err(StoreError::Backend(_))));
    }

    #[tokio::test]
    async fn bulk_writes_are_checkpointed_beside_the_writer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vigil.db");
        let t = EmbeddedDb::open(&path).expect("open").table();
        let file_size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let before = file_size();
        // 40 MB in batches: past one checkpoint request, far below the writer's own checkpoint (256 MB of WAL),
        // so only the checkpointer can have moved the rows from the WAL into the file.
        let filler = "x".repeat(10_000);
        for batch in 0..8 {
            let items: Vec<Item> = (0..500)
                .map(|n| item(json!({"PK": format!("B#{batch}"), "SK": format!("{n:04}"), "f": filler})))
                .collect();
            t.batch_put(&items).await.expect("batch_put");
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while file_size() < before + (16 << 20) {
            assert!(std::time::Instant::now() < deadline, "no checkpoint: the file is {} bytes", file_size());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[test]
    fn a_checkpoint_is_asked_for_once_per_threshold_passed() {
        let t = CHECKPOINT_AFTER_BYTES;
        assert!(!crosses_a_checkpoint(0, t - 1));
        assert!(crosses_a_checkpoint(t - 1, 1));
        assert!(!crosses_a_checkpoint(t, t - 1));
        assert!(crosses_a_checkpoint(t + 5, 2 * t));
        assert!(!crosses_a_checkpoint(u64::MAX - 1, 1), "no overflow");
    }

    #[tokio::test]
    async fn sweep_deletes_only_expired_items() {
        let t = EmbeddedDb::in_memory().expect("db").table();
        t.batch_put(&[
            item(json!({"PK": "IDEM#a", "SK": "IDEM", "expires_at": 100})),
            item(json!({"PK": "IDEM#b", "SK": "IDEM", "expires_at": 199.5})),
            item(json!({"PK": "IDEM#c", "SK": "IDEM", "expires_at": 200})),
            item(json!({"PK": "IDEM#d", "SK": "IDEM", "expires_at": "100"})),
            item(json!({"PK": "IDEM#e", "SK": "IDEM"})),
        ])
        .await
        .expect("seed");
        // Expired items stay readable until swept, as with DynamoDB's TTL.
        assert!(t.get(&Key::new("IDEM#a", "IDEM")).await.expect("get").is_some());
        assert_eq!(t.sweep_expired(200).await.expect("sweep"), 2);
        for (pk, left) in [("IDEM#a", false), ("IDEM#b", false), ("IDEM#c", true), ("IDEM#d", true), ("IDEM#e", true)] {
            assert_eq!(t.get(&Key::new(pk, "IDEM")).await.expect("get").is_some(), left, "{pk}");
        }
        // An update that drops the TTL keeps the item from being swept.
        t.update(&Key::new("IDEM#c", "IDEM"), Update::default().remove("expires_at"), None).await.expect("update");
        assert_eq!(t.sweep_expired(10_000).await.expect("sweep"), 0);
    }

    /// One record at a time, as the portal writes: what is committed reaches the database file within a checkpoint
    /// period, not only once the WAL reaches the writer's backstop.
    #[tokio::test]
    async fn ordinary_writes_reach_the_database_file_without_a_bulk_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vigil.db");
        let t = EmbeddedDb::open_checkpointing_every(&path, Duration::from_millis(20)).expect("open").table();
        let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let before = size();
        for n in 0..100 {
            let it = item(json!({"PK": "C#acme", "SK": format!("R#{n:03}"), "notes": "x".repeat(4_000)}));
            t.put(it, None).await.expect("put");
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while size() < before + 400_000 {
            assert!(std::time::Instant::now() < deadline, "the database file stayed at {} bytes", size());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn increments_from_many_tasks_are_atomic() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = EmbeddedDb::open(&dir.path().join("vigil.db")).expect("open").table();
        let key = Key::new("C#acme", "COUNTER#record");
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let (t, key) = (t.clone(), key.clone());
                tokio::spawn(async move { t.increment(&key, 1).await })
            })
            .collect();
        let mut values = Vec::new();
        for task in tasks {
            values.push(task.await.expect("join").expect("increment"));
        }
        values.sort_unstable();
        assert_eq!(values, (1..=200).collect::<Vec<i64>>());
    }

    #[tokio::test]
    async fn rejects_what_dynamodb_rejects() {
        let t = EmbeddedDb::in_memory().expect("db").table();
        let key = Key::new("P", "S");
        for bad in [
            json!({"PK": "", "SK": "S"}),
            json!({"PK": "P", "SK": "S", "GSI1PK": "G", "GSI1SK": 5}),
            json!({"PK": "P", "SK": "S", "GSI2PK": ""}),
            json!({"PK": "P", "SK": "S", "big": "x".repeat(401 * 1024)}),
        ] {
            assert!(matches!(t.put(item(bad.clone()), None).await, Err(StoreError::Invalid(_))), "{bad}");
        }
        for bad in [
            Update::default().set("a", 1).remove("a"),
            Update::default().add("a", 1).add("a", 2),
            Update::default().set("PK", "P"),
        ] {
            assert!(matches!(t.update(&key, bad.clone(), None).await, Err(StoreError::Invalid(_))), "{bad:?}");
        }
        t.put(item(json!({"PK": "P", "SK": "S", "name": "x"})), None).await.expect("put");
        assert!(matches!(t.update(&key, Update::default().add("name", 1), None).await, Err(StoreError::Invalid(_))));
        assert!(matches!(t.transact(Vec::new()).await, Err(StoreError::Invalid(_))));
        assert!(matches!(t.query(&Query::new(Index::Base, "P").limit(0)).await, Err(StoreError::Invalid(_))));
        assert_eq!(t.get(&key).await.expect("get"), Some(item(json!({"PK": "P", "SK": "S", "name": "x"}))));
    }

    #[tokio::test]
    async fn stale_receipt_handles() {
        let db = EmbeddedDb::in_memory().expect("db");
        let q = db.queue(specs()).expect("queues");
        q.send("jobs", OutgoingMessage::new("m")).await.expect("send");
        let first = q.receive("jobs", 1, 0, 0).await.expect("receive").remove(0);
        let second = q.receive("jobs", 1, 30, 0).await.expect("receive").remove(0);
        assert_eq!(second.receive_count, 2);
        // The old handle neither deletes nor reschedules the message.
        q.delete("jobs", &first.receipt_handle).await.expect("stale delete is a no-op");
        assert!(matches!(q.change_visibility("jobs", &first.receipt_handle, 0).await, Err(QueueError::Invalid(_))));
        assert!(q.receive("jobs", 1, 30, 0).await.expect("receive").is_empty());
        q.delete("jobs", &second.receipt_handle).await.expect("delete");
        assert!(matches!(q.change_visibility("jobs", &second.receipt_handle, 0).await, Err(QueueError::Invalid(_))));
    }

    #[tokio::test]
    async fn zero_visibility_never_returns_a_message_twice_in_one_receive() {
        let db = EmbeddedDb::in_memory().expect("db");
        let q = db.queue(specs()).expect("queues");
        for n in 0..3 {
            q.send("jobs-dlq", OutgoingMessage::new(format!("m{n}"))).await.expect("send");
        }
        let got = q.receive("jobs-dlq", 10, 0, 0).await.expect("receive");
        assert_eq!(got.len(), 3);
        assert_eq!(q.receive("jobs-dlq", 10, 0, 0).await.expect("receive").len(), 3);
    }

    #[tokio::test]
    async fn long_poll_wakes_on_send() {
        let db = EmbeddedDb::in_memory().expect("db");
        let q = db.queue(specs()).expect("queues");
        let receiver = {
            let q = q.clone();
            tokio::spawn(async move { q.receive("jobs", 1, 30, 10).await })
        };
        tokio::task::yield_now().await;
        let started = std::time::Instant::now();
        q.send("jobs", OutgoingMessage::new("wake")).await.expect("send");
        let got = receiver.await.expect("join").expect("receive");
        assert_eq!(got.len(), 1);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn queue_specs_must_be_consistent() {
        let db = EmbeddedDb::in_memory().expect("db");
        let orphan = vec![QueueSpec { name: "a".into(), dead_letter: Some("b".into()), max_receives: 2 }];
        assert!(matches!(db.queue(orphan), Err(QueueError::Invalid(_))));
        let zero = vec![QueueSpec { name: "a".into(), dead_letter: None, max_receives: 0 }];
        assert!(matches!(db.queue(zero), Err(QueueError::Invalid(_))));
        assert!(db.queue(specs()).is_ok());
        assert!(db.queue(specs()).is_ok(), "creating the same queues again is fine");
    }
}
