//! Lambda for the `create_catalog_entry` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::CreateCatalogEntry).await
}
