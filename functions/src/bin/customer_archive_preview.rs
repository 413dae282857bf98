//! Lambda for the `customer_archive_preview` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::CustomerArchivePreview).await
}
