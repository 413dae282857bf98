//! Building the services a Lambda uses from its environment (names as `infra/template.yaml` sets them):
//! `VIGIL_TABLE`, `VIGIL_QUEUE_URL_<NAME>` per queue (`VIGIL_QUEUE_URL_JOBS`), `VIGIL_CURSOR_SECRET`,
//! `VIGIL_KMS_KEY_ID` (the KMS key that wraps the SSN data keys), `VIGIL_SES_SENDER` (the jobs worker's verified
//! sender; without it a mail job fails rather than sends), `VIGIL_USER_POOL_ID` (the user pool whose partner logins
//! the jobs worker keeps in step), and `VIGIL_AWS_ENDPOINT` to point the SDK at an emulator (moto) instead of AWS.

use std::collections::HashMap;
use std::sync::Arc;
use vigil_app::clock::SystemClock;
use vigil_app::retry::RetryingTable;
use vigil_app::services::queues;
use vigil_app::ssn::keyring::KeyRing;
use vigil_app::ssn::{DataKeys, UnconfiguredKeys};
use vigil_app::Services;
use vigil_store::aws::{
    LazyBedrockModel, LazyDynamoTable, LazyKmsKeyWrapper, LazySdkConfig, LazySesMailer, LazySqsQueue,
};
use vigil_store::mail::Unconfigured;
use vigil_store::Model;
use vigil_store::Table;
use vigil_store::{CursorSigner, Mailer};

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

/// DynamoDB, SQS and the SSN key ring for these settings, once per container, with the KMS key named by
/// `VIGIL_KMS_KEY_ID`. Nothing is loaded or connected here: the SDK configuration and each client are built on their
/// first call (see `vigil_store::aws`), so a Lambda asks for its first event sooner and never builds a client its
/// requests do not use.
pub fn aws_services(s: &AwsSettings) -> Services {
    aws_services_with_kms(s, env_value("VIGIL_KMS_KEY_ID"))
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// As [`aws_services`], with the KMS key given (`None`: SSN writes and reveals are refused).
pub fn aws_services_with_kms(s: &AwsSettings, kms_key_id: Option<String>) -> Services {
    aws_services_with(s, kms_key_id, env_value("VIGIL_SES_SENDER"))
}

/// As [`aws_services`], with the KMS key and the SES sender given (`None`: mail jobs fail, and stay queued).
pub fn aws_services_with(s: &AwsSettings, kms_key_id: Option<String>, ses_sender: Option<String>) -> Services {
    let config = LazySdkConfig::new(s.endpoint.clone());
    // Transaction conflicts and throttling are retried per call before an operation sees them (`vigil_app::retry`).
    let table: Arc<dyn Table> = RetryingTable::wrap(Arc::new(LazyDynamoTable::new(config.clone(), s.table.clone())));
    let data_keys: Arc<dyn DataKeys> = match kms_key_id {
        // The ring reads its item and asks KMS only when an SSN is first encrypted, decrypted or searched for.
        Some(key) => Arc::new(KeyRing::new(table.clone(), Arc::new(LazyKmsKeyWrapper::new(config.clone(), key)))),
        None => Arc::new(UnconfiguredKeys),
    };
    let mailer: Arc<dyn Mailer> = match ses_sender {
        Some(sender) => Arc::new(LazySesMailer::new(config.clone(), sender)),
        None => Arc::new(Unconfigured("VIGIL_SES_SENDER")),
    };
    let objects: Arc<dyn vigil_store::ObjectStore> = match env_value("VIGIL_IMPORTS_BUCKET") {
        Some(bucket) => Arc::new(vigil_store::s3::S3Objects::new(config.clone(), bucket)),
        None => Arc::new(vigil_store::objects::NoObjects),
    };
    Services {
        table,
        mailer,
        queue: Arc::new(LazySqsQueue::new(config.clone(), s.queue_urls.clone())),
        cursors: CursorSigner::new(s.cursor_secret.clone()),
        clock: Arc::new(SystemClock),
        data_keys,
        post_policy: Default::default(),
        // The Copilot's model is off unless the stack names one (the `CopilotModelId` parameter).
        model: env_value("VIGIL_BEDROCK_MODEL_ID")
            .map(|id| Arc::new(LazyBedrockModel::new(config.clone(), id)) as Arc<dyn Model>),
        objects,
        // Without the pool's ID a login change's job fails and stays queued, rather than pretend the account exists.
        users: match env_value("VIGIL_USER_POOL_ID") {
            Some(pool) => Arc::new(vigil_store::cognito::CognitoUserPool::new(config.clone(), pool)),
            None => Arc::new(vigil_store::user_pool::NoUserPool),
        },
    }
}

/// The services of a Lambda, from its environment.
pub fn services_from_env() -> Result<Services, ConfigError> {
    Ok(aws_services(&AwsSettings::from_env()?))
}
