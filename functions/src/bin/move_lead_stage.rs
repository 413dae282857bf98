//! Lambda for the `move_lead_stage` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::MoveLeadStage).await
}
