//! Building the services a Lambda uses from its environment (names as `infra/template.yaml` sets them):
//! `VIGIL_TABLE`, `VIGIL_QUEUE_URL_<NAME>` per queue (`VIGIL_QUEUE_URL_JOBS`), `VIGIL_CURSOR_SECRET`, and
//! `VIGIL_AWS_ENDPOINT` to point the SDK at an emulator (moto) instead of AWS.

use std::collections::HashMap;
use std::sync::Arc;
use vigil_app::clock::SystemClock;
use vigil_app::retry::RetryingTable;
use vigil_app::services::queues;
use vigil_app::Services;
use vigil_store::aws::{LazyDynamoTable, LazySdkConfig, LazySqsQueue};
use vigil_store::CursorSigner;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    #[error("environment variable {0} is invalid: {1}")]
    Invalid(&'static str, &'static str),
}

/// The settings of the AWS backends.
#[derive(Debug, Clone)]
pub struct AwsSettings {
    pub table: String,
    /// Logical queue name → URL.
    pub queue_urls: HashMap<String, String>,
    pub endpoint: Option<String>,
    pub cursor_secret: Vec<u8>,
}

impl AwsSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with(None)
    }

    /// As `from_env`, with a cursor secret to use when `VIGIL_CURSOR_SECRET` is not set (the local runtime's).
    pub fn from_env_with(fallback_secret: Option<Vec<u8>>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let table = var("VIGIL_TABLE").ok_or(ConfigError::Missing("VIGIL_TABLE"))?;
        let mut queue_urls = HashMap::new();
        queue_urls.insert(
            queues::JOBS.to_owned(),
            var("VIGIL_QUEUE_URL_JOBS").ok_or(ConfigError::Missing("VIGIL_QUEUE_URL_JOBS"))?,
        );
        if let Some(dlq) = var("VIGIL_QUEUE_URL_JOBS_DLQ") {
            queue_urls.insert(queues::JOBS_DLQ.to_owned(), dlq);
        }
        let cursor_secret = var("VIGIL_CURSOR_SECRET")
            .map(String::into_bytes)
            .or(fallback_secret)
            .ok_or(ConfigError::Missing("VIGIL_CURSOR_SECRET"))?;
        if cursor_secret.len() < 16 {
            return Err(ConfigError::Invalid("VIGIL_CURSOR_SECRET", "must be at least 16 characters"));
        }
        Ok(Self { table, queue_urls, endpoint: var("VIGIL_AWS_ENDPOINT"), cursor_secret })
    }
}

/// DynamoDB and SQS for these settings, once per container. Nothing is loaded or connected here: the SDK
/// configuration and each client are built on their first call (see `vigil_store::aws`), so a Lambda asks for its
/// first event sooner and never builds a client its requests do not use.
pub fn aws_services(s: &AwsSettings) -> Services {
    let config = LazySdkConfig::new(s.endpoint.clone());
    Services {
        // Transaction conflicts and throttling are retried per call before an operation sees them (`vigil_app::retry`).
        table: RetryingTable::wrap(Arc::new(LazyDynamoTable::new(config.clone(), s.table.clone()))),
        queue: Arc::new(LazySqsQueue::new(config, s.queue_urls.clone())),
        cursors: CursorSigner::new(s.cursor_secret.clone()),
        clock: Arc::new(SystemClock),
        data_keys: ssn_keys_from_env(),
    }
}

/// The SSN keys: `VIGIL_SSN_KEY` (at least 32 characters) until the KMS adapter that decrypts the stack's envelope
/// data key replaces it (the seam is `vigil_app::ssn::DataKeys`); without either, SSN writes are refused.
fn ssn_keys_from_env() -> Arc<dyn vigil_app::ssn::DataKeys> {
    match std::env::var("VIGIL_SSN_KEY") {
        Ok(k) if k.len() >= 32 => Arc::new(vigil_app::ssn::LocalKeys::from_secret(k.as_bytes())),
        _ => Arc::new(vigil_app::ssn::UnconfiguredKeys),
    }
}

/// The services of a Lambda, from its environment.
pub fn services_from_env() -> Result<Services, ConfigError> {
    Ok(aws_services(&AwsSettings::from_env()?))
}
