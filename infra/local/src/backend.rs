//! The services behind the runtime: the embedded database file, or the AWS adapters (a cloud rehearsal).

use crate::config::{Backend, Config};
use rand::RngCore;
use std::path::Path;
use std::sync::Arc;
use vigil_app::clock::SystemClock;
use vigil_app::retry::RetryingTable;
use vigil_app::services::queues;
use vigil_app::Services;
use vigil_store::embedded::{EmbeddedDb, EmbeddedTable};
use vigil_store::{CursorSigner, QueueSpec, Table};

pub struct Backends {
    pub services: Services,
    /// Present for the embedded backend, whose TTL the runtime must apply itself.
    pub embedded: Option<EmbeddedTable>,
    /// Signs the local sessions.
    pub token_key: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("cannot use the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error(transparent)]
    Store(#[from] vigil_store::StoreError),
    #[error(transparent)]
    Queue(#[from] vigil_store::QueueError),
    #[error(transparent)]
    Config(#[from] vigil_functions::env::ConfigError),
}

/// A random key kept in the data directory, so sessions and cursors survive a restart.
fn secret(dir: &Path, name: &str) -> Result<Vec<u8>, BackendError> {
    let path = dir.join(name);
    let err = |e| BackendError::DataDir(dir.display().to_string(), e);
    match std::fs::read(&path) {
        Ok(k) if k.len() >= 32 => Ok(k),
        _ => {
            let mut k = vec![0u8; 32];
            rand::thread_rng().fill_bytes(&mut k);
            std::fs::write(&path, &k).map_err(err)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
            }
            Ok(k)
        }
    }
}

/// The embedded table as the runtime uses it: through the configured layer, if any.
fn layer(config: &Config, table: Arc<dyn Table>) -> Arc<dyn Table> {
    match &config.table_layer {
        Some(wrap) => wrap.apply(table),
        None => table,
    }
}

pub async fn open(config: &Config) -> Result<Backends, BackendError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| BackendError::DataDir(config.data_dir.display().to_string(), e))?;
    let token_key = secret(&config.data_dir, "session.key")?;
    let cursor_key = secret(&config.data_dir, "cursor.key")?;
    // SSN encryption and blind-index keys (a KMS envelope key in AWS).
    let ssn_keys = Arc::new(vigil_app::ssn::LocalKeys::from_secret(&secret(&config.data_dir, "ssn.key")?));
    match config.backend {
        Backend::Embedded => {
            let db = EmbeddedDb::open(&config.data_dir.join("vigil.db"))?;
            let table = db.table();
            let queue = db.queue(vec![
                QueueSpec {
                    name: queues::JOBS.into(),
                    dead_letter: Some(queues::JOBS_DLQ.into()),
                    max_receives: queues::JOBS_MAX_RECEIVES,
                },
                QueueSpec { name: queues::JOBS_DLQ.into(), dead_letter: None, max_receives: u32::MAX },
            ])?;
            let services = Services {
                table: RetryingTable::wrap(layer(config, Arc::new(table.clone()))),
                queue: Arc::new(queue),
                cursors: CursorSigner::new(cursor_key),
                clock: Arc::new(SystemClock),
                data_keys: ssn_keys,
            };
            Ok(Backends { services, embedded: Some(table), token_key })
        }
        Backend::Aws => {
            // The rehearsal's cursor secret comes from the environment like a Lambda's, else from the data dir.
            let settings = match &config.aws {
                Some(s) => s.clone(),
                None => vigil_functions::env::AwsSettings::from_env_with(Some(cursor_key))?,
            };
            let mut services = vigil_functions::env::aws_services(&settings);
            services.data_keys = ssn_keys;
            Ok(Backends { services, embedded: None, token_key })
        }
    }
}
