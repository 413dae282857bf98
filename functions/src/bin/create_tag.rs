//! Lambda for the `create_tag` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http("create_tag").await
}
