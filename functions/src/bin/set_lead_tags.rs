//! Lambda for the `set_lead_tags` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::SetLeadTags).await
}
