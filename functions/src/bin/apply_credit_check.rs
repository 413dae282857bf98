//! Lambda for the `apply_credit_check` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::ApplyCreditCheck).await
}
