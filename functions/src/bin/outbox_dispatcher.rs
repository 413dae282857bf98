//! Lambda for the table's stream: relays pending jobs (the transactional outbox) to the jobs queue.
#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vigil_functions::lambda::run_outbox_dispatcher().await
}
