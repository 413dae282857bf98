//! Lambda for the `get_mmr_settings` route.
use lambda_http::{service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    vigil_functions::telemetry::init();
    let svc = vigil_functions::env::services_from_env().await?;
    lambda_http::run(service_fn(|req: Request| async {
        Ok::<_, Error>(vigil_functions::handle(&svc, "get_mmr_settings", req).await)
    }))
    .await
}
