//! The smallest `lambda_runtime` function (echoes its event): the yardstick `cargo xtask bench-cold` compares every
//! function's init time with. An example rather than a binary, so it is never deployed.
use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<serde_json::Value>| async { Ok::<_, Error>(event.payload) }))
        .await
}
