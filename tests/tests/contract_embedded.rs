//! The Table and Queue contracts on the embedded SQLite backend, one fresh database file per test.

use std::sync::Arc;
use vigil_store::embedded::EmbeddedDb;
use vigil_store::{Queue, QueueSpec, Table};

/// A fresh database in its own directory under cargo's `target/tmp`. The directory is kept on purpose: the backend
/// holds no handle to it, so nothing could delete it only after the test is done with the file.
fn fresh_db() -> EmbeddedDb {
    let dir = tempfile::Builder::new()
        .prefix("contract-embedded-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir");
    let path = dir.keep().join("vigil.db");
    EmbeddedDb::open(&path).expect("open embedded db")
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
