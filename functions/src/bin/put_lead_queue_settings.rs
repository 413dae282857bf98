//! Lambda for the `put_lead_queue_settings` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::PutLeadQueueSettings).await
}
