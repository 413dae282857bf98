//! Lambda for the `customer_parent_candidates` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::CustomerParentCandidates).await
}
