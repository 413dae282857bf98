//! Lambda for the `run_credit_check` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::RunCreditCheck).await
}
