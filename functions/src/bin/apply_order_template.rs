//! Lambda for the `apply_order_template` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::ApplyOrderTemplate).await
}
