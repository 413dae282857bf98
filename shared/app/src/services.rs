use crate::clock::Clock;
use std::sync::Arc;
use vigil_store::{CursorSigner, Mailer, Model, Queue, Table};

/// The ports an operation may use, built once per process (per Lambda container, or once for the local runtime).
#[derive(Clone)]
pub struct Services {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub cursors: CursorSigner,
    pub clock: Arc<dyn Clock>,
    /// SSN encryption and blind-index keys (`crate::ssn`).
    pub data_keys: Arc<dyn crate::ssn::DataKeys>,
    /// SES in AWS; in the embedded default a mailer that sends nothing, the outbox being the delivery.
    pub mailer: Arc<dyn Mailer>,
    /// Where sale posts may go: public addresses only, unless the local runtime allows loopback for its demo.
    pub post_policy: crate::selling::PostPolicy,
    /// The language model the Copilot asks first (Bedrock when the stack names a model); without one, or when it
    /// fails, the deterministic engine answers.
    pub model: Option<Arc<dyn Model>>,
    /// Uploaded files (CSV imports): S3 in AWS, a directory in the embedded default.
    pub objects: Arc<dyn vigil_store::ObjectStore>,
    /// The sign-in accounts the API keeps in step itself (a partner company's login): Cognito in AWS; in the
    /// embedded default the table's users are the accounts.
    pub users: Arc<dyn vigil_store::UserPool>,
}

/// Logical queue names (each backend maps them to its own queues).
pub mod queues {
    /// Background jobs: emails, reminders.
    pub const JOBS: &str = "jobs";
    pub const JOBS_DLQ: &str = "jobs-dlq";
    /// Receives before a job moves to the dead-letter queue (the template's maxReceiveCount).
    pub const JOBS_MAX_RECEIVES: u32 = 5;
}
