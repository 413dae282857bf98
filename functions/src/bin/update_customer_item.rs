//! Lambda for the `update_customer_item` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::UpdateCustomerItem).await
}
