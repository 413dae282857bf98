//! Lambda for the `update_creation_workflow` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::UpdateCreationWorkflow).await
}
