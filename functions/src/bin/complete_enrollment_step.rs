//! Lambda for the `complete_enrollment_step` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::CompleteEnrollmentStep).await
}
