//! Lambda for the `refresh_adt_precheck` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::RefreshAdtPrecheck).await
}
