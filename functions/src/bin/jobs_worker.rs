//! Lambda for the `jobs` queue (SQS event source with ReportBatchItemFailures).
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    vigil_functions::telemetry::init();
    let svc = vigil_functions::env::services_from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async {
        Ok::<_, Error>(vigil_functions::worker::jobs_worker(&svc, event.payload).await)
    }))
    .await
}
