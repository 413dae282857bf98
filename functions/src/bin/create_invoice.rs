//! Lambda for the `create_invoice` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::CreateInvoice).await
}
