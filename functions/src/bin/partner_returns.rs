//! Lambda for the `partner_returns` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::PartnerReturns).await
}
