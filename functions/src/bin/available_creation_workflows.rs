//! Lambda for the `available_creation_workflows` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::AvailableCreationWorkflows).await
}
