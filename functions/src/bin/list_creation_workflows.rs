//! Lambda for the `list_creation_workflows` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::ListCreationWorkflows).await
}
