//! Background jobs: what goes on the `jobs` queue and how a worker handles one message. The SQS batch plumbing
//! (partial failures) is at the edge; this module is the part that is the same in Lambda and the local runtime.

use crate::idempotency::{self, Claim};
use crate::services::queues;
use crate::{outbox, AppError, Services};
use serde::{Deserialize, Serialize};
use vigil_domain::CompanyId;
use vigil_store::OutgoingMessage;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Job {
    SendEmail { company: CompanyId, to: String, subject: String, body: String },
}

impl Job {
    fn kind(&self) -> &'static str {
        match self {
            Job::SendEmail { .. } => "send_email",
        }
    }
}

/// A job with the key that makes it happen once, however often it is queued or delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub idempotency_key: String,
    pub job: Job,
}

pub async fn enqueue(svc: &Services, idempotency_key: impl Into<String>, job: Job) -> Result<String, AppError> {
    let kind = job.kind();
    let body = serde_json::to_string(&Envelope { idempotency_key: idempotency_key.into(), job })
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut msg = OutgoingMessage::new(body);
    msg.attributes.insert("job_type".into(), kind.into());
    Ok(svc.queue.send(queues::JOBS, msg).await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Seen before and already handled; nothing was done again.
    Duplicate,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The body is not a job: retrying cannot help, so the message is dropped (and logged) rather than redriven.
    #[error("message is not a job: {0}")]
    Poison(String),
    /// Another worker is handling the same key right now; retry later.
    #[error("job is being handled by another worker")]
    Busy,
    #[error(transparent)]
    Failed(#[from] AppError),
}

const SCOPE: &str = "jobs";
/// Longer than any job takes; a worker that died releases its claim after this.
const LEASE_SECS: i64 = 300;

pub async fn handle_message(svc: &Services, body: &str) -> Result<Outcome, JobError> {
    let env: Envelope = serde_json::from_str(body).map_err(|e| JobError::Poison(e.to_string()))?;
    let now = svc.clock.now().unix_timestamp();
    match idempotency::claim(svc.table.as_ref(), SCOPE, &env.idempotency_key, now, LEASE_SECS).await? {
        Claim::AlreadyDone => return Ok(Outcome::Duplicate),
        Claim::InProgress => return Err(JobError::Busy),
        Claim::Acquired => {}
    }
    match run(svc, &env).await {
        Ok(()) => {
            idempotency::complete(svc.table.as_ref(), SCOPE, &env.idempotency_key, svc.clock.now().unix_timestamp())
                .await?;
            Ok(Outcome::Done)
        }
        Err(e) => {
            idempotency::release(svc.table.as_ref(), SCOPE, &env.idempotency_key).await?;
            Err(JobError::Failed(e))
        }
    }
}

async fn run(svc: &Services, env: &Envelope) -> Result<(), AppError> {
    match &env.job {
        Job::SendEmail { company, to, subject, body } => {
            outbox::deliver(svc, company, &env.idempotency_key, to, subject, body).await?;
        }
    }
    Ok(())
}
