//! Lambda for the `enter_credit_score` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::EnterCreditScore).await
}
