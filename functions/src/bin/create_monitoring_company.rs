//! Lambda for the `create_monitoring_company` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::CreateMonitoringCompany).await
}
