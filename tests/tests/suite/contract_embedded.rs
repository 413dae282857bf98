//! The Table and Queue contracts on the embedded SQLite backend, one fresh database file per test.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use vigil_store::embedded::EmbeddedDb;
use vigil_store::{Queue, QueueSpec, Table};

/// This process's directory under cargo's `target/tmp`. Nothing can delete a test's database after the test (the
/// factory hands out the backend, not a guard), so each run instead clears out what runs over an hour old left.
fn run_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("contract-embedded");
        std::fs::create_dir_all(&base).expect("contract-embedded dir");
        let stale = |e: &std::fs::DirEntry| {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(3600))
        };
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            if stale(&entry) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        tempfile::Builder::new().prefix("run-").tempdir_in(&base).expect("run dir").keep()
    })
}

/// A fresh database file in a directory of its own.
fn fresh_db() -> EmbeddedDb {
    let dir = tempfile::Builder::new().prefix("case-").tempdir_in(run_dir()).expect("case dir").keep();
    EmbeddedDb::open(&dir.join("vigil.db")).expect("open embedded db")
}

async fn make_table() -> Arc<dyn Table> {
    Arc::new(fresh_db().table())
}

async fn make_queue() -> Arc<dyn Queue> {
    let specs = vec![
        QueueSpec { name: "contract-main".into(), dead_letter: Some("contract-dlq".into()), max_receives: 2 },
        QueueSpec { name: "contract-dlq".into(), dead_letter: None, max_receives: 1000 },
        QueueSpec { name: "contract-plain".into(), dead_letter: None, max_receives: 1000 },
    ];
    Arc::new(fresh_db().queue(specs).expect("queues"))
}

vigil_tests::table_contract_tests!(make_table);
vigil_tests::queue_contract_tests!(make_queue);
