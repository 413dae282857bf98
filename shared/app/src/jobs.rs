//! Background jobs: what goes on the `jobs` queue and how a worker handles one message. The SQS batch plumbing
//! (partial failures) is at the edge; this module is the part that is the same in Lambda and the local runtime.

use crate::idempotency::{self, Claim};
use crate::services::queues;
use crate::{directory, outbox, AppError, Services};
use serde::{Deserialize, Serialize};
use vigil_api::selling::SoldKind;
use vigil_domain::email::Address;
use vigil_domain::record::Kind;
use vigil_domain::{CampaignId, CompanyId, PartnerId, RecordId, UserId};
use vigil_store::{keys, Index, Item, Key, OutgoingMessage, Query, TxOp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Job {
    SendEmail {
        company: CompanyId,
        to: String,
        subject: String,
        body: String,
    },
    /// One record of a sale to a buying partner, delivered by the partner's method (`crate::selling`).
    DeliverSale {
        company: CompanyId,
        partner_id: PartnerId,
        sale_id: u32,
        record_id: RecordId,
        kind: SoldKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        campaign_id: Option<CampaignId>,
    },
    /// The customer's automatic workflow steps checked against its data after a change (`crate::workflows`).
    RecheckWorkflows {
        company: CompanyId,
        customer: RecordId,
        by: UserId,
    },
    /// One credit check's bureau pull (`crate::credit`). Names the check only: the SSN is opened inside the job.
    PullCredit {
        company: CompanyId,
        customer_id: RecordId,
        check_id: u64,
    },
    /// One ADT PreCheck run of a customer (`crate::monitoring::precheck`); the SSN is opened inside the job.
    AdtPrecheck {
        company: CompanyId,
        customer_id: RecordId,
        attempt: u32,
    },
    /// A posted lead's receipt: create the lead, or record why not (`crate::intake`).
    IntakeLead {
        company: CompanyId,
        receipt_id: String,
    },
    /// One chunk of a CSV import's run (`crate::imports`); each chunk queues the next.
    ImportChunk {
        company: CompanyId,
        import_id: u32,
        chunk: u32,
    },
    /// One chunk of an import's revert.
    RevertImportChunk {
        company: CompanyId,
        import_id: u32,
        chunk: u32,
    },
    /// A partner company's login brought in step with the user pool (`crate::partners::sync_login`): the account as
    /// the partner's settings are when the job runs, and `retired`, a username the change gave up, disabled.
    SyncPartnerLogin {
        company: CompanyId,
        partner_id: PartnerId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retired: Option<String>,
    },
    /// One page of a company's index backfill (`crate::reindex`): the records of `kind` after ID `after`; each page
    /// queues the next.
    ReindexPage {
        company: CompanyId,
        run: u32,
        kind: Kind,
        after: u64,
    },
}

impl Job {
    fn kind(&self) -> &'static str {
        match self {
            Job::SendEmail { .. } => "send_email",
            Job::DeliverSale { .. } => "deliver_sale",
            Job::RecheckWorkflows { .. } => "recheck_workflows",
            Job::PullCredit { .. } => "pull_credit",
            Job::AdtPrecheck { .. } => "adt_precheck",
            Job::IntakeLead { .. } => "intake_lead",
            Job::ImportChunk { .. } => "import_chunk",
            Job::RevertImportChunk { .. } => "revert_import_chunk",
            Job::SyncPartnerLogin { .. } => "sync_partner_login",
            Job::ReindexPage { .. } => "reindex_page",
        }
    }

    /// The job as it may be queued, or why it may not: a job that can only fail is refused where it is made, while
    /// the caller can still be told. An email address that cannot be delivered is a 422 naming `to` (it would bounce
    /// long after the job succeeded, and bounces count against the sender's reputation with SES).
    fn checked(self) -> Result<Job, AppError> {
        match self {
            Job::SendEmail { company, to, subject, body } => {
                let to = Address::parse_field("to", &to).map_err(AppError::from_field)?;
                Ok(Job::SendEmail { company, to: to.to_string(), subject, body })
            }
            job @ (Job::DeliverSale { .. }
            | Job::RecheckWorkflows { .. }
            | Job::PullCredit { .. }
            | Job::AdtPrecheck { .. }
            | Job::IntakeLead { .. }
            | Job::ImportChunk { .. }
            | Job::RevertImportChunk { .. }
            | Job::SyncPartnerLogin { .. }
            | Job::ReindexPage { .. }) => Ok(job),
        }
    }
}

/// A job with the key that makes it happen once, however often it is queued or delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub idempotency_key: String,
    pub job: Job,
}

fn message(envelope: &Envelope) -> Result<OutgoingMessage, AppError> {
    let body = serde_json::to_string(envelope).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut msg = OutgoingMessage::new(body);
    msg.attributes.insert("job_type".into(), envelope.job.kind().into());
    Ok(msg)
}

/// Sends a job straight to the queue. Only for jobs no stored change causes (the scheduled reminders); a job that
/// follows a change is [`pending`] in that change's transaction instead.
pub async fn enqueue(svc: &Services, idempotency_key: impl Into<String>, job: Job) -> Result<String, AppError> {
    let msg = message(&Envelope { idempotency_key: idempotency_key.into(), job: job.checked()? })?;
    Ok(svc.queue.send(queues::JOBS, msg).await?)
}

// ---------------------------------------------------------------------------------------------------------------
// The transactional outbox: a change and the job it triggers commit together or not at all, so a queue outage can
// neither lose the job of a saved change nor answer 500 after the change was saved.

/// The write that records `job` as pending, to add to the transaction of the change that causes it.
pub fn pending(co: &CompanyId, idempotency_key: impl Into<String>, job: Job) -> Result<TxOp, AppError> {
    let envelope = Envelope { idempotency_key: idempotency_key.into(), job: job.checked()? };
    let body = serde_json::to_string(&envelope).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut item = keys::pending_job(co, &envelope.idempotency_key).to_item();
    item.insert(ENVELOPE_ATTR.into(), body.into());
    // Overwriting is harmless: the same key is the same job, and the worker runs a key once.
    Ok(TxOp::Put { item, cond: None })
}

/// The attribute of a pending-job item that holds the envelope as JSON text (what the queue message carries).
pub const ENVELOPE_ATTR: &str = "envelope";

/// Moves one pending job to the queue, then deletes it. A crash between the two sends it again later: the worker
/// runs each idempotency key once, so that is a duplicate message, never a duplicate email.
pub async fn dispatch(svc: &Services, item: &Item) -> Result<(), AppError> {
    let key = Key::of(item).ok_or_else(|| AppError::Internal("a pending job has no key".into()))?;
    let envelope: Envelope = item
        .get(ENVELOPE_ATTR)
        .and_then(|v| v.as_str())
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(|| AppError::Internal(format!("pending job {} is unreadable", key.sk)))?;
    svc.queue.send(queues::JOBS, message(&envelope)?).await?;
    svc.table.delete(&key, None).await?;
    Ok(())
}

/// Dispatches every company's pending jobs (the local runtime's stand-in for the stream); returns how many went.
pub async fn dispatch_all(svc: &Services) -> Result<usize, AppError> {
    let mut sent = 0;
    for company in directory::all_companies(svc).await? {
        let q = Query::new(Index::Base, keys::pending_jobs_pk(&company.id)).limit(DISPATCH_BATCH);
        for item in svc.table.query(&q).await?.items {
            dispatch(svc, &item).await?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Pending jobs a company's dispatch takes per round; more wait for the next round.
const DISPATCH_BATCH: u32 = 100;

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
    handle_delivery(svc, body, 1).await
}

/// Handles a message the queue has handed over `receives` times (SQS's `ApproximateReceiveCount`): a job that
/// records its own progress (a sale's delivery) says `failed` on the last try rather than `retrying`.
pub async fn handle_delivery(svc: &Services, body: &str, receives: u32) -> Result<Outcome, JobError> {
    let env: Envelope = serde_json::from_str(body).map_err(|e| JobError::Poison(crate::error::serde_problem(&e)))?;
    let now = svc.clock.now().unix_timestamp();
    match idempotency::claim(svc.table.as_ref(), SCOPE, &env.idempotency_key, now, LEASE_SECS).await? {
        Claim::AlreadyDone => return Ok(Outcome::Duplicate),
        Claim::InProgress => return Err(JobError::Busy),
        Claim::Acquired => {}
    }
    match run(svc, &env, receives).await {
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

async fn run(svc: &Services, env: &Envelope, receives: u32) -> Result<(), AppError> {
    match &env.job {
        Job::SendEmail { company, to, subject, body } => {
            outbox::deliver(svc, company, &env.idempotency_key, to, subject, body).await?;
        }
        Job::DeliverSale { company, partner_id, sale_id, record_id, kind, campaign_id } => {
            crate::selling::deliver(svc, company, *partner_id, *sale_id, *record_id, *kind, *campaign_id, receives)
                .await?;
        }
        Job::RecheckWorkflows { company, customer, by } => crate::workflows::recheck(svc, company, *customer, by).await,
        Job::PullCredit { company, customer_id, check_id } => {
            crate::credit::pull(svc, company, *customer_id, *check_id).await?;
        }
        Job::AdtPrecheck { company, customer_id, attempt } => {
            crate::monitoring::precheck::run(svc, company, *customer_id, *attempt).await?;
        }
        Job::IntakeLead { company, receipt_id } => crate::intake::from_receipt(svc, company, receipt_id).await?,
        Job::ImportChunk { company, import_id, chunk } => {
            crate::imports::run_chunk(svc, company, *import_id, *chunk).await?;
        }
        Job::RevertImportChunk { company, import_id, chunk } => {
            crate::imports::revert_chunk(svc, company, *import_id, *chunk).await?;
        }
        Job::SyncPartnerLogin { company, partner_id, retired } => {
            crate::partners::sync_login(svc, company, *partner_id, retired.as_deref()).await?;
        }
        Job::ReindexPage { company, run, kind, after } => {
            crate::reindex::run_page(svc, company, *run, *kind, *after, receives).await?;
        }
    }
    Ok(())
}
