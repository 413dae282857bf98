//! Queue workers and scheduled jobs at the edge. The batch runner reports partial batch failures
//! (`ReportBatchItemFailures`): only the messages that failed come back, after their visibility timeout.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use std::future::Future;
use tracing::{error, info, info_span, warn, Instrument};
use vigil_app::jobs::{self, JobError, Outcome};
use vigil_app::services::queues;
use vigil_app::{followups, AppError, Services};
use vigil_store::OutgoingMessage;

/// What handling one message came to.
#[derive(Debug)]
pub enum ItemResult {
    Handled,
    /// Retry later: reported as a batch item failure.
    Retry(String),
}

/// Runs `handler` over every message of the batch, one at a time, and reports the ones to retry.
pub async fn run_batch<F, Fut>(event: SqsEvent, handler: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = ItemResult>,
{
    let mut response = SqsBatchResponse::default();
    for message in event.records {
        let id = message.message_id.clone().unwrap_or_default();
        let receives = message.attributes.get("ApproximateReceiveCount").cloned().unwrap_or_default();
        // Every line the job logs carries the message it came from.
        let span = info_span!("job", message_id = id.as_str(), receives = receives.as_str());
        let outcome = handler(message).instrument(span.clone()).await;
        span.in_scope(|| match outcome {
            ItemResult::Handled => {}
            ItemResult::Retry(reason) => {
                warn!(reason, "message will be retried");
                response.add_failure(id);
            }
        });
    }
    response
}

/// The `jobs` queue's worker.
pub async fn jobs_worker(svc: &Services, event: SqsEvent) -> SqsBatchResponse {
    run_batch(event, |m| async move {
        let receives = m.attributes.get("ApproximateReceiveCount").and_then(|r| r.parse().ok()).unwrap_or(1);
        match jobs::handle_delivery(svc, m.body.as_deref().unwrap_or_default(), receives).await {
            Ok(Outcome::Done) => {
                info!("job done");
                ItemResult::Handled
            }
            Ok(Outcome::Duplicate) => {
                info!("job was already done; skipped");
                ItemResult::Handled
            }
            Err(JobError::Poison(e)) => dead_letter(svc, &m, &e).await,
            Err(e) => ItemResult::Retry(e.to_string()),
        }
    })
    .await
}

/// A message that is not a job can never succeed: it goes to the dead-letter queue at once, where the DLQ alarm
/// reports it and an operator can read it, instead of being retried to no end or dropped unseen. `reason` says what
/// is wrong without quoting the body (it may hold personal data).
async fn dead_letter(svc: &Services, m: &SqsMessage, reason: &str) -> ItemResult {
    let mut msg = OutgoingMessage::new(m.body.clone().unwrap_or_default());
    msg.attributes.insert("dead_letter_reason".into(), reason.into());
    match svc.queue.send(queues::JOBS_DLQ, msg).await {
        Ok(_) => {
            error!(reason, "message is not a job: moved to the dead-letter queue");
            ItemResult::Handled
        }
        Err(e) => {
            ItemResult::Retry(format!("could not move a message that is not a job to the dead-letter queue: {e}"))
        }
    }
}

/// The daily follow-up reminder (EventBridge schedule in AWS, the local runtime's timer locally).
pub async fn followup_reminders(svc: &Services) -> Result<usize, AppError> {
    let queued = followups::queue_reminders(svc).await?;
    info!(queued, "follow-up reminders queued");
    Ok(queued)
}
