//! The services behind the runtime: the embedded database file, or the AWS adapters (a cloud rehearsal).

use crate::config::{Backend, Config};
use rand::RngCore;
use std::path::Path;
use std::sync::Arc;
use vigil_app::clock::SystemClock;
use vigil_app::retry::RetryingTable;
use vigil_app::services::queues;
use vigil_app::ssn::keyring::{any_encrypted_ssn, forget_key_ring, KeyRing, LocalKeyFile};
use vigil_app::Services;
use vigil_store::embedded::{EmbeddedDb, EmbeddedTable};
use vigil_store::mail::OutboxOnly;
use vigil_store::objects::LocalObjects;
use vigil_store::{CursorSigner, QueueSpec, Table};

pub struct Backends {
    pub services: Services,
    /// Present for the embedded backend, whose TTL the runtime must apply itself.
    pub embedded: Option<EmbeddedTable>,
    /// Signs the local sessions.
    pub token_key: Vec<u8>,
    /// The SSN key ring behind `services.data_keys` (what `rotate_ssn_key` rotates).
    pub key_ring: Arc<KeyRing>,
    /// Uploaded import files, in the data directory; the runtime serves their upload route.
    pub objects: LocalObjects,
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
    #[error(
        "the SSN key file {0} is missing, but this data holds encrypted SSNs that only that file can decrypt; \
         restore the file (or start over with an empty data directory). No new key was made."
    )]
    SsnKeyMissing(String),
    #[error("the SSN key file {0} is unusable: {1}")]
    SsnKey(String, String),
    #[error("the SSN key ring could not be read: {0}")]
    KeyRing(vigil_app::AppError),
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

/// The SSN key file: read when it exists; when it does not, made only if no record holds an encrypted SSN, since a
/// new key could never decrypt them. A key ring left from the lost file (with nothing encrypted under it) is
/// dropped with it.
async fn ssn_key_file(dir: &Path, table: &dyn vigil_store::Table) -> Result<LocalKeyFile, BackendError> {
    let path = dir.join(SSN_KEY_FILE);
    let name = path.display().to_string();
    match std::fs::read(&path) {
        Ok(k) if k.len() >= 32 => return Ok(LocalKeyFile::new(k, name)),
        Ok(_) => return Err(BackendError::SsnKey(name, "it is shorter than 32 bytes".into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(BackendError::SsnKey(name, e.to_string())),
    }
    if any_encrypted_ssn(table).await.map_err(BackendError::KeyRing)? {
        return Err(BackendError::SsnKeyMissing(name));
    }
    forget_key_ring(table).await.map_err(BackendError::KeyRing)?;
    Ok(LocalKeyFile::new(secret(dir, SSN_KEY_FILE)?, name))
}

/// The embedded default's SSN key file, in the data directory.
pub const SSN_KEY_FILE: &str = "ssn.key";

/// The key ring over `table` wrapped by the data directory's key file, read (and created) now, so requests are
/// served from memory from the first one on.
async fn local_key_ring(dir: &Path, table: Arc<dyn vigil_store::Table>) -> Result<Arc<KeyRing>, BackendError> {
    let file = ssn_key_file(dir, table.as_ref()).await?;
    let ring = Arc::new(KeyRing::new(table, Arc::new(file)));
    ring.refresh(true, &[]).await.map_err(BackendError::KeyRing)?;
    Ok(ring)
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
    let objects = LocalObjects::new(config.data_dir.join("imports"));
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
            let key_ring = local_key_ring(&config.data_dir, Arc::new(table.clone())).await?;
            let services = Services {
                table: RetryingTable::wrap(layer(config, Arc::new(table.clone()))),
                queue: Arc::new(queue),
                cursors: CursorSigner::new(cursor_key),
                clock: Arc::new(SystemClock),
                data_keys: key_ring.clone(),
                // The outbox page is the local mail viewer: nothing leaves the laptop.
                mailer: Arc::new(OutboxOnly),
                post_policy: Default::default(),
                model: None,
                objects: Arc::new(objects.clone()),
                users: Arc::new(vigil_store::user_pool::TableUsersOnly),
            };
            Ok(Backends { services, embedded: Some(table), token_key, key_ring, objects })
        }
        Backend::Aws => {
            // The rehearsal's cursor secret comes from the environment like a Lambda's, else from the data dir.
            let settings = match &config.aws {
                Some(s) => s.clone(),
                None => vigil_functions::env::AwsSettings::from_env_with(Some(cursor_key))?,
            };
            let mut services = vigil_functions::env::aws_services(&settings);
            // With VIGIL_KMS_KEY_ID the stack's KMS key wraps the data keys, as in the Lambdas; without it (a
            // rehearsal against an emulator) the data directory's key file does.
            let key_ring = match std::env::var("VIGIL_KMS_KEY_ID").ok().filter(|v| !v.is_empty()) {
                Some(key) => {
                    let sdk = vigil_store::aws::LazySdkConfig::new(settings.endpoint.clone());
                    let wrapper = vigil_store::aws::LazyKmsKeyWrapper::new(sdk, key);
                    Arc::new(KeyRing::new(services.table.clone(), Arc::new(wrapper)))
                }
                None => local_key_ring(&config.data_dir, services.table.clone()).await?,
            };
            services.data_keys = key_ring.clone();
            // The runtime plays the imports bucket too: uploads go to its own route.
            services.objects = Arc::new(objects.clone());
            // Partner logins are kept in step with the pool whose tokens the runtime accepts (its ID ends the issuer),
            // unless the environment names one as a Lambda's does.
            if std::env::var("VIGIL_USER_POOL_ID").map_or(true, |v| v.is_empty()) {
                if let Some(pool) = config.cognito.as_ref().and_then(|c| c.issuer.rsplit('/').next()) {
                    let sdk = vigil_store::aws::LazySdkConfig::new(settings.endpoint.clone());
                    services.users = Arc::new(vigil_store::cognito::CognitoUserPool::new(sdk, pool));
                }
            }
            Ok(Backends { services, embedded: None, token_key, key_ring, objects })
        }
    }
}

/// The SSN key ring alone, for `vigil-rotate-ssn-key`: the embedded database and its key file, or (`VIGIL_BACKEND=aws`)
/// the table `VIGIL_TABLE` with the KMS key `VIGIL_KMS_KEY_ID` (`VIGIL_AWS_ENDPOINT` for an emulator). No queue, no
/// cursor secret: the rotation needs neither.
pub async fn open_key_ring(config: &Config) -> Result<Arc<KeyRing>, BackendError> {
    match config.backend {
        Backend::Embedded => {
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|e| BackendError::DataDir(config.data_dir.display().to_string(), e))?;
            let db = EmbeddedDb::open(&config.data_dir.join("vigil.db"))?;
            local_key_ring(&config.data_dir, Arc::new(db.table())).await
        }
        Backend::Aws => {
            use vigil_functions::env::ConfigError;
            let var = |name: &'static str| std::env::var(name).ok().filter(|v| !v.is_empty());
            let table_name = var("VIGIL_TABLE").ok_or(ConfigError::Missing("VIGIL_TABLE"))?;
            let key = var("VIGIL_KMS_KEY_ID").ok_or(ConfigError::Missing("VIGIL_KMS_KEY_ID"))?;
            let sdk = vigil_store::aws::LazySdkConfig::new(var("VIGIL_AWS_ENDPOINT"));
            let table = Arc::new(vigil_store::aws::LazyDynamoTable::new(sdk.clone(), table_name));
            let wrapper = vigil_store::aws::LazyKmsKeyWrapper::new(sdk, key);
            Ok(Arc::new(KeyRing::new(table, Arc::new(wrapper))))
        }
    }
}
