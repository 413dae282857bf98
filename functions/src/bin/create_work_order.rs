//! Lambda for the `create_work_order` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::CreateWorkOrder).await
}
