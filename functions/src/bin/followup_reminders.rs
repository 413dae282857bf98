//! Lambda for the daily follow-up reminder (EventBridge schedule).
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    vigil_functions::telemetry::init();
    let svc = vigil_functions::env::services_from_env().await?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<serde_json::Value>| async {
        let queued = vigil_functions::worker::followup_reminders(&svc).await?;
        Ok::<_, Error>(serde_json::json!({ "queued": queued }))
    }))
    .await
}
