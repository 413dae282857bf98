//! Lambda for the `get_lead_queue_settings` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::GetLeadQueueSettings).await
}
