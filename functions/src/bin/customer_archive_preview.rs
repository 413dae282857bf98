//! Lambda for the `customer_archive_preview` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http("customer_archive_preview").await
}
