//! Plays DynamoDB Streams (the pending-job dispatcher), SQS's event source mapping and EventBridge: polls the jobs queue into the same worker Lambda runs, deleting
//! what succeeded and backing off what failed; and runs the scheduled jobs and the embedded TTL sweep on a timer.

use aws_lambda_events::event::sqs::SqsEvent;
use serde_json::json;
use std::time::Duration;
use tokio::sync::watch;
use tracing::{info, warn};
use vigil_app::services::queues;
use vigil_app::Services;
use vigil_store::embedded::EmbeddedTable;
use vigil_store::ReceivedMessage;

/// Seconds a received job stays hidden (the template sets 6× the worker's timeout; locally jobs are quick).
const VISIBILITY_SECS: u32 = 60;

fn sqs_event(messages: &[ReceivedMessage]) -> Result<SqsEvent, serde_json::Error> {
    let records: Vec<_> = messages
        .iter()
        .map(|m| {
            let attrs: serde_json::Map<_, _> = m
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), json!({"stringValue": v, "dataType": "String"})))
                .collect();
            json!({
                "messageId": m.message_id,
                "receiptHandle": m.receipt_handle,
                "body": m.body,
                "attributes": {"ApproximateReceiveCount": m.receive_count.to_string()},
                "messageAttributes": attrs,
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:local:000000000000:{}", queues::JOBS),
                "awsRegion": "local",
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records }))
}

/// Handles one batch if there is one; returns how many messages it received.
pub async fn poll_once(svc: &Services, wait_seconds: u32) -> usize {
    let messages = match svc.queue.receive(queues::JOBS, 10, VISIBILITY_SECS, wait_seconds).await {
        Ok(m) => m,
        Err(e) => {
            warn!(error = %e, "polling the jobs queue failed");
            tokio::time::sleep(Duration::from_secs(1)).await;
            return 0;
        }
    };
    if messages.is_empty() {
        return 0;
    }
    let event = match sqs_event(&messages) {
        Ok(e) => e,
        Err(e) => {
            warn!(error = %e, "could not build an SQS event");
            return messages.len();
        }
    };
    let response = vigil_functions::worker::jobs_worker(svc, event).await;
    for m in &messages {
        let failed = response.batch_item_failures.iter().any(|f| f.item_identifier == m.message_id);
        let result = if failed {
            // Exponential backoff before the retry, as a worker with a changing visibility timeout would do.
            let backoff = 2u32.saturating_pow(m.receive_count).min(300);
            svc.queue.change_visibility(queues::JOBS, &m.receipt_handle, backoff).await
        } else {
            svc.queue.delete(queues::JOBS, &m.receipt_handle).await
        };
        if let Err(e) = result {
            warn!(message_id = m.message_id, error = %e, "could not settle a job message");
        }
    }
    messages.len()
}

/// Plays the DynamoDB stream that dispatches pending jobs in AWS: moves what changes wrote to the outbox onto the
/// queue, before each poll (so a job is on its way within a poll's wait).
pub async fn dispatch_pending(svc: &Services) {
    match vigil_app::jobs::dispatch_all(svc).await {
        Ok(0) => {}
        Ok(n) => info!(dispatched = n, "pending jobs dispatched"),
        Err(e) => warn!(error = %e, "dispatching pending jobs failed; they stay pending"),
    }
}

pub async fn poll_forever(svc: Services, mut stop: watch::Receiver<bool>) {
    // The one place loopback posts are allowed: the demo companies sell to each other on this machine.
    let svc = Services { post_policy: vigil_app::selling::PostPolicy::LOCAL, ..svc };
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = async { dispatch_pending(&svc).await; poll_once(&svc, 1).await } => {}
        }
    }
}

/// Scheduled jobs: follow-up reminders (idempotent per company, day and rep) and the embedded TTL sweep.
pub async fn timer_forever(
    svc: Services,
    embedded: Option<EmbeddedTable>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    // EventBridge runs the reminder once a day; the timer does too (a missed day runs at the next tick).
    let mut reminded_on = None;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tick.tick() => {
                let today = vigil_app::clock::date(svc.clock.now());
                if reminded_on.as_ref() != Some(&today) {
                    match vigil_functions::worker::followup_reminders(&svc).await {
                        Ok(_) => reminded_on = Some(today),
                        Err(e) => warn!(error = %e, "follow-up reminders failed"),
                    }
                }
                if let Some(table) = &embedded {
                    match table.sweep_expired(svc.clock.now().unix_timestamp()).await {
                        Ok(n) if n > 0 => info!(removed = n, "expired items swept"),
                        Ok(_) => {}
                        Err(e) => warn!(error = %e, "TTL sweep failed"),
                    }
                }
            }
        }
    }
}
