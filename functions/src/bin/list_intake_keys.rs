//! Lambda for the `list_intake_keys` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::ListIntakeKeys).await
}
