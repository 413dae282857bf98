//! Lambda for the `lead_queue_summary` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::LeadQueueSummary).await
}
