//! Lambda for the `quote_to_invoice` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::QuoteToInvoice).await
}
