//! Lambda for the `list_mmr_rates` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http("list_mmr_rates").await
}
