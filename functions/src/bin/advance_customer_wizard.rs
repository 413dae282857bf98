//! Lambda for the `advance_customer_wizard` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::AdvanceCustomerWizard).await
}
