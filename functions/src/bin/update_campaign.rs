//! Lambda for the `update_campaign` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::UpdateCampaign).await
}
