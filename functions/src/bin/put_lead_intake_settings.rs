//! Lambda for the `put_lead_intake_settings` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::PutLeadIntakeSettings).await
}
