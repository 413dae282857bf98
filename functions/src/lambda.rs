//! What each binary's `main` runs: tracing, the services (whose AWS clients are built on first use), and the Lambda
//! runtime loop with the binary's handler.
//!
//! These are plain functions rather than code in every `src/bin/*.rs` so that the runtime's generic code (the HTTP
//! client, the event loop, the event types) is compiled once here, not once per binary: a binary is one call.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};

/// Serves the API routes of `function` (a name the contract declares, so a binary for an unknown function does
/// not compile).
pub async fn run_http(function: vigil_api::Function) -> Result<(), Error> {
    crate::telemetry::init();
    let svc = crate::env::services_from_env()?;
    let svc = &svc;
    lambda_http::run(lambda_http::service_fn(move |req: lambda_http::Request| async move {
        Ok::<_, Error>(crate::http::serve(svc, function, req).await)
    }))
    .await
}

/// The `jobs` queue's worker (SQS event source with ReportBatchItemFailures).
pub async fn run_jobs_worker() -> Result<(), Error> {
    crate::telemetry::init();
    let svc = crate::env::services_from_env()?;
    let svc = &svc;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(crate::worker::jobs_worker(svc, event.payload).await)
    }))
    .await
}

/// The table's stream: relays pending jobs to the jobs queue (DynamoDB event source with ReportBatchItemFailures).
pub async fn run_outbox_dispatcher() -> Result<(), Error> {
    crate::telemetry::init();
    let svc = crate::env::services_from_env()?;
    let svc = &svc;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<crate::dispatcher::StreamEvent>| async move {
        Ok::<_, Error>(crate::dispatcher::outbox_dispatcher(svc, event.payload).await)
    }))
    .await
}

/// The daily follow-up reminder (EventBridge schedule).
pub async fn run_followup_reminders() -> Result<(), Error> {
    crate::telemetry::init();
    let svc = crate::env::services_from_env()?;
    let svc = &svc;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| async move {
        let queued = crate::worker::followup_reminders(svc).await?;
        Ok::<_, Error>(serde_json::json!({ "queued": queued }))
    }))
    .await
}
