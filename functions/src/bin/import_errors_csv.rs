//! Lambda for the `import_errors_csv` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::ImportErrorsCsv).await
}
