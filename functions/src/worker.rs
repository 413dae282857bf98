//! Queue workers and scheduled jobs at the edge. The batch runner reports partial batch failures
//! (`ReportBatchItemFailures`): only the messages that failed come back, after their visibility timeout.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use std::future::Future;
use tracing::{error, info, info_span, warn, Instrument};
use vigil_app::jobs::{self, JobError, Outcome};
use vigil_app::{followups, AppError, Services};

/// What handling one message came to.
#[derive(Debug)]
pub enum ItemResult {
    Handled,
    /// Retry later: reported as a batch item failure.
    Retry(String),
    /// Retrying cannot help: logged and dropped (not redriven, so it does not clog the dead-letter queue).
    Drop(String),
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
            ItemResult::Drop(reason) => error!(reason, "message dropped: it can never succeed"),
        });
    }
    response
}

/// The `jobs` queue's worker.
pub async fn jobs_worker(svc: &Services, event: SqsEvent) -> SqsBatchResponse {
    run_batch(event, |m| async move {
        match jobs::handle_message(svc, m.body.as_deref().unwrap_or_default()).await {
            Ok(Outcome::Done) => {
                info!("job done");
                ItemResult::Handled
            }
            Ok(Outcome::Duplicate) => {
                info!("job was already done; skipped");
                ItemResult::Handled
            }
            Err(JobError::Poison(e)) => ItemResult::Drop(e),
            Err(e) => ItemResult::Retry(e.to_string()),
        }
    })
    .await
}

/// The daily follow-up reminder (EventBridge schedule in AWS, the local runtime's timer locally).
pub async fn followup_reminders(svc: &Services) -> Result<usize, AppError> {
    let queued = followups::queue_reminders(svc).await?;
    info!(queued, "follow-up reminders queued");
    Ok(queued)
}
