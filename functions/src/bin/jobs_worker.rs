//! Lambda for the `jobs` queue (SQS event source with ReportBatchItemFailures).
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_jobs_worker().await
}
