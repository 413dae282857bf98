//! Lambda for the `dry_run_import` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::DryRunImport).await
}
