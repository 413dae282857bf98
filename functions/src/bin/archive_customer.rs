//! Lambda for the `archive_customer` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http("archive_customer").await
}
