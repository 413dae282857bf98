//! Lambda for the `move_lead_location` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::MoveLeadLocation).await
}
