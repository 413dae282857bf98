//! Lambda for the daily follow-up reminder (EventBridge schedule).
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_followup_reminders().await
}
