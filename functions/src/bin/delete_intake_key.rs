//! Lambda for the `delete_intake_key` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::DeleteIntakeKey).await
}
