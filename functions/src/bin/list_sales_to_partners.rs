//! Lambda for the `list_sales_to_partners` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::ListSalesToPartners).await
}
