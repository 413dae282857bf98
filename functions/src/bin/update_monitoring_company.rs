//! Lambda for the `update_monitoring_company` route.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_http(vigil_api::Function::UpdateMonitoringCompany).await
}
