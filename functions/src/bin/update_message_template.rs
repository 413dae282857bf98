//! Lambda for the `update_message_template` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::UpdateMessageTemplate).await
}
